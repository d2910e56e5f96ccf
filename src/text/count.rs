//! The [`Counter`]: reads inputs on N threads, hashes every token once, feeds the sinks,
//! and returns a [`Report`].

use std::hash::BuildHasher;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::batch::{Long, VectorPaths, hash_marks, scan};
use super::exact::{ExactCount, Grouping, SharedExact};
use super::hashing::Hashing;
use super::options::TokenOptions;
use super::read::{
    BLOCK, BlockReader, Blocks, Feed, LongToken, NextStream, Positional, Progress, Source,
    open_positional, open_stream,
};
use super::recent::Recent;
use super::scan::Marks;
use super::sink::Sink;
use crate::error::{Error, Result};
use crate::hash::{HASH_ID_MURMUR3, ItemHasher, Murmur3, murmur3_x64_128};
use crate::interop::redis::RedisHasher;

/// Counts the tokens of files, readers or byte slices into the sinks you choose, hashing
/// each token once (MurmurHash3 x64_128 with the counter's seed), on as many threads as
/// you ask.
///
/// * Regular, uncompressed files are read by position, every thread at once; anything
///   else (readers, pipes, gzip and zstd streams) as one stream, in order, each thread
///   reading its next block under a lock and counting it while another reads.
/// * A sink that forks ([`Sink::fork`]: every [`Distinct`](super::Distinct) sketch) runs on
///   every thread and is merged at the end, so its result is the same on any number of
///   threads; the others ([`Filter`](super::Filter), [`Morris`](super::Morris)) run on one
///   thread of their own, fed every batch.
/// * Memory stays constant: a block (128 KiB) and a batch of hashes per thread, plus what
///   the sinks and the exact count hold. Nothing is allocated per token.
///
/// # Example
///
/// ```
/// use lessram::text::{Counter, Distinct, TokenOptions};
/// use lessram::{DistinctCount, HyperLogLog, Kmv};
///
/// let mut counter = Counter::new(TokenOptions::words().lowercase(true))
///     .threads(2)
///     .exact(true);
/// let hll = counter.sink(Distinct(HyperLogLog::new(14)?));
/// let kmv = counter.sink(Distinct(Kmv::new(1024)?));
/// let mut report = counter.count_bytes(b"It was the best of times, it was the worst of times")?;
/// assert_eq!((report.tokens, report.distinct()), (12, Some(8))); // "times," and "times"
/// assert_eq!(report.take(kmv).0.estimate(), 8.0); // exact below k
/// assert_eq!(report.take(hll).0.estimate().round(), 8.0);
/// # Ok::<(), lessram::Error>(())
/// ```
pub struct Counter {
    opts: TokenOptions,
    seed: u32,
    /// Redis' MurmurHash64A in the high half of each hash ([`Hashing::Redis`]).
    redis: bool,
    threads: usize,
    exact: bool,
    drop_repeats: Option<bool>,
    progress: Option<ProgressFn>,
    sinks: Vec<Box<dyn Sink>>,
    /// Bytes read at a time ([`BLOCK`]; smaller in tests, to put many block boundaries in
    /// a small input).
    block: usize,
}

/// A progress callback: bytes read so far, and the total when known.
type ProgressFn = Box<dyn Fn(u64, Option<u64>) + Send + Sync>;

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counter")
            .field("opts", &self.opts)
            .field("seed", &self.seed)
            .field("redis", &self.redis)
            .field("threads", &self.threads)
            .field("exact", &self.exact)
            .field("sinks", &self.sinks.len())
            .finish_non_exhaustive()
    }
}

/// Which of a [`Counter`]'s sinks to take back from its [`Report`]; given by
/// [`Counter::sink`].
#[must_use = "a sink's result is taken from the report with its handle"]
pub struct SinkHandle<S> {
    index: usize,
    _sink: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for SinkHandle<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkHandle")
            .field("index", &self.index)
            .finish()
    }
}

