//! HyperLogLog side by side with `hyperloglogplus` and Cloudflare's `cardinality-estimator`.
//!
//! `cargo bench --bench bench -- hyperloglog/`. Every group runs the peers in the same
//! process on the same inputs; `docs/performance.md` records the medians and ratios.

use std::hash::{BuildHasherDefault, Hasher};
use std::hint::black_box;

use cardinality_estimator::CardinalityEstimator;
use criterion::{BatchSize, Criterion, Throughput};
use hyperloglogplus::{HyperLogLog as _, HyperLogLogPlus};
use lessram::hash::Murmur3;
use lessram::{HyperLogLog, ItemHasher};

const P: u8 = 14;
const BATCH: usize = 4096;

/// Passes a u64 through unchanged, so peers insert the same pre-hashed values as ours.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type PlusPrehashed = HyperLogLogPlus<u64, BuildHasherDefault<Identity>>;

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hashes(n: usize, seed: u64) -> Vec<u64> {
    let mut s = seed;
    (0..n).map(|_| splitmix(&mut s)).collect()
}

/// 4096 distinct 12-byte lowercase tokens.
fn tokens() -> Vec<[u8; 12]> {
    let mut state = 0x5eed_u64;
    (0..BATCH)
        .map(|_| {
            let mut t = [0u8; 12];
            for b in &mut t {
                *b = b'a' + (splitmix(&mut state) % 26) as u8;
            }
            t
        })
        .collect()
}

/// The floor for a dense insert: one byte per register (16 KiB at p = 14 instead of 12),
/// the same index and rank, a plain byte compare.
struct ByteRegisters {
    regs: Vec<u8>,
    p: u8,
}

impl ByteRegisters {
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        let i = (h >> (64 - self.p)) as usize;
        let rank = (h | (1 << (64 - self.p))).trailing_zeros() as u8 + 1;
        let r = &mut self.regs[i];
        if rank > *r {
            *r = rank;
        }
    }
}

/// lessram's dense update before this comparison was added: a 4-byte window (one byte
/// earlier for the last group), the register shifted down to a byte, then compared, and the
/// rank from leading zeros (`bsr`). Kept to show what the hot path costs when written that
/// way.
struct ShiftDownPacked {
    regs: Vec<u8>,
    p: u8,
}

impl ShiftDownPacked {
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        let i = (h >> (64 - self.p)) as usize;
        let rank = ((h << self.p) | (1 << (self.p - 1))).leading_zeros() as u8 + 1;
        let b = 3 * (i >> 2);
        let start = b.min(self.regs.len() - 4);
        let w = &self.regs[start..start + 4];
        let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let old = ((w >> (8 * (b - start) + 6 * (i & 3))) & 63) as u8;
        if rank > old {
            self.set(i, rank);
        }
    }

    #[inline(never)]
    fn set(&mut self, i: usize, v: u8) {
        let shift = 6 * (i & 3);
        let b = 3 * (i >> 2);
        let w = &self.regs[b..b + 3];
        let w = u32::from_le_bytes([w[0], w[1], w[2], 0]);
        let w = (w & !(63 << shift)) | (u32::from(v) << shift);
        self.regs[b..b + 3].copy_from_slice(&w.to_le_bytes()[..3]);
    }
}

/// Sketches already dense (1M items), as in a long-running count.
fn warm() -> (
    HyperLogLog,
    PlusPrehashed,
    CardinalityEstimator<u64, Identity, 14, 6>,
) {
    let mut ours = HyperLogLog::new(P).unwrap();
    let mut plus: PlusPrehashed = HyperLogLogPlus::new(P, BuildHasherDefault::default()).unwrap();
    let mut ce = CardinalityEstimator::<u64, Identity, 14, 6>::new();
    for h in hashes(1_000_000, 1) {
        ours.insert_hash(h);
        plus.insert(&h);
        ce.insert_hash(h);
    }
    (ours, plus, ce)
}

