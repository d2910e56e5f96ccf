//! HyperLogLog across its representations: accuracy against theory, merge and codec
//! properties against oracles, rejection of bad frames, and a cross-check with the
//! `hyperloglogplus` crate.

use std::hash::{BuildHasherDefault, Hasher};

use hyperloglogplus::{HyperLogLog as _, HyperLogLogPlus};
use lessram::codec::{Encoder, Kind};
use lessram::hash::Murmur3;
use lessram::{Codec, DistinctCount, Error, HyperLogLog, ItemHasher, MemoryUsage};
use proptest::prelude::*;

/// xoshiro256++ (Blackman & Vigna), seeded through SplitMix64: a fast seeded stream of
/// uniform u64 standing in for item hashes.
///
/// Not SplitMix64 itself: its outputs are a fixed mixer applied to an arithmetic
/// progression, and at 10M items the HyperLogLog error over 30 such streams came out 1.46 x
/// the theory at p = 12 (it is 0.91 x with this generator and 0.87 x with MurmurHash3 of a
/// counter): the streams are not random enough for this test.
#[path = "support/stream.rs"]
mod stream;
use stream::Stream;

const PRECISIONS: [u8; 3] = [10, 12, 14];
/// The checkpoints, plus 2.5 m and 5 m for each precision (where the classic
/// estimator switches from linear counting and HLL++ from its bias tables: a bump would
/// show there).
const CHECKPOINTS: [u64; 13] = [
    10, 100, 1_000, 2_500, 5_000, 10_000, 20_000, 40_000, 80_000, 100_000, 1_000_000, 5_000_000,
    10_000_000,
];

/// Per (precision, checkpoint): sum of relative errors and of their squares, for the
/// corrected estimator and for HIP.
#[derive(Clone, Default)]
struct Sums {
    n: u64,
    err: f64,
    err2: f64,
    hip_err: f64,
    hip_err2: f64,
}

