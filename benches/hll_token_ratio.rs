//! HyperLogLog insert of a 12-byte token against hashing the token alone, measured in pairs.
//!
//! `cargo bench --bench hll_token_ratio` prints the medians and the median ratio for the
//! issue's target (insert within 1.3x of hashing alone; `docs/performance.md`).
//!
//! Criterion times the two loops minutes apart, and on a shared machine their conditions
//! drift between the two: five runs of the criterion group gave ratios from 1.07 to 1.54.
//! Here each round times one pass of hashing 4,096 tokens and then one pass inserting the
//! same tokens into a dense sketch, back to back, so both halves of a pair see the same
//! machine; the median over the rounds of each pair's ratio is what the table reports
//! (three runs in one spell agree within 0.04). The inputs are those of
//! `benches/hyperloglog.rs`: 4,096 distinct random lowercase 12-byte tokens, and a p = 14
//! sketch made dense by 10^6 hashes.

use std::hint::black_box;
use std::time::Instant;

use lessram::hash::Murmur3;
use lessram::{HyperLogLog, ItemHasher};

const TOKENS: usize = 4096;
const ROUNDS: usize = 3000;

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut state = 0x5eed_u64;
    let tokens: Vec<[u8; 12]> = (0..TOKENS)
        .map(|_| {
            let mut t = [0u8; 12];
            for b in &mut t {
                *b = b'a' + (splitmix(&mut state) % 26) as u8;
            }
            t
        })
        .collect();
    let mut sketch = HyperLogLog::new(14).expect("valid precision");
    let mut state = 1;
    for _ in 0..1_000_000 {
        sketch.insert_hash(splitmix(&mut state));
    }
    let hasher = Murmur3::new();
    let (mut hash, mut insert, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        black_box(
            tokens
                .iter()
                .fold(0u64, |acc, t| acc ^ hasher.hash_item(black_box(&t[..]))),
        );
        let h = t.elapsed().as_secs_f64();
        let t = Instant::now();
        tokens.iter().for_each(|t| sketch.insert(black_box(&t[..])));
        let i = t.elapsed().as_secs_f64();
        hash.push(h * 1e9 / TOKENS as f64);
        insert.push(i * 1e9 / TOKENS as f64);
        ratio.push(i / h);
    }
    println!(
        "12-byte token, p = 14 dense, {ROUNDS} paired rounds of {TOKENS} tokens: hash alone {:.2} ns, \
         insert {:.2} ns, median ratio {:.3} (target <= 1.3)",
        median(&mut hash),
        median(&mut insert),
        median(&mut ratio)
    );
}
