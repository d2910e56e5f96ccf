//! Opening inputs (files, stdin, `.gz`, `.zst`) and streaming them through the tokenizer,
//! on one thread or several, in constant memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::ScopedJoinHandle;

use anyhow::{Context, bail};
use flate2::read::MultiGzDecoder;

use crate::progress::Progress;
use crate::tokenize::{LongToken, Options, Tally};

/// Bytes read at a time; a token longer than this is hashed piece by piece.
pub(crate) const BLOCK: usize = 256 << 10;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// One input named on the command line, checked before anything is read.
#[derive(Debug)]
pub(crate) struct Input {
    /// `None` for stdin.
    path: Option<PathBuf>,
    /// The size on disk of a regular file.
    pub(crate) size: Option<u64>,
    /// Whether the name says it is compressed (magic bytes are checked too, on opening).
    pub(crate) compressed_name: bool,
}

impl Input {
    /// Checks that `name` (`-` for stdin) can be read: it exists and is not a directory.
    /// FIFOs and character devices are read as streams.
    pub(crate) fn check(name: &Path) -> anyhow::Result<Input> {
        if name.as_os_str() == "-" {
            return Ok(Input {
                path: None,
                size: None,
                compressed_name: false,
            });
        }
        let meta = std::fs::metadata(name).with_context(|| name.display().to_string())?;
        if meta.is_dir() {
            bail!("{}: is a directory, not a file", name.display());
        }
        let ext = name.extension().and_then(|e| e.to_str()).unwrap_or("");
        Ok(Input {
            path: Some(name.to_path_buf()),
            size: meta.is_file().then_some(meta.len()),
            compressed_name: matches!(ext, "gz" | "zst"),
        })
    }

    /// The name for messages.
    pub(crate) fn label(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "-".to_string(), |p| p.display().to_string())
    }

    /// Opens the input, decompressing `.gz` and `.zst` (by name or by magic bytes).
    pub(crate) fn open<'p>(
        &self,
        progress: &'p Progress,
    ) -> anyhow::Result<Box<dyn Read + Send + 'p>> {
        let label = self.label();
        let raw: Box<dyn Read + Send> = match &self.path {
            None => Box::new(io::stdin()),
            Some(p) => Box::new(File::open(p).with_context(|| label.clone())?),
        };
        let mut buffered = BufReader::with_capacity(
            64 << 10,
            Counting {
                inner: raw,
                progress,
            },
        );
        let head = fill_at_least(&mut buffered, 4).with_context(|| format!("reading {label}"))?;
        let ext = self
            .path
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .unwrap_or("");
        let reader: Box<dyn Read + Send + 'p> = if head.starts_with(&GZIP_MAGIC) {
            Box::new(MultiGzDecoder::new(buffered))
        } else if head.starts_with(&ZSTD_MAGIC) {
            Box::new(
                zstd::stream::read::Decoder::with_buffer(buffered)
                    .with_context(|| label.clone())?,
            )
        } else if ext == "gz" || ext == "zst" {
            bail!("{label}: not a {ext} file (its first bytes are not the {ext} magic)");
        } else {
            Box::new(buffered)
        };
        Ok(Box::new(Labelled {
            inner: reader,
            label,
        }))
    }
}

/// Fills the buffer until it holds `n` bytes or the input ends; returns what it holds.
fn fill_at_least<R: Read>(r: &mut BufReader<R>, n: usize) -> io::Result<Vec<u8>> {
    let buf = r.fill_buf()?;
    if buf.len() >= n || buf.is_empty() {
        return Ok(buf[..buf.len().min(n)].to_vec());
    }
    // A short first read (a pipe): peek what we have; magic bytes come in the first write.
    Ok(buf.to_vec())
}

/// Counts the raw bytes read, for the progress bar (compressed bytes for compressed input,
/// so that the bar's total is the file size).
struct Counting<'p, R> {
    inner: R,
    progress: &'p Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes(n as u64);
        Ok(n)
    }
}

/// Names the input in read errors ("reading x.gz: corrupt deflate stream").
struct Labelled<R> {
    inner: R,
    label: String,
}

impl<R: Read> Read for Labelled<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), format!("reading {}: {e}", self.label)))
    }
}

