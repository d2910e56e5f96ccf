//! Opening inputs (files, stdin, `.gz`, `.zst`) and streaming them through the tokenizer,
//! on one thread or several, in constant memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::ScopedJoinHandle;

use anyhow::{Context, anyhow, bail};
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

/// Opens the next input of a count, if any.
type NextReader<'a> =
    Box<dyn FnMut() -> anyhow::Result<Option<Box<dyn Read + Send + 'a>>> + Send + 'a>;

/// Cuts a sequence of inputs into blocks that end at a separator or at the end of an
/// input, so that no token is split between blocks; the counting threads take blocks from
/// it in turn (see [`count_blocks`]). A token longer than a block is hashed piece by piece
/// into the tally of the thread that meets it.
struct Blocks<'a> {
    opts: Options,
    /// Whether long tokens keep their bytes (for the exact count).
    keep_bytes: bool,
    next_reader: NextReader<'a>,
    current: Option<Box<dyn Read + Send + 'a>>,
    /// The bytes after the last separator of the previous block: the start of the next.
    carry: Vec<u8>,
    /// Every input is read, or reading failed.
    done: bool,
}

impl<'a> Blocks<'a> {
    fn new(opts: Options, keep_bytes: bool, next_reader: NextReader<'a>) -> Self {
        Self {
            opts,
            keep_bytes,
            next_reader,
            current: None,
            carry: Vec::with_capacity(BLOCK),
            done: false,
        }
    }

    /// Fills `buf` (of [`BLOCK`] bytes) with the next block and returns its length, or
    /// `None` once every input is read. After an error, `None` from then on.
    fn next_block(&mut self, buf: &mut [u8], tally: &mut Tally) -> anyhow::Result<Option<usize>> {
        if self.done {
            return Ok(None);
        }
        let next = self.fill(buf, tally);
        if next.is_err() {
            self.done = true;
        }
        next
    }

