//! Bloom filters side by side at 10 M keys, target 1%: bits per item, measured false-positive
//! rate, and nanoseconds per insert and per query (present and absent keys separately).
//!
//! `cargo bench --bench membership_table` prints the markdown table of `docs/performance.md`
//! (`## Membership`). Each structure is built and queried `REPEATS` times (default 3) in
//! this one process, so peers share the machine's conditions; times are medians. Set
//! `LESSRAM_BENCH_KEYS` to run on fewer keys, `LESSRAM_BENCH_REPEATS` for fewer repeats and
//! `LESSRAM_BENCH_ONLY` (comma-separated substrings of row names) to run some rows only,
//! while developing.
//!
//! Hashing is part of every figure, so the rows pair structures with hashers: lessram's
//! default MurmurHash3 (a 128-bit hash, about 5-10 ns for these keys) and foldhash, the
//! fast hash `fastbloom` is measured with. lessram with foldhash goes through
//! [`Custom`](lessram::hash::Custom) (the 64-bit hash, its second half derived by a
//! finaliser); that pair is the like-for-like comparison with `fastbloom` + foldhash.
//!
//! This is a plain timing binary (criterion's sampling would insert 10 M keys hundreds of
//! times); the micro-decisions (word array vs `bitvec`, `%` vs multiply-shift, layouts at
//! small sizes) are criterion benches in `benches/membership.rs`.

use std::hash::Hash;
use std::hint::black_box;
use std::time::Instant;

use lessram::hash::Custom;
use lessram::{
    BloomFilter, BloomLayout, Item, ItemHasher, Membership, MemoryUsage, ScalingBloomFilter,
};

const FP: f64 = 0.01;

/// What every structure in the table offers.
trait Filter<K> {
    fn insert(&mut self, key: &K);
    fn contains(&self, key: &K) -> bool;
    /// Bits of filter storage (heap bytes x 8 for lessram; the bit arrays for peers).
    fn bits(&self) -> f64;
    /// How many of `keys` a batch query (lessram's `contains_each`) finds, if the
    /// structure has one.
    fn count_each(&self, keys: &[K]) -> Option<usize> {
        let _ = keys;
        None
    }
    /// Inserts `keys` with a batch insert (lessram's `insert_each`), if the structure has
    /// one; how many were new.
    fn insert_each(&mut self, keys: &[K]) -> Option<usize> {
        let _ = keys;
        None
    }
}

impl<K: Item, S: ItemHasher> Filter<K> for BloomFilter<S> {
    fn insert(&mut self, key: &K) {
        Membership::insert(self, key);
    }
    fn contains(&self, key: &K) -> bool {
        Membership::contains(self, key)
    }
    fn bits(&self) -> f64 {
        self.memory_usage() as f64 * 8.0
    }
    fn count_each(&self, keys: &[K]) -> Option<usize> {
        Some(
            self.contains_each(keys.iter().map(black_box))
                .filter(|&b| b)
                .count(),
        )
    }
    fn insert_each(&mut self, keys: &[K]) -> Option<usize> {
        Some(Membership::insert_each(self, keys.iter().map(black_box)))
    }
}

impl<K: Item, S: ItemHasher> Filter<K> for ScalingBloomFilter<S> {
    fn insert(&mut self, key: &K) {
        Membership::insert(self, key);
    }
    fn contains(&self, key: &K) -> bool {
        Membership::contains(self, key)
    }
    fn bits(&self) -> f64 {
        self.memory_usage() as f64 * 8.0
    }
    fn count_each(&self, keys: &[K]) -> Option<usize> {
        Some(
            self.contains_each(keys.iter().map(black_box))
                .filter(|&b| b)
                .count(),
        )
    }
    fn insert_each(&mut self, keys: &[K]) -> Option<usize> {
        Some(Membership::insert_each(self, keys.iter().map(black_box)))
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

/// A structure under test, boxed so that rows of different types can take turns. Each
/// method runs a whole chunk of keys through one monomorphised loop, so the dynamic call
/// is paid once per chunk, not per key.
trait Run<K> {
    fn insert_all(&mut self, keys: &[K]);
    fn count_present(&self, keys: &[K]) -> usize;
    fn count_each(&self, keys: &[K]) -> Option<usize>;
    fn insert_each(&mut self, keys: &[K]) -> Option<usize>;
    fn bits(&self) -> f64;
}

impl<K, F: Filter<K>> Run<K> for F {
    #[inline(never)]
    fn insert_all(&mut self, keys: &[K]) {
        for k in keys {
            self.insert(black_box(k));
        }
    }

    #[inline(never)]
    fn count_present(&self, keys: &[K]) -> usize {
        keys.iter().filter(|k| self.contains(black_box(k))).count()
    }

    #[inline(never)]
    fn count_each(&self, keys: &[K]) -> Option<usize> {
        Filter::count_each(self, keys)
    }

    #[inline(never)]
    fn insert_each(&mut self, keys: &[K]) -> Option<usize> {
        Filter::insert_each(self, keys)
    }

    fn bits(&self) -> f64 {
        Filter::bits(self)
    }
}

/// A row of the table: its name and how to build an empty structure.
struct Candidate<'a, K> {
    name: &'static str,
    make: Box<dyn Fn() -> Box<dyn Run<K>> + 'a>,
}

fn candidate<'a, K, F: Filter<K> + 'static>(
    name: &'static str,
    make: impl Fn() -> F + 'a,
) -> Option<Candidate<'a, K>> {
    selected(name).then(|| Candidate {
        name,
        make: Box::new(move || Box::new(make()) as Box<dyn Run<K>>),
    })
}

