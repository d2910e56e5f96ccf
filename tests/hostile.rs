//! Hostile bytes for every decoder, with no nightly toolchain: the plain-test twin of the
//! fuzz targets in `fuzz/`.
//!
//! Each decoder gets at least 100,000 seeded inputs: random bytes, and valid encodings of
//! non-trivial structures with bit flips, overwritten bytes, truncated or padded payloads,
//! inflated length and count fields, spliced frames and relabelled kinds. Most mutations
//! re-seal the frame (fix its lengths and CRC-32) so that the structure's own checks run,
//! not just the checksum. Every input must give `Ok` or `Err` without panicking, in bounded
//! time, with a peak of heap bytes during the decode of at most a small multiple of the
//! input's length (every byte a decode allocates, counted by dhat in testing mode); whatever decodes
//! must survive its own round trip unchanged.
//!
//! A plain `main` (`harness = false`): dhat's allocator measures one decode at a time on
//! one thread. `cargo test --test hostile -- write_fuzz_seeds` writes the valid encodings as
//! seed corpora for the fuzz targets (`fuzz/corpus/decode_*`).

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::Instant;

use lessram::codec::{Codec, Encoder, FRAME_OVERHEAD, HEADER_LEN, Kind};
use lessram::counting::SplitMix64;
use lessram::hash::Murmur3;
use lessram::{
    BloomFilter, BloomLayout, Dawg, DawgMap, DistinctCount, Error, HyperLogLog, Kmv, LogLog,
    Membership, MorrisArray, MorrisCounter, ScalingBloomFilter, SuperLogLog, Trie, UltraLogLog,
};

// dhat's allocator passes allocations straight through while no profiler runs; while one
// runs, `HeapStats::total_bytes` counts every byte allocated, which bounds the peak.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ---------------------------------------------------------------------------------------
// Valid encodings of non-trivial structures of every kind.

fn mix(i: u64) -> u64 {
    SplitMix64::new(i).next_word()
}

/// Every saved kind.
const KINDS: &[Kind] = Kind::ALL;

fn samples() -> Vec<(Kind, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rng = SplitMix64::new(7);
    for (base, exp) in [(1.1, 0u8), (2.0, 37), (1.001, 255)] {
        let c = MorrisCounter::from_exponent(base, exp).unwrap();
        out.push((Kind::MorrisCounter, c.to_bytes()));
    }
    let mut a = MorrisArray::new(40, 1.2, 3).unwrap();
    for i in 0..2_000 {
        let _ = a.increment(i % 40);
    }
    out.push((Kind::MorrisArray, a.to_bytes()));
    out.push((
        Kind::MorrisArray,
        MorrisArray::new(1, 16.0, 0).unwrap().to_bytes(),
    ));
    for (k, n) in [(2, 1), (64, 1_000), (300, 120)] {
        let mut s = Kmv::new(k).unwrap();
        (0..n).for_each(|i| s.insert_hash(mix(i)));
        out.push((Kind::Kmv, s.to_bytes()));
    }
    for p in [4, 7] {
        let mut ll = LogLog::new(p).unwrap();
        let mut sll = SuperLogLog::new(p).unwrap();
        for i in 0..5_000 {
            ll.insert_hash(mix(i));
            sll.insert_hash(mix(i));
        }
        out.push((Kind::LogLog, ll.to_bytes()));
        out.push((Kind::SuperLogLog, sll.to_bytes()));
    }
    // Sparse, dense with HIP, and dense after a merge (no HIP).
    let mut sparse = HyperLogLog::new(10).unwrap();
    (0..40).for_each(|i| sparse.insert_hash(mix(i)));
    out.push((Kind::HyperLogLog, sparse.to_bytes()));
    for p in [4, 9] {
        let mut dense = HyperLogLog::new(p).unwrap();
        (0..3_000).for_each(|i| dense.insert_hash(mix(i)));
        out.push((Kind::HyperLogLog, dense.to_bytes()));
        let mut other = HyperLogLog::new(p).unwrap();
        (0..3_000).for_each(|i| other.insert_hash(mix(i + 10_000)));
        dense.merge(&other).unwrap();
        out.push((Kind::HyperLogLog, dense.to_bytes()));
    }
    // UltraLogLog: empty, fed (with the martingale estimate), merged (without), at the
    // smallest precision with saturated registers.
    out.push((Kind::UltraLogLog, UltraLogLog::new(5).unwrap().to_bytes()));
    for p in [4, 8] {
        let mut ull = UltraLogLog::new(p).unwrap();
        (0..3_000).for_each(|i| ull.insert_hash(mix(i)));
        out.push((Kind::UltraLogLog, ull.to_bytes()));
        let mut other = UltraLogLog::new(p).unwrap();
        (0..3_000).for_each(|i| other.insert_hash(mix(i + 10_000) & !((1 << 58) - 1)));
        ull.merge(&other).unwrap();
        out.push((Kind::UltraLogLog, ull.to_bytes()));
    }
    for layout in [BloomLayout::Classic, BloomLayout::Blocked] {
        let mut b = BloomFilter::builder()
            .layout(layout)
            .for_items(200, 0.05)
            .unwrap();
        let mut s = ScalingBloomFilter::builder(8, 0.05)
            .layout(layout)
            .build()
            .unwrap();
        for _ in 0..100 {
            let x = rng.next_word();
            b.insert(&x);
            s.insert(&x);
        }
        assert!(s.filters() >= 3);
        out.push((Kind::BloomFilter, b.to_bytes()));
        out.push((Kind::ScalingBloomFilter, s.to_bytes()));
    }
    out.push((
        Kind::BloomFilter,
        BloomFilter::with_bits(1, 1).unwrap().to_bytes(),
    ));
    // Word stores: shared prefixes and suffixes, repeats, an empty word, non-UTF-8 bytes.
    let mut words: Vec<Vec<u8>> = Vec::new();
    for i in 0..60u64 {
        let stem = ["in", "inter", "re", "un", "", "\u{e9}t\u{e9}"][(i % 6) as usize];
        let end = ["", "s", "ed", "ing", "ation"][(mix(i) % 5) as usize];
        words
            .push(format!("{stem}{}{end}", ["act", "port", "view"][(i % 3) as usize]).into_bytes());
    }
    words.push(Vec::new());
    words.push(vec![0xff, 0x00, 0xfe]);
    let trie: Trie = words.iter().chain(&words[..10]).collect();
    out.push((Kind::Trie, trie.to_bytes()));
    out.push((Kind::Trie, Trie::new().to_bytes()));
    out.push((Kind::Dawg, Dawg::from_trie(&trie).to_bytes()));
    out.push((Kind::Dawg, Dawg::from_words(["a"]).unwrap().to_bytes()));
    out.push((Kind::DawgMap, DawgMap::from_trie(&trie).to_bytes()));
    out
}

