//! Heap footprint of every word store and sketch, measured by dhat: the book's table.
//!
//! Builds each structure from the distinct words of an input and prints, per structure, the
//! heap bytes it holds once built, the peak heap during its build, bytes per item and build
//! time, beside the usual baselines (`Vec<String>`, sorted `Vec<String>`, `HashSet<String>`,
//! `BTreeSet<String>`, `HashSet<u64>` of hashes).
//!
//! ```text
//! cargo run --release --example footprint                       # the embedded sample
//! cargo run --release --example footprint -- --words words.txt  # one word a line
//! cargo run --release --example footprint -- --corpus text.txt  # distinct whitespace tokens
//! cargo run --release --example footprint -- --markdown         # the table as markdown
//! cargo run --release --example footprint -- --dhat-json dhat-heap.json --only Trie
//! docs/footprint.sh                                             # regenerates docs/footprint.md
//! ```
//!
//! Options: `--words FILE` (one word a line; empty lines skipped), `--corpus FILE` (tokens
//! are runs of bytes between ASCII whitespace, as `lessram count` and `wc -w` cut them),
//! `--sample-tokens N` (the embedded seeded Zipf sample, [`SampleCorpus`], cut to `N`
//! tokens; 1,000,000 by default), `--runs N` (timed builds per structure, best kept; 3),
//! `--only TEXT` (structures whose name contains `TEXT`), `--markdown`, `--dhat-json PATH`,
//! and `--doc FILE --chart PNG --data DIR` (write the whole `docs/footprint.md` and its chart
//! for the sample, `DIR/words.txt` and `DIR/english.txt`; see `docs/footprint.sh`).
//!
//! # How it measures
//!
//! The program runs under [`dhat::Alloc`], dhat's counting global allocator (so it is an
//! example, never a bench: every allocation takes dhat's lock). The input is read, split and
//! de-duplicated before any measurement; every structure receives the same distinct words
//! (tokens that are not UTF-8 are decoded lossily, so the `String` baselines can hold them).
//! Then, per structure:
//!
//! * **heap now / peak**: a fresh dhat profiler is started, the structure built, and dhat's
//!   [`dhat::HeapStats`] read: `curr_bytes` is the heap the built structure holds, `max_bytes`
//!   the peak during the build (temporary buffers, growth by doubling), both relative to the
//!   moment the profiler started. dhat counts the bytes requested from the allocator; malloc
//!   adds its own per-block overhead (8-16 bytes with glibc), which matters most for the
//!   baselines that hold one block per word.
//! * **memory_usage()**: lessram's own report, printed beside dhat's figure; they must agree
//!   (`tests/heap.rs` asserts it).
//! * **build time**: the best of `--runs` builds timed with no profiler running. dhat's
//!   allocator still serialises every allocation through a lock, which slows
//!   allocation-heavy builds (the `String` baselines and the trie) more than the sketches;
//!   compare build times with care, and use the criterion benches for speed.
//!
//! # Opening `--dhat-json` in DHAT's viewer
//!
//! `--dhat-json PATH` builds the selected structures once more under one heap profiler and
//! writes its profile to `PATH`. Open DHAT's viewer, `dh_view.html` from Valgrind's DHAT, in
//! a browser (Debian's `valgrind` package ships it as `/usr/libexec/valgrind/dh_view.html`;
//! online at <https://nnethercote.github.io/dh_view/dh_view.html>), press "Load…" and choose
//! the file. Every structure is built in its own named function (`build_hash_set`,
//! `build_hyperloglog`, ...), so the allocation sites name the structure that made them.