impl Counter {
    /// A counter of the tokens `opts` cuts, on one thread, hashing with seed 0, with no
    /// sink and no exact count.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let report = Counter::new(TokenOptions::lines()).count_bytes(b"a\n\nb")?;
    /// assert_eq!(report.tokens, 3);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn new(opts: TokenOptions) -> Self {
        Self {
            opts,
            seed: 0,
            redis: false,
            threads: 1,
            exact: false,
            drop_repeats: None,
            progress: None,
            sinks: Vec::new(),
            block: BLOCK,
        }
    }

    /// Hashes with MurmurHash3 seeded with `seed` (0 by default; Apache DataSketches uses
    /// 9001). A sketch fed by the counter then holds hashes of that seed: give it the same
    /// seed (`Murmur3::with_seed`) to insert more items or to merge it with others.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let _ = Counter::new(TokenOptions::words()).seed(9001);
    /// ```
    #[must_use]
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = seed;
        self
    }

    /// Hashes tokens as `hashing` says (see [`Hashing`]): sets the seed (9001 for
    /// DataSketches, else 0) and, for [`Hashing::Redis`], puts Redis' MurmurHash64A of each
    /// token in the high 64 bits of its hash, computed one token at a time (after the batch
    /// MurmurHash3 of the low half when the exact count, which keys its set with it, is on;
    /// the low half is 0 otherwise). The sinks then must be [`RedisHll`](super::RedisHll)s
    /// or hash nothing.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::{datasketches, redis};
    /// use lessram::text::{Counter, DataSketchesHll, Hashing, RedisHll, TokenOptions};
    ///
    /// let mut c = Counter::new(TokenOptions::words()).hashing(Hashing::DataSketches);
    /// let ds = c.sink(DataSketchesHll(datasketches::new(12)?));
    /// assert_eq!(c.count_bytes(b"a b a")?.take(ds).0.estimate(), 2.0);
    /// let mut c = Counter::new(TokenOptions::words()).hashing(Hashing::Redis);
    /// let r = c.sink(RedisHll(redis::new()));
    /// assert_eq!(redis::pfcount(&c.count_bytes(b"a b a")?.take(r).0), 2);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn hashing(mut self, hashing: Hashing) -> Self {
        self.seed = hashing.seed();
        self.redis = hashing == Hashing::Redis;
        self
    }

    /// Counts on `threads` threads (1 by default; 0 counts as 1, and more than
    /// [`Counter::MAX_THREADS`] as that many). Sinks that fork, and the exact count, give the
    /// same result on any number; [`Report::threads`] says how many ran.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    /// let _ = Counter::new(TokenOptions::words()).threads(n);
    /// ```
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.clamp(1, Self::MAX_THREADS);
        self
    }

    /// The most threads a count runs on: every thread holds a fork of each sink, so a
    /// mistyped thread count must not multiply the memory without bound.
    pub const MAX_THREADS: usize = 256;

    /// Keeps every distinct token too, for an exact count ([`Report::distinct`]): memory
    /// grows with the distinct tokens (for English text, about a third of the input), not
    /// with the threads, which share one set ([`ExactCount`]: each token is stored once, in
    /// the shard its hash picks, whichever thread meets it).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let report = Counter::new(TokenOptions::words()).exact(true).count_bytes(b"a b a")?;
    /// assert_eq!(report.distinct(), Some(2));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn exact(mut self, on: bool) -> Self {
        self.exact = on;
        self
    }

    /// Whether short tokens seen lately are dropped before they are hashed (see
    /// [`Sink::insert_hashes`]). It costs about what hashing them would, and pays in the
    /// inserts it saves when those are dear; by default it is on when the exact count runs
    /// or a sink says its inserts are dear ([`Sink::repeats_cost`]). No result depends on
    /// it.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let _ = Counter::new(TokenOptions::words()).drop_repeats(false);
    /// ```
    #[must_use]
    pub fn drop_repeats(mut self, on: bool) -> Self {
        self.drop_repeats = Some(on);
        self
    }

    /// Calls `f(bytes_read, total)` as the count goes (from any of its threads): bytes of
    /// the inputs as stored (compressed bytes for a compressed file), and their total when
    /// every input is a file.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    /// use lessram::text::{Counter, Source, TokenOptions};
    ///
    /// let seen = Arc::new(AtomicU64::new(0));
    /// let s = Arc::clone(&seen);
    /// let counter = Counter::new(TokenOptions::words())
    ///     .progress(move |done, _total| s.store(done, Ordering::Relaxed));
    /// counter.count_sources(vec![Source::reader("x", &b"a b c"[..])])?;
    /// assert_eq!(seen.load(Ordering::Relaxed), 5);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Adds a sink to feed; its handle takes it back from the [`Report`]
    /// ([`Report::take`]).
    ///
    /// The counter hashes tokens with MurmurHash3 and its [seed](Counter::seed): a sink
    /// whose structure hashes with anything else ([`Sink::hasher_identity`]: another
    /// hasher, or Murmur3 with another seed) makes the count fail with
    /// [`Error::InvalidInput`] naming the hasher expected, before any token is counted.
    /// With [`Hashing::Redis`] only [`RedisHll`](super::RedisHll)s and sinks that hash
    /// nothing count, and a `RedisHll` counts with nothing else.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, Distinct, TokenOptions};
    /// use lessram::{DistinctCount, LogLog};
    ///
    /// let mut counter = Counter::new(TokenOptions::words());
    /// let loglog = counter.sink(Distinct(LogLog::new(10)?));
    /// let mut report = counter.count_bytes(b"x y z")?;
    /// assert!((report.take(loglog).0.estimate() - 3.0).abs() < 0.01);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn sink<S: Sink>(&mut self, sink: S) -> SinkHandle<S> {
        self.sinks.push(Box::new(sink));
        SinkHandle {
            index: self.sinks.len() - 1,
            _sink: PhantomData,
        }
    }

    /// Counts the file at `path` (see [`Counter::count_sources`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file when it cannot be opened or read, is a directory, or
    /// is a corrupt (or, without the feature, any) gzip or zstd stream; an error of a sink's
    /// [`Sink::merge_fork`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    ///
    /// let err = Counter::new(TokenOptions::words()).count_path("/no/such/file").unwrap_err();
    /// assert!(err.to_string().contains("/no/such/file"));
    /// ```
    pub fn count_path(self, path: impl AsRef<std::path::Path>) -> Result<Report> {
        self.count_sources(vec![Source::path(path.as_ref())])
    }

    /// Counts a stream, in order (see [`Counter::count_sources`]).
    ///
    /// # Errors
    ///
    /// As [`Counter::count_path`], the reader's errors labelled `"reader"`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let report = Counter::new(TokenOptions::words()).count_reader(&b"one two"[..])?;
    /// assert_eq!((report.tokens, report.bytes), (2, 7));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn count_reader(self, reader: impl std::io::Read + Send + 'static) -> Result<Report> {
        self.count_sources(vec![Source::reader("reader", reader)])
    }

    /// Counts inputs one after the other, as one text (a token never spans two inputs):
    /// by position on every thread when each is a regular, uncompressed file, else as one
    /// stream.
    ///
    /// # Errors
    ///
    /// As [`Counter::count_path`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, Source, TokenOptions};
    /// let sources = vec![Source::reader("a", &b"x y"[..]), Source::reader("b", &b"z"[..])];
    /// let report = Counter::new(TokenOptions::words()).count_sources(sources)?;
    /// assert_eq!(report.tokens, 3);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn count_sources(mut self, sources: Vec<Source>) -> Result<Report> {
        let total = total_size(&sources);
        let callback = self.progress.take();
        let progress = Progress::new(total, callback.as_deref());
        if let Some(files) = open_positional(&sources)? {
            let (claim, block) = (AtomicU64::new(0), self.block);
            return self.run(|tally| count_positional(&files, &claim, block, tally, &progress));
        }
        let mut sources = sources.into_iter();
        let progress = &progress;
        let next: NextStream<'_> =
            Box::new(move || sources.next().map(|s| open_stream(s, progress)).transpose());
        let blocks = Mutex::new(Blocks::new(self.opts, next));
        let block = self.block;
        self.run(|tally| count_stream(&blocks, block, tally))
    }

    /// Counts independent parts of one text, each on one thread, up to the counter's
    /// number at once: the parts' tokens are counted as one text, as [`count_sources`]
    /// would, but each part is read in order by one thread, so streams (say the ranges of a
    /// generated corpus) count in parallel. A token never spans two parts.
    ///
    /// [`count_sources`]: Counter::count_sources
    ///
    /// # Errors
    ///
    /// As [`Counter::count_path`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    /// use lessram::text::{Counter, Source, TokenOptions};
    ///
    /// let corpus = SampleCorpus::new(10_000);
    /// let parts = (0..4u64)
    ///     .map(|i| Source::reader("sample", corpus.reader_range(i * 2_500..(i + 1) * 2_500)))
    ///     .collect();
    /// let report = Counter::new(TokenOptions::words()).threads(2).count_parts(parts)?;
    /// assert_eq!(report.tokens, 10_000);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn count_parts(mut self, parts: Vec<Source>) -> Result<Report> {
        let total = total_size(&parts);
        let callback = self.progress.take();
        let progress = Progress::new(total, callback.as_deref());
        let (opts, block) = (self.opts, self.block);
        let parts: Vec<Mutex<Option<Source>>> =
            parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
        let next = AtomicU64::new(0);
        self.run(|tally| {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(part) = parts.get(i) else {
                    return Ok(());
                };
                let part = part.lock().ok().and_then(|mut p| p.take());
                let Some(part) = part else { continue };
                let mut one = Some(part);
                let progress = &progress;
                let next: NextStream<'_> =
                    Box::new(move || one.take().map(|s| open_stream(s, progress)).transpose());
                count_stream(&Mutex::new(Blocks::new(opts, next)), block, tally)?;
            }
        })
    }

    /// Counts a text in memory, on the counter's threads.
    ///
    /// # Errors
    ///
    /// Only a sink's [`Sink::merge_fork`] error.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let report = Counter::new(TokenOptions::words()).exact(true).count_bytes(b"a b a")?;
    /// assert_eq!((report.tokens, report.bytes, report.distinct()), (3, 5, Some(2)));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn count_bytes(mut self, text: &[u8]) -> Result<Report> {
        let callback = self.progress.take();
        let progress = Progress::new(Some(text.len() as u64), callback.as_deref());
        let (opts, block) = (self.opts, self.block);
        let blocks = (text.len() as u64).div_ceil(block as u64);
        let next = AtomicU64::new(0);
        self.run(|tally| {
            loop {
                let g = next.fetch_add(1, Ordering::Relaxed);
                if g >= blocks {
                    return Ok(());
                }
                let start = g as usize * block;
                let end = (start + block).min(text.len());
                count_slice_block(text, start, end, block, opts, tally);
                progress.bytes((end - start) as u64);
            }
        })
    }

    /// Refuses a sink whose structure hashes with another function than the counter's
    /// MurmurHash3 and seed: it would silently hold hashes of another family than its own.
    fn check_sink_hashers(&self) -> Result<()> {
        let redis = (RedisHasher.hash_id(), RedisHasher.seed());
        for (i, sink) in self.sinks.iter().enumerate() {
            let found = sink.hasher_identity();
            if self.redis && found.is_some_and(|f| f != redis) {
                return Err(Error::InvalidInput {
                    structure: "Counter",
                    detail: format!(
                        "sink {i} hashes with lessram's hashers, but the counter hashes tokens \
                         as Redis does (Hashing::Redis): only RedisHll and RedisUll sinks, or \
                         sinks that hash nothing, can count with it"
                    ),
                });
            }
            if !self.redis && found == Some(redis) {
                return Err(Error::InvalidInput {
                    structure: "Counter",
                    detail: format!(
                        "sink {i} hashes as Redis does (a RedisHll or RedisUll), but the \
                         counter hashes tokens with MurmurHash3: give it \
                         Counter::hashing(Hashing::Redis)"
                    ),
                });
            }
        }
        if self.redis {
            return Ok(());
        }
        let expected = (HASH_ID_MURMUR3, u64::from(self.seed));
        for (i, sink) in self.sinks.iter().enumerate() {
            if let Some(found) = sink.hasher_identity()
                && found != expected
            {
                let what = if found.0 == HASH_ID_MURMUR3 {
                    format!("MurmurHash3 with seed {}", found.1)
                } else {
                    format!("hash id {} seed {}", found.0, found.1)
                };
                return Err(Error::InvalidInput {
                    structure: "Counter",
                    detail: format!(
                        "sink {i} hashes with {what}, but the counter hashes tokens with \
                         MurmurHash3 seed {} (hash id {} seed {}): build its structure with \
                         Murmur3::with_seed({}), or give the counter that structure's seed",
                        self.seed, expected.0, expected.1, self.seed
                    ),
                });
            }
        }
        Ok(())
    }

    /// Runs `work` on every thread, each with its own tally, with the sinks that do not
    /// fork on a thread of their own, and merges the tallies into the report.
    fn run(self, work: impl Fn(&mut Tally) -> Result<()> + Sync) -> Result<Report> {
        self.check_sink_hashers()?;
        let start = Instant::now();
        let Counter {
            opts,
            seed,
            redis,
            threads,
            exact,
            drop_repeats,
            sinks,
            ..
        } = self;
        let drop_repeats = drop_repeats.unwrap_or(exact || sinks.iter().any(|s| s.repeats_cost()));
        let n = sinks.len();
        // One set for every thread: each token has one shard, whichever thread meets it.
        let shared = exact.then(|| Arc::new(SharedExact::new(seed)));
        let new_tally = || {
            let mut t = Tally::new(opts, seed, shared.clone(), drop_repeats);
            t.redis = redis;
            t
        };
        // Per thread: the sinks that fork (the first thread has the originals).
        let mut firsts = new_tally();
        let mut serial = new_tally();
        let mut others: Vec<Tally> = (1..threads).map(|_| new_tally()).collect();
        for (i, sink) in sinks.into_iter().enumerate() {
            let forks: Option<Vec<Box<dyn Sink>>> = if threads == 1 {
                Some(Vec::new())
            } else {
                (1..threads).map(|_| sink.fork()).collect()
            };
            match forks {
                Some(forks) => {
                    firsts.sinks.push((i, sink, Duration::ZERO));
                    for (t, fork) in others.iter_mut().zip(forks) {
                        t.sinks.push((i, fork, Duration::ZERO));
                    }
                }
                None => serial.sinks.push((i, sink, Duration::ZERO)),
            }
        }
        let failed = AtomicBool::new(false);
        let work = &work;
        let failed = &failed;
        let (tally, serial) = std::thread::scope(|scope| -> Result<(Tally, Option<Tally>)> {
            // A copy of each batch's hashes only if a sink there reads them (a Morris
            // counter reads only the number of tokens).
            let forward_hashes = serial.sinks.iter().any(|(_, s, _)| s.reads_hashes());
            let (sender, serial_thread) = if serial.sinks.is_empty() {
                (None, None)
            } else {
                // A few batches in flight: memory stays constant, workers rarely wait.
                let (tx, rx) = sync_channel::<(Vec<u128>, u64)>(8);
                let mut serial = serial;
                let handle = scope.spawn(move || {
                    for (batch, tokens) in rx {
                        serial.insert_hashes(&batch, tokens);
                    }
                    serial
                });
                (Some(tx), Some(handle))
            };
            let run_one = move |mut t: Tally, tx: Option<SyncSender<_>>| {
                t.forward = tx;
                t.forward_hashes = forward_hashes;
                let result = if failed.load(Ordering::Relaxed) {
                    Ok(())
                } else {
                    work(&mut t)
                };
                t.flush_forward();
                t.forward = None;
                if result.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                result.map(|()| t)
            };
            let handles: Vec<_> = others
                .into_iter()
                .map(|t| {
                    let tx = sender.clone();
                    scope.spawn(move || run_one(t, tx))
                })
                .collect();
            let first = run_one(firsts, sender);
            let mut merged = first;
            for h in handles {
                let other = h.join().unwrap_or_else(|_| {
                    Err(Error::corrupt("Counter", "a counting thread panicked"))
                });
                merged = match (merged, other) {
                    (Ok(mut a), Ok(b)) => a.merge(b).map(|()| a),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
            }
            // Every sender is gone with its tally: the serial thread finishes.
            let serial = serial_thread.map(|h| {
                h.join()
                    .map_err(|_| Error::corrupt("Counter", "the serial counting thread panicked"))
            });
            let serial = serial.transpose()?;
            Ok((merged?, serial))
        })?;
        let Tally {
            sinks: parallel,
            exact: mine,
            exact_time,
            scan_time,
            tokens,
            bytes,
            ..
        } = tally;
        let mut slots: Vec<Option<(Box<dyn Sink>, Duration)>> = (0..n).map(|_| None).collect();
        for (i, sink, time) in parallel
            .into_iter()
            .chain(serial.into_iter().flat_map(|s| s.sinks))
        {
            slots[i] = Some((sink, time));
        }
        drop(mine);
        // Every tally, with its share of the set, is gone: `shared` is the last.
        let exact = match shared.map(Arc::try_unwrap) {
            None => None,
            Some(Ok(set)) => Some(set.into_inner()),
            Some(Err(_)) => {
                return Err(Error::corrupt("Counter", "the exact count is still shared"));
            }
        };
        Ok(Report {
            tokens,
            bytes,
            threads,
            opts,
            elapsed: start.elapsed(),
            scan_time,
            exact_time,
            paths: VectorPaths::detect(),
            exact,
            sinks: slots,
        })
    }
}