// ---------------------------------------------------------------------------------------
// Decoding, with the checks every input must pass.

fn round_trip<T: Codec + PartialEq + Debug>(bytes: &[u8]) -> lessram::Result<()> {
    let x = T::from_bytes(bytes)?;
    let again = T::from_bytes(&x.to_bytes()).expect("a re-encoded structure decodes");
    assert_eq!(x, again, "a decoded structure changed in its round trip");
    Ok(())
}

/// Only the decode, dropping the result.
fn from_bytes(kind: Kind, bytes: &[u8]) -> lessram::Result<()> {
    match kind {
        Kind::MorrisCounter => MorrisCounter::from_bytes(bytes).map(drop),
        Kind::MorrisArray => MorrisArray::from_bytes(bytes).map(drop),
        Kind::Kmv => Kmv::from_bytes(bytes).map(drop),
        Kind::LogLog => LogLog::from_bytes(bytes).map(drop),
        Kind::SuperLogLog => SuperLogLog::from_bytes(bytes).map(drop),
        Kind::HyperLogLog => HyperLogLog::from_bytes(bytes).map(drop),
        Kind::UltraLogLog => UltraLogLog::from_bytes(bytes).map(drop),
        Kind::BloomFilter => BloomFilter::from_bytes(bytes).map(drop),
        Kind::ScalingBloomFilter => ScalingBloomFilter::from_bytes(bytes).map(drop),
        Kind::Trie => Trie::from_bytes(bytes).map(drop),
        Kind::Dawg => Dawg::from_bytes(bytes).map(drop),
        Kind::DawgMap => DawgMap::from_bytes(bytes).map(drop),
        other => panic!("no decoder for {other}"),
    }
}

/// Decodes, then checks the round trip of what decoded.
fn decode(kind: Kind, bytes: &[u8]) -> lessram::Result<()> {
    match kind {
        Kind::MorrisCounter => round_trip::<MorrisCounter>(bytes),
        Kind::MorrisArray => round_trip::<MorrisArray>(bytes),
        Kind::Kmv => round_trip::<Kmv>(bytes),
        Kind::LogLog => round_trip::<LogLog>(bytes),
        Kind::SuperLogLog => round_trip::<SuperLogLog>(bytes),
        Kind::HyperLogLog => round_trip::<HyperLogLog>(bytes),
        Kind::UltraLogLog => round_trip::<UltraLogLog>(bytes),
        Kind::BloomFilter => round_trip::<BloomFilter>(bytes),
        Kind::ScalingBloomFilter => round_trip::<ScalingBloomFilter>(bytes),
        Kind::Trie => round_trip::<Trie>(bytes),
        Kind::Dawg => round_trip::<Dawg>(bytes),
        Kind::DawgMap => round_trip::<DawgMap>(bytes),
        other => panic!("no decoder for {other}"),
    }
}

/// Heap a decode may hold: a small multiple of the input, plus a constant for the fixed
/// tables some structures own (a Morris array's 2 KiB table) and error messages.
fn allowed_heap(input_len: usize) -> usize {
    4 * input_len + 16 * 1024
}

fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Decodes with the allocation check; returns whether it decoded. (No wall-clock bound: a
/// decode slow on some input shows in the fuzz runs' slowest-input column instead, which
/// `fuzz/run-all.sh` flags at 1 s and more.)
///
/// Must run under a dhat profiler in testing mode. The heap check bounds every byte the
/// decode allocates (`total_bytes`), which bounds its peak; the round trip of what decodes
/// runs after the measurement.
fn decode_checked(kind: Kind, bytes: &[u8]) -> bool {
    let before = dhat::HeapStats::get().total_bytes;
    let result = catch_unwind(AssertUnwindSafe(|| from_bytes(kind, bytes)));
    let allocated = dhat::HeapStats::get().total_bytes - before;
    let shown = &bytes[..bytes.len().min(96)];
    let decoded = match result {
        Ok(decoded) => decoded,
        Err(payload) => panic!(
            "{kind}: decoding panicked ({}) on {} bytes {shown:02x?}",
            message(payload.as_ref()),
            bytes.len()
        ),
    };
    assert!(
        allocated <= allowed_heap(bytes.len()) as u64,
        "{kind}: decoding {} bytes allocated {allocated} heap bytes ({:?}); input {shown:02x?}",
        bytes.len(),
        decoded.as_ref().map(drop)
    );
    if decoded.is_ok()
        && let Err(e) = catch_unwind(AssertUnwindSafe(|| decode(kind, bytes)))
    {
        panic!(
            "{kind}: round trip panicked ({}) on {shown:02x?}",
            message(e.as_ref())
        );
    }
    decoded.is_ok()
}

// ---------------------------------------------------------------------------------------
// Mutations.

/// The frame's parameter and payload lengths, if its header is intact enough to say.
fn layout_of(bytes: &[u8]) -> Option<(usize, usize)> {
    let plen = u32::from_le_bytes(bytes.get(16..20)?.try_into().ok()?) as usize;
    let at = HEADER_LEN.checked_add(plen)?;
    let nlen = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
    Some((plen, usize::try_from(nlen).ok()?))
}

/// Rewrites the frame's lengths to fit its parameters and payload as they now are and
/// appends a fresh CRC-32, so the structure's decoder (not the frame) judges the content.
/// `params` and `payload` are the (possibly changed) parts of a valid frame's header.
fn seal(header: &[u8], params: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(FRAME_OVERHEAD + params.len() + payload.len());
    v.extend_from_slice(&header[..16]);
    v.extend_from_slice(&(params.len() as u32).to_le_bytes());
    v.extend_from_slice(params);
    v.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    v.extend_from_slice(payload);
    let crc = crc32fast::hash(&v);
    v.extend_from_slice(&crc.to_le_bytes());
    v
}

/// Replaces the last four bytes by the CRC-32 of the rest.
fn reseal_crc(v: &mut [u8]) {
    if v.len() >= 4 {
        let n = v.len() - 4;
        let crc = crc32fast::hash(&v[..n]);
        v[n..].copy_from_slice(&crc.to_le_bytes());
    }
}

/// Values that make length and count fields lie.
fn inflated(rng: &mut SplitMix64, len: usize) -> u64 {
    let len = len as u64;
    match rng.next_word() % 9 {
        0 => u64::MAX,
        1 => u64::MAX / 8 + 1,
        2 => 1 << 32,
        3 => 1 << 40,
        4 => len + 1,
        5 => len.saturating_mul(1_000),
        6 => (1 << 26) + 1,
        7 => 1 << 20,
        _ => rng.next_word() >> (rng.next_word() % 64),
    }
}

fn below(rng: &mut SplitMix64, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (rng.next_word() % n as u64) as usize
    }
}

