//! UltraLogLog side by side with lessram's HyperLogLog and the `ultraloglog` crate (0.1.6,
//! a port of hash4j).
//!
//! `cargo bench --bench bench -- ultraloglog/`. Precision 14 everywhere; "dense" sketches
//! were filled with 10^6 hashes first. Every group runs the structures in the same process
//! on the same pre-hashed u64s (the crate's `add` takes the hash as it is). The targets of
//! issue 18: a dense insert within 1.1x of lessram's HyperLogLog, `estimate` under 1 µs.
//! Its error beside the crate's: `cargo run --release --example ultraloglog_peer`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput};
use lessram::{HyperLogLog, UltraLogLog};
use ultraloglog::{Estimator, MaximumLikelihoodEstimator, UltraLogLog as Peer};

const P: u8 = 14;
const BATCH: usize = 4096;

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

/// The three sketches, each fed the same 10^6 hashes of `seed`.
fn warm(seed: u64) -> (UltraLogLog, HyperLogLog, Peer) {
    let mut ull = UltraLogLog::new(P).unwrap();
    let mut hll = HyperLogLog::new(P).unwrap();
    let mut peer = Peer::new(u32::from(P)).unwrap();
    for h in hashes(1_000_000, seed) {
        ull.insert_hash(h);
        hll.insert_hash(h);
        peer.add(h);
    }
    (ull, hll, peer)
}

pub(crate) fn register_benches(c: &mut Criterion) {
    let (ull, hll, peer) = warm(1);
    let batch = hashes(BATCH, 2);

    let mut g = c.benchmark_group("ultraloglog/insert_hash p14 dense");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut s = ull.clone();
    g.bench_function("lessram UltraLogLog", |b| {
        b.iter(|| batch.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut s = hll.clone();
    g.bench_function("lessram HyperLogLog", |b| {
        b.iter(|| batch.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut s = peer.copy();
    g.bench_function("ultraloglog crate add", |b| {
        b.iter(|| {
            batch.iter().for_each(|&h| {
                s.add(black_box(h));
            })
        })
    });
    g.finish();

    // 2^20 hashes per iteration, as in benches/hyperloglog.rs: too many for the branch
    // predictor to learn which of them change nothing.
    let long = hashes(1 << 20, 4);
    let mut g = c.benchmark_group("ultraloglog/insert 2^20 hashes p14 dense");
    g.throughput(Throughput::Elements(long.len() as u64));
    g.sample_size(20);
    let mut s = ull.clone();
    g.bench_function("lessram UltraLogLog insert_hash, one by one", |b| {
        b.iter(|| long.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut s = ull.clone();
    g.bench_function("lessram UltraLogLog insert_hashes", |b| {
        b.iter(|| s.insert_hashes(black_box(&long).iter().copied()))
    });
    let mut s = hll.clone();
    g.bench_function("lessram HyperLogLog insert_hash, one by one", |b| {
        b.iter(|| long.iter().for_each(|&h| s.insert_hash(black_box(h))))
    });
    let mut s = hll.clone();
    g.bench_function("lessram HyperLogLog insert_hashes", |b| {
        b.iter(|| s.insert_hashes(black_box(&long).iter().copied()))
    });
    let mut s = peer.copy();
    g.bench_function("ultraloglog crate add", |b| {
        b.iter(|| {
            long.iter().for_each(|&h| {
                s.add(black_box(h));
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ultraloglog/estimate p14 dense");
    g.bench_function("lessram UltraLogLog estimate (FGRA)", |b| {
        b.iter(|| black_box(&ull).estimate())
    });
    g.bench_function("lessram UltraLogLog estimate_martingale", |b| {
        b.iter(|| black_box(&ull).estimate_martingale())
    });
    g.bench_function("lessram UltraLogLog estimate_ml", |b| {
        b.iter(|| black_box(&ull).estimate_ml())
    });
    g.bench_function("lessram HyperLogLog estimate", |b| {
        b.iter(|| black_box(&hll).estimate())
    });
    g.bench_function("lessram HyperLogLog estimate_hip", |b| {
        b.iter(|| black_box(&hll).estimate_hip())
    });
    g.bench_function("ultraloglog crate estimate (FGRA)", |b| {
        b.iter(|| black_box(&peer).get_distinct_count_estimate())
    });
    g.bench_function("ultraloglog crate MaximumLikelihoodEstimator", |b| {
        b.iter(|| MaximumLikelihoodEstimator.estimate(black_box(&peer)))
    });
    g.finish();

    let mut g = c.benchmark_group("ultraloglog/merge p14 dense");
    let (ull_other, hll_other, peer_other) = warm(5);
    g.bench_function("lessram UltraLogLog merge", |b| {
        b.iter_batched_ref(
            || ull.clone(),
            |s| s.merge(black_box(&ull_other)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("lessram HyperLogLog merge", |b| {
        b.iter_batched_ref(
            || hll.clone(),
            |s| s.merge(black_box(&hll_other)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("ultraloglog crate add_sketch", |b| {
        b.iter_batched_ref(
            || peer.copy(),
            |s| {
                s.add_sketch(black_box(&peer_other)).unwrap();
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}