/// The total size of `sources` when every one is a file whose size is known.
fn total_size(sources: &[Source]) -> Option<u64> {
    sources.iter().try_fold(0u64, |sum, s| match s {
        Source::Path(p) => std::fs::metadata(p)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| sum + m.len()),
        Source::Reader { .. } => None,
    })
}

/// Counts blocks of `files` (claimed in turn by the threads) into `tally`.
fn count_positional(
    files: &[Positional],
    claim: &AtomicU64,
    block: usize,
    tally: &mut Tally,
    progress: &Progress<'_>,
) -> Result<()> {
    let mut reader = BlockReader::new(tally.opts, block);
    let mut firsts = Vec::with_capacity(files.len());
    let mut total = 0u64;
    for f in files {
        firsts.push(total);
        total += f.size.div_ceil(block as u64);
    }
    loop {
        let g = claim.fetch_add(1, Ordering::Relaxed);
        if g >= total {
            return Ok(());
        }
        let f = firsts.partition_point(|&first| first <= g) - 1;
        let start = (g - firsts[f]) * block as u64;
        reader.count_block(&files[f], start, block, tally, progress)?;
    }
}

// A count can run off the caller's thread (a Python binding releases the GIL around it):
// the counter and its report are `Send`.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Counter>();
    send::<Report>();
};