/// One hostile input, derived from a valid frame `valid` of kind `kind` (and sometimes
/// another frame `other`); returns the kind whose decoder should read it.
fn mutate(rng: &mut SplitMix64, kind: Kind, valid: &[u8], other: &[u8]) -> (Kind, Vec<u8>) {
    let (plen, nlen) = layout_of(valid).expect("a valid frame");
    let params = &valid[HEADER_LEN..HEADER_LEN + plen];
    let payload = &valid[HEADER_LEN + plen + 8..HEADER_LEN + plen + 8 + nlen];
    let mut params = params.to_vec();
    let mut payload = payload.to_vec();
    let header = &valid[..HEADER_LEN];
    match rng.next_word() % 12 {
        // Random bytes, sometimes behind a valid header.
        0 => {
            let n = below(rng, 600);
            let mut v: Vec<u8> = (0..n).map(|_| rng.next_word() as u8).collect();
            if rng.next_word() & 1 == 0 && v.len() >= HEADER_LEN {
                v[..HEADER_LEN].copy_from_slice(header);
                reseal_crc(&mut v);
            }
            (kind, v)
        }
        // One to three distinct bit flips anywhere, checksum left alone: CRC-32 detects
        // every error of up to three bits in frames this short, so all are rejected.
        1 => {
            let mut v = valid.to_vec();
            let mut bits = Vec::new();
            while bits.len() < 1 + below(rng, 3) {
                let bit = below(rng, v.len() * 8);
                if !bits.contains(&bit) {
                    bits.push(bit);
                }
            }
            for bit in bits {
                v[bit / 8] ^= 1 << (bit % 8);
            }
            assert!(decode(kind, &v).is_err(), "{kind}: a flipped frame decoded");
            (kind, v)
        }
        // Truncation anywhere, checksum left alone (must be rejected).
        2 => {
            let v = valid[..below(rng, valid.len())].to_vec();
            assert!(
                decode(kind, &v).is_err(),
                "{kind}: a truncated frame decoded"
            );
            (kind, v)
        }
        // Bit flips in parameters or payload, resealed.
        3 | 4 => {
            for _ in 0..1 + below(rng, 3) {
                let part = if rng.next_word().is_multiple_of(4) || payload.is_empty() {
                    &mut params
                } else {
                    &mut payload
                };
                if !part.is_empty() {
                    let bit = below(rng, part.len() * 8);
                    part[bit / 8] ^= 1 << (bit % 8);
                }
            }
            (kind, seal(header, &params, &payload))
        }
        // Overwritten bytes with edge values, resealed.
        5 => {
            let part = if rng.next_word() & 1 == 0 {
                &mut params
            } else {
                &mut payload
            };
            if !part.is_empty() {
                let at = below(rng, part.len());
                part[at] = [0, 1, 0x7f, 0x80, 0xff, 64, 255, 2][below(rng, 8)];
            }
            (kind, seal(header, &params, &payload))
        }
        // An inflated 8- or 4-byte field (a count, a length, a size), resealed.
        6 | 7 => {
            let part = if rng.next_word().is_multiple_of(3) {
                &mut params
            } else {
                &mut payload
            };
            let value = inflated(rng, part.len());
            let width = if rng.next_word() & 1 == 0 { 8 } else { 4 };
            if part.len() >= width {
                let at = below(rng, part.len() - width + 1);
                part[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
            }
            (kind, seal(header, &params, &payload))
        }
        // Truncated or padded payload or parameters, resealed.
        8 => {
            let part = if rng.next_word().is_multiple_of(3) {
                &mut params
            } else {
                &mut payload
            };
            if rng.next_word() & 1 == 0 {
                let keep = below(rng, part.len() + 1);
                part.truncate(keep);
            } else {
                let extra = 1 + below(rng, 16);
                part.extend((0..extra).map(|_| rng.next_word() as u8));
            }
            (kind, seal(header, &params, &payload))
        }
        // Inflated frame lengths (parameters or payload), checksum resealed.
        9 => {
            let mut v = valid.to_vec();
            let value = inflated(rng, v.len());
            if rng.next_word() & 1 == 0 {
                v[16..20].copy_from_slice(&(value as u32).to_le_bytes());
            } else {
                let at = HEADER_LEN + plen;
                v[at..at + 8].copy_from_slice(&value.to_le_bytes());
            }
            reseal_crc(&mut v);
            (kind, v)
        }
        // Another kind's parameters and payload under this kind's header.
        10 => {
            let (oplen, onlen) = layout_of(other).expect("a valid frame");
            let op = &other[HEADER_LEN..HEADER_LEN + oplen];
            let on = &other[HEADER_LEN + oplen + 8..HEADER_LEN + oplen + 8 + onlen];
            (kind, seal(header, op, on))
        }
        // Spliced: this frame's parameters with a mix of both payloads.
        _ => {
            let (oplen, onlen) = layout_of(other).expect("a valid frame");
            let on = &other[HEADER_LEN + oplen + 8..HEADER_LEN + oplen + 8 + onlen];
            let cut = below(rng, payload.len() + 1);
            let from = below(rng, on.len() + 1);
            payload.truncate(cut);
            payload.extend_from_slice(&on[from..]);
            (kind, seal(header, &params, &payload))
        }
    }
}

// ---------------------------------------------------------------------------------------
// The tests.

/// Inputs that once broke a decoder (from this test or the fuzz targets), replayed with
/// every check: each file is named after what it found.
const REGRESSIONS: &[(Kind, &[u8])] = &[
    // LogLog sized its registers from the precision before checking that the payload held
    // them: 41 bytes claiming precision 15 made it allocate 21,848 bytes.
    (
        Kind::LogLog,
        include_bytes!("fuzz_regressions/loglog-high-precision-short-payload.bin"),
    ),
    // A DAWG whose automaton has one flipped bit under a recomputed CRC: `fst` opened it
    // (it checks only its header) and its first query panicked inside `fst`. Opening now
    // walks every node and refuses it.
    (
        Kind::Dawg,
        include_bytes!("fuzz_regressions/dawg-malformed-node-valid-crc.bin"),
    ),
];

fn regressions_stay_fixed() {
    let _profiler = dhat::Profiler::builder().testing().build();
    for (kind, bytes) in REGRESSIONS {
        decode_checked(*kind, bytes);
    }
    assert!(matches!(
        Dawg::from_bytes(REGRESSIONS[1].1),
        Err(Error::Corrupt { .. })
    ));
}

/// Inputs per decoder.
const PER_KIND: usize = 100_000;

fn every_decoder_survives_100_000_hostile_inputs() {
    let samples = samples();
    let _profiler = dhat::Profiler::builder().testing().build();
    for (kind, bytes) in &samples {
        assert!(decode_checked(*kind, bytes), "{kind}: a valid sample");
    }
    let mut rng = SplitMix64::new(0x5eed);
    for &kind in KINDS {
        let own: Vec<&Vec<u8>> = samples
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, b)| b)
            .collect();
        let mut decoded = 0usize;
        for _ in 0..PER_KIND {
            let valid = own[below(&mut rng, own.len())];
            let other = &samples[below(&mut rng, samples.len())].1;
            let (k, input) = mutate(&mut rng, kind, valid, other);
            decoded += usize::from(decode_checked(k, &input));
        }
        // Some mutations keep the structure valid (a flipped register, a changed hash):
        // the decoders must not be so strict that nothing survives, nor so lax that most
        // garbage does.
        if verbose() {
            eprintln!("{kind}: {decoded} of {PER_KIND} hostile inputs decoded");
        }
        assert!(
            decoded > 0 && decoded < PER_KIND * 9 / 10,
            "{kind}: {decoded} of {PER_KIND} hostile inputs decoded"
        );
    }
}

fn every_single_bit_flip_and_truncation_of_every_kind_is_rejected() {
    for (kind, bytes) in samples() {
        if bytes.len() > 4096 {
            continue;
        }
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(
                matches!(
                    decode(kind, &b),
                    Err(Error::ChecksumMismatch { .. }
                        | Error::BadMagic { .. }
                        | Error::UnsupportedVersion { .. }
                        | Error::WrongKind { .. }
                        | Error::Truncated { .. }
                        | Error::Corrupt { .. })
                ),
                "{kind}: bit {bit} flipped"
            );
        }
        for cut in 0..bytes.len() {
            assert!(decode(kind, &bytes[..cut]).is_err(), "{kind}: cut at {cut}");
        }
        // And no frame decodes as another kind.
        for &other in KINDS.iter().filter(|k| **k != kind) {
            assert!(
                matches!(decode(other, &bytes), Err(Error::WrongKind { .. })),
                "{kind} read as {other}"
            );
        }
    }
}

