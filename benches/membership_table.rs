//! Bloom filters side by side at 10 M keys, target 1%: bits per item, measured false-positive
//! rate, and nanoseconds per insert and per query (present and absent keys separately).
//!
//! `cargo bench --bench membership_table` prints the markdown table of `docs/performance.md`
//! (`## Membership`). Each structure is built and queried `REPEATS` times (default 3) in
//! this one process, so peers share the machine's conditions; times are medians. Set
//! `LESSRAM_BENCH_KEYS` to run on fewer keys while developing.
//!
//! This is a plain timing binary (criterion's sampling would insert 10 M keys hundreds of
//! times); the micro-decisions (word array vs `bitvec`, `%` vs multiply-shift, layouts at
//! small sizes) are criterion benches in `benches/membership.rs`.

use std::hash::Hash;
use std::hint::black_box;
use std::time::Instant;

use lessram::{BloomFilter, BloomLayout, Item, Membership, MemoryUsage, ScalingBloomFilter};

const FP: f64 = 0.01;

/// What every structure in the table offers.
trait Filter<K> {
    fn insert(&mut self, key: &K);
    fn contains(&self, key: &K) -> bool;
    /// Bits of filter storage (heap bytes x 8 for lessram; the bit arrays for peers).
    fn bits(&self) -> f64;
}

impl<K: Item> Filter<K> for BloomFilter {
    fn insert(&mut self, key: &K) {
        Membership::insert(self, key);
    }
    fn contains(&self, key: &K) -> bool {
        Membership::contains(self, key)
    }
    fn bits(&self) -> f64 {
        self.memory_usage() as f64 * 8.0
    }
}

impl<K: Item> Filter<K> for ScalingBloomFilter {
    fn insert(&mut self, key: &K) {
        Membership::insert(self, key);
    }
    fn contains(&self, key: &K) -> bool {
        Membership::contains(self, key)
    }
    fn bits(&self) -> f64 {
        self.memory_usage() as f64 * 8.0
    }
}

impl<K: Hash, S: std::hash::BuildHasher> Filter<K> for fastbloom::BloomFilter<S> {
    fn insert(&mut self, key: &K) {
        fastbloom::BloomFilter::insert(self, key);
    }
    fn contains(&self, key: &K) -> bool {
        fastbloom::BloomFilter::contains(self, key)
    }
    fn bits(&self) -> f64 {
        self.num_bits() as f64
    }
}

impl<K: Hash> Filter<K> for bloomfilter::Bloom<K> {
    fn insert(&mut self, key: &K) {
        self.set(key);
    }
    fn contains(&self, key: &K) -> bool {
        self.check(key)
    }
    fn bits(&self) -> f64 {
        self.as_slice().len() as f64 * 8.0
    }
}

impl<K: Hash> Filter<K> for growable_bloom_filter::GrowableBloom {
    fn insert(&mut self, key: &K) {
        growable_bloom_filter::GrowableBloom::insert(self, key);
    }
    fn contains(&self, key: &K) -> bool {
        growable_bloom_filter::GrowableBloom::contains(self, key)
    }
    fn bits(&self) -> f64 {
        // No size accessor: sum the bit buffers of its serde form ({"b": [{"b": bytes}]}).
        let v = serde_json::to_value(self).expect("serializes");
        let bytes: usize = v["b"]
            .as_array()
            .expect("sub-filters")
            .iter()
            .map(|b| b["b"].as_array().expect("bytes").len())
            .sum();
        bytes as f64 * 8.0
    }
}