// Offsets into a block and the token after it fit the marks' `u32`.
const _: () = assert!(4 * BLOCK < u32::MAX as usize);

/// Counts blocks of one stream (read in turn by the threads, under the lock) into `tally`.
fn count_stream(blocks: &Mutex<Blocks<'_>>, block: usize, tally: &mut Tally) -> Result<()> {
    let mut buf = vec![0; block];
    loop {
        let next = blocks
            .lock()
            .map_err(|_| Error::corrupt("Counter", "a counting thread panicked"))?
            .next_block(&mut buf, tally)?;
        let Some(len) = next else {
            return Ok(());
        };
        tally.feed(&buf[..len]);
    }
}

/// Counts the tokens of `text` that start in `text[start..end]`: a block of a text in
/// memory (see [`Counter::count_bytes`]).
fn count_slice_block(
    text: &[u8],
    start: usize,
    end: usize,
    block: usize,
    opts: TokenOptions,
    tally: &mut Tally,
) {
    tally.bytes += (end - start) as u64;
    let sep = |b: u8| opts.is_separator(b);
    let mut from = start;
    if start > 0 && !sep(text[start - 1]) {
        // The end of a token begun before: that block counts it.
        match text[start..end].iter().position(|&b| sep(b)) {
            Some(q) => from = start + q + usize::from(opts.lines),
            None => return,
        }
        if from >= end {
            return;
        }
    }
    // The tokens that start before `end` run to the first separator from `end - 1` on.
    let k = text[end - 1..]
        .iter()
        .position(|&b| sep(b))
        .map_or(text.len(), |q| end - 1 + q);
    let stop = if opts.lines {
        (k + 1).min(text.len())
    } else {
        k
    };
    if stop <= from {
        return;
    }
    // A last token longer than a block is hashed on its own (marks are 32-bit offsets).
    let last = text[from..end]
        .iter()
        .rposition(|&b| sep(b))
        .map_or(from, |p| from + p + 1);
    if stop > last + block {
        if last > from {
            feed_folded(tally, &text[from..last]);
        }
        let token = &text[last..stop];
        let token = token
            .strip_suffix(b"\n")
            .filter(|_| opts.lines)
            .unwrap_or(token);
        if opts.lowercase {
            let mut long = tally.long_token();
            for piece in token.chunks(block) {
                long.push(&piece.to_ascii_lowercase());
            }
            tally.finish_long(long);
        } else {
            let hash = murmur3_x64_128(token, tally.seed);
            tally.add_one(hash, token);
        }
        return;
    }
    feed_folded(tally, &text[from..stop]);
}

/// `hash` with its high 64 bits replaced by Redis' hash of `token` ([`Hashing::Redis`]).
#[inline]
fn with_redis(hash: u128, token: &[u8]) -> u128 {
    (u128::from(RedisHasher.hash_bytes(token)) << 64) | u128::from(hash as u64)
}

/// Feeds `block` to `tally`, lower-cased first when its options say so.
fn feed_folded(tally: &mut Tally, block: &[u8]) {
    if tally.opts.lowercase {
        let mut folded = std::mem::take(&mut tally.folded);
        folded.clear();
        folded.extend_from_slice(block);
        folded.make_ascii_lowercase();
        tally.feed(&folded);
        tally.folded = folded;
    } else {
        tally.feed(block);
    }
}

/// What a count found: tokens, bytes, the exact count if kept, every sink back (take each
/// with its handle), and where the time went.
///
/// # Example
///
/// ```
/// use lessram::text::{Counter, Distinct, TokenOptions};
/// use lessram::{DistinctCount, Kmv};
///
/// let mut counter = Counter::new(TokenOptions::words()).exact(true);
/// let kmv = counter.sink(Distinct(Kmv::new(64)?));
/// let mut report = counter.count_bytes(b"a b b c c c")?;
/// println!("{} tokens in {:?}, {}", report.tokens, report.elapsed, report.paths.describe(report.opts));
/// let spent = report.time(&kmv);
/// assert_eq!(report.take(kmv).0.estimate(), report.distinct().unwrap() as f64);
/// # let _ = spent;
/// # Ok::<(), lessram::Error>(())
/// ```
#[non_exhaustive]
pub struct Report {
    /// Tokens counted, repeats included.
    pub tokens: u64,
    /// Bytes of the input read (decompressed), separators included: the input's size.
    pub bytes: u64,
    /// Threads counted on.
    pub threads: usize,
    /// How the input was cut.
    pub opts: TokenOptions,
    /// Wall-clock time of the count.
    pub elapsed: Duration,
    /// Time spent scanning and hashing, summed over threads.
    pub scan_time: Duration,
    /// Time spent inserting into the exact count, summed over threads.
    pub exact_time: Duration,
    /// The vector paths that ran.
    pub paths: VectorPaths,
    exact: Option<ExactCount>,
    sinks: Vec<Option<(Box<dyn Sink>, Duration)>>,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Report")
            .field("tokens", &self.tokens)
            .field("bytes", &self.bytes)
            .field("threads", &self.threads)
            .field("distinct", &self.distinct())
            .field("elapsed", &self.elapsed)
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl Report {
    /// Takes back a sink, fed every token. A handle from another counter panics.
    ///
    /// # Panics
    ///
    /// When `handle` is not one of this count's (a bug in the caller).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, Distinct, TokenOptions};
    /// use lessram::{DistinctCount, HyperLogLog};
    ///
    /// let mut counter = Counter::new(TokenOptions::words());
    /// let hll = counter.sink(Distinct(HyperLogLog::new(12)?));
    /// let mut report = counter.count_bytes(b"x")?;
    /// let hll: HyperLogLog = report.take(hll).into_inner();
    /// assert_eq!(hll.estimate().round(), 1.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn take<S: Sink>(&mut self, handle: SinkHandle<S>) -> S {
        let (sink, _) = self
            .sinks
            .get_mut(handle.index)
            .and_then(Option::take)
            .expect("a sink handle of this count, taken once");
        let any: Box<dyn std::any::Any> = sink;
        *any.downcast::<S>()
            .expect("a sink handle of this count (the sink has another type)")
    }