    fn fill(&mut self, buf: &mut [u8], tally: &mut Tally) -> anyhow::Result<Option<usize>> {
        let mut filled = self.carry.len();
        buf[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        loop {
            let Some(reader) = self.current.as_mut() else {
                match (self.next_reader)()? {
                    Some(r) => self.current = Some(r),
                    None => {
                        self.done = true;
                        return Ok((filled > 0).then_some(filled));
                    }
                }
                continue;
            };
            let n = read_some(reader, &mut buf[filled..])?;
            if self.opts.lowercase {
                buf[filled..filled + n].make_ascii_lowercase();
            }
            if n == 0 {
                // The end of an input ends its last token.
                self.current = None;
                if filled > 0 {
                    return Ok(Some(filled));
                }
                continue;
            }
            filled += n;
            if filled < buf.len() {
                continue;
            }
            if let Some(p) = buf.iter().rposition(|&b| self.opts.is_separator(b)) {
                self.carry.extend_from_slice(&buf[p + 1..]);
                return Ok(Some(p + 1));
            }
            // The whole block is one token: hash it in pieces until it ends.
            let mut long = LongToken::new(self.keep_bytes);
            long.push(buf);
            filled = 0;
            loop {
                let n = read_some(reader, buf)?;
                if self.opts.lowercase {
                    buf[..n].make_ascii_lowercase();
                }
                if n == 0 {
                    long.finish(tally);
                    break;
                }
                if let Some(p) = buf[..n].iter().position(|&b| self.opts.is_separator(b)) {
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

/// `read` that retries on `Interrupted`.
fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Counts every block of `blocks` on `threads` threads, each with its own tally and block
/// buffer, merged at the end (so the mergeable estimators end exactly as on one thread).
/// There is no reading thread: a thread that needs a block reads it (and decompresses it)
/// itself, under a lock, then counts it while another reads. `threads` threads keep
/// `threads` cores busy, and memory stays one block per thread.
fn count_blocks(
    blocks: Blocks<'_>,
    threads: usize,
    make_tally: &(dyn Fn() -> anyhow::Result<Tally> + Sync),
    progress: &Progress,
) -> anyhow::Result<Tally> {
    let opts = blocks.opts;
    let blocks = Mutex::new(blocks);
    let work = |mut tally: Tally| -> anyhow::Result<Tally> {
        let mut buf = vec![0; BLOCK];
        loop {
            let next = blocks
                .lock()
                .map_err(|_| anyhow!("a counting thread panicked"))?
                .next_block(&mut buf, &mut tally)?;
            let Some(len) = next else {
                return Ok(tally);
            };
            let before = tally.tokens;
            tally.feed(&buf[..len], opts);
            progress.tokens(tally.tokens - before);
        }
    };
    on_threads(threads, make_tally, work)
}

/// Runs `work` on `threads` threads (on this one for one), each with its own tally, and
/// merges their tallies (so the mergeable estimators end exactly as on one thread).
fn on_threads(
    threads: usize,
    make_tally: &(dyn Fn() -> anyhow::Result<Tally> + Sync),
    work: impl Fn(Tally) -> anyhow::Result<Tally> + Sync,
) -> anyhow::Result<Tally> {
    if threads <= 1 {
        return work(make_tally()?);
    }
    let tallies = (0..threads)
        .map(|_| make_tally())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let work = &work;
    let counted: Vec<anyhow::Result<Tally>> = std::thread::scope(|s| {
        let handles: Vec<_> = tallies
            .into_iter()
            .map(|t| s.spawn(move || work(t)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    merge_all(counted)
}

/// Merges the tallies of several threads into the first (the first error wins).
fn merge_all(tallies: Vec<anyhow::Result<Tally>>) -> anyhow::Result<Tally> {
    let mut tallies = tallies.into_iter();
    let mut tally = tallies.next().expect("at least one thread")?;
    for t in tallies {
        tally.merge(t?)?;
    }
    Ok(tally)
}

/// Counts `inputs` on `threads` threads: by position when every input is a regular,
/// uncompressed file (see [`positional`]), else as one stream cut into blocks (see
/// [`count_blocks`]).
pub(crate) fn count_inputs(
    inputs: &[Input],
    opts: Options,
    keep_bytes: bool,
    threads: usize,
    make_tally: &(dyn Fn() -> anyhow::Result<Tally> + Sync),
    progress: &Progress,
) -> anyhow::Result<Tally> {
    #[cfg(unix)]
    if let Some(files) = positional::open_all(inputs)? {
        return positional::count(
            &files, opts, keep_bytes, threads, BLOCK, make_tally, progress,
        );
    }
    let mut inputs = inputs.iter();
    let next: NextReader<'_> =
        Box::new(move || inputs.next().map(|i| i.open(progress)).transpose());
    count_blocks(
        Blocks::new(opts, keep_bytes, next),
        threads,
        make_tally,
        progress,
    )
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
                    let mut reader: Option<Box<dyn Read + Send>> =
                        Some(Box::new(corpus.reader_range(range)));
                    let next: NextReader<'_> = Box::new(move || Ok(reader.take()));
                    count_blocks(Blocks::new(opts, true, next), 1, make_tally, progress)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    merge_all(tallies)
}

/// The single-threaded side of a multi-threaded count: a thread that feeds the estimators
/// that do not merge (Morris, scaling Bloom) with every batch of hashes the workers send.
pub(crate) struct Serial<'scope> {
    pub(crate) sender: SyncSender<(Vec<u128>, u64)>,
    handle: ScopedJoinHandle<'scope, Tally>,
}

impl<'scope> Serial<'scope> {
    /// Starts the thread in `scope`, feeding `tally`.
    pub(crate) fn spawn<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        mut tally: Tally,
    ) -> Self {
        // A few batches in flight: memory stays constant, workers rarely wait.
        let (sender, rx) = sync_channel::<(Vec<u128>, u64)>(8);
        let handle = scope.spawn(move || {
            for (batch, tokens) in rx {
                tally.insert_hashes(&batch, tokens);
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

/// Regular, uncompressed files read by position (`pread`), so that the counting threads
/// read their blocks at the same time: with one stream, each thread reads its next block
/// under a lock (the block's end must be known before the next begins), and the kernel's
/// copy of the bytes, a quarter of a single thread's time, is done one thread at a time.
///
/// A file is cut into blocks of a fixed size, which threads claim in turn. A block counts
/// the tokens that *start* in it: it skips the end of a token begun in the block before
/// (it reads the byte before its start to tell), and reads on past its end to finish its
/// last token (hashed piece by piece, like any token longer than a block, if it runs on
/// for more than a block). So every token is counted once, whole, by one thread.
#[cfg(unix)]
mod positional {
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::FileExt;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    use anyhow::Context;

    use super::{GZIP_MAGIC, Input, ZSTD_MAGIC, on_threads};
    use crate::progress::Progress;
    use crate::tokenize::{LongToken, Options, Tally};

    /// A regular file of `size` bytes, open.
    pub(super) struct Positional {
        file: File,
        size: u64,
        label: String,
    }

    /// Every input opened for reading by position, or `None` if one of them cannot be:
    /// stdin, a FIFO or device, a compressed file, a name ending in `.gz` or `.zst` (whose
    /// error the stream path reports), or a file of size 0 (which may be a pseudo-file with
    /// contents, as in `/proc`, or empty, which the stream path counts as well). A file is
    /// counted as far as its size when it was opened.
    pub(super) fn open_all(inputs: &[Input]) -> anyhow::Result<Option<Vec<Positional>>> {
        let mut files = Vec::with_capacity(inputs.len());
        for input in inputs {
            let (Some(path), Some(_), false) = (&input.path, input.size, input.compressed_name)
            else {
                return Ok(None);
            };
            let label = input.label();
            let file = File::open(path).with_context(|| label.clone())?;
            // The size now, not when the name was checked.
            let size = file.metadata().with_context(|| label.clone())?.len();
            if size == 0 {
                return Ok(None);
            }
            let mut head = [0u8; 4];
            let n =
                read_full_at(&file, &mut head, 0).with_context(|| format!("reading {label}"))?;
            if head[..n].starts_with(&GZIP_MAGIC) || head[..n].starts_with(&ZSTD_MAGIC) {
                return Ok(None);
            }
            files.push(Positional { file, size, label });
        }
        Ok(Some(files))
    }

    /// Counts every token of `files` on `threads` threads, in blocks of `block` bytes, each
    /// thread with its own tally (merged at the end, so the mergeable estimators end exactly
    /// as on one thread).
    pub(super) fn count(
        files: &[Positional],
        opts: Options,
        keep_bytes: bool,
        threads: usize,
        block: usize,
        make_tally: &(dyn Fn() -> anyhow::Result<Tally> + Sync),
        progress: &Progress,
    ) -> anyhow::Result<Tally> {
        // The first global block number of each file, and the total.
        let mut firsts = Vec::with_capacity(files.len());
        let mut total = 0u64;
        for f in files {
            firsts.push(total);
            total += f.size.div_ceil(block as u64);
        }
        let next = AtomicU64::new(0);
        let failed = AtomicBool::new(false);
        let work = |mut tally: Tally| -> anyhow::Result<Tally> {
            let mut reader = BlockReader {
                buf: vec![0; block + 1],
                token: Vec::new(),
                opts,
                keep_bytes,
            };
            loop {
                // After another thread's error, stop; that error is the one reported.
                if failed.load(Ordering::Relaxed) {
                    return Ok(tally);
                }
                let g = next.fetch_add(1, Ordering::Relaxed);
                if g >= total {
                    return Ok(tally);
                }
                let f = firsts.partition_point(|&first| first <= g) - 1;
                let before = tally.tokens;
                let counted = reader.count_block(
                    &files[f],
                    (g - firsts[f]) * block as u64,
                    block,
                    &mut tally,
                    progress,
                );
                progress.tokens(tally.tokens - before);
                if let Err(e) = counted {
                    failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        };
        on_threads(threads, make_tally, work)
    }

    /// One thread's buffers.
    struct BlockReader {
        /// A block and the byte before it.
        buf: Vec<u8>,
        /// The last token of a block, finished from the next block's bytes.
        token: Vec<u8>,
        opts: Options,
        keep_bytes: bool,
    }

    impl BlockReader {
        /// Counts the tokens that start in `file[start..start + block]`.
        fn count_block(
            &mut self,
            file: &Positional,
            start: u64,
            block: usize,
            tally: &mut Tally,
            progress: &Progress,
        ) -> anyhow::Result<()> {
            let opts = self.opts;
            let end = (start + block as u64).min(file.size);
            // The byte before the block says whether it starts inside a token.
            let lead = usize::from(start > 0);
            let want = lead + (end - start) as usize;
            let n = read_full_at(&file.file, &mut self.buf[..want], start - lead as u64)
                .with_context(|| format!("reading {}", file.label))?;
            progress.bytes(n.saturating_sub(lead) as u64);
            let data = &mut self.buf[..n];
            if opts.lowercase {
                data.make_ascii_lowercase();
            }
            let mut from = lead.min(n);
            if lead == 1 && n > 0 && !opts.is_separator(data[0]) {
                // The end of a token (or line) begun before: its block counts it.
                match data[1..].iter().position(|&b| opts.is_separator(b)) {
                    // A line starts after its `\n`; words may start at a separator.
                    Some(q) => from = 1 + q + usize::from(opts.lines),
                    None => return Ok(()),
                }
            }
            let body = &data[from..];
            let (whole, tail) = match body.iter().rposition(|&b| opts.is_separator(b)) {
                Some(p) => body.split_at(p + 1),
                None => body.split_at(0),
            };
            if !whole.is_empty() {
                tally.feed(whole, opts);
            }
            if tail.is_empty() {
                return Ok(());
            }
            if n < want || end == file.size {
                // The end of the file ends the last token.
                tally.feed(tail, opts);
                return Ok(());
            }
            // The last token runs on into the next block: read on to its end.
            self.token.clear();
            self.token.extend_from_slice(tail);
            let mut long: Option<LongToken> = None;
            let mut at = end;
            // A token usually ends within a few bytes: read a little first, then blocks.
            let mut piece = 256.min(self.buf.len());
            loop {
                let k = read_full_at(&file.file, &mut self.buf[..piece], at)
                    .with_context(|| format!("reading {}", file.label))?;
                let read = &mut self.buf[..k];
                if opts.lowercase {
                    read.make_ascii_lowercase();
                }
                let stop = read.iter().position(|&b| opts.is_separator(b));
                let part = &read[..stop.unwrap_or(k)];
                match &mut long {
                    None if self.token.len() + part.len() <= block => {
                        self.token.extend_from_slice(part);
                    }
                    _ => long
                        .get_or_insert_with(|| {
                            let mut l = LongToken::new(self.keep_bytes);
                            l.push(&self.token);
                            l
                        })
                        .push(part),
                }
                if stop.is_some() || k < piece {
                    break;
                }
                at += k as u64;
                piece = self.buf.len();
            }
            match long {
                Some(l) => l.finish(tally),
                None => tally.feed(&self.token, opts),
            }
            Ok(())
        }
    }

    /// Reads into `buf` from `offset` until it is full or the file ends; returns the bytes
    /// read.
    fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match file.read_at(&mut buf[filled..], offset + filled as u64) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    }

    #[cfg(test)]
    mod tests {
        use std::collections::BTreeSet;
        use std::io::Write;

        use super::*;
        use crate::exact::ExactSet;
        use crate::input::Input;
        use crate::tokenize::is_space;

        /// The tokens (with repeats) and distinct tokens of `text` as the stream path sees
        /// them.
        fn reference(text: &[u8], opts: Options) -> (u64, BTreeSet<Vec<u8>>) {
            let text = if opts.lowercase {
                text.to_ascii_lowercase()
            } else {
                text.to_vec()
            };
            let tokens: Vec<&[u8]> = if opts.lines {
                let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
                if lines.last() == Some(&&b""[..]) {
                    lines.pop();
                }
                lines
            } else {
                text.split(|&b| is_space(b))
                    .filter(|t| !t.is_empty())
                    .collect()
            };
            let distinct = tokens.iter().map(|t| t.to_vec()).collect();
            (tokens.len() as u64, distinct)
        }

        /// Counts `texts`, one file each, by position in blocks of `block` bytes.
        fn count_files(
            texts: &[Vec<u8>],
            opts: Options,
            threads: usize,
            block: usize,
        ) -> (u64, BTreeSet<Vec<u8>>) {
            let dir = tempfile::TempDir::new().unwrap();
            let inputs: Vec<Input> = texts
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let path = dir.path().join(format!("{i}.txt"));
                    std::fs::File::create(&path)
                        .unwrap()
                        .write_all(text)
                        .unwrap();
                    Input::check(&path).unwrap()
                })
                .collect();
            let files = open_all(&inputs).unwrap().expect("regular files");
            let make_tally = || Ok(Tally::new(Vec::new(), Some(ExactSet::default()), false));
            let tally = count(
                &files,
                opts,
                true,
                threads,
                block,
                &make_tally,
                &Progress::new(None, false),
            )
            .unwrap();
            let exact = tally.exact.as_ref().unwrap();
            (tally.tokens, exact.tokens().map(<[u8]>::to_vec).collect())
        }

        #[test]
        fn every_token_is_counted_once_whatever_the_blocks() {
            let mut state = 5u64;
            let mut next = move || {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 33) as usize
            };
            for round in 0..300 {
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
                let block = [1, 2, 3, 5, 8, 13, 64][round % 7];
                for (lines, lowercase) in
                    [(false, false), (true, false), (false, true), (true, true)]
                {
                    let opts = Options { lines, lowercase };
                    let mut want = (0, BTreeSet::new());
                    for text in &texts {
                        let (n, d) = reference(text, opts);
                        want.0 += n;
                        want.1.extend(d);
                    }
                    for threads in [1, 2] {
                        assert_eq!(
                            count_files(&texts, opts, threads, block),
                            want,
                            "round {round}, block {block}, {opts:?}, {threads} threads"
                        );
                    }
                }
            }
        }

        #[test]
        fn compressed_and_special_inputs_are_left_to_the_stream() {
            let dir = tempfile::TempDir::new().unwrap();
            let gz = dir.path().join("x.txt");
            std::fs::write(&gz, [0x1f, 0x8b, 8, 0]).unwrap();
            assert!(open_all(&[Input::check(&gz).unwrap()]).unwrap().is_none());
            let named = dir.path().join("y.gz");
            std::fs::write(&named, b"plain").unwrap();
            assert!(
                open_all(&[Input::check(&named).unwrap()])
                    .unwrap()
                    .is_none()
            );
            let empty = dir.path().join("empty.txt");
            std::fs::write(&empty, b"").unwrap();
            assert!(
                open_all(&[Input::check(&empty).unwrap()])
                    .unwrap()
                    .is_none()
            );
            let stdin = Input::check(std::path::Path::new("-")).unwrap();
            assert!(open_all(&[stdin]).unwrap().is_none());
        }
    }
}