#[path = "common/plot.rs"]
mod plot;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lessram::hash::Murmur3;
use lessram::sample::SampleCorpus;
use lessram::{
    BloomFilter, Dawg, DawgMap, DistinctCount, HyperLogLog, ItemHasher, Kmv, LogLog, Membership,
    MemoryUsage, ScalingBloomFilter, SuperLogLog, Trie, UltraLogLog, WordStore,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

type Res<T> = Result<T, Box<dyn Error>>;

/// Tokens of the embedded sample when no input is given.
const SAMPLE_TOKENS: u64 = 1_000_000;

// ---------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------

/// The distinct words every structure is built from, loaded before any measurement.
struct Input {
    /// What the words came from, for the table's heading.
    label: String,
    /// Distinct words in first-seen order.
    words: Vec<String>,
    /// Occurrences of each word in the input (1 for a word list without repeats).
    counts: Vec<u64>,
    /// Indices of `words` in byte order (the order the automata are built in).
    sorted: Vec<u32>,
    /// Tokens (or lines) read, repeats included.
    tokens: u64,
    /// Distinct tokens that were not UTF-8 and were decoded lossily.
    lossy: usize,
}

impl Input {
    /// Distinct words.
    fn len(&self) -> usize {
        self.words.len()
    }

    /// Sum of the words' lengths in bytes.
    fn text_bytes(&self) -> usize {
        self.words.iter().map(String::len).sum()
    }

    /// The words in byte order, with their counts.
    fn sorted_pairs(&self) -> impl Iterator<Item = (&str, u64)> {
        self.sorted
            .iter()
            .map(|&i| (self.words[i as usize].as_str(), self.counts[i as usize]))
    }
}

/// Distinct words with their counts, in first-seen order.
#[derive(Default)]
struct Dedup {
    index: HashMap<String, u32>,
    words: Vec<String>,
    counts: Vec<u64>,
    tokens: u64,
    lossy: usize,
}

impl Dedup {
    fn add(&mut self, token: &[u8]) {
        self.tokens += 1;
        let word = String::from_utf8_lossy(token);
        if let Some(&i) = self.index.get(word.as_ref()) {
            self.counts[i as usize] += 1;
            return;
        }
        if matches!(word, Cow::Owned(_)) {
            self.lossy += 1;
        }
        let word = word.into_owned();
        let i = u32::try_from(self.words.len()).expect("fewer than 2^32 distinct words");
        self.index.insert(word.clone(), i);
        self.words.push(word);
        self.counts.push(1);
    }

    fn finish(self, label: String) -> Input {
        let Dedup {
            index,
            words,
            counts,
            tokens,
            lossy,
        } = self;
        drop(index);
        let mut sorted: Vec<u32> = (0..words.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| words[a as usize].cmp(&words[b as usize]));
        Input {
            label,
            words,
            counts,
            sorted,
            tokens,
            lossy,
        }
    }
}

/// Whether `b` separates tokens: ASCII whitespace as C's `isspace` sees it (`lessram count`).
fn is_space(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

fn read(path: &Path) -> Res<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

/// The last component of `path`, so that tables do not show where the data sat.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// One word a line (a trailing `\r` is dropped, empty lines skipped).
fn load_words(path: &Path) -> Res<Input> {
    let bytes = read(path)?;
    let mut d = Dedup::default();
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.is_empty() {
            d.add(line);
        }
    }
    Ok(d.finish(format!("word list {}", file_name(path))))
}

/// Whitespace-separated tokens of a text.
fn load_corpus(path: &Path) -> Res<Input> {
    let bytes = read(path)?;
    let mut d = Dedup::default();
    for token in bytes.split(|&b| is_space(b)).filter(|t| !t.is_empty()) {
        d.add(token);
    }
    Ok(d.finish(format!("distinct tokens of {}", file_name(path))))
}

/// The embedded sample corpus cut to `tokens` tokens.
fn load_sample(tokens: u64) -> Input {
    let mut d = Dedup::default();
    for token in SampleCorpus::new(tokens).tokens() {
        d.add(token.as_bytes());
    }
    d.finish(format!(
        "distinct tokens of the embedded sample (SampleCorpus::new({tokens}))"
    ))
}

// ---------------------------------------------------------------------------------------
// The structures: one named builder each, so dhat's viewer names their allocation sites
// ---------------------------------------------------------------------------------------

/// Words as read, pushed one by one (capacity grows by doubling).
fn build_vec(input: &Input) -> Vec<String> {
    let mut v = Vec::new();
    for w in &input.words {
        v.push(w.clone());
    }
    v
}

/// The book's "list + bisect": the same vector, sorted for binary search.
fn build_sorted_vec(input: &Input) -> Vec<String> {
    let mut v = build_vec(input);
    v.sort_unstable();
    v
}

fn build_hash_set(input: &Input) -> HashSet<String> {
    let mut s = HashSet::new();
    for w in &input.words {
        s.insert(w.clone());
    }
    s
}

fn build_btree_set(input: &Input) -> BTreeSet<String> {
    let mut s = BTreeSet::new();
    for w in &input.words {
        s.insert(w.clone());
    }
    s
}

/// Built at once from the words: `collect` sorts them and bulk-builds full nodes, where
/// inserting one by one in (nearly) sorted order splits nodes and leaves them half full.
fn build_btree_set_collect(input: &Input) -> BTreeSet<String> {
    input.words.iter().cloned().collect()
}

/// Keys as `Box<str>` (16-byte header, no spare capacity), built at once: REFERENCE.md's set.
fn build_btree_set_boxed(input: &Input) -> BTreeSet<Box<str>> {
    input.words.iter().map(|w| Box::from(w.as_str())).collect()
}

/// Keys as `Box<str>`: REFERENCE.md's hash set.
fn build_hash_set_boxed(input: &Input) -> HashSet<Box<str>> {
    let mut s = HashSet::new();
    for w in &input.words {
        s.insert(Box::from(w.as_str()));
    }
    s
}

/// 64-bit MurmurHash3 of each word: no false negatives, a false positive per ~2^64/n pairs.
fn build_hash_set_u64(input: &Input) -> HashSet<u64> {
    let h = Murmur3::default();
    let mut s = HashSet::new();
    for w in &input.words {
        s.insert(h.hash_item(w.as_str()));
    }
    s
}

/// Words inserted in input order, as a stream would insert them.
fn build_trie(input: &Input) -> Trie {
    let mut t = Trie::new();
    for w in &input.words {
        t.insert(w);
    }
    t
}

/// The same trie, compacted once filled (drops the arena's spare room).
fn build_trie_shrunk(input: &Input) -> Trie {
    let mut t = build_trie(input);
    t.shrink_to_fit();
    t
}

/// Streams the words in byte order into the automaton.
fn build_dawg(input: &Input) -> Dawg {
    Dawg::from_sorted(input.sorted_pairs().map(|(w, _)| w)).expect("sorted, distinct words")
}

/// Words in input order: `from_words` sorts a copy first (the peak shows it).
fn build_dawg_unsorted(input: &Input) -> Dawg {
    Dawg::from_words(&input.words).expect("fewer than 2^32 words")
}

/// Each word mapped to its number of occurrences in the input, in byte order.
fn build_dawg_map(input: &Input) -> DawgMap {
    DawgMap::from_sorted(input.sorted_pairs()).expect("sorted, distinct words")
}

fn build_hyperloglog(input: &Input) -> HyperLogLog {
    let mut s = HyperLogLog::new(14).expect("valid precision");
    for w in &input.words {
        s.insert(w.as_str());
    }
    s
}

fn build_ultraloglog(input: &Input) -> UltraLogLog {
    let mut s = UltraLogLog::new(14).expect("valid precision");
    for w in &input.words {
        s.insert(w.as_str());
    }
    s
}

fn build_kmv(input: &Input) -> Kmv {
    let mut s = Kmv::new(4096).expect("valid k");
    for w in &input.words {
        s.insert(w.as_str());
    }
    s
}

fn build_loglog(input: &Input) -> LogLog {
    let mut s = LogLog::new(14).expect("valid precision");
    for w in &input.words {
        s.insert(w.as_str());
    }
    s
}

fn build_superloglog(input: &Input) -> SuperLogLog {
    let mut s = SuperLogLog::new(14).expect("valid precision");
    for w in &input.words {
        s.insert(w.as_str());
    }
    s
}

/// Sized for the number of distinct words, which a Bloom filter must be told up front.
fn build_bloom(input: &Input) -> BloomFilter {
    let mut f = BloomFilter::new(input.len().max(1), 0.01).expect("valid filter");
    for w in &input.words {
        f.insert(w.as_str());
    }
    f
}

/// Not told the number of words: starts at 1,000 and doubles.
fn build_scaling_bloom(input: &Input) -> ScalingBloomFilter {
    let mut f = ScalingBloomFilter::new(1_000, 0.01).expect("valid filter");
    for w in &input.words {
        f.insert(w.as_str());
    }
    f
}

// ---------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------

/// What `clock` measures, for the notes.
#[cfg(unix)]
const CLOCK: &str = "thread CPU time (`CLOCK_THREAD_CPUTIME_ID`, so time the thread waits for \
a core on a busy machine is not counted)";
#[cfg(not(unix))]
const CLOCK: &str = "wall-clock time";

/// CPU time this thread has used.
#[cfg(unix)]
fn clock() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Time since the first call (no thread CPU clock here).
#[cfg(not(unix))]
fn clock() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// What a structure is, for grouping and colour.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A standard-library container holding every word (or its hash).
    Baseline,
    /// An exact lessram word store.
    Store,
    /// An approximate lessram sketch or filter.
    Sketch,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Baseline => "baseline",
            Kind::Store => "word store",
            Kind::Sketch => "sketch",
        }
    }
}