    /// Time spent feeding the sink, summed over threads.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, Distinct, TokenOptions};
    /// use lessram::Kmv;
    ///
    /// let mut counter = Counter::new(TokenOptions::words());
    /// let kmv = counter.sink(Distinct(Kmv::new(8)?));
    /// let report = counter.count_bytes(b"x y")?;
    /// assert!(report.time(&kmv) <= report.elapsed);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn time<S>(&self, handle: &SinkHandle<S>) -> Duration {
        self.sinks
            .get(handle.index)
            .and_then(Option::as_ref)
            .map_or(Duration::ZERO, |(_, t)| *t)
    }

    /// The number of distinct tokens, when the exact count was kept.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let report = Counter::new(TokenOptions::words()).count_bytes(b"a a")?;
    /// assert_eq!(report.distinct(), None);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn distinct(&self) -> Option<u64> {
        self.exact.as_ref().map(|e| e.len() as u64)
    }

    /// The exact count, when kept.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Counter, TokenOptions};
    /// let report = Counter::new(TokenOptions::words()).exact(true).count_bytes(b"a a")?;
    /// assert_eq!(report.exact().unwrap().tokens().count(), 1);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn exact(&self) -> Option<&ExactCount> {
        self.exact.as_ref()
    }
}

/// One thread's sinks and counters.
struct Tally {
    opts: TokenOptions,
    seed: u32,
    /// Redis' hash of each token goes in the high half of its hash ([`Hashing::Redis`]).
    redis: bool,
    /// The sinks fed here, with their index in the counter and the time spent in them.
    sinks: Vec<(usize, Box<dyn Sink>, Duration)>,
    /// The exact count, shared by every thread's tally.
    exact: Option<Arc<SharedExact>>,
    /// This thread's buffers to insert into it.
    grouping: Grouping,
    exact_time: Duration,
    /// Time spent scanning and hashing.
    scan_time: Duration,
    /// Tokens seen (duplicates included).
    tokens: u64,
    /// Bytes read.
    bytes: u64,
    /// The hashes of the batch being fed: as many as its marks' tokens at the front of a
    /// buffer allocated once (written in place, never pushed).
    hashes: Box<[u128]>,
    /// Token boundaries in the block being fed.
    marks: Marks,
    /// The tokens of a batch left to the second hash loop.
    long: Box<Long>,
    /// Short tokens seen lately, when their repeats are dropped before hashing.
    recent: Option<Recent>,
    /// Where copies of each batch of hashes, with the number of tokens they stand for, go
    /// for the sinks that do not fork (fed on one thread).
    forward: Option<SyncSender<(Vec<u128>, u64)>>,
    /// Whether a forwarded batch carries its hashes; when not, the tokens are forwarded
    /// as a number, summed over batches (`unsent`) and sent a million at a time, so the
    /// sinks' thread is woken a few times rather than once a batch.
    forward_hashes: bool,
    unsent: u64,
    /// A lower-cased copy of a block of a text in memory.
    folded: Vec<u8>,
}

impl Tally {
    fn new(
        opts: TokenOptions,
        seed: u32,
        exact: Option<Arc<SharedExact>>,
        drop_repeats: bool,
    ) -> Self {
        Self {
            opts,
            seed,
            redis: false,
            sinks: Vec::new(),
            exact,
            grouping: Grouping::default(),
            exact_time: Duration::ZERO,
            scan_time: Duration::ZERO,
            tokens: 0,
            bytes: 0,
            hashes: vec![0; Marks::CAP / 2].into_boxed_slice(),
            marks: Marks::new(),
            long: Box::new(Long::new()),
            recent: drop_repeats.then(Recent::new),
            forward: None,
            forward_hashes: true,
            unsent: 0,
            folded: Vec::new(),
        }
    }

    /// Counts one token given by its hash and, when the exact count needs them, its bytes.
    fn add_one(&mut self, hash: u128, bytes: &[u8]) {
        let hash = if self.redis {
            with_redis(if self.exact.is_some() { hash } else { 0 }, bytes)
        } else {
            hash
        };
        self.insert_hashes(&[hash], 1);
        if let Some(exact) = &self.exact {
            let t = Instant::now();
            exact.insert(hash as u64, bytes);
            self.exact_time += t.elapsed();
        }
    }

    /// Counts `tokens` tokens, whose distinct hashes are among `hashes`, in every sink
    /// (not the exact count, which needs their bytes), and forwards them to the sinks on
    /// their own thread if any.
    fn insert_hashes(&mut self, hashes: &[u128], tokens: u64) {
        self.tokens += tokens;
        for (_, sink, time) in &mut self.sinks {
            let t = Instant::now();
            sink.insert_hashes(hashes, tokens);
            *time += t.elapsed();
        }
        if let Some(tx) = &self.forward {
            if self.forward_hashes {
                // The receiver outlives every sender (it is joined after they are dropped).
                let _ = tx.send((hashes.to_vec(), tokens));
            } else {
                self.unsent += tokens;
                if self.unsent >= 1 << 20 {
                    self.flush_forward();
                }
            }
        }
    }

    /// Sends the tokens not yet forwarded (when batches are forwarded as numbers).
    fn flush_forward(&mut self) {
        if let Some(tx) = &self.forward
            && self.unsent > 0
        {
            let _ = tx.send((Vec::new(), self.unsent));
            self.unsent = 0;
        }
    }

    /// Feeds the batch's `kept` hashes (and token bytes, from the marks into `block`) to
    /// every sink, for `tokens` tokens (the repeats dropped from the batch included).
    fn flush(&mut self, block: &[u8], kept: usize, tokens: u64) {
        if tokens == 0 {
            return;
        }
        let hashes = std::mem::take(&mut self.hashes);
        self.insert_hashes(&hashes[..kept], tokens);
        if let Some(exact) = &self.exact {
            let t = Instant::now();
            exact.insert_batch(
                block,
                &hashes[..kept],
                self.marks.as_slice(),
                &mut self.grouping,
            );
            self.exact_time += t.elapsed();
        }
        self.hashes = hashes;
        self.marks.clear();
    }

    /// Adds `other`'s counts into `self` (the same sinks in the same order).
    fn merge(&mut self, other: Tally) -> Result<()> {
        for ((_, mine, t), (_, theirs, ot)) in self.sinks.iter_mut().zip(other.sinks) {
            mine.merge_fork(theirs)?;
            *t += ot;
        }
        // The exact count is shared: nothing to merge.
        self.exact_time += other.exact_time;
        self.scan_time += other.scan_time;
        self.tokens += other.tokens;
        self.bytes += other.bytes;
        Ok(())
    }
}