/// Where full blocks go: counted at once on this thread, or sent to workers.
pub(crate) trait Sink {
    /// An empty block of [`BLOCK`] bytes.
    fn take(&mut self) -> Vec<u8>;
    /// Counts `block[..len]`, which ends at a separator or at the end of an input.
    fn send(&mut self, block: Vec<u8>, len: usize, tally: &mut Tally);
}

/// Counts blocks on the calling thread, reusing one block.
pub(crate) struct Inline<'a> {
    pub(crate) opts: Options,
    pub(crate) progress: &'a Progress,
    pub(crate) spare: Option<Vec<u8>>,
}

impl Sink for Inline<'_> {
    fn take(&mut self) -> Vec<u8> {
        self.spare.take().unwrap_or_else(|| vec![0; BLOCK])
    }
    fn send(&mut self, block: Vec<u8>, len: usize, tally: &mut Tally) {
        let before = tally.tokens;
        tally.feed(&block[..len], self.opts);
        self.progress.tokens(tally.tokens - before);
        self.spare = Some(block);
    }
}

/// Sends blocks to worker threads; at most `max` blocks exist at once (constant memory).
pub(crate) struct ToWorkers {
    tx: Option<SyncSender<(Vec<u8>, usize)>>,
    returned: Receiver<Vec<u8>>,
    allocated: usize,
    max: usize,
}

impl Sink for ToWorkers {
    fn take(&mut self) -> Vec<u8> {
        if let Ok(b) = self.returned.try_recv() {
            return b;
        }
        if self.allocated < self.max {
            self.allocated += 1;
            return vec![0; BLOCK];
        }
        // Every worker holds a block: wait for one back (a worker cannot have gone away
        // while we hold the sender, except by panicking, when a fresh block does no harm).
        self.returned.recv().unwrap_or_else(|_| vec![0; BLOCK])
    }
    fn send(&mut self, block: Vec<u8>, len: usize, _tally: &mut Tally) {
        if let Some(tx) = &self.tx {
            // The workers only stop when we drop the sender.
            let _ = tx.send((block, len));
        }
    }
}

/// Reads `reader` to its end in blocks cut after the last separator, hands full blocks to
/// `sink`, and hashes any token longer than a block piece by piece into `tally`.
pub(crate) fn pump(
    reader: &mut dyn Read,
    opts: Options,
    keep_bytes: bool,
    tally: &mut Tally,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut buf = sink.take();
    let mut filled = 0;
    loop {
        let n = read_some(reader, &mut buf[filled..])?;
        if opts.lowercase {
            buf[filled..filled + n].make_ascii_lowercase();
        }
        if n == 0 {
            if filled > 0 {
                sink.send(buf, filled, tally);
            }
            return Ok(());
        }
        filled += n;
        if filled < BLOCK {
            continue;
        }
        match buf.iter().rposition(|&b| opts.is_separator(b)) {
            Some(p) => {
                let mut next = sink.take();
                let carry = BLOCK - (p + 1);
                next[..carry].copy_from_slice(&buf[p + 1..]);
                sink.send(buf, p + 1, tally);
                buf = next;
                filled = carry;
            }
            None => {
                // The whole block is one token: hash it in pieces until it ends.
                let mut long = LongToken::new(keep_bytes);
                long.push(&buf);
                filled = 0;
                loop {
                    let n = read_some(reader, &mut buf)?;
                    if opts.lowercase {
                        buf[..n].make_ascii_lowercase();
                    }
                    if n == 0 {
                        long.finish(tally);
                        break;
                    }
                    if let Some(p) = buf[..n].iter().position(|&b| opts.is_separator(b)) {
                        long.push(&buf[..p]);
                        long.finish(tally);
                        // Drop the separator: in `--lines` mode it would start an empty line.
                        buf.copy_within(p + 1..n, 0);
                        filled = n - p - 1;
                        break;
                    }
                    long.push(&buf[..n]);
                }
            }
        }
    }
}