/// One line of the table.
struct Row {
    name: &'static str,
    kind: Kind,
    items: usize,
    /// Heap held by the built structure (dhat `curr_bytes`).
    heap: usize,
    /// The structure's own `memory_usage()`, when it has one.
    usage: Option<usize>,
    /// Peak heap during the build (dhat `max_bytes`).
    peak: usize,
    /// Best build time (see [`clock`]) with no profiler running.
    time: Duration,
    /// What the structure answers, to show it was built right.
    check: String,
}

impl Row {
    fn per_item(&self) -> f64 {
        self.heap as f64 / self.items.max(1) as f64
    }
}

/// Builds, measures and checks one structure on an input, timing the best of `runs` builds.
type Measure = Box<dyn Fn(&Input, u32) -> Row>;

/// A structure to measure: its name and how to build, report and check it.
struct Spec {
    name: &'static str,
    measure: Measure,
    build_once: Box<dyn Fn(&Input)>,
}

fn spec<T: 'static>(
    name: &'static str,
    kind: Kind,
    build: fn(&Input) -> T,
    usage: fn(&T) -> Option<usize>,
    check: fn(&T, &Input) -> String,
) -> Spec {
    Spec {
        name,
        measure: Box::new(move |input, runs| {
            let mut time = Duration::MAX;
            for _ in 0..runs.max(1) {
                let start = clock();
                let x = build(input);
                time = time.min(clock().saturating_sub(start));
                drop(x);
            }
            // Read everything inside the profiler's window; format after it.
            let (heap, peak, usage, x) = {
                let _profiler = dhat::Profiler::builder().testing().build();
                let base = dhat::HeapStats::get();
                let x = build(input);
                let after = dhat::HeapStats::get();
                let usage = usage(&x);
                (
                    after.curr_bytes - base.curr_bytes,
                    after.max_bytes - base.curr_bytes,
                    usage,
                    x,
                )
            };
            let check = check(&x, input);
            Row {
                name,
                kind,
                items: input.len(),
                heap,
                usage,
                peak,
                time,
                check,
            }
        }),
        build_once: Box::new(move |input| drop(build(input))),
    }
}