/// An UltraLogLog frame with registers and these fields, sealed (a valid frame around any
/// contents).
fn ultraloglog_frame(p: u8, flag: u8, martingale: f64, regs: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::with_hasher(Kind::UltraLogLog, &Murmur3::new());
    enc.params().u8(p);
    enc.payload().u8(1).u8(flag).f64(martingale).bytes(regs);
    enc.finish()
}

/// An exact (sparse) UltraLogLog frame: representation `tag`, the martingale fields, a
/// count and hashes, sealed.
fn ultraloglog_exact_frame(
    p: u8,
    tag: u8,
    flag: u8,
    value: f64,
    count: u64,
    hashes: &[u64],
) -> Vec<u8> {
    let mut enc = Encoder::with_hasher(Kind::UltraLogLog, &Murmur3::new());
    enc.params().u8(p);
    let out = enc.payload();
    out.u8(tag).u8(flag).f64(value).u64(count);
    hashes.iter().for_each(|&h| {
        out.u64(h);
    });
    enc.finish()
}

/// The registers `docs/format.md` allows at precision `p`: 0, 4 (`u = 1`), 8 and 10
/// (`u = 2`), and `4 u + b` for `3 <= u <= 65 - p`, any `b`.
fn documented_register(r: u8, p: u8) -> bool {
    let (u, b) = (r >> 2, r & 3);
    match u {
        0 => b == 0,
        1 => b == 0,
        2 => b == 0 || b == 2,
        _ => u <= 65 - p,
    }
}

/// The martingale fields `docs/format.md` allows: flag 0 with all-zero bits; flag 1 with
/// all-zero bits when every register is empty, else finite and at least 1.
fn documented_martingale(flag: u8, value: f64, empty: bool) -> bool {
    match flag {
        0 => value.to_bits() == 0,
        1 if empty => value.to_bits() == 0,
        1 => value.is_finite() && value >= 1.0,
        _ => false,
    }
}

/// What a decoded UltraLogLog must answer without panicking.
fn ultraloglog_answers(s: &UltraLogLog) {
    let e = s.estimate();
    assert!(!e.is_nan() && e >= 0.0, "estimate {e}");
    assert!(s.change_probability() >= 0.0 && s.change_probability() <= 1.0);
    let mut t = s.clone();
    t.merge(s).unwrap();
    assert_eq!(t.registers(), s.registers(), "self-merge");
    assert_eq!(s.fold(4).unwrap().registers().len(), 16);
    assert_eq!(s.to_hyperloglog().registers().len(), s.registers().len());
    t.insert_hash(0x0123_4567_89ab_cdef);
    assert!(!t.estimate().is_nan());
}

/// UltraLogLog field by field, against `docs/format.md`: every byte value in a register at
/// the smallest, a middle and the largest precision; every precision byte; martingale
/// flags and values, with empty and non-empty registers; payloads one byte short or long.
/// Each input decodes exactly when the format says it is valid, within the heap bound, and
/// what decodes holds what was written and answers its queries.
fn the_ultraloglog_decoder_checks_every_field() {
    let _profiler = dhat::Profiler::builder().testing().build();
    for p in [4u8, 11, 18] {
        let mut fed = UltraLogLog::new(p).unwrap();
        (0..5_000).for_each(|i| fed.insert_hash(mix(i)));
        let base = fed.registers().to_vec();
        let at = base.len() - 1;
        for r in 0..=255u8 {
            let mut regs = base.clone();
            regs[at] = r;
            let bytes = ultraloglog_frame(p, 0, 0.0, &regs);
            let ok = decode_checked(Kind::UltraLogLog, &bytes);
            assert_eq!(ok, documented_register(r, p), "p {p}: register byte {r}");
            if ok {
                let s = UltraLogLog::from_bytes(&bytes).unwrap();
                assert_eq!(s.registers(), &regs[..]);
                assert_eq!(s.estimate_martingale(), None);
                ultraloglog_answers(&s);
            }
        }
        for len in [base.len() - 1, base.len() + 1, 0] {
            let regs = vec![0u8; len];
            let bytes = ultraloglog_frame(p, 0, 0.0, &regs);
            assert!(
                !decode_checked(Kind::UltraLogLog, &bytes),
                "p {p}: {len} registers"
            );
        }
    }
    for p in 0..=255u8 {
        // A payload of the size the precision asks for, up to 2^19 bytes.
        let len = 1usize << p.min(19);
        let bytes = ultraloglog_frame(p, 1, 0.0, &vec![0; len]);
        let ok = decode_checked(Kind::UltraLogLog, &bytes);
        assert_eq!(ok, (4..=18).contains(&p), "precision {p}");
    }
    let values = [
        0.0,
        -0.0,
        1.0,
        0.5,
        -1.0,
        1e300,
        f64::MIN_POSITIVE,
        12_345.6,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
    ];
    for empty in [true, false] {
        let mut regs = vec![0u8; 16];
        if !empty {
            regs[3] = 4 * 7 + 2;
        }
        for flag in 0..=3u8 {
            for value in values {
                let bytes = ultraloglog_frame(4, flag, value, &regs);
                let ok = decode_checked(Kind::UltraLogLog, &bytes);
                assert_eq!(
                    ok,
                    documented_martingale(flag, value, empty),
                    "flag {flag} value {value} empty {empty}"
                );
                if ok {
                    let s = UltraLogLog::from_bytes(&bytes).unwrap();
                    let want = (flag == 1).then_some(value);
                    assert_eq!(
                        s.estimate_martingale().map(f64::to_bits),
                        want.map(f64::to_bits)
                    );
                    ultraloglog_answers(&s);
                }
            }
        }
    }
    // The exact form: at most 2^p / 8 strictly increasing hashes, the martingale flag 1
    // and its value the count; any other representation tag is refused.
    for p in [4u8, 8] {
        let limit = (1u64 << p) / 8;
        for n in 0..=limit + 1 {
            let mut hashes: Vec<u64> = (0..n).map(mix).collect();
            hashes.sort_unstable();
            let bytes = ultraloglog_exact_frame(p, 0, 1, n as f64, n, &hashes);
            let ok = decode_checked(Kind::UltraLogLog, &bytes);
            assert_eq!(ok, n <= limit, "p {p}: {n} hashes");
            if ok {
                let s = UltraLogLog::from_bytes(&bytes).unwrap();
                assert!(s.is_sparse());
                assert_eq!(s.estimate(), n as f64);
                ultraloglog_answers(&s);
            }
            if n >= 2 && n <= limit {
                let mut swapped = hashes.clone();
                swapped.swap(0, 1);
                let mut repeated = hashes.clone();
                repeated[1] = repeated[0];
                for bad in [swapped, repeated] {
                    let bytes = ultraloglog_exact_frame(p, 0, 1, n as f64, n, &bad);
                    assert!(!decode_checked(Kind::UltraLogLog, &bytes), "p {p}: order");
                }
                for (flag, value) in [(0u8, 0.0), (1, n as f64 + 1.0), (1, f64::NAN)] {
                    let bytes = ultraloglog_exact_frame(p, 0, flag, value, n, &hashes);
                    assert!(
                        !decode_checked(Kind::UltraLogLog, &bytes),
                        "p {p}: {flag} {value}"
                    );
                }
                // A count above the hashes there are, or below.
                for count in [n - 1, n + 1, u64::MAX] {
                    let bytes = ultraloglog_exact_frame(p, 0, 1, n as f64, count, &hashes);
                    assert!(
                        !decode_checked(Kind::UltraLogLog, &bytes),
                        "p {p}: count {count}"
                    );
                }
            }
        }
    }
    for tag in 2..=255u8 {
        let bytes = ultraloglog_exact_frame(4, tag, 1, 0.0, 0, &[]);
        assert!(!decode_checked(Kind::UltraLogLog, &bytes), "tag {tag}");
    }
}

