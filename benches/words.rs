//! Word stores side by side on a real English word list: `Trie` and `Dawg` against
//! `HashSet<String>`, `BTreeSet<String>`, a sorted `Vec<String>` and a raw `fst::Set`.
//!
//! The list is `/work/corpus-data/words.txt` or the file named by `LESSRAM_WORDS`; fetch it
//! with `../shared/corpus/get-corpus.sh` (Debian's `wamerican-insane`, 663,473 words). Without
//! it the benches print why and skip (CI has no corpus).
//!
//! Run: `cargo bench --bench bench -- words/`. The heap table (bytes per word) is printed
//! first; `docs/performance.md` (`## Word stores`) records both.

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;
use std::mem::size_of;
use std::ops::Bound;

use criterion::{BatchSize, Criterion, Throughput};
use fst::{Automaton, IntoStreamer, Streamer};
use lessram::{Dawg, MemoryUsage, Trie};

const DEFAULT_PATH: &str = "/work/corpus-data/words.txt";
const QUERIES: usize = 10_000;
const PREFIXES: usize = 1_000;

fn load() -> Option<Vec<String>> {
    let path = std::env::var("LESSRAM_WORDS").unwrap_or_else(|_| DEFAULT_PATH.to_string());
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let set: BTreeSet<&str> = text.lines().filter(|l| !l.is_empty()).collect();
            Some(set.into_iter().map(str::to_owned).collect())
        }
        Err(e) => {
            eprintln!(
                "words/: skipped: cannot read the word list {path} ({e}); fetch it with \
                 ../shared/corpus/get-corpus.sh /work/corpus-data or set LESSRAM_WORDS"
            );
            None
        }
    }
}

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn shuffled(words: &[String], seed: u64) -> Vec<String> {
    let mut v = words.to_vec();
    let mut r = Lcg(seed);
    for i in (1..v.len()).rev() {
        v.swap(i, r.below(i + 1));
    }
    v
}

/// Heap bytes of a `HashSet<String>` from its capacity: hashbrown allocates
/// `buckets = next_power_of_two(capacity * 8 / 7)` slots of 24 bytes plus one control byte
/// per bucket and 16 trailing control bytes, the slot array rounded up to 16; plus every
/// string's capacity.
fn hashset_bytes(s: &HashSet<String>) -> usize {
    let cap = s.capacity();
    let buckets = if cap < 8 {
        if cap < 4 { 4 } else { 8 }
    } else {
        (cap * 8 / 7).next_power_of_two()
    };
    let slots = (buckets * size_of::<String>()).next_multiple_of(16);
    slots + buckets + 16 + s.iter().map(String::capacity).sum::<usize>()
}

/// Heap bytes of a `BTreeSet<String>` built by `collect` (sorted bulk load), by replaying
/// std's `bulk_push`: leaves fill to 11 keys, the 12th key goes up to the lowest ancestor
/// with room and a fresh right spine is opened. Leaves are 280 bytes (parent pointer,
/// index, length, 11 x 24-byte keys), internal nodes 376 (plus 12 edges).
fn btreeset_bytes(s: &BTreeSet<String>) -> usize {
    const CAP: usize = 11;
    let mut lens = vec![0usize];
    let mut nodes = vec![1usize];
    for _ in 0..s.len() {
        if lens[0] < CAP {
            lens[0] += 1;
            continue;
        }
        let h = match (1..lens.len()).find(|&h| lens[h] < CAP) {
            Some(h) => h,
            None => {
                lens.push(0);
                nodes.push(1);
                lens.len() - 1
            }
        };
        lens[h] += 1;
        for l in 0..h {
            nodes[l] += 1;
            lens[l] = 0;
        }
    }
    let tree = nodes[0] * 280 + nodes[1..].iter().sum::<usize>() * 376;
    tree + s.iter().map(String::capacity).sum::<usize>()
}

fn vec_bytes(v: &[String], cap: usize) -> usize {
    cap * size_of::<String>() + v.iter().map(String::capacity).sum::<usize>()
}