struct Row {
    name: String,
    bits_per_item: f64,
    fp: f64,
    insert: f64,
    present: f64,
    absent: f64,
    /// Batch inserts and queries (`insert_each`, `contains_each` present and absent), for
    /// the structures that have them.
    each: Option<(f64, f64, f64)>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Whether `LESSRAM_BENCH_ONLY` (comma-separated substrings) selects this row.
fn selected(name: &str) -> bool {
    match std::env::var("LESSRAM_BENCH_ONLY") {
        Ok(only) => only.split(',').any(|part| name.contains(part.trim())),
        Err(_) => true,
    }
}

/// Keys per turn: large enough that a turn takes milliseconds (timer and call overhead
/// vanish), small enough that a burst of load on the machine hits every row alike.
const CHUNK: usize = 1 << 16;

/// Times one phase: the rows take turns on successive chunks of `keys` (the first row of
/// each turn rotates), adding each row's time; returns ns per key and the per-row result.
fn phase<K, R: Default + std::ops::AddAssign>(
    filters: &mut [Box<dyn Run<K>>],
    keys: &[K],
    mut op: impl FnMut(&mut Box<dyn Run<K>>, &[K]) -> R,
) -> Vec<(f64, R)> {
    let mut out: Vec<(f64, R)> = filters.iter().map(|_| (0.0, R::default())).collect();
    for (turn, chunk) in keys.chunks(CHUNK).enumerate() {
        for j in 0..filters.len() {
            let i = (turn + j) % filters.len();
            let t = Instant::now();
            let r = op(&mut filters[i], chunk);
            out[i].0 += t.elapsed().as_nanos() as f64;
            out[i].1 += r;
        }
    }
    for o in &mut out {
        o.0 /= keys.len() as f64;
    }
    out
}

/// Measures every candidate, interleaved: all structures are built side by side and take
/// turns chunk by chunk in each phase (insert, query present, query absent), `repeats`
/// times from empty; each figure is the median over repeats.
fn measure<K>(
    candidates: &[Candidate<'_, K>],
    keys: &[K],
    absent: &[K],
    repeats: usize,
) -> Vec<Row> {
    let c = candidates.len();
    let (mut ins, mut pre, mut abs) = (vec![vec![]; c], vec![vec![]; c], vec![vec![]; c]);
    let (mut ins_each, mut pre_each, mut abs_each) =
        (vec![vec![]; c], vec![vec![]; c], vec![vec![]; c]);
    let (mut fp, mut bits) = (vec![0.0; c], vec![0.0; c]);
    for _ in 0..repeats {
        let mut filters: Vec<Box<dyn Run<K>>> = candidates.iter().map(|c| (c.make)()).collect();
        for (i, (t, _)) in phase(&mut filters, keys, |f, ks| {
            f.insert_all(ks);
            0usize
        })
        .into_iter()
        .enumerate()
        {
            ins[i].push(t);
        }
        for (i, (t, hits)) in phase(&mut filters, keys, |f, ks| f.count_present(ks))
            .into_iter()
            .enumerate()
        {
            assert_eq!(hits, keys.len(), "{}: a false negative", candidates[i].name);
            pre[i].push(t);
        }
        for (i, (t, false_pos)) in phase(&mut filters, absent, |f, ks| f.count_present(ks))
            .into_iter()
            .enumerate()
        {
            abs[i].push(t);
            fp[i] = false_pos as f64 / absent.len() as f64;
            bits[i] = filters[i].bits();
        }
        // Batch queries: the same keys through `contains_each`, which must agree with
        // one-by-one queries (the rows without one take no time here).
        let each = |f: &mut Box<dyn Run<K>>, ks: &[K]| Hits(f.count_each(ks));
        for (i, (t, Hits(hits))) in phase(&mut filters, keys, each).into_iter().enumerate() {
            if let Some(hits) = hits {
                assert_eq!(hits, keys.len(), "{}: a false negative", candidates[i].name);
                pre_each[i].push(t);
            }
        }
        for (i, (t, Hits(false_pos))) in phase(&mut filters, absent, each).into_iter().enumerate() {
            if let Some(false_pos) = false_pos {
                let rate = false_pos as f64 / absent.len() as f64;
                assert_eq!(
                    rate, fp[i],
                    "{}: batch and single queries differ",
                    candidates[i].name
                );
                abs_each[i].push(t);
            }
        }
        // Batch inserts, into fresh structures (the rows without them take no time).
        drop(filters);
        let mut fresh: Vec<Box<dyn Run<K>>> = candidates.iter().map(|c| (c.make)()).collect();
        let insert_each = |f: &mut Box<dyn Run<K>>, ks: &[K]| Hits(f.insert_each(ks));
        for (i, (t, Hits(new))) in phase(&mut fresh, keys, insert_each).into_iter().enumerate() {
            if new.is_some() {
                ins_each[i].push(t);
            }
        }
    }
    let rows: Vec<Row> = candidates
        .iter()
        .enumerate()
        .map(|(i, cand)| Row {
            name: cand.name.to_string(),
            bits_per_item: bits[i] / keys.len() as f64,
            fp: fp[i],
            insert: median(ins[i].clone()),
            present: median(pre[i].clone()),
            absent: median(abs[i].clone()),
            each: (!pre_each[i].is_empty()).then(|| {
                (
                    median(ins_each[i].clone()),
                    median(pre_each[i].clone()),
                    median(abs_each[i].clone()),
                )
            }),
        })
        .collect();
    for row in &rows {
        eprintln!(
            "{:<58} {:6.2} bits/item  FP {:.3}%  insert {:6.1} ns  present {:6.1} ns  absent {:6.1} ns  each {}",
            row.name,
            row.bits_per_item,
            row.fp * 100.0,
            row.insert,
            row.present,
            row.absent,
            each_cells(row.each),
        );
    }
    rows
}

/// foldhash with a fixed seed, as `fastbloom` is measured with.
fn foldhash() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(42)
}

fn table<K: Hash + Item + 'static>(title: &str, keys: &[K], absent: &[K], repeats: usize) {
    let n = keys.len();
    let growth_start = (n / 100).max(1);
    let candidates: Vec<Candidate<'_, K>> = [
        candidate("lessram BloomFilter (blocked, default)", || {
            BloomFilter::new(n, FP).unwrap()
        }),
        candidate("lessram BloomFilter (blocked) + foldhash", || {
            BloomFilter::builder()
                .hasher(Custom(foldhash()))
                .for_items(n, FP)
                .unwrap()
        }),
        candidate("lessram BloomFilter (classic)", || {
            BloomFilter::builder()
                .layout(BloomLayout::Classic)
                .for_items(n, FP)
                .unwrap()
        }),
        candidate("fastbloom 0.17 (default SipHash-1-3)", || {
            fastbloom::BloomFilter::with_false_pos(FP)
                .seed(&42)
                .expected_items(n)
        }),
        candidate("fastbloom 0.17 + foldhash (fast hash)", || {
            fastbloom::BloomFilter::with_false_pos(FP)
                .hasher(foldhash())
                .expected_items(n)
        }),
        candidate("bloomfilter 3.0", || {
            bloomfilter::Bloom::new_for_fp_rate_with_seed(n, FP, &[7; 32]).unwrap()
        }),
        candidate("growable-bloom-filter 2.1, sized for all keys", || {
            growable_bloom_filter::GrowableBloom::new(FP, n)
        }),
        candidate("lessram ScalingBloomFilter, 1% of keys -> 100x", || {
            ScalingBloomFilter::new(growth_start, FP).unwrap()
        }),
        candidate(
            "lessram ScalingBloomFilter + foldhash, 1% of keys -> 100x",
            || {
                ScalingBloomFilter::builder(growth_start, FP)
                    .hasher(Custom(foldhash()))
                    .build()
                    .unwrap()
            },
        ),
        candidate("growable-bloom-filter 2.1, 1% of keys -> 100x", || {
            growable_bloom_filter::GrowableBloom::new(FP, growth_start)
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let rows = measure(&candidates, keys, absent, repeats);
    println!("\n{title}\n");
    println!(
        "| structure | bits/item | measured FP | ns insert | ns query present | ns query absent | ns `insert_each` / `contains_each` present / absent |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.2} | {:.3}% | {:.0} | {:.0} | {:.0} | {} |",
            r.name,
            r.bits_per_item,
            r.fp * 100.0,
            r.insert,
            r.present,
            r.absent,
            each_cells(r.each),
        );
    }
}

/// Keys found by batch queries over a phase's chunks, `None` for a structure without them.
#[derive(Default)]
struct Hits(Option<usize>);

impl std::ops::AddAssign for Hits {
    fn add_assign(&mut self, other: Self) {
        if let Some(n) = other.0 {
            self.0 = Some(self.0.unwrap_or(0) + n);
        }
    }
}

/// The batch cell: "insert / present / absent" ns, or a dash for structures without them.
fn each_cells(each: Option<(f64, f64, f64)>) -> String {
    each.map_or("—".to_string(), |(i, p, a)| {
        format!("{i:.0} / {p:.0} / {a:.0}")
    })
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