/// Feeds `seeds` independent streams of `CHECKPOINTS.last()` uniform hashes to one sketch
/// per precision and accumulates the errors at every checkpoint, on every core.
fn measure(seeds: std::ops::Range<u64>, max_n: u64) -> Vec<Vec<Sums>> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8) as u64;
    let seeds: Vec<u64> = seeds.collect();
    let parts: Vec<Vec<Vec<Sums>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let mine: Vec<u64> = seeds
                    .iter()
                    .copied()
                    .skip(t as usize)
                    .step_by(threads as usize)
                    .collect();
                scope.spawn(move || {
                    let mut sums = vec![vec![Sums::default(); CHECKPOINTS.len()]; PRECISIONS.len()];
                    for seed in mine {
                        let mut rng = Stream::new(seed);
                        let mut sketches: Vec<HyperLogLog> = PRECISIONS
                            .iter()
                            .map(|&p| HyperLogLog::new(p).unwrap())
                            .collect();
                        let mut inserted = 0u64;
                        for (c, &n) in CHECKPOINTS.iter().enumerate().filter(|(_, n)| **n <= max_n)
                        {
                            while inserted < n {
                                let h = rng.next();
                                for s in &mut sketches {
                                    s.insert_hash(h);
                                }
                                inserted += 1;
                            }
                            for (i, s) in sketches.iter().enumerate() {
                                let e = s.estimate() / n as f64 - 1.0;
                                let hip = s.estimate_hip().unwrap() / n as f64 - 1.0;
                                let acc = &mut sums[i][c];
                                acc.n += 1;
                                acc.err += e;
                                acc.err2 += e * e;
                                acc.hip_err += hip;
                                acc.hip_err2 += hip * hip;
                            }
                        }
                    }
                    sums
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut total = vec![vec![Sums::default(); CHECKPOINTS.len()]; PRECISIONS.len()];
    for part in parts {
        for (i, row) in part.into_iter().enumerate() {
            for (c, s) in row.into_iter().enumerate() {
                let t = &mut total[i][c];
                t.n += s.n;
                t.err += s.err;
                t.err2 += s.err2;
                t.hip_err += s.hip_err;
                t.hip_err2 += s.hip_err2;
            }
        }
    }
    total
}

/// Checks one tier of the accuracy protocol at the checkpoints in `min_n..=max_n`:
/// exactly 0 error while the sketch is sparse; RMS relative error <= `factor` x
/// 1.04 / sqrt(m) (the bound is 1.1 at 200 seeds; Ertl 2017 gives 1.039 / sqrt(m)
/// for the corrected estimator) and the HIP estimator's RMS <= `factor` x 0.833 / sqrt(m)
/// (Ting 2014); |bias| within 4 standard errors of the mean, `4 x rse / sqrt(seeds)`, so a
/// constant off by 1% fails at p = 10.
fn check_tier(seeds: u64, min_n: u64, max_n: u64, factor: f64) {
    let sums = measure(0..seeds, max_n);
    let mut report = String::new();
    for (i, &p) in PRECISIONS.iter().enumerate() {
        let m = f64::from(1u32 << p);
        let sparse_limit = (3u64 << p) / 32;
        for (c, &n) in CHECKPOINTS
            .iter()
            .enumerate()
            .filter(|(_, n)| (min_n..=max_n).contains(*n))
        {
            let s = &sums[i][c];
            assert_eq!(s.n, seeds);
            let k = s.n as f64;
            let (bias, rms) = (s.err / k, (s.err2 / k).sqrt());
            let (hip_bias, hip_rms) = (s.hip_err / k, (s.hip_err2 / k).sqrt());
            report += &format!(
                "p {p} n {n}: bias {bias:+.5} rms {rms:.5} ({:.3} x 1.04/sqrt(m)) hip bias {hip_bias:+.5} rms {hip_rms:.5} ({:.3} x 0.833/sqrt(m))\n",
                rms / (1.04 / m.sqrt()),
                hip_rms / (0.833 / m.sqrt())
            );
            if n <= sparse_limit {
                assert_eq!(
                    (s.err2, s.hip_err2),
                    (0.0, 0.0),
                    "p {p} n {n} sparse must be exact"
                );
            }
            assert!(
                rms <= factor * 1.04 / m.sqrt(),
                "p {p} n {n}: rms {rms}\n{report}"
            );
            assert!(
                bias.abs() <= 4.0 * 1.04 / m.sqrt() / k.sqrt(),
                "p {p} n {n}: bias {bias}\n{report}"
            );
            assert!(
                hip_rms <= factor * 0.833 / m.sqrt(),
                "p {p} n {n}: hip rms {hip_rms}\n{report}"
            );
            assert!(
                hip_bias.abs() <= 4.0 * 0.833 / m.sqrt() / k.sqrt(),
                "p {p} n {n}: hip bias {hip_bias}\n{report}"
            );
        }
    }
    println!("{report}");
}

/// The protocol up to 1M items: 200 seeds, p = 10, 12, 14 (6e8 inserts), every
/// checkpoint within 1.1 x the theory.
#[test]
fn accuracy_200_seeds_up_to_1m() {
    check_tier(200, 0, 1_000_000, 1.1);
}

/// The 5M and 10M checkpoints at 30 seeds in CI (9e8 inserts). With 30 seeds a measured
/// RMS is itself uncertain by about 1 / sqrt(2 x 30) = 13%, so the bound here is
/// 1.1 + 2 x 0.13 = 1.36 x the theory (bias still within 4 standard errors). The full
/// 200-seed protocol at every checkpoint, with the 1.1 bound, is
/// `cargo run --release --example hyperloglog_accuracy` (recorded in
/// `docs/hyperloglog-accuracy.md`).
#[test]
fn accuracy_30_seeds_at_5m_and_10m() {
    check_tier(30, 5_000_000, 10_000_000, 1.36);
}

/// The same hashes through `hyperloglogplus` (HLL++ with its bias tables, sparse at
/// p' = 25): both estimates are within 3 combined standard errors of each other
/// (`3 * sqrt(2) * 1.04 / sqrt(m)`), and both within 3 of the truth.
#[test]
fn agrees_with_hyperloglogplus() {
    #[derive(Default)]
    struct Identity(u64);
    impl Hasher for Identity {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, _: &[u8]) {
            unreachable!("only u64 values are inserted")
        }
        fn write_u64(&mut self, v: u64) {
            self.0 = v;
        }
    }
    for p in [10u8, 14] {
        let sigma = 1.04 / f64::from(1u32 << p).sqrt();
        for seed in 0..5 {
            let mut ours = HyperLogLog::new(p).unwrap();
            let mut theirs: HyperLogLogPlus<u64, BuildHasherDefault<Identity>> =
                HyperLogLogPlus::new(p, BuildHasherDefault::default()).unwrap();
            let mut rng = Stream::new(1000 + seed);
            let mut n = 0u64;
            for target in [10u64, 100, 1_000, 10_000, 100_000, 1_000_000] {
                while n < target {
                    let h = rng.next();
                    ours.insert_hash(h);
                    theirs.insert(&h);
                    n += 1;
                }
                let (a, b) = (ours.estimate(), theirs.count());
                let t = n as f64;
                assert!(
                    (a - b).abs() <= 3.0 * 2f64.sqrt() * sigma * t,
                    "p {p} seed {seed} n {n}: lessram {a}, hyperloglogplus {b}"
                );
                assert!((a - t).abs() <= 3.0 * sigma * t, "p {p} n {n}: {a}");
                assert!((b - t).abs() <= 3.0 * sigma * t, "p {p} n {n}: {b}");
            }
        }
    }
}