/// Valid Redis `HYLL` strings: what Redis wrote (the golden files) and what lessram writes,
/// sparse and dense.
fn redis_samples() -> Vec<Vec<u8>> {
    use lessram::interop::redis::{self, Encoding};
    let mut out: Vec<Vec<u8>> = ["sparse", "utf8", "dense"]
        .iter()
        .map(|n| {
            let path = format!("{}/tests/golden/redis/{n}.hyll", env!("CARGO_MANIFEST_DIR"));
            std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
        })
        .collect();
    for n in [0u64, 1, 40, 2_000] {
        let mut hll = redis::new();
        (0..n).for_each(|i| hll.insert(&mix(i).to_string()));
        out.push(redis::to_hyll_as(&hll, Encoding::Sparse).unwrap());
        out.push(redis::to_hyll_as(&hll, Encoding::Dense).unwrap());
    }
    out
}

/// Decodes `v` with `decode`, failing the test, with `what` and the first bytes, if it
/// panics; returns its result and the heap bytes it allocated (under dhat's profiler).
fn decode_guarded<T>(what: &str, v: &[u8], decode: impl FnOnce(&[u8]) -> T) -> (T, u64) {
    let before = dhat::HeapStats::get().total_bytes;
    let result = catch_unwind(AssertUnwindSafe(|| decode(v)));
    let allocated = dhat::HeapStats::get().total_bytes - before;
    let Ok(result) = result else {
        panic!(
            "{what}: decoding panicked on {} bytes {:02x?}",
            v.len(),
            &v[..v.len().min(96)]
        );
    };
    (result, allocated)
}

/// The mutations every foreign-format harness shares, by `op`: 0 cuts, 1 flips 1 to 4 bits,
/// 2 overwrites a byte, 3 appends 1 to 8 random bytes.
fn cut_flip_overwrite_or_pad(rng: &mut SplitMix64, v: &mut Vec<u8>, op: u64) {
    match op {
        0 => v.truncate(below(rng, v.len() + 1)),
        1 => {
            for _ in 0..1 + below(rng, 4) {
                let i = below(rng, v.len());
                v[i] ^= 1 << (rng.next_word() % 8);
            }
        }
        2 => {
            let i = below(rng, v.len());
            v[i] = rng.next_word() as u8;
        }
        _ => (0..1 + below(rng, 8)).for_each(|_| v.push(rng.next_word() as u8)),
    }
}