struct Row {
    name: String,
    bits_per_item: f64,
    fp: f64,
    insert: f64,
    present: f64,
    absent: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn measure<K, F: Filter<K>>(
    name: &str,
    make: impl Fn() -> F,
    keys: &[K],
    absent: &[K],
    repeats: usize,
) -> Row {
    let (mut ins, mut pre, mut abs) = (vec![], vec![], vec![]);
    let mut fp = 0.0;
    let mut bits = 0.0;
    for _ in 0..repeats {
        let mut f = make();
        let t = Instant::now();
        for k in keys {
            f.insert(black_box(k));
        }
        ins.push(t.elapsed().as_nanos() as f64 / keys.len() as f64);
        let t = Instant::now();
        let hits = keys.iter().filter(|k| f.contains(black_box(k))).count();
        pre.push(t.elapsed().as_nanos() as f64 / keys.len() as f64);
        assert_eq!(hits, keys.len(), "{name}: a false negative");
        let t = Instant::now();
        let false_pos = absent.iter().filter(|k| f.contains(black_box(k))).count();
        abs.push(t.elapsed().as_nanos() as f64 / absent.len() as f64);
        fp = false_pos as f64 / absent.len() as f64;
        bits = f.bits();
    }
    let row = Row {
        name: name.to_string(),
        bits_per_item: bits / keys.len() as f64,
        fp,
        insert: median(ins),
        present: median(pre),
        absent: median(abs),
    };
    eprintln!(
        "{:<48} {:6.2} bits/item  FP {:.3}%  insert {:6.1} ns  present {:6.1} ns  absent {:6.1} ns",
        row.name,
        row.bits_per_item,
        row.fp * 100.0,
        row.insert,
        row.present,
        row.absent
    );
    row
}

fn table<K: Hash + Item>(title: &str, keys: &[K], absent: &[K], repeats: usize) {
    let n = keys.len();
    let growth_start = (n / 100).max(1);
    let rows = vec![
        measure(
            "lessram BloomFilter (blocked, default)",
            || BloomFilter::new(n, FP).unwrap(),
            keys,
            absent,
            repeats,
        ),
        measure(
            "lessram BloomFilter (classic)",
            || {
                BloomFilter::builder()
                    .layout(BloomLayout::Classic)
                    .for_items(n, FP)
                    .unwrap()
            },
            keys,
            absent,
            repeats,
        ),
        measure(
            "fastbloom 0.17 (default SipHash-1-3)",
            || {
                fastbloom::BloomFilter::with_false_pos(FP)
                    .seed(&42)
                    .expected_items(n)
            },
            keys,
            absent,
            repeats,
        ),
        measure(
            "fastbloom 0.17 + foldhash (fast hash)",
            || {
                fastbloom::BloomFilter::with_false_pos(FP)
                    .hasher(foldhash::fast::FixedState::with_seed(42))
                    .expected_items(n)
            },
            keys,
            absent,
            repeats,
        ),
        measure(
            "bloomfilter 3.0",
            || bloomfilter::Bloom::new_for_fp_rate_with_seed(n, FP, &[7; 32]).unwrap(),
            keys,
            absent,
            repeats,
        ),
        measure(
            "growable-bloom-filter 2.1, sized for all keys",
            || growable_bloom_filter::GrowableBloom::new(FP, n),
            keys,
            absent,
            repeats,
        ),
        measure(
            "lessram ScalingBloomFilter, 1% of keys -> 100x",
            || ScalingBloomFilter::new(growth_start, FP).unwrap(),
            keys,
            absent,
            repeats,
        ),
        measure(
            "growable-bloom-filter 2.1, 1% of keys -> 100x",
            || growable_bloom_filter::GrowableBloom::new(FP, growth_start),
            keys,
            absent,
            repeats,
        ),
    ];
    println!("\n{title}\n");
    println!(
        "| structure | bits/item | measured FP | ns insert | ns query present | ns query absent |"
    );
    println!("|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.2} | {:.3}% | {:.0} | {:.0} | {:.0} |",
            r.name,
            r.bits_per_item,
            r.fp * 100.0,
            r.insert,
            r.present,
            r.absent
        );
    }
}

/// SplitMix64: distinct-enough keys with no RNG crate.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo bench -- --test` (CI) only checks that it runs.
    let smoke = std::env::args().any(|a| a == "--test");
    let n: usize = std::env::var("LESSRAM_BENCH_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 10_000 } else { 10_000_000 });
    let repeats: usize = std::env::var("LESSRAM_BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1 } else { 3 });

    // Present keys: SplitMix64 of 0..n is a bijection, so they are distinct; absent keys
    // continue the same sequence, so they are distinct from the present ones.
    let mut state = 0;
    let all: Vec<u64> = (0..2 * n).map(|_| splitmix(&mut state)).collect();
    let (keys, absent) = all.split_at(n);
    table(
        &format!("{n} distinct u64 keys, target 1%, median of {repeats}"),
        keys,
        absent,
        repeats,
    );
    drop(all);

    // 12-byte strings: lowercase letters and digits, made distinct by writing the index in
    // base 36 into the last 6 bytes (36^6 > 2 * 10^9) after 6 random letters.
    let strings: Vec<[u8; 12]> = (0..2 * n as u64)
        .map(|i| {
            let r = splitmix(&mut state);
            let mut s = [0u8; 12];
            for (j, b) in s[..6].iter_mut().enumerate() {
                *b = b'a' + ((r >> (8 * j)) % 26) as u8;
            }
            let mut x = i;
            for b in s[6..].iter_mut().rev() {
                *b = b"0123456789abcdefghijklmnopqrstuvwxyz"[(x % 36) as usize];
                x /= 36;
            }
            s
        })
        .collect();
    let (keys, absent) = strings.split_at(n);
    table(
        &format!("{n} distinct 12-byte strings, target 1%, median of {repeats}"),
        keys,
        absent,
        repeats,
    );
}