fn sketch(p: u8, hashes: &[u64]) -> HyperLogLog {
    let mut h = HyperLogLog::new(p).unwrap();
    hashes.iter().for_each(|&x| h.insert_hash(x));
    h
}

/// Hashes drawn from a small pool (so streams overlap and repeat) or uniformly.
fn hashes(max_len: usize) -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        prop::collection::vec(0u64..64, 0..max_len).prop_map(|v| v
            .into_iter()
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect()),
        prop::collection::vec(any::<u64>(), 0..max_len),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// `insert_hashes` builds the very sketch (registers, histogram, HIP estimate,
    /// representation) that `insert_hash` on each hash in order does, from any starting
    /// state: sparse, switching to dense inside the batch, or dense with a raised floor.
    #[test]
    fn prop_insert_hashes_equals_one_by_one(
        p in 4u8..=10, before in hashes(3000), batch in hashes(3000)
    ) {
        let mut one_by_one = sketch(p, &before);
        let mut batched = one_by_one.clone();
        batch.iter().for_each(|&h| one_by_one.insert_hash(h));
        batched.insert_hashes(batch.iter().copied());
        prop_assert_eq!(&batched, &one_by_one);
        prop_assert_eq!(batched.estimate_hip(), one_by_one.estimate_hip());
        prop_assert_eq!(batched.registers(), one_by_one.registers());
    }

    /// merge(a, b) holds the registers (and so the estimate) of one sketch fed both streams,
    /// whatever the representations and for b's precision equal to or above a's.
    #[test]
    fn prop_merge_equals_inserting_both_streams(
        pa in 4u8..=9, extra in 0u8..=3, a in hashes(400), b in hashes(400)
    ) {
        let pb = pa + extra;
        let mut merged = sketch(pa, &a);
        let other = sketch(pb, &b);
        merged.merge(&other).unwrap();
        let both = sketch(pa, &[a.clone(), b.clone()].concat());
        prop_assert_eq!(merged.registers(), both.registers());
        prop_assert_eq!(merged.estimate(), both.estimate());
        prop_assert_eq!(merged.is_sparse(), both.is_sparse());
        prop_assert_eq!(merged.memory_usage() <= 3 << pa >> 2, true);
        if other.is_sparse() {
            // Merging a sparse sketch is inserting its hashes: HIP stays valid.
            prop_assert!(merged.estimate_hip().is_some());
        } else {
            prop_assert_eq!(merged.estimate_hip(), None);
        }
        if merged.is_sparse() {
            prop_assert_eq!(&merged, &both);
        }
        // Merging is commutative, at equal precision and (issue #16: the finer side used
        // to refuse the coarser one) at different ones: the finer self folds itself down.
        let mut other_way = sketch(pb, &b);
        other_way.merge(&sketch(pa, &a)).unwrap();
        prop_assert_eq!(other_way.precision(), pa);
        prop_assert_eq!(other_way.registers(), both.registers());
        prop_assert_eq!(other_way.estimate(), both.estimate());
        if other_way.is_sparse() {
            prop_assert_eq!(&other_way, &both);
        }
    }

    /// from_bytes(to_bytes(x)) == x, sparse or dense, with or without a HIP estimate.
    #[test]
    fn prop_round_trip(p in 4u8..=12, a in hashes(1500), b in hashes(300), merge in any::<bool>()) {
        let mut x = sketch(p, &a);
        if merge {
            x.merge(&sketch(p, &b)).unwrap();
        }
        let bytes = x.to_bytes();
        let back = HyperLogLog::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&back, &x);
        prop_assert_eq!(back.estimate_hip().map(f64::to_bits), x.estimate_hip().map(f64::to_bits));
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    /// Every truncation, every single-byte change and every appended byte is an error.
    #[test]
    fn prop_damaged_frames_are_errors(p in 4u8..=6, a in hashes(60), pos in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let bytes = sketch(p, &a).to_bytes();
        for cut in 0..bytes.len() {
            prop_assert!(HyperLogLog::from_bytes(&bytes[..cut]).is_err());
        }
        let mut flipped = bytes.clone();
        flipped[pos.index(bytes.len())] ^= xor;
        prop_assert!(HyperLogLog::from_bytes(&flipped).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(HyperLogLog::from_bytes(&longer).is_err());
    }
}