fn print_heap_table(words: &[String], mixed: &[String]) {
    let n = words.len() as f64;
    let raw: usize = words.iter().map(String::len).sum();
    let mut rows: Vec<(&str, usize, &str)> = Vec::new();

    let hs: HashSet<String> = mixed.iter().cloned().collect();
    rows.push(("HashSet<String>", hashset_bytes(&hs), "capacity model"));
    drop(hs);
    let bt: BTreeSet<String> = mixed.iter().cloned().collect();
    rows.push(("BTreeSet<String>", btreeset_bytes(&bt), "capacity model"));
    drop(bt);
    let mut v = mixed.to_vec();
    v.sort_unstable();
    rows.push((
        "sorted Vec<String>",
        vec_bytes(&v, v.capacity()),
        "capacity",
    ));
    drop(v);
    let trie: Trie = mixed.iter().collect();
    rows.push(("lessram Trie", trie.memory_usage(), "memory_usage()"));
    let mut shrunk = trie.clone();
    shrunk.shrink_to_fit();
    rows.push((
        "lessram Trie after shrink_to_fit",
        shrunk.memory_usage(),
        "memory_usage()",
    ));
    drop((trie, shrunk));
    let f = fst::Set::from_iter(words.iter()).expect("sorted");
    rows.push((
        "fst::Set (as built: Vec capacity)",
        f.as_fst().as_inner().capacity(),
        "capacity",
    ));
    rows.push(("fst::Set (automaton bytes)", f.as_fst().size(), "len"));
    let d = Dawg::from_sorted(words.iter()).expect("sorted");
    rows.push(("lessram Dawg", d.memory_usage(), "memory_usage()"));

    println!(
        "\nwords/heap: {} distinct words, {:.2} bytes a word of raw text\n",
        words.len(),
        raw as f64 / n
    );
    println!("| store | heap bytes | bytes/word | counted from |");
    println!("|---|---:|---:|---|");
    let btree = rows[1].1 as f64;
    for (name, bytes, how) in &rows {
        println!(
            "| {name} | {bytes} | {:.2} ({:.2}x BTreeSet) | {how} |",
            *bytes as f64 / n,
            *bytes as f64 / btree
        );
    }
    println!();
}

