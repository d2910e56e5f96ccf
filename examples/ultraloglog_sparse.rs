//! Would a sparse form pay for UltraLogLog? Measured heap bytes of two candidate sparse
//! forms against the `2^p` dense bytes for `n = 0 ..= m/4`, and the error a sparse form would
//! remove: the dense FGRA and martingale estimates against the exact count it would give.
//!
//! ```sh
//! cargo run --release --example ultraloglog_sparse                  # p = 10, 12, 14; 200 seeds
//! cargo run --release --example ultraloglog_sparse -- 14 1000       # one precision, 1000 seeds
//! ```
//!
//! The two candidates, both exact while they hold:
//!
//! * **64-bit hashes**, HyperLogLog's sparse form as it is (`src/counting/hyperloglog/sparse.rs`:
//!   the distinct hashes in a `Vec<u64>` grown by doubling from 4). Its bytes are measured on a
//!   real `HyperLogLog` two precisions up (sparse to `3 m / 8` hashes, so still sparse at
//!   `m / 4`); the growth does not depend on the precision below the cap. An UltraLogLog
//!   built on it could hold `m / 8` hashes before its `8 n` bytes reach the dense `m`.
//! * **32-bit tokens**, hash4j's idea in lessram's convention: the top 26 bits of the hash
//!   and the number of trailing zeros of the other 38 (6 bits). They rebuild the dense
//!   registers exactly at every precision up to 26 (checked below for every run), so the
//!   switch to dense loses nothing; `m / 4` tokens fit in the dense bytes. Modelled here as a
//!   sorted `Vec<u32>` grown the same way; the count is that of distinct tokens, exact unless
//!   two hashes share a token (same 26 bits and the same trailing zeros: rare below `m / 4`
//!   at these precisions; the table shows how rare).
//!
//! Heap bytes are dhat's `curr_bytes` after building each structure (the example runs under
//! dhat's allocator, in testing mode), so they include every growth step's leftovers.
//! Errors: `seeds` streams of uniform hashes (xoshiro256++), bias and RMS of the relative
//! error, and how often the estimate rounded to the nearest integer is exactly `n`.

use lessram::{HyperLogLog, MemoryUsage, UltraLogLog};

#[path = "../tests/support/stream.rs"]
mod stream;
use stream::Stream;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The token of a hash: its top 26 bits, then the trailing zeros of the low 38 (0..=38).
fn token(h: u64) -> u32 {
    let low = h & ((1 << 38) - 1);
    (((h >> 38) as u32) << 6) | (low | (1 << 38)).trailing_zeros()
}

/// A hash with the token's bits: the 26 bits on top, then the lowest set bit the token's
/// trailing-zero count says (none when it is 38). Every register of every precision up to
/// 26 reads the same from it as from the hash.
fn representative(t: u32) -> u64 {
    let tz = t & 63;
    let low = if tz == 38 { 0 } else { 1u64 << tz };
    (u64::from(t >> 6) << 38) | low
}

/// A set of distinct tokens: a sorted `Vec<u32>` grown by doubling from 4, as HyperLogLog's
/// sparse hashes are.
#[derive(Default)]
struct Tokens(Vec<u32>);

impl Tokens {
    fn insert(&mut self, t: u32) {
        if let Err(at) = self.0.binary_search(&t) {
            if self.0.len() == self.0.capacity() {
                let target = (2 * self.0.len()).max(4);
                self.0.reserve_exact(target - self.0.len());
            }
            self.0.insert(at, t);
        }
    }
}

/// Heap bytes the value `build` returns holds, by dhat.
fn heap_of<T>(build: impl FnOnce() -> T) -> (usize, T) {
    let _profiler = dhat::Profiler::builder().testing().build();
    let base = dhat::HeapStats::get().curr_bytes;
    let x = build();
    (dhat::HeapStats::get().curr_bytes - base, x)
}

fn counts(p: u8) -> Vec<u64> {
    let m = 1u64 << p;
    let mut v = vec![0, 1, 4, 16, 64, m / 64, m / 32, m / 16, m / 8, m / 4];
    v.sort_unstable();
    v.dedup();
    v
}

/// Bias and RMS of relative errors (in percent) and the share of exact rounded estimates.
#[derive(Default, Clone, Copy)]
struct Acc {
    n: f64,
    err: f64,
    err2: f64,
    exact: f64,
}