/// A frame with a valid checksum around the given precision and payload.
fn frame(precision: u8, payload: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(Kind::HyperLogLog, 1, 0);
    enc.params().u8(precision);
    enc.payload().bytes(payload);
    enc.finish()
}

fn sparse_payload(hip_flag: u8, hip: f64, count: u64, hashes: &[u64]) -> Vec<u8> {
    let mut v = vec![0u8, hip_flag];
    v.extend_from_slice(&hip.to_le_bytes());
    v.extend_from_slice(&count.to_le_bytes());
    hashes
        .iter()
        .for_each(|h| v.extend_from_slice(&h.to_le_bytes()));
    v
}

fn dense_payload(hip_flag: u8, hip: f64, regs: &[u8]) -> Vec<u8> {
    let mut v = vec![1u8, hip_flag];
    v.extend_from_slice(&hip.to_le_bytes());
    v.extend_from_slice(regs);
    v
}

fn corrupt(bytes: &[u8]) -> String {
    match HyperLogLog::from_bytes(bytes) {
        Err(e @ (Error::Corrupt { .. } | Error::Truncated { .. })) => e.to_string(),
        other => panic!("expected Corrupt or Truncated, got {other:?}"),
    }
}

#[test]
fn well_checksummed_but_inconsistent_frames_are_errors() {
    // The valid baselines decode.
    assert!(HyperLogLog::from_bytes(&frame(4, &sparse_payload(1, 1.0, 1, &[7]))).is_ok());
    assert!(HyperLogLog::from_bytes(&frame(4, &dense_payload(0, 0.0, &[0; 12]))).is_ok());
    // Precision out of range, missing, or followed by more parameters.
    assert!(corrupt(&frame(3, &sparse_payload(1, 0.0, 0, &[]))).contains("precision 3"));
    assert!(corrupt(&frame(19, &sparse_payload(1, 0.0, 0, &[]))).contains("precision 19"));
    let mut enc = Encoder::new(Kind::HyperLogLog, 1, 0);
    enc.params().u8(10).u8(0);
    enc.payload().bytes(&sparse_payload(1, 0.0, 0, &[]));
    assert!(corrupt(&enc.finish()).contains("left over"));
    // Unknown representation.
    let mut bad = sparse_payload(1, 0.0, 0, &[]);
    bad[0] = 2;
    assert!(corrupt(&frame(10, &bad)).contains("representation tag 2"));
    // Sparse: inflated count (no allocation), too many, unsorted, duplicate, bad HIP.
    assert!(corrupt(&frame(10, &sparse_payload(1, 0.0, u64::MAX, &[]))).contains("truncated"));
    assert!(corrupt(&frame(10, &sparse_payload(1, 3.0, 3, &[1, 2]))).contains("truncated"));
    assert!(corrupt(&frame(4, &sparse_payload(1, 2.0, 2, &[1, 2]))).contains("at most 1"));
    assert!(corrupt(&frame(10, &sparse_payload(1, 2.0, 2, &[5, 1]))).contains("increasing"));
    assert!(corrupt(&frame(10, &sparse_payload(1, 2.0, 2, &[5, 5]))).contains("increasing"));
    assert!(corrupt(&frame(10, &sparse_payload(0, 1.0, 1, &[5]))).contains("HIP"));
    assert!(corrupt(&frame(10, &sparse_payload(1, 2.0, 1, &[5]))).contains("HIP"));
    assert!(corrupt(&frame(10, &sparse_payload(1, 1.0, 1, &[5, 6]))).contains("left over"));
    // Dense: short, long, a register above 65 - p, bad HIP flag or value.
    assert!(corrupt(&frame(4, &dense_payload(0, 0.0, &[0; 11]))).contains("truncated"));
    assert!(corrupt(&frame(4, &dense_payload(0, 0.0, &[0; 13]))).contains("left over"));
    let mut regs = [0u8; 12];
    regs[11] = 62 << 2; // register 15 = 62 > 61
    assert!(corrupt(&frame(4, &dense_payload(0, 0.0, &regs))).contains("register 15 holds 62"));
    regs[11] = 61 << 2;
    assert!(HyperLogLog::from_bytes(&frame(4, &dense_payload(0, 0.0, &regs))).is_ok());
    assert!(corrupt(&frame(4, &dense_payload(2, 5.0, &regs))).contains("HIP"));
    assert!(corrupt(&frame(4, &dense_payload(0, 5.0, &regs))).contains("HIP"));
    assert!(corrupt(&frame(4, &dense_payload(1, f64::NAN, &regs))).contains("HIP"));
    assert!(corrupt(&frame(4, &dense_payload(1, -1.0, &regs))).contains("HIP"));
    assert!(HyperLogLog::from_bytes(&frame(4, &dense_payload(1, 5.0, &regs))).is_ok());
    // Wrong kind and wrong hasher.
    let other = Encoder::new(Kind::Kmv, 1, 0).finish();
    assert!(matches!(
        HyperLogLog::from_bytes(&other),
        Err(Error::WrongKind { .. })
    ));
    let seeded = HyperLogLog::with_hasher(10, Murmur3::with_seed(3)).unwrap();
    let back = HyperLogLog::from_bytes(&seeded.to_bytes()).unwrap();
    assert_eq!(back.hasher().seed(), 3);
    assert!(matches!(
        HyperLogLog::from_bytes_with_hasher(&seeded.to_bytes(), Murmur3::with_seed(4)),
        Err(Error::WrongHasher { .. })
    ));
}