impl Feed for Tally {
    fn feed(&mut self, block: &[u8]) {
        let mut base = 0usize;
        while base < block.len() {
            let t = Instant::now();
            let consumed = scan(block, base, self.opts, &mut self.marks);
            let tokens = self.marks.len / 2;
            if let Some(recent) = &mut self.recent {
                recent.drop_repeats(block, &mut self.marks);
            }
            let kept = self.marks.len / 2;
            // With Redis' hashing and no exact count, no sink reads the low half (only
            // `RedisHll`s and sinks that hash nothing run): the batch hash is skipped.
            let hashed = !self.redis || self.exact.is_some();
            if hashed {
                hash_marks(
                    block,
                    self.marks.as_slice(),
                    &mut self.hashes[..kept],
                    self.seed,
                    &mut self.long,
                );
            }
            if self.redis {
                let marks = self.marks.as_slice();
                for (t, h) in self.hashes[..kept].iter_mut().enumerate() {
                    let token = &block[marks[2 * t] as usize..marks[2 * t + 1] as usize];
                    *h = with_redis(if hashed { *h } else { 0 }, token);
                }
            }
            self.scan_time += t.elapsed();
            self.flush(block, kept, tokens as u64);
            base += consumed;
        }
    }

    fn long_token(&mut self) -> LongToken {
        LongToken {
            hasher: Murmur3::with_seed(self.seed).build_hasher(),
            bytes: (self.exact.is_some() || self.redis).then(Vec::new),
        }
    }

    fn finish_long(&mut self, token: LongToken) {
        let hash = token.hasher.finish128();
        self.add_one(hash, token.bytes.as_deref().unwrap_or(&[]));
    }

