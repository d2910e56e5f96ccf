//! lessram's UltraLogLog against the `ultraloglog` crate (a port of Dynatrace's hash4j):
//! the same registers for the same stream, up to two documented differences of convention,
//! and the same FGRA estimate from them where neither small-range nor large-range
//! correction applies (the crate's corrections use inexact constants: see
//! `estimates_differ_slightly_where_registers_are_small`).
//!
//! # Where the conventions differ
//!
//! Both pick the register from the top `p` bits of the hash, and both keep the paper's
//! byte: the largest update value `u` in the upper six bits, whether `u - 1` and `u - 2`
//! were seen in bits 1 and 0. They differ in two places (read in the crate's
//! `src/lib.rs`, `UltraLogLog::add_with_observer` and `pack`):
//!
//! 1. **Which bits give the update value.** The crate (as hash4j) counts the *leading*
//!    zeros of the `64 - p` bits below the index (`(!((!h) << p)).leading_zeros()`, plus
//!    one); lessram counts their *trailing* zeros (HyperLogLog's rank in this crate, so that
//!    `to_hyperloglog` and folding stay exact). Reversing those `64 - p` bits turns one
//!    into the other, the all-zero word (value `65 - p`) included.
//! 2. **The register's offset.** The crate stores the position of the bit in its 64-bit
//!    "hash prefix", `u + p - 2`, where lessram stores `u`: a non-zero register differs by
//!    `4 (p - 2)` (hash4j's `register + 4 (p - 2)`); 0 is empty in both.
//!
//! So the test feeds lessram the hash `h` and the crate `reverse_low(h, p)`, and compares
//! lessram's registers, shifted by `4 (p - 2)`, with the crate's bytes. A fold to a lower
//! precision `q` reverses a different number of bits (`64 - q`), so a folded sketch is
//! compared with the crate's sketch of the stream mapped at `q`.

use lessram::UltraLogLog;
use ultraloglog::UltraLogLog as Peer;

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `n` hashes; one in eight has most of its low bits cleared, so that large update values
/// (up to the saturated `65 - p`) occur in every run, not only past `2^40` items.
fn hashes(n: usize, seed: u64) -> Vec<u64> {
    let mut s = seed;
    (0..n)
        .map(|i| {
            let h = splitmix(&mut s);
            if i % 8 == 7 {
                // Clear the lowest 40..=63 bits: values from about 41 - p to the largest.
                let clear = 40 + splitmix(&mut s) % 24;
                h & !((1u64 << clear) - 1)
            } else {
                h
            }
        })
        .collect()
}

/// The hash the crate needs to see for lessram's hash `h` at precision `p`: the index bits
/// kept, the `64 - p` bits below them reversed (leading zeros become trailing zeros).
fn reverse_low(h: u64, p: u8) -> u64 {
    let low_bits = 64 - u32::from(p);
    let low = h & (u64::MAX >> p);
    let reversed = low.reverse_bits() >> p;
    debug_assert_eq!(reversed.reverse_bits() >> (64 - low_bits), low);
    (h & !(u64::MAX >> p)) | reversed
}

/// lessram's register as the crate (hash4j) stores it.
fn to_peer_register(r: u8, p: u8) -> u8 {
    if r == 0 { 0 } else { r + 4 * (p - 2) }
}

fn ours_of(p: u8, hashes: &[u64]) -> UltraLogLog {
    let mut ours = UltraLogLog::new(p).unwrap();
    ours.insert_hashes(hashes.iter().copied());
    ours
}

fn peer_of(p: u8, hashes: &[u64]) -> Peer {
    let mut peer = Peer::new(u32::from(p)).unwrap();
    for &h in hashes {
        peer.add(reverse_low(h, p));
    }
    peer
}

fn assert_same_registers(ours: &UltraLogLog, peer: &Peer, what: &str) {
    let p = ours.precision();
    let mapped: Vec<u8> = ours
        .registers()
        .iter()
        .map(|&r| to_peer_register(r, p))
        .collect();
    assert_eq!(peer.get_state().len(), mapped.len(), "{what}: size");
    if let Some(i) = (0..mapped.len()).find(|&i| mapped[i] != peer.get_state()[i]) {
        panic!(
            "{what}: register {i}: lessram {} (as hash4j {}), ultraloglog crate {}",
            ours.registers()[i],
            mapped[i],
            peer.get_state()[i]
        );
    }
}

/// Empty, a few items, about `m / 4` (where a sparse form would still be small), `m`, and
/// well past `m`.
fn sizes(p: u8) -> [usize; 5] {
    let m = 1usize << p;
    [0, 7, m / 4, m, 20 * m]
}

#[test]
fn registers_equal_the_crates_for_the_mapped_stream() {
    for p in [4u8, 8, 11, 14, 18] {
        for n in sizes(p) {
            let hs = hashes(n, u64::from(p) * 1000 + n as u64);
            let (ours, peer) = (ours_of(p, &hs), peer_of(p, &hs));
            assert_same_registers(&ours, &peer, &format!("p {p} n {n}"));
        }
    }
}

#[test]
fn the_same_hashes_give_different_registers() {
    // Not a bug either side: the update value comes from other bits (see the module
    // documentation). One hash shows it: index 0, low bits ...0100.
    let (mut ours, mut peer) = (UltraLogLog::new(8).unwrap(), Peer::new(8).unwrap());
    ours.insert_hash(0b100);
    peer.add(0b100);
    assert_eq!(ours.registers()[0], 4 * 3); // two trailing zeros: value 3
    // 53 leading zeros in the 56 low bits: value 54, stored as 54 + p - 2 = 60.
    assert_eq!(peer.get_state()[0], 4 * 60);
    assert_eq!(to_peer_register(4 * 54, 8), 4 * 60);
}