fn no_usage<T>(_: &T) -> Option<usize> {
    None
}

fn len_check<T>(len: fn(&T) -> usize) -> impl Fn(&T, &Input) -> String {
    move |x, input| {
        if len(x) == input.len() {
            format!("holds all {}", group(input.len() as f64))
        } else {
            format!("WRONG: holds {} of {}", len(x), input.len())
        }
    }
}

fn store_check<T: WordStore>(x: &T, input: &Input) -> String {
    let missing = input
        .words
        .iter()
        .filter(|w| !x.contains(w.as_bytes()))
        .count();
    if missing == 0 && x.len() == input.len() {
        format!("holds all {}", group(input.len() as f64))
    } else {
        format!(
            "WRONG: holds {}, {missing} words missing",
            group(x.len() as f64)
        )
    }
}

fn estimate_check<T: DistinctCount>(x: &T, input: &Input) -> String {
    let e = x.estimate();
    let err = 100.0 * (e / input.len().max(1) as f64 - 1.0);
    format!("estimate {} ({err:+.2}%)", group(e.round()))
}

fn membership_check<T: Membership>(x: &T, input: &Input) -> String {
    let missing = input
        .words
        .iter()
        .filter(|w| !x.contains(w.as_str()))
        .count();
    if missing == 0 {
        "contains every word".to_string()
    } else {
        format!("WRONG: {missing} words missing")
    }
}

/// Every structure the table shows, baselines first.
fn specs() -> Vec<Spec> {
    use Kind::{Baseline, Sketch, Store};
    vec![
        spec("Vec<String>", Baseline, build_vec, no_usage, |x, i| {
            len_check(Vec::len)(x, i)
        }),
        spec(
            "sorted Vec<String>",
            Baseline,
            build_sorted_vec,
            no_usage,
            |x, i| len_check(Vec::len)(x, i),
        ),
        spec(
            "HashSet<String>",
            Baseline,
            build_hash_set,
            no_usage,
            |x, i| len_check(HashSet::len)(x, i),
        ),
        spec(
            "BTreeSet<String>",
            Baseline,
            build_btree_set,
            no_usage,
            |x, i| len_check(BTreeSet::len)(x, i),
        ),
        spec(
            "BTreeSet<String>, collect",
            Baseline,
            build_btree_set_collect,
            no_usage,
            |x, i| len_check(BTreeSet::len)(x, i),
        ),
        spec(
            "BTreeSet<Box<str>>, collect",
            Baseline,
            build_btree_set_boxed,
            no_usage,
            |x, i| len_check(BTreeSet::len)(x, i),
        ),
        spec(
            "HashSet<Box<str>>",
            Baseline,
            build_hash_set_boxed,
            no_usage,
            |x, i| len_check(HashSet::len)(x, i),
        ),
        spec(
            "HashSet<u64> of hashes",
            Baseline,
            build_hash_set_u64,
            no_usage,
            |x, i| len_check(HashSet::len)(x, i),
        ),
        spec(
            "Trie",
            Store,
            build_trie,
            |x| Some(x.memory_usage()),
            store_check,
        ),
        spec(
            "Trie, shrink_to_fit",
            Store,
            build_trie_shrunk,
            |x| Some(x.memory_usage()),
            store_check,
        ),
        spec(
            "Dawg",
            Store,
            build_dawg,
            |x| Some(x.memory_usage()),
            store_check,
        ),
        spec(
            "Dawg::from_words",
            Store,
            build_dawg_unsorted,
            |x| Some(x.memory_usage()),
            store_check,
        ),
        spec(
            "DawgMap word->count",
            Store,
            build_dawg_map,
            |x| Some(x.memory_usage()),
            |x, input| {
                let wrong = input
                    .sorted_pairs()
                    .filter(|&(w, n)| x.get(w) != Some(n))
                    .count();
                if wrong == 0 && x.len() == input.len() {
                    format!("maps all {}", group(input.len() as f64))
                } else {
                    format!("WRONG: {wrong} words missing or miscounted")
                }
            },
        ),
        spec(
            "HyperLogLog p=14",
            Sketch,
            build_hyperloglog,
            |x| Some(x.memory_usage()),
            estimate_check,
        ),
        spec(
            "UltraLogLog p=14",
            Sketch,
            build_ultraloglog,
            |x| Some(x.memory_usage()),
            estimate_check,
        ),
        spec(
            "Kmv k=4096",
            Sketch,
            build_kmv,
            |x| Some(x.memory_usage()),
            estimate_check,
        ),
        spec(
            "LogLog p=14",
            Sketch,
            build_loglog,
            |x| Some(x.memory_usage()),
            estimate_check,
        ),
        spec(
            "SuperLogLog p=14",
            Sketch,
            build_superloglog,
            |x| Some(x.memory_usage()),
            estimate_check,
        ),
        spec(
            "BloomFilter 1%",
            Sketch,
            build_bloom,
            |x| Some(x.memory_usage()),
            membership_check,
        ),
        spec(
            "ScalingBloomFilter 1%",
            Sketch,
            build_scaling_bloom,
            |x| Some(x.memory_usage()),
            membership_check,
        ),
    ]
}

