//! Heap harness: every byte claim checked against dhat.
//!
//! For every structure, at several sizes, `memory_usage()` must equal the live heap bytes
//! dhat counts for it after construction and after filling (word stores: built from the
//! sample corpus's distinct words and from random byte strings); and inserting into a
//! full-size HyperLogLog, UltraLogLog, KMV, Bloom filter or scaling Bloom filter (between
//! its growth steps) must make no heap allocation at all.
//!
//! One process, one dhat profiler (testing mode) at a time, one after another; it is a
//! plain `main` (`harness = false` in Cargo.toml) because dhat's global allocator must not
//! be shared with libtest's threads. Run it alone with `cargo test --test heap`.
//!
//! A passing run prints one summary line; `LESSRAM_HEAP_VERBOSE=1` prints every check.

use std::process::ExitCode;

use std::collections::BTreeSet;

use lessram::sample::SampleCorpus;
use lessram::{
    BloomFilter, BloomLayout, Dawg, DawgMap, DistinctCount, HyperLogLog, Kmv, LogLog, Membership,
    MemoryUsage, MorrisArray, ScalingBloomFilter, SuperLogLog, Trie, UltraLogLog,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// SplitMix64: uniform 64-bit hashes with no allocation.
fn mix(i: u64) -> u64 {
    let mut z = i
        .wrapping_add(0x9e37_79b9_7f4a_7c15)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn wide(i: u64) -> u128 {
    (u128::from(mix(i ^ 0x5555)) << 64) | u128::from(mix(i))
}

#[derive(Default)]
struct Harness {
    passed: usize,
    failures: Vec<String>,
    verbose: bool,
}

impl Harness {
    fn check(&mut self, name: &str, ok: bool, detail: String) {
        if ok {
            self.passed += 1;
            if self.verbose {
                println!("ok      {name}: {detail}");
            }
        } else {
            println!("FAILED  {name}: {detail}");
            self.failures.push(format!("{name}: {detail}"));
        }
    }

    /// Builds a structure under a fresh profiler and checks `memory_usage()` against the
    /// live bytes dhat counts, right after `build` and again after `fill`.
    fn footprint<T: MemoryUsage>(
        &mut self,
        name: &str,
        build: impl FnOnce() -> T,
        fill: impl FnOnce(&mut T),
    ) {
        // Measure inside the profiler's window, report after it: the report allocates.
        let (built, built_usage, filled, filled_usage, left) = {
            let _profiler = dhat::Profiler::builder().testing().build();
            let base = dhat::HeapStats::get().curr_bytes;
            let mut x = build();
            let built = dhat::HeapStats::get().curr_bytes - base;
            let built_usage = x.memory_usage();
            fill(&mut x);
            let filled = dhat::HeapStats::get().curr_bytes - base;
            let filled_usage = x.memory_usage();
            drop(x);
            let left = dhat::HeapStats::get().curr_bytes - base;
            (built, built_usage, filled, filled_usage, left)
        };
        self.check(
            &format!("{name} (built)"),
            built == built_usage,
            format!("memory_usage {built_usage} vs dhat {built}"),
        );
        self.check(
            &format!("{name} (filled)"),
            filled == filled_usage,
            format!("memory_usage {filled_usage} vs dhat {filled}"),
        );
        self.check(
            &format!("{name} (dropped)"),
            left == 0,
            format!("{left} bytes left live"),
        );
    }

    /// Checks that `insert` makes no heap allocation for `n` more items into `x`.
    fn no_alloc<T>(&mut self, name: &str, x: &mut T, n: u64, mut insert: impl FnMut(&mut T, u64)) {
        let blocks = {
            let _profiler = dhat::Profiler::builder().testing().build();
            let before = dhat::HeapStats::get().total_blocks;
            for i in 0..n {
                insert(x, i);
            }
            dhat::HeapStats::get().total_blocks - before
        };
        self.check(
            &format!("{name}: no allocation per insert"),
            blocks == 0,
            format!("{blocks} allocations over {n} inserts"),
        );
    }
}

fn counting(h: &mut Harness) {
    for p in [4u8, 10, 14, 18] {
        for n in [0u64, 10, 1_000, 100_000] {
            h.footprint(
                &format!("HyperLogLog p={p} n={n}"),
                || HyperLogLog::new(p).expect("valid precision"),
                |s| (0..n).for_each(|i| s.insert_hash(mix(i))),
            );
        }
    }
    for p in [4u8, 10, 14, 18] {
        for n in [0u64, 10, 100_000] {
            h.footprint(
                &format!("UltraLogLog p={p} n={n}"),
                || UltraLogLog::new(p).expect("valid precision"),
                |s| (0..n).for_each(|i| s.insert_hash(mix(i))),
            );
        }
    }
    for k in [16usize, 1024, 65_536] {
        for n in [0u64, 10, 100_000] {
            h.footprint(
                &format!("Kmv k={k} n={n}"),
                || Kmv::new(k).expect("valid k"),
                |s| (0..n).for_each(|i| s.insert_hash(mix(i))),
            );
        }
    }
    for p in [4u8, 12] {
        h.footprint(
            &format!("LogLog p={p}"),
            || LogLog::new(p).expect("valid precision"),
            |s| (0..100_000).for_each(|i| s.insert_hash(mix(i))),
        );
        h.footprint(
            &format!("SuperLogLog p={p}"),
            || SuperLogLog::new(p).expect("valid precision"),
            |s| (0..100_000).for_each(|i| s.insert_hash(mix(i))),
        );
    }
    for len in [1usize, 1 << 20] {
        h.footprint(
            &format!("MorrisArray len={len}"),
            || MorrisArray::new(len, 2.0, 7).expect("valid array"),
            |a| {
                for i in 0..100_000u64 {
                    a.increment((mix(i) % len as u64) as usize)
                        .expect("in range");
                }
            },
        );
    }

    // Full-size sketches take every further insert without touching the heap.
    let mut hll = HyperLogLog::new(14).expect("valid precision");
    (0..1_000_000).for_each(|i| hll.insert_hash(mix(i)));
    h.no_alloc("HyperLogLog p=14 (dense)", &mut hll, 1_000_000, |s, i| {
        s.insert_hash(mix(i + 1_000_000))
    });
    let mut ull = UltraLogLog::new(14).expect("valid precision");
    (0..1_000_000).for_each(|i| ull.insert_hash(mix(i)));
    h.no_alloc("UltraLogLog p=14", &mut ull, 1_000_000, |s, i| {
        s.insert_hash(mix(i + 1_000_000))
    });
    let mut kmv = Kmv::new(4096).expect("valid k");
    (0..100_000).for_each(|i| kmv.insert_hash(mix(i)));
    h.no_alloc("Kmv k=4096 (full)", &mut kmv, 1_000_000, |s, i| {
        s.insert_hash(mix(i + 100_000))
    });
    // Queries merge hashes pending in the buffer in place instead of sorting a copy.
    let other = kmv.clone();
    h.no_alloc(
        "Kmv k=4096 (queries between inserts)",
        &mut kmv,
        10_000,
        |s, i| {
            s.insert_hash(mix(i) >> 16); // small enough to enter the buffer
            std::hint::black_box((s.estimate(), s.jaccard(&other).ok(), *s == other));
        },
    );
}

fn membership(h: &mut Harness) {
    for layout in [BloomLayout::Classic, BloomLayout::Blocked] {
        for (n, p) in [(1usize, 0.5), (1_000, 0.01), (100_000, 0.001)] {
            h.footprint(
                &format!("BloomFilter {layout:?} n={n} p={p}"),
                || {
                    BloomFilter::builder()
                        .layout(layout)
                        .for_items(n, p)
                        .expect("valid filter")
                },
                |f| (0..n as u64).for_each(|i| _ = f.insert_hash(wide(i))),
            );
        }
        let mut f = BloomFilter::builder()
            .layout(layout)
            .for_items(100_000, 0.01)
            .expect("valid");
        h.no_alloc(
            &format!("BloomFilter {layout:?}"),
            &mut f,
            100_000,
            |f, i| _ = f.insert_hash(wide(i)),
        );
    }
    for n in [0u64, 1_000, 200_000] {
        h.footprint(
            &format!("ScalingBloomFilter from 1000, n={n}"),
            || ScalingBloomFilter::new(1_000, 0.01).expect("valid filter"),
            |f| (0..n).for_each(|i| _ = f.insert_hash(wide(i))),
        );
    }
    // Between growth steps: fill to just past a growth, then insert up to the capacity the
    // current sub-filters have without growing again.
    let mut f = ScalingBloomFilter::new(1_000, 0.01).expect("valid filter");
    let mut i = 0;
    while f.filters() < 4 {
        f.insert_hash(wide(i));
        i += 1;
    }
    let room = (f.capacity() - f.len()) as u64 - 1;
    let filters = f.filters();
    h.no_alloc(
        "ScalingBloomFilter between growth steps",
        &mut f,
        room,
        |f, j| _ = f.insert_hash(wide(i + j)),
    );
    h.check(
        "ScalingBloomFilter did not grow in that window",
        f.filters() == filters,
        format!("{} sub-filters, was {filters}", f.filters()),
    );
}

/// Distinct words of the first `tokens` tokens of the sample corpus, in first-seen order.
fn sample_words(tokens: u64) -> Vec<Vec<u8>> {
    let mut seen = std::collections::HashSet::new();
    SampleCorpus::new(tokens)
        .tokens()
        .map(String::into_bytes)
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// `n` random byte strings of 0 to 24 arbitrary bytes (empty, non-UTF-8 and repeated ones
/// included).
fn random_words(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let r = mix(i ^ 0xb17e);
            (0..r % 25).map(|j| mix(r ^ j) as u8).collect()
        })
        .collect()
}

fn words(h: &mut Harness) {
    let inputs = [
        ("sample tokens", 0u64, sample_words(0)),
        ("sample tokens", 1_000, sample_words(1_000)),
        ("sample tokens", 200_000, sample_words(200_000)),
        ("random words", 1, random_words(1)),
        ("random words", 1_000, random_words(1_000)),
        ("random words", 100_000, random_words(100_000)),
    ];
    for (source, n, words) in &inputs {
        let sorted: Vec<&Vec<u8>> = words.iter().collect::<BTreeSet<_>>().into_iter().collect();
        let what = format!("{n} {source} ({} distinct)", sorted.len());
        h.footprint(&format!("Trie {what}"), Trie::new, |t| {
            words.iter().for_each(|w| _ = t.insert(w))
        });
        h.footprint(
            &format!("Trie {what}, half removed, shrunk"),
            || words.iter().collect::<Trie>(),
            |t| {
                sorted.iter().step_by(2).for_each(|w| _ = t.remove(w));
                t.shrink_to_fit();
            },
        );
        h.footprint(
            &format!("Dawg::from_sorted {what}"),
            || Dawg::from_sorted(&sorted).expect("sorted words"),
            |_| {},
        );
        h.footprint(
            &format!("Dawg::from_words {what}"),
            || Dawg::from_words(words).expect("few words"),
            |_| {},
        );
        let bytes = Dawg::from_sorted(&sorted).expect("sorted words").to_bytes();
        h.footprint(
            &format!("Dawg::from_bytes {what}"),
            || Dawg::from_bytes(&bytes).expect("valid bytes"),
            |_| {},
        );
        h.footprint(
            &format!("DawgMap::from_sorted {what}"),
            || {
                let pairs = sorted.iter().enumerate().map(|(i, w)| (w, i as u64));
                DawgMap::from_sorted(pairs).expect("sorted words")
            },
            |_| {},
        );
        let trie: Trie = words.iter().collect();
        h.footprint(
            &format!("DawgMap::from_trie {what}"),
            || DawgMap::from_trie(&trie),
            |_| {},
        );
    }
}

fn main() -> ExitCode {
    let mut h = Harness {
        verbose: std::env::var_os("LESSRAM_HEAP_VERBOSE").is_some_and(|v| v != "0"),
        ..Harness::default()
    };
    counting(&mut h);
    membership(&mut h);
    words(&mut h);
    println!("heap: {} passed, {} failed", h.passed, h.failures.len());
    if h.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        for f in &h.failures {
            eprintln!("failed: {f}");
        }
        ExitCode::FAILURE
    }
}