impl Acc {
    fn add(&mut self, estimate: f64, truth: u64) {
        let e = if truth == 0 {
            estimate
        } else {
            estimate / truth as f64 - 1.0
        };
        self.n += 1.0;
        self.err += e;
        self.err2 += e * e;
        self.exact += f64::from(u8::from(estimate.round() == truth as f64));
    }
    fn cells(&self) -> String {
        format!(
            "{:+.3} | {:.3} | {:.0}%",
            100.0 * self.err / self.n,
            100.0 * (self.err2 / self.n).sqrt(),
            100.0 * self.exact / self.n
        )
    }
}

fn run(p: u8, seeds: u64) {
    let m = 1usize << p;
    let ns = counts(p);
    let (dense, _) = heap_of(|| UltraLogLog::new(p).unwrap());
    // Bytes: one stream; errors: every seed.
    let mut bytes = Vec::new();
    let mut rng = Stream::new(0xb17e5);
    let stream: Vec<u64> = (0..ns[ns.len() - 1]).map(|_| rng.next()).collect();
    for &n in &ns {
        let hs = &stream[..n as usize];
        let (hash_bytes, hll) = heap_of(|| {
            let mut s = HyperLogLog::new(p + 2).unwrap();
            hs.iter().for_each(|&h| s.insert_hash(h));
            s
        });
        assert!(
            hll.is_sparse(),
            "p {p} n {n}: still sparse two precisions up"
        );
        assert_eq!(hash_bytes, hll.memory_usage());
        let (token_bytes, tokens) = heap_of(|| {
            let mut t = Tokens::default();
            hs.iter().for_each(|&h| t.insert(token(h)));
            t
        });
        // The tokens rebuild the dense registers exactly.
        let mut direct = UltraLogLog::new(p).unwrap();
        hs.iter().for_each(|&h| direct.insert_hash(h));
        let mut rebuilt = UltraLogLog::new(p).unwrap();
        tokens
            .0
            .iter()
            .for_each(|&t| rebuilt.insert_hash(representative(t)));
        assert_eq!(
            rebuilt.registers(),
            direct.registers(),
            "p {p} n {n}: tokens rebuild"
        );
        bytes.push((hash_bytes, token_bytes));
    }
    // [n] -> FGRA, martingale, distinct tokens.
    let mut acc = vec![[Acc::default(); 3]; ns.len()];
    for seed in 0..seeds {
        let mut rng = Stream::new(0x5a55e + seed);
        let mut ull = UltraLogLog::new(p).unwrap();
        let mut tokens = std::collections::HashSet::new();
        let mut inserted = 0;
        for (i, &n) in ns.iter().enumerate() {
            while inserted < n {
                let h = rng.next();
                ull.insert_hash(h);
                tokens.insert(token(h));
                inserted += 1;
            }
            acc[i][0].add(ull.estimate(), n);
            acc[i][1].add(ull.estimate_martingale().expect("never merged"), n);
            acc[i][2].add(tokens.len() as f64, n);
        }
    }
    println!("### p = {p}: dense {dense} bytes (m = {m})\n");
    println!(
        "| n | 64-bit hashes, bytes | / dense | 32-bit tokens, bytes | / dense | \
         FGRA bias % | RMS % | exact | martingale bias % | RMS % | exact | \
         distinct tokens bias % | RMS % | exact |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, &n) in ns.iter().enumerate() {
        let (hb, tb) = bytes[i];
        println!(
            "| {n} | {hb} | {:.3} | {tb} | {:.3} | {} | {} | {} |",
            hb as f64 / dense as f64,
            tb as f64 / dense as f64,
            acc[i][0].cells(),
            acc[i][1].cells(),
            acc[i][2].cells()
        );
    }
    println!();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let precisions: Vec<u8> = match args.next() {
        Some(a) => vec![a.parse().expect("a precision")],
        None => vec![10, 12, 14],
    };
    let seeds: u64 = args.next().map_or(200, |a| a.parse().expect("seeds"));
    println!(
        "UltraLogLog sparse-form experiment, {seeds} seeds (`cargo run --release --example \
         ultraloglog_sparse`). Bytes by dhat; bias and RMS of the relative error in %; \
         exact: share of seeds whose rounded estimate is n. At n = 0 the bias column is the \
         estimate itself.\n"
    );
    for p in precisions {
        run(p, seeds);
    }
}