/// Measures every selected structure on `input`, one after another.
fn measure_all(input: &Input, specs: &[Spec], runs: u32) -> Vec<Row> {
    specs
        .iter()
        .map(|s| {
            eprintln!("  measuring {} ...", s.name);
            (s.measure)(input, runs)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

/// `1234567` as `1,234,567`.
fn group(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

/// Bytes in the most readable unit.
fn bytes(b: usize) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e4 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{} B", group(b))
    }
}

fn per_item(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.1}")
    } else if x >= 0.1 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn usage_cell(r: &Row) -> String {
    match r.usage {
        None => "-".to_string(),
        Some(u) if u == r.heap => format!("{} (=)", group(u as f64)),
        Some(u) => format!("{} (MISMATCH)", group(u as f64)),
    }
}

const HEADERS: [&str; 9] = [
    "structure",
    "kind",
    "items",
    "heap now (dhat)",
    "memory_usage()",
    "peak during build",
    "bytes/item",
    "build time",
    "check",
];

fn cells(r: &Row) -> [String; 9] {
    [
        r.name.to_string(),
        r.kind.name().to_string(),
        group(r.items as f64),
        bytes(r.heap),
        usage_cell(r),
        bytes(r.peak),
        per_item(r.per_item()),
        millis(r.time),
        r.check.clone(),
    ]
}

/// A one-paragraph description of the input.
fn describe(input: &Input) -> String {
    let mut s = format!(
        "{}: {} distinct words from {} tokens, {} bytes of text ({:.2} bytes a word)",
        input.label,
        group(input.len() as f64),
        group(input.tokens as f64),
        group(input.text_bytes() as f64),
        input.text_bytes() as f64 / input.len().max(1) as f64,
    );
    if input.lossy > 0 {
        let _ = write!(
            s,
            "; {} tokens were not UTF-8 and were decoded lossily",
            input.lossy
        );
    }
    s
}

/// How build times were taken, for the output.
fn time_note(runs: u32) -> String {
    format!(
        "Build time: the best of {runs} build(s), in {CLOCK}, with no dhat profiler running \
         but under dhat's global allocator, which takes a lock on every allocation: that slows \
         allocation-heavy builds (the String baselines, the trie) far more than the sketches. \
         Use the criterion benches for speed."
    )
}

fn markdown_table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| {} |", HEADERS.join(" | "));
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let _ = writeln!(s, "| {} |", cells(r).join(" | "));
    }
    s
}

fn text_table(rows: &[Row]) -> String {
    let all: Vec<[String; 9]> = rows.iter().map(cells).collect();
    let mut width = HEADERS.map(str::len);
    for c in &all {
        for (w, cell) in width.iter_mut().zip(c) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |c: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in c.iter().zip(width).enumerate() {
            // Names and checks left-aligned, figures right-aligned.
            if i == 0 || i == 1 || i == 8 {
                let _ = write!(s, "{cell:<w$}  ");
            } else {
                let _ = write!(s, "{cell:>w$}  ");
            }
        }
        s.trim_end().to_string()
    };
    let mut s = line(&HEADERS.map(String::from)) + "\n";
    for c in &all {
        s += &line(c);
        s.push('\n');
    }
    s
}

// ---------------------------------------------------------------------------------------
// The whole docs/footprint.md
// ---------------------------------------------------------------------------------------

/// Bytes a row of the book's Python table takes per token: its MB figure (memory_profiler
/// reports MiB) over its 8,545,076 distinct Wikipedia tokens.
fn book_per_item(mib: f64) -> f64 {
    mib * 1_048_576.0 / 8_545_076.0
}