/// `interop::redis::from_hyll` on mutated Redis strings: run-length codes cut, padded,
/// relabelled and rewritten at random, registers overwritten, headers broken.
fn the_redis_decoder_survives_100_000_hostile_inputs() {
    use lessram::interop::redis;
    let samples = redis_samples();
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut rng = SplitMix64::new(0x0004_ed15);
    let mut decoded = 0usize;
    for _ in 0..PER_KIND {
        let mut v = samples[below(&mut rng, samples.len())].clone();
        match rng.next_word() % 7 {
            op @ 0..=3 => cut_flip_overwrite_or_pad(&mut rng, &mut v, op),
            // A random run-length code behind a valid sparse header.
            4 => {
                v.truncate(16);
                v[4] = 1;
                (0..below(&mut rng, 600)).for_each(|_| v.push(rng.next_word() as u8));
            }
            5 => v[4] = rng.next_word() as u8,
            _ => {
                v = (0..below(&mut rng, 13_000))
                    .map(|_| rng.next_word() as u8)
                    .collect()
            }
        }
        let (result, allocated) = decode_guarded("Redis HYLL", &v, redis::from_hyll);
        let shown = &v[..v.len().min(96)];
        // Any string decodes to a dense sketch: 12,288 register bytes, built from 12,288
        // unpacked or copied ones.
        assert!(
            allocated <= (2 * 12_288 + allowed_heap(v.len())) as u64,
            "Redis HYLL: decoding {} bytes allocated {allocated}; input {shown:02x?}",
            v.len()
        );
        if let Ok(hll) = result {
            decoded += 1;
            let again = redis::to_hyll_as(&hll, redis::Encoding::Dense).unwrap();
            assert_eq!(
                redis::from_hyll(&again).unwrap().registers(),
                hll.registers()
            );
        }
    }
    if verbose() {
        eprintln!("Redis HYLL: {decoded} of {PER_KIND} hostile inputs decoded");
    }
    assert!(
        decoded > 0 && decoded < PER_KIND * 9 / 10,
        "{decoded} decoded"
    );
}

/// Valid DataSketches HLL sketches: what the `datasketches` package wrote (the golden files)
/// and what lessram writes, in every mode, target type and form.
fn datasketches_samples() -> Vec<Vec<u8>> {
    use lessram::interop::datasketches::{self, Target};
    let dir = format!("{}/tests/golden/datasketches", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "compact" || x == "updatable")
        })
        .map(|p| std::fs::read(&p).unwrap())
        .collect();
    out.sort();
    for (lg_k, n) in [(4u8, 3u64), (4, 100), (8, 30), (10, 3_000), (11, 50)] {
        let mut hll = datasketches::new(lg_k).unwrap();
        (0..n).for_each(|i| hll.insert(&(mix(i) as i64)));
        for target in [Target::Hll4, Target::Hll6, Target::Hll8] {
            for compact in [true, false] {
                out.push(datasketches::to_bytes(&hll, target, compact).unwrap());
            }
        }
    }
    out
}

/// `interop::datasketches::from_bytes` on mutated DataSketches sketches: cut, padded, bits
/// flipped, bytes overwritten, preamble fields changed, random bodies behind a valid preamble.
fn the_datasketches_decoder_survives_100_000_hostile_inputs() {
    use lessram::interop::datasketches::{self, Target};
    let samples = datasketches_samples();
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut rng = SplitMix64::new(0x0da7_a5ce);
    let mut decoded = 0usize;
    for _ in 0..PER_KIND {
        let mut v = samples[below(&mut rng, samples.len())].clone();
        match rng.next_word() % 8 {
            op @ 0..=3 => cut_flip_overwrite_or_pad(&mut rng, &mut v, op),
            // A random body behind the valid preamble (and HLL header).
            4 => {
                let keep = if v[0] == 10 { 40 } else { 8 };
                let len = v.len();
                v.truncate(keep);
                (keep..len).for_each(|_| v.push(rng.next_word() as u8));
            }
            // A preamble field (lg_k, lgArr, flags, count/curMin, mode) at random.
            5 => v[3 + below(&mut rng, 5)] = rng.next_word() as u8,
            // An HLL_4 nibble or an exception entry at random.
            6 => {
                let i = below(&mut rng, v.len());
                v[i] = v[i] & 0xf0 | 0x0f;
            }
            _ => {
                v = (0..below(&mut rng, 3_000))
                    .map(|_| rng.next_word() as u8)
                    .collect()
            }
        }
        let (result, allocated) = decode_guarded("DataSketches HLL", &v, datasketches::from_bytes);
        let shown = &v[..v.len().min(96)];
        // A dense sketch of k registers comes from at least k / 2 bytes (HLL_4); it holds
        // the k values and the 3k / 4 packed registers; coupons become 8-byte hashes.
        assert!(
            allocated <= (2 * allowed_heap(v.len())) as u64,
            "DataSketches HLL: decoding {} bytes allocated {allocated}; input {shown:02x?}",
            v.len()
        );
        if let Ok(hll) = result {
            decoded += 1;
            let again = datasketches::to_bytes(&hll, Target::Hll4, true).unwrap();
            assert_eq!(
                datasketches::from_bytes(&again).unwrap().registers(),
                hll.registers()
            );
        }
    }
    eprintln!("DataSketches HLL: {decoded} of {PER_KIND} hostile inputs decoded");
    assert!(
        decoded > 0 && decoded < PER_KIND * 9 / 10,
        "{decoded} decoded"
    );
}

/// Valid compact Theta sketches: what the `datasketches` package wrote (the golden files) and
/// what lessram writes, plain and compressed, empty to estimation mode.
fn theta_samples() -> Vec<Vec<u8>> {
    use lessram::interop::theta;
    let dir = format!("{}/tests/golden/theta", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "plain" || x == "compressed")
        })
        .map(|p| std::fs::read(&p).unwrap())
        .collect();
    out.sort();
    for (lg_k, n) in [(5u8, 0u64), (5, 1), (5, 2), (5, 20), (5, 3_000), (7, 100)] {
        let mut kmv = theta::new(lg_k).unwrap();
        (0..n).for_each(|i| kmv.insert(&(mix(i) as i64)));
        for compressed in [false, true] {
            out.push(theta::to_bytes(&kmv, compressed).unwrap());
        }
    }
    out
}