#[test]
fn saturated_registers_agree() {
    // The all-zero rank word: value 65 - p in both conventions (a reversed zero is zero).
    for p in [4u8, 12, 18] {
        let hs: Vec<u64> = (0..64u64).map(|i| i << (64 - p)).collect();
        let (ours, peer) = (ours_of(p, &hs), peer_of(p, &hs));
        assert_same_registers(&ours, &peer, &format!("saturated p {p}"));
        assert_eq!(ours.registers()[1] >> 2, 65 - p);
        assert_eq!(peer.get_state()[1], 4 * 63); // u + p - 2 = 63: the prefix's top bit
    }
}

/// `n` plain hashes (no forced large values).
fn plain(n: usize, seed: u64) -> Vec<u64> {
    let mut s = seed;
    (0..n).map(|_| splitmix(&mut s)).collect()
}

#[test]
fn estimates_agree_where_every_register_is_in_the_intermediate_range() {
    // Both are Ertl's FGRA estimator (lessram's is its own code). From registers with
    // `3 <= u < 65 - p` only, both are `lambda_p (sum eta_b 2^(-tau u))^(-1/tau)`: equal up
    // to rounding.
    for p in [4u8, 8, 11, 14] {
        for n in [50usize << p, 400 << p] {
            let hs = plain(n, 77 + n as u64);
            let (ours, peer) = (ours_of(p, &hs), peer_of(p, &hs));
            let w = 65 - p;
            assert!(
                ours.registers().iter().all(|&r| (3..w).contains(&(r >> 2))),
                "p {p} n {n}: the premise (no small or saturated register)"
            );
            let (a, b) = (ours.estimate(), peer.get_distinct_count_estimate());
            assert!(
                (a - b).abs() <= 1e-12 * a,
                "p {p} n {n}: lessram {a}, ultraloglog crate {b}"
            );
        }
    }
}

#[test]
fn estimates_differ_slightly_where_registers_are_small() {
    // With registers below 3 (fewer items than about 4 m), the two differ by up to about 1%:
    // ultraloglog 0.1.6 writes `2^tau`, `2^-tau` and `4^-tau` as literals (`POW_2_TAU =
    // 1.7631258657688563` and so on in its `src/lib.rs`) that are not those powers of its own
    // `TAU = 0.8194911375910897` (`2^tau = 1.7647834144840502`: the literals fit tau near
    // 0.8182), and uses them only in the small- and large-range corrections. lessram computes
    // the powers from `TAU` (its `fgra.rs`) and reproduces hash4j's `lambda_p` table. The
    // error table of `examples/ultraloglog_peer.rs` shows what it costs the crate.
    let mut largest = 0f64;
    for p in [4u8, 8, 11, 14] {
        for n in [7usize, 1 << (p - 2), 1 << p] {
            let hs = plain(n, 5 + n as u64);
            let (ours, peer) = (ours_of(p, &hs), peer_of(p, &hs));
            assert_same_registers(&ours, &peer, &format!("p {p} n {n}"));
            let (a, b) = (ours.estimate(), peer.get_distinct_count_estimate());
            let rel = (a / b - 1.0).abs();
            assert!(
                rel < 0.02,
                "p {p} n {n}: lessram {a}, ultraloglog crate {b}"
            );
            largest = largest.max(rel);
        }
    }
    // The difference is there (the literals above): if a release of the crate fixes them,
    // this fails, and the two estimators should then agree everywhere.
    assert!(largest > 1e-4, "largest relative difference {largest}");
}

#[test]
fn merges_agree() {
    for p in [6u8, 12] {
        let (x, y) = (hashes(3 << p, 1), hashes(5 << p, 2));
        let mut ours = ours_of(p, &x);
        ours.merge(&ours_of(p, &y)).unwrap();
        let mut peer = peer_of(p, &x);
        peer.add_sketch(&peer_of(p, &y)).unwrap();
        assert_same_registers(&ours, &peer, &format!("merge p {p}"));
    }
}

#[test]
fn folds_agree_with_the_crates_sketch_at_the_lower_precision() {
    // Folding frees index bits. lessram appends them above the rank word (trailing zeros
    // run into them), the crate prepends them (leading zeros start in them): each folds
    // exactly in its own convention, so a fold to q matches the crate fed the stream
    // mapped at q, and the crate's own downsize of its p sketch matches that too.
    for (p, q) in [(12u8, 8u8), (18, 4), (9, 8)] {
        let hs = hashes(30 << p, u64::from(p + q));
        let folded = ours_of(p, &hs).fold(q).unwrap();
        let peer_q = peer_of(q, &hs);
        assert_same_registers(&folded, &peer_q, &format!("fold {p} -> {q}"));
        // hash4j's downsize is exact for its own stream: the p sketch of the p-mapped
        // stream is not the q sketch of the q-mapped one, so compare like with like.
        let mut direct = Peer::new(u32::from(q)).unwrap();
        hs.iter().for_each(|&h| {
            direct.add(reverse_low(h, p));
        });
        assert_eq!(
            peer_of(p, &hs).downsize(u32::from(q)).unwrap().get_state(),
            direct.get_state(),
            "the crate's downsize {p} -> {q}"
        );
    }
}