/// `(book's structure, book's MiB, our rows)`: the book's process RAM after loading its
/// 8,545,076 distinct Wikipedia tokens (High Performance Python, 2nd ed., ch. 11), and the
/// lessram rows nearest to it.
const BOOK: [(&str, f64, &[&str]); 4] = [
    ("list + bisect", 922.0, &["sorted Vec<String>"]),
    ("set", 1_113.0, &["HashSet<String>"]),
    ("marisa_trie", 294.0, &["Dawg", "Trie, shrink_to_fit"]),
    ("DAWG (dawg package)", 958.0, &["Dawg"]),
];

/// `(REFERENCE.md's structure, its bytes a word on words.txt, our rows)`.
const REFERENCE: [(&str, f64, &[&str]); 5] = [
    (
        "BTreeSet<String>",
        27.62,
        &["BTreeSet<Box<str>>, collect", "BTreeSet<String>"],
    ),
    (
        "HashSet<String>",
        36.30,
        &["HashSet<Box<str>>", "HashSet<String>"],
    ),
    (
        "marisa-trie (Python)",
        2.79,
        &["Dawg", "Trie, shrink_to_fit"],
    ),
    ("fst::Set", 3.60, &["Dawg"]),
    ("fst::Map", 4.44, &["DawgMap word->count"]),
];

fn find<'a>(rows: &'a [Row], name: &str) -> Option<&'a Row> {
    rows.iter().find(|r| r.name == name)
}

/// Bytes per item of row `name`, or a dash when it was not measured.
fn per_item_of(rows: &[Row], name: &str) -> String {
    find(rows, name).map_or("-".to_string(), |r| per_item(r.per_item()))
}

fn compare_section(tables: &[(Input, Vec<Row>)]) -> String {
    let mut s = String::new();
    let (words_input, words) = (&tables[1].0, &tables[1].1);
    let corpus = &tables[2].1;
    s += "## Against the book and REFERENCE.md\n\n";
    s += "The book (High Performance Python, 2nd ed., chapter 11) loads 8,545,076 distinct \
          Wikipedia tokens into Python structures and reports the process's RAM after \
          loading: list + bisect 922 MB, set 1,113 MB, marisa_trie 294 MB, DAWG 958 MB \
          (memory_profiler's MB are MiB; the figures include the interpreter itself and \
          every Python object's header). Per token that is the third column below; our \
          nearest rows on the real corpus (985,544 distinct tokens, a ninth as many, from \
          dictionaries rather than Wikipedia) sit beside it. The book's marisa_trie and DAWG \
          are both static; lessram's static store is the Dawg, its mutable one the Trie.\n\n";
    s += "| book structure | book MB | book bytes/token | lessram row | bytes/token, english.txt |\n";
    s += "|---|---:|---:|---|---:|\n";
    for (theirs, mib, ours) in BOOK {
        for (i, row) in ours.iter().enumerate() {
            let mine = per_item_of(corpus, row);
            if i == 0 {
                let book = book_per_item(mib);
                let _ = writeln!(
                    s,
                    "| {theirs} | {} | {book:.1} | {row} | {mine} |",
                    group(mib)
                );
            } else {
                let _ = writeln!(s, "| | | | {row} | {mine} |");
            }
        }
    }
    s += "\nREFERENCE.md section 4 measured the same word list (`words.txt`, 663,473 words) \
          side by side, in heap bytes (serialized bytes for the automata and marisa):\n\n";
    s += "| REFERENCE structure | REFERENCE bytes/word | lessram row | bytes/word, words.txt |\n";
    s += "|---|---:|---|---:|\n";
    for (theirs, b, ours) in REFERENCE {
        for (i, row) in ours.iter().enumerate() {
            let mine = per_item_of(words, row);
            if i == 0 {
                let _ = writeln!(s, "| {theirs} | {b:.2} | {row} | {mine} |");
            } else {
                let _ = writeln!(s, "| | | {row} | {mine} |");
            }
        }
    }
    s.push('\n');
    let text = words_input.text_bytes() as f64 / words_input.len().max(1) as f64;
    let _ = writeln!(
        s,
        "Reading the baselines on `words.txt` ({text:.2} bytes of text a word): a `String` adds \
         a 24-byte header (pointer, capacity, length) and a `Box<str>` 16; `Vec<String>` \
         ({} bytes a word) also keeps the spare capacity of its last doubling, which is why it \
         costs less a word on the corpus ({}), whose count sits just under a power of two; \
         std's `HashSet` keeps its table at most 7/8 full and rounds it up to a power of two \
         (`HashSet<String>` {} here, {} on the corpus). A `BTreeSet` filled one word at a \
         time in the list's (nearly sorted) order splits its nodes in the middle and leaves \
         them half full ({}), where `collect` bulk-builds full nodes ({}); with `Box<str>` \
         keys that is {}, REFERENCE.md's figure, as `HashSet<Box<str>>` ({}) is its hash set. \
         None of these count malloc's own overhead per block (with glibc, 8 bytes and a \
         rounding up to 16), which one block per word makes real; the Python figures include \
         theirs.\n",
        per_item_of(words, "Vec<String>"),
        per_item_of(corpus, "Vec<String>"),
        per_item_of(words, "HashSet<String>"),
        per_item_of(corpus, "HashSet<String>"),
        per_item_of(words, "BTreeSet<String>"),
        per_item_of(words, "BTreeSet<String>, collect"),
        per_item_of(words, "BTreeSet<Box<str>>, collect"),
        per_item_of(words, "HashSet<Box<str>>"),
    );
    let _ = writeln!(
        s,
        "The word stores: the Dawg holds `words.txt` in {} bytes a word (fst::Set's 3.60 in \
         REFERENCE.md: it is fst underneath) and the corpus's tokens in {}, {:.0} times less \
         than `HashSet<String>`; its build peak from sorted input is fst's bounded node cache \
         plus the growing output buffer, and `Dawg::from_words` adds a sorted copy of the \
         words. The DawgMap's values cost almost nothing when they are all 1 (the word list) \
         and about {} bytes a word for real token counts. The Trie, mutable and counting, \
         takes {} bytes a word on the corpus as built and {} after `shrink_to_fit`.\n",
        per_item_of(words, "Dawg"),
        per_item_of(corpus, "Dawg"),
        ratio(corpus, "HashSet<String>", "Dawg"),
        diff(corpus, "DawgMap word->count", "Dawg"),
        per_item_of(corpus, "Trie"),
        per_item_of(corpus, "Trie, shrink_to_fit"),
    );
    s
}

