//! The item hash against slice-based and `io::Read` MurmurHash3 on 12-byte tokens.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, Throughput};
use lessram::ItemHasher;
use lessram::hash::{Murmur3, murmur3_x64_128};

/// 4096 distinct 12-byte tokens, so the loop is not one cached input. Each is passed through
/// `black_box(&t[..])` so no implementation can specialise on a length known at compile time.
fn tokens() -> Vec<[u8; 12]> {
    let mut state = 0x5eed_u64;
    (0..4096)
        .map(|_| {
            let mut t = [0u8; 12];
            for b in &mut t {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *b = b'a' + ((state >> 33) % 26) as u8;
            }
            t
        })
        .collect()
}

pub(crate) fn register_benches(c: &mut Criterion) {
    let toks = tokens();
    let mut g = c.benchmark_group("hash/12-byte-token");
    g.throughput(Throughput::Elements(toks.len() as u64));
    let h = Murmur3::with_seed(0);
    g.bench_function("lessram hash_item (u64)", |b| {
        b.iter(|| {
            toks.iter()
                .fold(0u64, |acc, t| acc ^ h.hash_item(black_box(&t[..])))
        })
    });
    g.bench_function("lessram murmur3_x64_128", |b| {
        b.iter(|| {
            toks.iter()
                .fold(0u128, |acc, t| acc ^ murmur3_x64_128(black_box(&t[..]), 0))
        })
    });
    g.bench_function("fastmurmur3 (slice)", |b| {
        b.iter(|| {
            toks.iter().fold(0u128, |acc, t| {
                acc ^ fastmurmur3::murmur3_x64_128(black_box(&t[..]), 0)
            })
        })
    });
    g.bench_function("murmur3 crate (io::Read)", |b| {
        b.iter(|| {
            toks.iter().fold(0u128, |acc, t| {
                acc ^ murmur3::murmur3_x64_128(&mut Cursor::new(black_box(&t[..])), 0).unwrap()
            })
        })
    });
    g.finish();
}