#[test]
fn merge_folds_a_finer_self_and_rejects_other_hashers() {
    let mut rng = Stream::new(16);
    let (xs, ys): (Vec<u64>, Vec<u64>) = (0..60_000).map(|_| (rng.next(), rng.next())).unzip();
    let mut a = sketch(12, &xs);
    a.merge(&sketch(10, &ys)).unwrap();
    assert_eq!(a.precision(), 10);
    let mut forward = sketch(10, &ys);
    forward.merge(&sketch(12, &xs)).unwrap();
    assert_eq!(a.registers(), forward.registers());
    assert_eq!(a.estimate(), forward.estimate());
    let before = a.clone();
    let c = HyperLogLog::with_hasher(12, Murmur3::with_seed(9)).unwrap();
    assert!(matches!(
        a.merge(&c),
        Err(Error::Incompatible { what: "hasher", .. })
    ));
    assert_eq!(a, before);
}

#[test]
fn dense_fold_equals_the_sketch_at_the_lower_precision() {
    let mut rng = Stream::new(77);
    let stream: Vec<u64> = (0..200_000).map(|_| rng.next()).collect();
    let mut low = HyperLogLog::new(10).unwrap();
    low.merge(&sketch(16, &stream)).unwrap();
    assert_eq!(low.registers(), sketch(10, &stream).registers());
    assert_eq!(low.estimate(), sketch(10, &stream).estimate());
}

#[test]
fn memory_is_exact_and_bounded() {
    for p in [4u8, 10, 14, 18] {
        let mut h = HyperLogLog::new(p).unwrap();
        assert_eq!(h.memory_usage(), 0);
        let mut rng = Stream::new(u64::from(p));
        for _ in 0..(3usize << p) / 32 {
            h.insert_hash(rng.next());
            assert!(h.memory_usage() <= 3 << p >> 2);
        }
        h.insert_hash(rng.next());
        assert_eq!(h.memory_usage(), 3 << p >> 2);
    }
}

#[test]
fn generic_code_sees_the_trait() {
    fn fill<C: DistinctCount>(c: &mut C) {
        for w in ["a", "b", "a"] {
            c.insert(w);
        }
    }
    let mut h = HyperLogLog::new(8).unwrap();
    fill(&mut h);
    assert_eq!(DistinctCount::estimate(&h), 2.0);
    assert_eq!(<HyperLogLog as Codec>::KIND, Kind::HyperLogLog);
}

#[cfg(feature = "serde")]
#[test]
fn serde_goes_through_the_frame() {
    let h = sketch(
        12,
        &(0..5000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect::<Vec<_>>(),
    );
    let json = serde_json::to_string(&h).unwrap();
    assert_eq!(serde_json::from_str::<HyperLogLog>(&json).unwrap(), h);
    let mut bytes: Vec<u8> = serde_json::from_str(&json).unwrap();
    bytes[40] ^= 1;
    assert!(serde_json::from_str::<HyperLogLog>(&serde_json::to_string(&bytes).unwrap()).is_err());
}