/// How many times more bytes row `a` takes than row `b` (NaN when either is missing).
fn ratio(rows: &[Row], a: &str, b: &str) -> f64 {
    match (find(rows, a), find(rows, b)) {
        (Some(a), Some(b)) => a.heap as f64 / b.heap as f64,
        _ => f64::NAN,
    }
}

/// Bytes per item row `a` takes beyond row `b`.
fn diff(rows: &[Row], a: &str, b: &str) -> String {
    match (find(rows, a), find(rows, b)) {
        (Some(a), Some(b)) => per_item(a.per_item() - b.per_item()),
        _ => "-".to_string(),
    }
}

fn write_doc(doc: &Path, chart: &Path, tables: &[(Input, Vec<Row>)], runs: u32) -> Res<()> {
    let mut s = String::new();
    s += "# Heap footprint\n\n";
    s += "Heap bytes of every lessram word store and sketch beside the standard containers, \
          measured by dhat on three inputs. Generated by `docs/footprint.sh` (which runs \
          `cargo run --release --example footprint -- --doc docs/footprint.md --chart \
          docs/footprint.png --data DIR`, fetching the corpus with \
          `../shared/corpus/get-corpus.sh` if `DIR` lacks it); do not edit by hand.\n\n";
    s += "How it measures (see `examples/footprint.rs`): each input is read and \
          de-duplicated first; then each structure is built from the distinct words under a \
          fresh dhat profiler. *Heap now* is dhat's `curr_bytes` once the structure is built, \
          *peak* its `max_bytes` during the build, both counted from the profiler's start; \
          *memory_usage()* is the structure's own report, marked `(=)` when it equals \
          dhat's figure. *Bytes/item* is heap now over the distinct words. dhat counts bytes \
          requested from the allocator, not malloc's per-block overhead.\n\n";
    let _ = writeln!(
        s,
        "{} The machine has 2 cores shared with other work.\n",
        time_note(runs)
    );
    s += "Baselines hold every word (`HashSet<u64>` holds a 64-bit MurmurHash3 of each); \
          the Bloom filter is sized for the number of distinct words, the scaling Bloom \
          filter starts at 1,000 and doubles; the sketches count distinct words.\n\n";
    s += "![bytes per item per structure](footprint.png)\n\n";
    for (input, rows) in tables {
        let _ = writeln!(s, "## {}\n", heading(input));
        let _ = writeln!(s, "{}.\n", describe(input));
        s += &markdown_table(rows);
        s.push('\n');
    }
    if tables.len() == 3 {
        s += &compare_section(tables);
    }
    std::fs::write(doc, s).map_err(|e| format!("cannot write {}: {e}", doc.display()))?;
    chart_png(chart, tables)?;
    Ok(())
}

/// A short name for an input, for headings and the chart's legend.
fn heading(input: &Input) -> String {
    input
        .label
        .split(" (")
        .next()
        .unwrap_or("input")
        .to_string()
}

fn chart_png(path: &Path, tables: &[(Input, Vec<Row>)]) -> Res<()> {
    plot::load_font()?;
    let names: Vec<String> = tables[0].1.iter().map(|r| r.name.to_string()).collect();
    let groups: Vec<plot::BarGroup> = tables
        .iter()
        .map(|(input, rows)| plot::BarGroup {
            name: format!(
                "{} ({} items)",
                short_name(input),
                group(input.len() as f64)
            ),
            values: names
                .iter()
                .map(|n| {
                    rows.iter()
                        .find(|r| r.name == n.as_str())
                        .map(Row::per_item)
                })
                .collect(),
        })
        .collect();
    plot::log_bars(
        path,
        "Heap bytes per distinct item (dhat), log scale",
        "bytes per item",
        &names,
        &groups,
    )
}