    fn read_bytes(&mut self, n: u64) {
        self.bytes += n;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::hash::Murmur3;
    use crate::text::options::is_space;
    use crate::text::{Distinct, Filter, Morris};
    use crate::{DistinctCount, HyperLogLog, Kmv, Membership, MorrisCounter};

    /// The tokens (with repeats) of `text` as the counter must see them.
    fn reference(text: &[u8], opts: TokenOptions) -> Vec<Vec<u8>> {
        let text = if opts.lowercase {
            text.to_ascii_lowercase()
        } else {
            text.to_vec()
        };
        if opts.lines {
            let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            if lines.last() == Some(&&b""[..]) {
                lines.pop();
            }
            lines.into_iter().map(<[u8]>::to_vec).collect()
        } else {
            text.split(|&b| is_space(b))
                .filter(|t| !t.is_empty())
                .map(<[u8]>::to_vec)
                .collect()
        }
    }

    /// Tokens, bytes and distinct tokens of a report with the exact count.
    fn summary(report: &Report) -> (u64, u64, BTreeSet<Vec<u8>>) {
        let exact = report.exact().expect("the exact count");
        (
            report.tokens,
            report.bytes,
            exact.tokens().map(<[u8]>::to_vec).collect(),
        )
    }

    fn counter(opts: TokenOptions, threads: usize, block: usize) -> Counter {
        let mut c = Counter::new(opts).threads(threads).exact(true);
        c.block = block;
        c
    }

    #[test]
    fn every_token_is_counted_once_whatever_the_blocks_and_the_way_in() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut state = 5u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for round in 0..200 {
            // Short tokens over a small alphabet, with runs of separators, tokens longer
            // than a block and lines that are empty.
            let alphabet: &[u8] = if round % 3 == 0 {
                b"aaaaaaaaaaaaaaaaaaaaaaaaab "
            } else {
                b"abAB \n\t\n"
            };
            let texts: Vec<Vec<u8>> = (0..1 + next() % 3)
                .map(|_| {
                    (0..1 + next() % 400)
                        .map(|_| alphabet[next() % alphabet.len()])
                        .collect()
                })
                .collect();
            let paths: Vec<_> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let p = dir.path().join(format!("{round}-{i}.txt"));
                    std::fs::write(&p, t).unwrap();
                    p
                })
                .collect();
            let block = [1, 2, 3, 5, 8, 13, 64][round % 7];
            for (lines, lowercase) in [(false, false), (true, false), (false, true), (true, true)] {
                let opts = TokenOptions { lines, lowercase };
                let (mut tokens, mut bytes, mut distinct) = (0, 0, BTreeSet::new());
                for text in &texts {
                    let t = reference(text, opts);
                    tokens += t.len() as u64;
                    bytes += text.len() as u64;
                    distinct.extend(t);
                }
                let want = (tokens, bytes, distinct);
                for threads in [1, 2, 3, 4] {
                    let why = format!("round {round}, block {block}, {opts:?}, {threads} threads");
                    let files: Vec<Source> = paths.iter().map(Source::path).collect();
                    let by_position = counter(opts, threads, block).count_sources(files).unwrap();
                    assert_eq!(summary(&by_position), want, "files, {why}");
                    let streams: Vec<Source> = texts
                        .iter()
                        .map(|t| Source::reader("t", std::io::Cursor::new(t.clone())))
                        .collect();
                    let streamed = counter(opts, threads, block)
                        .count_sources(streams)
                        .unwrap();
                    assert_eq!(summary(&streamed), want, "streams, {why}");
                    let parts: Vec<Source> = texts
                        .iter()
                        .map(|t| Source::reader("t", std::io::Cursor::new(t.clone())))
                        .collect();
                    let parts = counter(opts, threads, block).count_parts(parts).unwrap();
                    assert_eq!(summary(&parts), want, "parts, {why}");
                    if let [text] = &texts[..] {
                        let report = counter(opts, threads, block).count_bytes(text).unwrap();
                        assert_eq!(summary(&report), want, "bytes, {why}");
                    }
                }
            }
        }
    }

    /// A text of `n` words over a vocabulary of `v`, some of them long.
    fn words(n: usize, v: usize) -> (Vec<u8>, Vec<String>) {
        let mut state = 17u64;
        let mut text = Vec::new();
        let mut tokens = Vec::new();
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let w = format!("w{}{}", state as usize % v, "x".repeat(i % 23));
            text.extend_from_slice(w.as_bytes());
            text.extend_from_slice(if i % 5 == 0 { b"\n" } else { b" " });
            tokens.push(w);
        }
        (text, tokens)
    }

    #[test]
    fn sinks_get_what_inserting_each_token_gives_on_any_number_of_threads() {
        let (text, tokens) = words(60_000, 20_000);
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("w.txt");
        std::fs::write(&path, &text).unwrap();
        for seed in [0, 9001] {
            let hasher = Murmur3::with_seed(seed);
            let mut hll = HyperLogLog::with_hasher(12, hasher).unwrap();
            let mut kmv = Kmv::with_hasher(256, hasher).unwrap();
            let mut bloom = crate::ScalingBloomFilter::with_hasher(1_000, 0.01, hasher).unwrap();
            for t in &tokens {
                hll.insert(t.as_str());
                kmv.insert(t.as_str());
                bloom.insert(t.as_str());
            }
            for threads in [1, 2, 3] {
                for drop in [false, true] {
                    let mut c = Counter::new(TokenOptions::words())
                        .seed(seed)
                        .threads(threads)
                        .drop_repeats(drop);
                    c.block = 4096;
                    let h = c.sink(Distinct(HyperLogLog::with_hasher(12, hasher).unwrap()));
                    let k = c.sink(Distinct(Kmv::with_hasher(256, hasher).unwrap()));
                    let f = c.sink(Filter(
                        crate::ScalingBloomFilter::with_hasher(1_000, 0.01, hasher).unwrap(),
                    ));
                    let m = c.sink(Morris::new(
                        MorrisCounter::new(2.0).unwrap(),
                        crate::counting::SplitMix64::new(1),
                    ));
                    let mut report = c.count_path(&path).unwrap();
                    let why = format!("seed {seed}, {threads} threads, drop {drop}");
                    assert_eq!(report.tokens, tokens.len() as u64, "{why}");
                    assert_eq!(report.bytes, text.len() as u64, "{why}");
                    // The registers, hence the estimate (a merge drops the HIP estimate,
                    // which only a single stream keeps).
                    assert_eq!(report.take(h).0.estimate(), hll.estimate(), "{why}");
                    assert_eq!(report.take(k).0.estimate(), kmv.estimate(), "{why}");
                    let f = report.take(f).0;
                    assert!(tokens.iter().all(|t| f.contains(t.as_str())), "{why}");
                    if threads == 1 && !drop {
                        // One thread, every token in order: the same filter.
                        assert_eq!(f.len(), bloom.len(), "{why}");
                    }
                    assert!(report.take(m).counter.exponent() > 8, "{why}");
                }
            }
        }
    }

    /// Issue #17, point 5: with DataSketches' or Redis' hashing, the sinks hold the
    /// registers the engine's own hashing of each token gives, whatever the threads, the
    /// way in, the token lengths (under 16, 16 to 31, longer, longer than a block), the
    /// folding and whether repeats are dropped; the exact count is unchanged.
    #[test]
    fn datasketches_and_redis_sinks_hold_the_engines_registers() {
        use crate::interop::{datasketches, redis};
        use crate::text::{DataSketchesHll, Hashing, RedisHll};
        let (mut text, _) = words(20_000, 8_000);
        for len in [15, 16, 31, 32, 33, 100, 5_000] {
            text.extend(std::iter::repeat_n(b'Q', len));
            text.extend_from_slice(b"\n\n");
        }
        text.extend_from_slice(b"Mixed Case words\nmixed case WORDS");
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, &text).unwrap();
        for opts in [
            TokenOptions::words(),
            TokenOptions::lines(),
            TokenOptions::words().lowercase(true),
        ] {
            let tokens = reference(&text, opts);
            let distinct: BTreeSet<&Vec<u8>> = tokens.iter().collect();
            let mut ds = datasketches::new(10).unwrap();
            let mut rd = redis::new();
            for t in &tokens {
                if !t.is_empty() {
                    ds.insert(t.as_slice());
                }
                rd.insert(t.as_slice());
            }
            for threads in [1, 3] {
                for (way, drop) in [(0, false), (1, true), (2, true)] {
                    let why = format!("{opts:?}, {threads} threads, way {way}, drop {drop}");
                    let run = |hashing: Hashing, c: &mut Counter| match hashing {
                        Hashing::Redis => Err(c.sink(RedisHll(redis::new()))),
                        _ => Ok(c.sink(DataSketchesHll(datasketches::new(10).unwrap()))),
                    };
                    for hashing in [Hashing::DataSketches, Hashing::Redis] {
                        // The exact count off on the stream: Redis' hashing then skips
                        // the batch MurmurHash3.
                        let mut c = counter(opts, threads, 4096)
                            .hashing(hashing)
                            .drop_repeats(drop)
                            .exact(way != 2);
                        let handle = run(hashing, &mut c);
                        let mut report = match way {
                            0 => c.count_bytes(&text),
                            1 => c.count_path(&path),
                            _ => c.count_reader(std::io::Cursor::new(text.clone())),
                        }
                        .unwrap();
                        let exact = (way != 2).then_some(distinct.len() as u64);
                        assert_eq!(report.distinct(), exact, "{why}");
                        match handle {
                            Ok(h) => {
                                let got = report.take(h).0;
                                assert_eq!(got.registers(), ds.registers(), "{why}");
                                if threads == 1 {
                                    assert_eq!(got.estimate_hip(), ds.estimate_hip(), "{why}");
                                }
                            }
                            Err(h) => {
                                let got = report.take(h).0;
                                assert_eq!(got.registers(), rd.registers(), "{why}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// The UltraLogLogs hashing as the engines do: their HyperLogLog is the engine's, on any
    /// number of threads.
    #[test]
    fn engine_ultraloglogs_hold_the_engines_registers() {
        use crate::UltraLogLog;
        use crate::interop::datasketches::{self, DataSketchesHasher};
        use crate::interop::redis::{self, RedisHasher};
        use crate::text::{DataSketchesUll, Hashing, RedisUll};
        let (text, tokens) = words(30_000, 12_000);
        let (mut ds, mut rd) = (datasketches::new(12).unwrap(), redis::new());
        for t in &tokens {
            ds.insert(t.as_str());
            rd.insert(t.as_str());
        }
        for threads in [1, 3] {
            let mut c =
                counter(TokenOptions::words(), threads, 4096).hashing(Hashing::DataSketches);
            let h = DataSketchesHasher::new(12).unwrap();
            let u = c.sink(DataSketchesUll(UltraLogLog::with_hasher(12, h).unwrap()));
            let u = c.count_bytes(&text).unwrap().take(u).0;
            assert_eq!(u.to_hyperloglog().registers(), ds.registers(), "{threads}");
            let mut c = counter(TokenOptions::words(), threads, 4096).hashing(Hashing::Redis);
            let u = c.sink(RedisUll(UltraLogLog::with_hasher(14, RedisHasher).unwrap()));
            let u = c.count_bytes(&text).unwrap().take(u).0;
            assert_eq!(u.to_hyperloglog().registers(), rd.registers(), "{threads}");
        }
    }

    #[test]
    fn sinks_that_do_not_fit_the_hashing_are_refused() {
        use crate::interop::redis;
        use crate::text::{Hashing, RedisHll};
        let mut c = Counter::new(TokenOptions::words());
        let _ = c.sink(RedisHll(redis::new()));
        let msg = c.count_bytes(b"a").unwrap_err().to_string();
        assert!(msg.contains("Hashing::Redis"), "{msg}");
        let mut c = Counter::new(TokenOptions::words()).hashing(Hashing::Redis);
        let _ = c.sink(Distinct(Kmv::new(16).unwrap()));
        let msg = c.count_bytes(b"a").unwrap_err().to_string();
        assert!(msg.contains("only RedisHll and RedisUll"), "{msg}");
        // DataSketches' HLL is fed MurmurHash3 seed 9001: a lessram counter refuses it.
        let mut c = Counter::new(TokenOptions::words());
        let _ = c.sink(crate::text::DataSketchesHll(
            crate::interop::datasketches::new(10).unwrap(),
        ));
        let msg = c.count_bytes(b"a").unwrap_err().to_string();
        assert!(msg.contains("seed 9001"), "{msg}");
        // A Morris counter hashes nothing: it counts with Redis' hashing.
        let mut c = Counter::new(TokenOptions::words()).hashing(Hashing::Redis);
        let m = c.sink(Morris::new(
            MorrisCounter::new(2.0).unwrap(),
            crate::counting::SplitMix64::new(1),
        ));
        assert!(c.count_bytes(b"a b").unwrap().take(m).counter.estimate() > 0.0);
    }

    #[test]
    fn errors_name_the_input_and_never_panic() {
        let dir = tempfile::TempDir::new().unwrap();
        let err = Counter::new(TokenOptions::words())
            .count_path(dir.path().join("missing"))
            .unwrap_err();
        assert!(
            matches!(err, Error::Io(_)) && err.to_string().contains("missing"),
            "{err}"
        );
        let err = Counter::new(TokenOptions::words())
            .count_path(dir.path())
            .unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
        let fake = dir.path().join("fake.gz");
        std::fs::write(&fake, b"pl\0in").unwrap();
        let err = Counter::new(TokenOptions::words())
            .count_path(&fake)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains(r#"not a gz file (its first bytes are "pl\x00i""#),
            "{err}"
        );
        // A gzip magic and nothing valid after it.
        let cut = dir.path().join("cut.txt");
        std::fs::write(&cut, [0x1f, 0x8b, 8, 0, 1, 2]).unwrap();
        for threads in [1, 2] {
            let err = Counter::new(TokenOptions::words())
                .threads(threads)
                .count_path(&cut)
                .unwrap_err();
            assert!(err.to_string().contains("cut.txt"), "{err}");
        }
    }

    #[cfg(all(feature = "gzip", feature = "zstd"))]
    #[test]
    fn compressed_inputs_count_as_their_text() {
        use std::io::Write;
        let (text, tokens) = words(30_000, 5_000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&text[..], 1).unwrap();
        let distinct = tokens.iter().collect::<BTreeSet<_>>().len() as u64;
        for (name, bytes) in [("t.gz", gz), ("t.data", zst)] {
            let report = Counter::new(TokenOptions::words())
                .threads(2)
                .exact(true)
                .count_reader(std::io::Cursor::new(bytes))
                .unwrap();
            assert_eq!(report.tokens, tokens.len() as u64, "{name}");
            assert_eq!(report.bytes, text.len() as u64, "{name}");
            assert_eq!(report.distinct(), Some(distinct), "{name}");
        }
    }

    #[cfg(not(feature = "gzip"))]
    #[test]
    fn without_the_gzip_feature_a_gzip_stream_is_refused_by_name() {
        let err = Counter::new(TokenOptions::words())
            .count_reader(&[0x1f, 0x8b, 8, 0][..])
            .unwrap_err();
        assert!(err.to_string().contains("`gzip` feature"), "{err}");
    }

    #[test]
    fn progress_reaches_the_total() {
        use std::sync::Arc;
        let (text, _) = words(50_000, 1_000);
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("w.txt");
        std::fs::write(&path, &text).unwrap();
        let last = Arc::new(Mutex::new((0, None)));
        let seen = Arc::clone(&last);
        Counter::new(TokenOptions::words())
            .threads(2)
            .progress(move |done, total| {
                let mut s = seen.lock().unwrap();
                s.0 = s.0.max(done);
                s.1 = total;
            })
            .count_path(&path)
            .unwrap();
        assert_eq!(
            *last.lock().unwrap(),
            (text.len() as u64, Some(text.len() as u64))
        );
    }

    /// Issue #16: a sketch fed by the counter holds the counter's hashes, so one built with
    /// another hasher (or Murmur3 with another seed) would silently mix hash families.
    #[test]
    fn sinks_of_another_hasher_are_refused_naming_the_expected_one() {
        use crate::ScalingBloomFilter;
        let count = |counter: Counter| counter.count_bytes(b"a b c a");
        // Murmur3 seeded 5, counter seeded 0: refused, the message says what to build.
        let mut c = Counter::new(TokenOptions::words());
        let _ = c.sink(Distinct(
            HyperLogLog::with_hasher(10, Murmur3::with_seed(5)).unwrap(),
        ));
        let e = count(c).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("MurmurHash3 with seed 5") && msg.contains("Murmur3::with_seed(0)"),
            "{msg}"
        );
        // The same sketch with the counter seeded 5: accepted, and it counts.
        let mut c = Counter::new(TokenOptions::words()).seed(5);
        let h = c.sink(Distinct(
            HyperLogLog::with_hasher(10, Murmur3::with_seed(5)).unwrap(),
        ));
        assert_eq!(count(c).unwrap().take(h).0.estimate().round(), 3.0);
        // Another hash family in a filter (a RandomState), even after the seed is set.
        let mut c = Counter::new(TokenOptions::words());
        let _ = c.sink(Filter(
            ScalingBloomFilter::with_hasher(100, 0.01, std::hash::RandomState::new()).unwrap(),
        ));
        let msg = count(c.seed(3)).unwrap_err().to_string();
        assert!(
            msg.contains("hash id 2") && msg.contains("Murmur3::with_seed(3)"),
            "{msg}"
        );
        // Sinks that hash nothing themselves are not checked.
        let mut c = Counter::new(TokenOptions::words());
        let _ = c.sink(Morris::new(
            MorrisCounter::new(2.0).unwrap(),
            crate::counting::SplitMix64::new(1),
        ));
        assert!(count(c).is_ok());
    }

    /// A sink that reads no hashes (as a Morris counter) gets every token on its thread,
    /// as numbers summed over batches, and no copy of a hash.
    #[test]
    fn a_sink_that_reads_no_hashes_gets_every_token_and_no_hash() {
        #[derive(Default)]
        struct Tokens {
            tokens: u64,
            hashes: usize,
            calls: usize,
        }
        impl Sink for Tokens {
            fn insert_hashes(&mut self, hashes: &[u128], tokens: u64) {
                self.tokens += tokens;
                self.hashes += hashes.len();
                self.calls += 1;
            }
            fn reads_hashes(&self) -> bool {
                false
            }
        }
        // 1.5 M tokens: past the million at which the sums are sent, and a rest.
        let text = "a b c d e f g h i j ".repeat(150_000);
        let dir = std::env::temp_dir().join(format!("lessram-reads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.txt");
        std::fs::write(&path, &text).unwrap();
        for threads in [1, 2, 3] {
            let mut c = Counter::new(TokenOptions::words()).threads(threads);
            let t = c.sink(Tokens::default());
            let mut report = c.count_path(&path).unwrap();
            let t = report.take(t);
            assert_eq!(
                (report.tokens, t.tokens),
                (1_500_000, 1_500_000),
                "{threads}"
            );
            if threads > 1 {
                // On its own thread: sums, not batches (a batch is at most 4,096 tokens).
                assert_eq!(t.hashes, 0, "{threads}");
                assert!(
                    t.calls <= 2 * threads,
                    "{threads} threads: {} calls",
                    t.calls
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
        let m = Morris::new(
            MorrisCounter::new(2.0).unwrap(),
            crate::counting::SplitMix64::new(1),
        );
        assert!(!m.reads_hashes());
        assert!(!crate::text::Sketch::Morris(m).reads_hashes());
        let h = Distinct(HyperLogLog::new(8).unwrap());
        assert!(crate::text::Sketch::HyperLogLog(h).reads_hashes());
    }
}