/// `read` that retries on `Interrupted`.
fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Counts `inputs` in order on `threads` threads: this thread reads (and decompresses), the
/// workers tokenize, hash and insert, each into its own tally; the tallies are merged at the
/// end, so the mergeable estimators end exactly as on one thread.
pub(crate) fn count_inputs(
    inputs: &[Input],
    opts: Options,
    keep_bytes: bool,
    threads: usize,
    make_tally: &(dyn Fn() -> anyhow::Result<Tally> + Sync),
    progress: &Progress,
) -> anyhow::Result<Tally> {
    let mut tally = make_tally()?;
    if threads <= 1 {
        let mut sink = Inline {
            opts,
            progress,
            spare: None,
        };
        for input in inputs {
            let mut r = input.open(progress)?;
            pump(&mut r, opts, keep_bytes, &mut tally, &mut sink)?;
        }
        return Ok(tally);
    }
    let mut worker_tallies = Vec::with_capacity(threads);
    for _ in 0..threads {
        worker_tallies.push(make_tally()?);
    }
    let (tx, rx) = sync_channel::<(Vec<u8>, usize)>(threads);
    let rx = Arc::new(Mutex::new(rx));
    let (ret_tx, ret_rx) = channel::<Vec<u8>>();
    let result = std::thread::scope(|s| {
        let handles: Vec<_> = worker_tallies
            .into_iter()
            .map(|mut t| {
                let rx = Arc::clone(&rx);
                let ret_tx = ret_tx.clone();
                s.spawn(move || {
                    loop {
                        let msg = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => break,
                        };
                        let Ok((block, len)) = msg else { break };
                        let before = t.tokens;
                        t.feed(&block[..len], opts);
                        progress.tokens(t.tokens - before);
                        let _ = ret_tx.send(block);
                    }
                    t
                })
            })
            .collect();
        let mut sink = ToWorkers {
            tx: Some(tx),
            returned: ret_rx,
            allocated: 0,
            max: 2 * threads + 2,
        };
        let read: anyhow::Result<()> = (|| {
            for input in inputs {
                let mut r = input.open(progress)?;
                pump(&mut r, opts, keep_bytes, &mut tally, &mut sink)?;
            }
            Ok(())
        })();
        sink.tx = None;
        let tallies: Vec<Tally> = handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect();
        read.map(|()| tallies)
    })?;
    for t in result {
        tally.merge(t)?;
    }
    Ok(tally)
}

/// Counts the sample corpus on `threads` threads, each generating its own range of tokens.
pub(crate) fn count_sample(
    corpus: &lessram::sample::SampleCorpus,
    opts: Options,
    threads: usize,
    make_tally: &(dyn Fn() -> anyhow::Result<Tally> + Sync),
    progress: &Progress,
) -> anyhow::Result<Tally> {
    let n = corpus.len();
    let threads = threads.max(1) as u64;
    let ranges: Vec<_> = (0..threads)
        .map(|i| (n * i / threads)..(n * (i + 1) / threads))
        .collect();
    let tallies: Vec<anyhow::Result<Tally>> = std::thread::scope(|s| {
        let handles: Vec<_> = ranges
            .into_iter()
            .map(|range| {
                s.spawn(move || -> anyhow::Result<Tally> {
                    let mut tally = make_tally()?;
                    let mut reader = corpus.reader_range(range);
                    let mut sink = Inline {
                        opts,
                        progress,
                        spare: None,
                    };
                    pump(&mut reader, opts, true, &mut tally, &mut sink)?;
                    Ok(tally)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    let mut iter = tallies.into_iter();
    let mut first = iter.next().expect("at least one thread")?;
    for t in iter {
        first.merge(t?)?;
    }
    Ok(first)
}

/// The single-threaded side of a multi-threaded count: a thread that feeds the estimators
/// that do not merge (Morris, scaling Bloom) with every batch of hashes the workers send.
pub(crate) struct Serial<'scope> {
    pub(crate) sender: SyncSender<Vec<u128>>,
    handle: ScopedJoinHandle<'scope, Tally>,
}

impl<'scope> Serial<'scope> {
    /// Starts the thread in `scope`, feeding `tally`.
    pub(crate) fn spawn<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        mut tally: Tally,
    ) -> Self {
        // A few batches in flight: memory stays constant, workers rarely wait.
        let (sender, rx) = sync_channel::<Vec<u128>>(8);
        let handle = scope.spawn(move || {
            for batch in rx {
                tally.insert_hashes(&batch);
            }
            tally
        });
        Self { sender, handle }
    }

    /// Waits for the thread (once every clone of the sender is gone) and returns its tally.
    pub(crate) fn join(self) -> Tally {
        drop(self.sender);
        self.handle
            .join()
            .expect("the serial counting thread panicked")
    }
}