fn short_name(input: &Input) -> String {
    heading(input)
        .replace("distinct tokens of the ", "")
        .replace("distinct tokens of ", "")
        .replace("word list ", "")
}

// ---------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------

const USAGE: &str = "usage: footprint [--words FILE | --corpus FILE | --sample-tokens N] \
[--runs N] [--only TEXT] [--markdown] [--dhat-json PATH] | --doc FILE --chart PNG --data DIR";

struct Options {
    words: Option<PathBuf>,
    corpus: Option<PathBuf>,
    sample_tokens: u64,
    runs: u32,
    only: Option<String>,
    markdown: bool,
    dhat_json: Option<PathBuf>,
    doc: Option<PathBuf>,
    chart: Option<PathBuf>,
    data: Option<PathBuf>,
}

fn parse_args() -> Res<Options> {
    let mut o = Options {
        words: None,
        corpus: None,
        sample_tokens: SAMPLE_TOKENS,
        runs: 3,
        only: None,
        markdown: false,
        dhat_json: None,
        doc: None,
        chart: None,
        data: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{a} needs a value; {USAGE}"))
        };
        match a.as_str() {
            "--words" => o.words = Some(value()?.into()),
            "--corpus" => o.corpus = Some(value()?.into()),
            "--sample-tokens" => o.sample_tokens = value()?.parse()?,
            "--runs" => o.runs = value()?.parse()?,
            "--only" => o.only = Some(value()?),
            "--markdown" => o.markdown = true,
            "--dhat-json" => o.dhat_json = Some(value()?.into()),
            "--doc" => o.doc = Some(value()?.into()),
            "--chart" => o.chart = Some(value()?.into()),
            "--data" => o.data = Some(value()?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}; {USAGE}").into()),
        }
    }
    if o.words.is_some() && o.corpus.is_some() {
        return Err("give --words or --corpus, not both".into());
    }
    if o.doc.is_some() != o.data.is_some() || o.doc.is_some() != o.chart.is_some() {
        return Err("--doc, --chart and --data go together".into());
    }
    if o.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(o)
}

fn main() -> Res<()> {
    let o = parse_args()?;
    let specs: Vec<Spec> = specs()
        .into_iter()
        .filter(|s| o.only.as_deref().is_none_or(|t| s.name.contains(t)))
        .collect();
    if specs.is_empty() {
        return Err("--only matches no structure".into());
    }

    if let (Some(doc), Some(chart), Some(data)) = (&o.doc, &o.chart, &o.data) {
        let mut tables = Vec::new();
        let loads: [Box<dyn Fn() -> Res<Input>>; 3] = [
            Box::new(|| Ok(load_sample(o.sample_tokens))),
            Box::new(|| load_words(&data.join("words.txt"))),
            Box::new(|| load_corpus(&data.join("english.txt"))),
        ];
        for load in loads {
            let input = load()?;
            eprintln!("{}", describe(&input));
            let rows = measure_all(&input, &specs, o.runs);
            tables.push((input, rows));
        }
        write_doc(doc, chart, &tables, o.runs)?;
        eprintln!("wrote {} and {}", doc.display(), chart.display());
        return Ok(());
    }

    let input = match (&o.words, &o.corpus) {
        (Some(p), _) => load_words(p)?,
        (_, Some(p)) => load_corpus(p)?,
        _ => load_sample(o.sample_tokens),
    };
    eprintln!("{}", describe(&input));
    let rows = measure_all(&input, &specs, o.runs);
    if o.markdown {
        println!("{}.\n", describe(&input));
        print!("{}", markdown_table(&rows));
        println!("\n{}", time_note(o.runs));
    } else {
        println!("{}\n", describe(&input));
        print!("{}", text_table(&rows));
        println!(
            "\nheap now and peak: dhat, bytes requested from the allocator; (=): memory_usage() agrees."
        );
        println!("{}", time_note(o.runs));
    }
    if rows.iter().any(|r| r.usage.is_some_and(|u| u != r.heap)) {
        eprintln!("warning: memory_usage() disagrees with dhat for some structure");
    }

    if let Some(path) = &o.dhat_json {
        eprintln!(
            "profiling every selected build once more for {}",
            path.display()
        );
        let profiler = dhat::Profiler::builder().file_name(path).build();
        for s in &specs {
            (s.build_once)(&input);
        }
        drop(profiler);
        eprintln!(
            "wrote {}: open dh_view.html in a browser (Debian: \
             /usr/libexec/valgrind/dh_view.html from the valgrind package; online: \
             https://nnethercote.github.io/dh_view/dh_view.html), press \"Load...\" and \
             choose the file",
            path.display()
        );
    }
    Ok(())
}