pub(crate) fn register_benches(c: &mut Criterion) {
    let Some(words) = load() else { return };
    let mixed = shuffled(&words, 0x5eed);
    print_heap_table(&words, &mixed);

    let mut rng = Lcg(42);
    let present: Vec<String> = (0..QUERIES)
        .map(|_| words[rng.below(words.len())].clone())
        .collect();
    let sorted_set: BTreeSet<&str> = words.iter().map(String::as_str).collect();
    // Absent words look like typos: one present word with its middle byte changed.
    let mut absent = Vec::with_capacity(QUERIES);
    while absent.len() < QUERIES {
        let w = words[rng.below(words.len())].as_bytes();
        let mut b = w.to_vec();
        let mid = b.len() / 2;
        b[mid] = b'a' + (rng.below(26) as u8);
        if let Ok(s) = String::from_utf8(b)
            && !sorted_set.contains(s.as_str())
        {
            absent.push(s);
        }
    }
    let prefixes: Vec<String> = (0..PREFIXES)
        .map(|_| {
            let w = &words[rng.below(words.len())];
            let end = (1..=3.min(w.len()))
                .rev()
                .find(|&i| w.is_char_boundary(i))
                .unwrap_or(0);
            w[..end].to_string()
        })
        .collect();

    let hs: HashSet<String> = mixed.iter().cloned().collect();
    let bt: BTreeSet<String> = mixed.iter().cloned().collect();
    let sv: Vec<String> = words.clone();
    let fs = fst::Set::from_iter(words.iter()).expect("sorted");
    let trie: Trie = mixed.iter().collect();
    let dawg = Dawg::from_sorted(words.iter()).expect("sorted");

    // Build time, from the shuffled list (fst and Dawg::from_sorted get the sorted list).
    let mut g = c.benchmark_group("words/build");
    g.sample_size(10);
    g.throughput(Throughput::Elements(words.len() as u64));
    g.bench_function("HashSet<String>", |b| {
        b.iter_batched(
            || mixed.clone(),
            |v| v.into_iter().collect::<HashSet<String>>(),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("BTreeSet<String>", |b| {
        b.iter_batched(
            || mixed.clone(),
            |v| v.into_iter().collect::<BTreeSet<String>>(),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("sorted Vec<String>", |b| {
        b.iter_batched(
            || mixed.clone(),
            |mut v| {
                v.sort_unstable();
                v
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("fst::Set (sorted input)", |b| {
        b.iter(|| fst::Set::from_iter(words.iter()).expect("sorted"))
    });
    g.bench_function("lessram Trie (insert)", |b| {
        b.iter(|| mixed.iter().collect::<Trie>())
    });
    g.bench_function("lessram Dawg::from_sorted", |b| {
        b.iter(|| Dawg::from_sorted(words.iter()).expect("sorted"))
    });
    g.bench_function("lessram Dawg::from_words (sorts)", |b| {
        b.iter(|| Dawg::from_words(mixed.iter()).expect("any order"))
    });
    g.bench_function("lessram Dawg::from_trie", |b| {
        b.iter(|| Dawg::from_trie(&trie))
    });
    g.finish();

    for (name, queries) in [("words/present", &present), ("words/absent", &absent)] {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(queries.len() as u64));
        g.bench_function("HashSet<String>", |b| {
            b.iter(|| queries.iter().filter(|q| hs.contains(q.as_str())).count())
        });
        g.bench_function("BTreeSet<String>", |b| {
            b.iter(|| queries.iter().filter(|q| bt.contains(q.as_str())).count())
        });
        g.bench_function("sorted Vec<String>", |b| {
            b.iter(|| {
                queries
                    .iter()
                    .filter(|q| sv.binary_search_by(|w| w.as_str().cmp(q)).is_ok())
                    .count()
            })
        });
        g.bench_function("fst::Set", |b| {
            b.iter(|| queries.iter().filter(|q| fs.contains(q.as_bytes())).count())
        });
        g.bench_function("lessram Trie", |b| {
            b.iter(|| {
                queries
                    .iter()
                    .filter(|q| trie.contains(q.as_bytes()))
                    .count()
            })
        });
        g.bench_function("lessram Dawg", |b| {
            b.iter(|| {
                queries
                    .iter()
                    .filter(|q| dawg.contains(q.as_bytes()))
                    .count()
            })
        });
        g.finish();
    }

    // Prefix queries: count every word under a 1-3 byte prefix of a random word.
    let hits: usize = prefixes
        .iter()
        .map(|p| {
            bt.range::<str, _>((Bound::Included(p.as_str()), Bound::Unbounded))
                .take_while(|w| w.starts_with(p.as_str()))
                .count()
        })
        .sum();
    println!(
        "words/prefix: {PREFIXES} prefixes of 1-3 bytes, {:.1} words each on average",
        hits as f64 / PREFIXES as f64
    );
    let mut g = c.benchmark_group("words/prefix");
    g.throughput(Throughput::Elements(prefixes.len() as u64));
    g.bench_function("BTreeSet<String>", |b| {
        b.iter(|| {
            prefixes
                .iter()
                .map(|p| {
                    bt.range::<str, _>((Bound::Included(p.as_str()), Bound::Unbounded))
                        .take_while(|w| w.starts_with(p.as_str()))
                        .count()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("sorted Vec<String>", |b| {
        b.iter(|| {
            prefixes
                .iter()
                .map(|p| {
                    let start = sv.partition_point(|w| w.as_str() < p.as_str());
                    sv[start..]
                        .iter()
                        .take_while(|w| w.starts_with(p.as_str()))
                        .count()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("fst::Set", |b| {
        b.iter(|| {
            prefixes
                .iter()
                .map(|p| {
                    let mut s = fs
                        .search(fst::automaton::Str::new(p).starts_with())
                        .into_stream();
                    let mut n = 0;
                    while s.next().is_some() {
                        n += 1;
                    }
                    n
                })
                .sum::<usize>()
        })
    });
    g.bench_function("lessram Trie", |b| {
        b.iter(|| {
            prefixes
                .iter()
                .map(|p| {
                    let mut n = 0;
                    trie.for_each_prefixed(p, |_, _| n += 1);
                    n
                })
                .sum::<usize>()
        })
    });
    g.bench_function("lessram Dawg", |b| {
        b.iter(|| {
            prefixes
                .iter()
                .map(|p| {
                    let mut n = 0;
                    dawg.for_each_prefixed(p, |_| n += 1);
                    n
                })
                .sum::<usize>()
        })
    });
    g.finish();

    // Fuzzy search (no std peer): distance 1 around present words.
    let mut g = c.benchmark_group("words/fuzzy");
    g.throughput(Throughput::Elements(100));
    g.bench_function("lessram Dawg distance 1", |b| {
        b.iter(|| {
            present[..100]
                .iter()
                .map(|q| dawg.fuzzy(black_box(q), 1).len())
                .sum::<usize>()
        })
    });
    g.finish();

    // Opening a saved Dawg: the frame's CRC-32 alone against `Dawg::open`, which checks the
    // CRC and then walks every node (the difference is the automaton check's cost).
    let saved = dawg.to_bytes();
    let mut g = c.benchmark_group("words/open");
    g.throughput(Throughput::Elements(words.len() as u64));
    g.bench_function("CRC-32 of the frame only", |b| {
        b.iter(|| crc32fast::hash(black_box(&saved)))
    });
    g.bench_function("lessram Dawg::open (CRC + automaton check)", |b| {
        b.iter(|| Dawg::open(black_box(&saved[..])).expect("valid").len())
    });
    g.finish();
}