pub(crate) fn register_benches(c: &mut Criterion) {
    let (ours, plus, ce) = warm();
    let batch = hashes(BATCH, 2);

    let mut g = c.benchmark_group("hyperloglog/insert_hash p14 dense");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut s = ours.clone();
    g.bench_function("lessram", |b| {
        b.iter(|| batch.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut s = plus.clone();
    g.bench_function("hyperloglogplus", |b| {
        b.iter(|| batch.iter().for_each(|h| s.insert(black_box(h))))
    });
    let mut s = ce.clone();
    g.bench_function("cardinality-estimator", |b| {
        b.iter(|| batch.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut floor = ByteRegisters {
        regs: vec![0; 1 << P],
        p: P,
    };
    let mut old = ShiftDownPacked {
        regs: vec![0; 3 << P >> 2],
        p: P,
    };
    for h in hashes(1_000_000, 1) {
        floor.insert_hash(h);
        old.insert_hash(h);
    }
    g.bench_function("floor: byte registers", |b| {
        b.iter(|| batch.iter().for_each(|&h| floor.insert_hash(black_box(h))))
    });
    g.bench_function("packed, shifted down (previous lessram code)", |b| {
        b.iter(|| batch.iter().for_each(|&h| old.insert_hash(black_box(h))))
    });
    g.finish();

    // One by one or as a batch, on 2^20 hashes per iteration: too many for the branch
    // predictor to learn which of them the floor skips, as it can on a 4096-hash loop
    // repeated (where the one-by-one loop looks faster than it is on a real stream).
    let long = hashes(1 << 20, 4);
    let mut g = c.benchmark_group("hyperloglog/insert 2^20 hashes p14 dense");
    g.throughput(Throughput::Elements(long.len() as u64));
    g.sample_size(20);
    let mut s = ours.clone();
    g.bench_function("lessram insert_hash, one by one", |b| {
        b.iter(|| long.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut s = ours.clone();
    g.bench_function("lessram insert_hashes", |b| {
        b.iter(|| s.insert_hashes(black_box(&long).iter().copied()))
    });
    g.finish();

    // From empty to 4096 distinct hashes: the sparse phase and the switch to dense.
    let mut g = c.benchmark_group("hyperloglog/fill 4096 from empty p14");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("lessram", |b| {
        b.iter_batched_ref(
            || HyperLogLog::new(P).unwrap(),
            |s| batch.iter().for_each(|&h| s.insert_hash(black_box(h))),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("hyperloglogplus", |b| {
        b.iter_batched_ref(
            || -> PlusPrehashed { HyperLogLogPlus::new(P, BuildHasherDefault::default()).unwrap() },
            |s| batch.iter().for_each(|h| s.insert(black_box(h))),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("cardinality-estimator", |b| {
        b.iter_batched_ref(
            CardinalityEstimator::<u64, Identity, 14, 6>::new,
            |s| batch.iter().for_each(|&h| s.insert_hash(black_box(h))),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let toks = tokens();
    let mut g = c.benchmark_group("hyperloglog/insert 12-byte token p14 dense");
    g.throughput(Throughput::Elements(BATCH as u64));
    let h = Murmur3::new();
    g.bench_function("hash alone (lessram Murmur3)", |b| {
        b.iter(|| {
            toks.iter()
                .fold(0u64, |acc, t| acc ^ h.hash_item(black_box(&t[..])))
        })
    });
    let mut s = ours.clone();
    g.bench_function("lessram insert (Murmur3)", |b| {
        b.iter(|| toks.iter().for_each(|t| s.insert(black_box(&t[..]))))
    });
    let mut s: HyperLogLogPlus<[u8], Murmur3> = HyperLogLogPlus::new(P, Murmur3::new()).unwrap();
    hashes(1_000_000, 3)
        .iter()
        .for_each(|h| s.insert(&h.to_le_bytes()[..]));
    g.bench_function("hyperloglogplus insert (Murmur3 streaming)", |b| {
        b.iter(|| toks.iter().for_each(|t| s.insert(black_box(&t[..]))))
    });
    let mut s = CardinalityEstimator::<[u8], wyhash::WyHash, 14, 6>::new();
    hashes(1_000_000, 3)
        .iter()
        .for_each(|h| s.insert(&h.to_le_bytes()[..]));
    g.bench_function("cardinality-estimator insert (its WyHash)", |b| {
        b.iter(|| toks.iter().for_each(|t| s.insert(black_box(&t[..]))))
    });
    g.finish();

    let mut g = c.benchmark_group("hyperloglog/estimate p14 dense");
    g.bench_function("lessram estimate (Ertl)", |b| {
        b.iter(|| black_box(&ours).estimate())
    });
    g.bench_function("lessram estimate_hip", |b| {
        b.iter(|| black_box(&ours).estimate_hip())
    });
    let mut s = plus.clone();
    g.bench_function("hyperloglogplus count (&mut)", |b| {
        b.iter(|| black_box(&mut s).count())
    });
    g.bench_function("cardinality-estimator estimate", |b| {
        b.iter(|| black_box(&ce).estimate())
    });
    g.finish();

    let mut g = c.benchmark_group("hyperloglog/merge p14 dense");
    let other = {
        let mut o = HyperLogLog::new(P).unwrap();
        hashes(1_000_000, 4).iter().for_each(|&h| o.insert_hash(h));
        o
    };
    g.bench_function("lessram merge", |b| {
        b.iter_batched_ref(
            || ours.clone(),
            |s| s.merge(black_box(&other)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let other_plus = {
        let mut o: PlusPrehashed = HyperLogLogPlus::new(P, BuildHasherDefault::default()).unwrap();
        hashes(1_000_000, 4).iter().for_each(|h| o.insert(h));
        o
    };
    g.bench_function("hyperloglogplus merge", |b| {
        b.iter_batched_ref(
            || plus.clone(),
            |s| s.merge(black_box(&other_plus)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}