/// `interop::theta::from_bytes` on mutated compact Theta sketches: cut, padded, bits flipped,
/// bytes overwritten, preamble fields changed, random bodies behind a valid preamble.
fn the_theta_decoder_survives_100_000_hostile_inputs() {
    use lessram::interop::theta;
    let samples = theta_samples();
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut rng = SplitMix64::new(0x7e7a);
    let mut decoded = 0usize;
    for _ in 0..PER_KIND {
        let mut v = samples[below(&mut rng, samples.len())].clone();
        match rng.next_word() % 8 {
            op @ 0..=3 => cut_flip_overwrite_or_pad(&mut rng, &mut v, op),
            // A random body behind the valid preamble.
            4 => {
                let keep = 8 * usize::from(v[0].clamp(1, 3)).min(v.len() / 8);
                let len = v.len();
                v.truncate(keep);
                (keep..len).for_each(|_| v.push(rng.next_word() as u8));
            }
            // A preamble byte (pre_longs, version, family, v4's widths, flags) at random.
            5 => v[below(&mut rng, 6)] = rng.next_word() as u8,
            // The count or theta at random.
            6 if v.len() >= 24 => {
                let at = 8 + 8 * below(&mut rng, 2);
                v[at..at + 8].copy_from_slice(&rng.next_word().to_le_bytes());
            }
            _ => {
                v = (0..below(&mut rng, 3_000))
                    .map(|_| rng.next_word() as u8)
                    .collect()
            }
        }
        let (result, allocated) = decode_guarded("DataSketches Theta", &v, theta::from_bytes);
        let shown = &v[..v.len().min(96)];
        // A compressed delta of one bit becomes an 8-byte hash: 64 bytes of hashes a byte.
        assert!(
            allocated <= (64 * v.len() + 16 * 1024) as u64,
            "DataSketches Theta: decoding {} bytes allocated {allocated}; input {shown:02x?}",
            v.len()
        );
        if let Ok(s) = result {
            decoded += 1;
            let _ = s.estimate();
            for compressed in [false, true] {
                assert_eq!(theta::from_bytes(&s.to_bytes(compressed)).unwrap(), s);
            }
            let _ = s.to_kmv(s.hashes().len() + 1);
        }
    }
    if verbose() {
        eprintln!("DataSketches Theta: {decoded} of {PER_KIND} hostile inputs decoded");
    }
    assert!(
        decoded > 0 && decoded < PER_KIND * 9 / 10,
        "{decoded} decoded"
    );
}

/// Writes the valid samples as seed corpora of the fuzz targets.
fn write_fuzz_seeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (i, (kind, bytes)) in samples().into_iter().enumerate() {
        let target = match kind {
            Kind::MorrisCounter => "decode_morris_counter",
            Kind::MorrisArray => "decode_morris_array",
            Kind::Kmv => "decode_kmv",
            Kind::LogLog => "decode_loglog",
            Kind::SuperLogLog => "decode_superloglog",
            Kind::HyperLogLog => "decode_hyperloglog",
            Kind::UltraLogLog => "decode_ultraloglog",
            Kind::BloomFilter => "decode_bloom",
            Kind::ScalingBloomFilter => "decode_scaling_bloom",
            Kind::Trie => "decode_trie",
            Kind::Dawg => "decode_dawg",
            Kind::DawgMap => "decode_dawg_map",
            _ => continue,
        };
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{i}")), bytes).unwrap();
    }
    let dir = root.join("decode_redis_hyll");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, bytes) in redis_samples().into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i}")), bytes).unwrap();
    }
    let dir = root.join("decode_datasketches_hll");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, bytes) in datasketches_samples().into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i}")), bytes).unwrap();
    }
    let dir = root.join("decode_datasketches_theta");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, bytes) in theta_samples().into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i}")), bytes).unwrap();
    }
}

/// Whether to print each decoder's share of hostile inputs that decoded (a passing run
/// prints one line a check; failures always say it): `LESSRAM_HOSTILE_VERBOSE=1`.
fn verbose() -> bool {
    std::env::var_os("LESSRAM_HOSTILE_VERBOSE").is_some_and(|v| v != "0")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        // What `cargo test -- --list` expects of a harness.
        println!("hostile: test");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "write_fuzz_seeds") {
        write_fuzz_seeds();
        return ExitCode::SUCCESS;
    }
    // The DAWG decoders catch the panics `fst` raises on malformed nodes and return an
    // error; the default hook would print (and with RUST_BACKTRACE, symbolise: tens of MB)
    // each of them. Panics that escape a decoder are reported with their input below.
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    regressions_stay_fixed();
    println!("ok      {} fuzz regressions replayed", REGRESSIONS.len());
    every_single_bit_flip_and_truncation_of_every_kind_is_rejected();
    println!("ok      every single-bit flip and truncation of every kind is rejected");
    every_decoder_survives_100_000_hostile_inputs();
    println!("ok      every decoder survives {PER_KIND} hostile inputs");
    the_ultraloglog_decoder_checks_every_field();
    println!("ok      the UltraLogLog decoder checks every field as docs/format.md says");
    the_redis_decoder_survives_100_000_hostile_inputs();
    println!("ok      the Redis HYLL decoder survives {PER_KIND} hostile inputs");
    the_datasketches_decoder_survives_100_000_hostile_inputs();
    println!("ok      the DataSketches HLL decoder survives {PER_KIND} hostile inputs");
    the_theta_decoder_survives_100_000_hostile_inputs();
    println!("ok      the DataSketches Theta decoder survives {PER_KIND} hostile inputs");
    println!("hostile: passed in {:.1?}", start.elapsed());
    ExitCode::SUCCESS
}
