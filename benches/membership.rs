//! Membership micro-benchmarks behind the design decisions (peers at 10 M keys are in
//! `benches/membership_table.rs`):
//!
//! * `membership/storage`: a word array (`Vec<u64>`) against `bitvec`, each with `%` and
//!   with the multiply-shift range reduction, doing a classic filter's 7 probes per key into
//!   a 9.6 M-bit array (a 1 M-item 1% filter; larger than the L2 cache).
//! * `membership/layout`: lessram's classic and blocked layouts, insert and absent query,
//!   on that filter size.

use std::hint::black_box;

use bitvec::prelude::*;
use criterion::{BatchSize, Criterion, Throughput};
use lessram::{BloomFilter, BloomLayout, Membership};

const BITS: u64 = 9_585_059;
const K: u64 = 7;
const KEYS: usize = 100_000;

fn hashes() -> Vec<(u64, u64)> {
    let mut state = 0x5eed_u64;
    (0..KEYS)
        .map(|_| {
            let h = lessram::hash::murmur3_x64_128(&state.to_le_bytes(), 0);
            state += 1;
            (h as u64, (h >> 64) as u64)
        })
        .collect()
}

#[inline(always)]
fn by_mod(g: u64) -> u64 {
    g % BITS
}

#[inline(always)]
fn by_mul_shift(g: u64) -> u64 {
    ((u128::from(g) * u128::from(BITS)) >> 64) as u64
}

fn words_insert(words: &mut [u64], keys: &[(u64, u64)], reduce: impl Fn(u64) -> u64) {
    for &(h1, h2) in keys {
        for i in 0..K {
            let idx = reduce(h1.wrapping_add(i.wrapping_mul(h2)));
            words[(idx >> 6) as usize] |= 1 << (idx & 63);
        }
    }
}

/// `usize` words: `u64` where pointers are 64 bits (every measured run), and a store bitvec
/// supports on 32-bit targets too.
fn bitvec_insert(bits: &mut BitVec<usize, Lsb0>, keys: &[(u64, u64)], reduce: impl Fn(u64) -> u64) {
    for &(h1, h2) in keys {
        for i in 0..K {
            let idx = reduce(h1.wrapping_add(i.wrapping_mul(h2)));
            bits.set(idx as usize, true);
        }
    }
}

pub(crate) fn register_benches(c: &mut Criterion) {
    let keys = hashes();
    let mut g = c.benchmark_group("membership/storage");
    g.throughput(Throughput::Elements(KEYS as u64));
    let words = vec![0u64; BITS.div_ceil(64) as usize];
    let bv: BitVec<usize, Lsb0> = BitVec::repeat(false, BITS as usize);
    g.bench_function("Vec<u64> + multiply-shift", |b| {
        b.iter_batched_ref(
            || words.clone(),
            |w| words_insert(w, black_box(&keys), by_mul_shift),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("Vec<u64> + %", |b| {
        b.iter_batched_ref(
            || words.clone(),
            |w| words_insert(w, black_box(&keys), by_mod),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("bitvec + multiply-shift", |b| {
        b.iter_batched_ref(
            || bv.clone(),
            |w| bitvec_insert(w, black_box(&keys), by_mul_shift),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("bitvec + %", |b| {
        b.iter_batched_ref(
            || bv.clone(),
            |w| bitvec_insert(w, black_box(&keys), by_mod),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("membership/layout");
    g.throughput(Throughput::Elements(KEYS as u64));
    for layout in [BloomLayout::Classic, BloomLayout::Blocked] {
        let empty = BloomFilter::builder()
            .layout(layout)
            .for_items(1_000_000, 0.01)
            .expect("valid parameters");
        g.bench_function(format!("{layout} insert_hash"), |b| {
            b.iter_batched_ref(
                || empty.clone(),
                |f| {
                    for &(h1, h2) in &keys {
                        f.insert_hash((u128::from(h2) << 64) | u128::from(h1));
                    }
                },
                BatchSize::LargeInput,
            )
        });
        let mut full = empty.clone();
        for i in 0..1_000_000u64 {
            full.insert(&i);
        }
        g.bench_function(format!("{layout} contains_hash absent"), |b| {
            b.iter(|| {
                keys.iter()
                    .filter(|&&(h1, h2)| {
                        full.contains_hash((u128::from(h2) << 64) | u128::from(h1))
                    })
                    .count()
            })
        });
    }
    g.finish();
}
