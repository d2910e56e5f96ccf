//! Reading inputs (files, readers, byte slices, `.gz` and `.zst` streams) into blocks of
//! whole tokens, on one thread or several, in constant memory.
//!
//! Regular, uncompressed files are read by position (`pread`, on Unix) so that threads read
//! at the same time; anything else is one stream, cut into blocks under a lock. Either way
//! a block ends at a separator or at the end of an input, so no token is split, and a token
//! longer than a block is hashed piece by piece.

use std::fs::File;
use std::hash::Hasher;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::options::TokenOptions;
use crate::error::{Error, Result};
use crate::hash::Murmur3Hasher;

/// Bytes read at a time; a token longer than this is hashed piece by piece. 128 KiB: on a
/// Zen 3 (512 KiB of L2 a core) a count with 256 KiB blocks took about 20% longer
/// (interleaved runs, both corpora of `benches/count.sh`); on a Sapphire Rapids the size
/// made no difference from 64 KiB to 1 MiB.
pub(crate) const BLOCK: usize = 128 << 10;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// One input of a count: a file, by path, or a reader (stdin, a socket, your own
/// decompressor), with a label for error messages. Gzip and zstd streams, by their magic
/// bytes (or a `.gz` / `.zst` name), are decompressed when the crate's `gzip` / `zstd`
/// features are on, and refused with an error naming the feature when off.
///
/// # Example
///
/// ```
/// use lessram::text::{Counter, Source, TokenOptions};
///
/// let sources = vec![
///     Source::reader("first", &b"a b"[..]),
///     Source::reader("second", &b"b c"[..]),
/// ];
/// let report = Counter::new(TokenOptions::words()).exact(true).count_sources(sources)?;
/// assert_eq!((report.tokens, report.distinct()), (4, Some(3)));
/// # Ok::<(), lessram::Error>(())
/// ```
pub enum Source {
    /// A file, read by position when it is a regular, uncompressed file, else as a stream.
    Path(PathBuf),
    /// A stream, read in order.
    Reader {
        /// The name for errors (`-` for stdin, say).
        label: String,
        /// The bytes.
        reader: Box<dyn Read + Send>,
    },
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Source::Reader { label, .. } => f.debug_struct("Reader").field("label", label).finish(),
        }
    }
}

impl Source {
    /// A file.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::Source;
    /// assert_eq!(Source::path("big.txt").label(), "big.txt");
    /// ```
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Source::Path(path.into())
    }

    /// A stream named `label` in errors.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::Source;
    /// assert_eq!(Source::reader("-", std::io::stdin()).label(), "-");
    /// ```
    pub fn reader(label: impl Into<String>, reader: impl Read + Send + 'static) -> Self {
        Source::Reader {
            label: label.into(),
            reader: Box::new(reader),
        }
    }

    /// The name for errors and reports: the path, or the reader's label.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::Source;
    /// assert_eq!(Source::path("a/b.gz").label(), "a/b.gz");
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Reader { label, .. } => label.clone(),
        }
    }
}

/// An I/O error naming what was being read: `"{label}: {e}"`.
pub(crate) fn io_error(label: &str, e: &io::Error) -> Error {
    Error::Io(io::Error::new(e.kind(), format!("{label}: {e}")))
}

/// Bytes read so far, for the progress callback.
pub(crate) struct Progress<'a> {
    done: AtomicU64,
    total: Option<u64>,
    callback: Option<&'a (dyn Fn(u64, Option<u64>) + Send + Sync)>,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(
        total: Option<u64>,
        callback: Option<&'a (dyn Fn(u64, Option<u64>) + Send + Sync)>,
    ) -> Self {
        Self {
            done: AtomicU64::new(0),
            total,
            callback,
        }
    }

    /// Records `n` more bytes read (of the input as stored: compressed bytes for a
    /// compressed stream, so that they add up to the files' sizes).
    pub(crate) fn bytes(&self, n: u64) {
        if let Some(f) = self.callback {
            let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
            f(done, self.total);
        }
    }
}

/// What a block reader feeds: whole tokens, long tokens hashed in pieces, bytes read.
pub(crate) trait Feed {
    /// Counts every token of `block`, which holds whole tokens only: it ends at a
    /// separator or at the end of the input.
    fn feed(&mut self, block: &[u8]);
    /// A token too long for a block, hashed piece by piece.
    fn long_token(&mut self) -> LongToken;
    /// Counts a token begun with [`Feed::long_token`].
    fn finish_long(&mut self, token: LongToken);
    /// Records `n` more bytes of the input read (decompressed).
    fn read_bytes(&mut self, n: u64);
}

/// A token too long for the read buffer, hashed piece by piece (the same hash as the whole
/// token in one slice); its bytes are kept only when the exact count needs them.
pub(crate) struct LongToken {
    pub(crate) hasher: Murmur3Hasher,
    pub(crate) bytes: Option<Vec<u8>>,
}

impl LongToken {
    pub(crate) fn push(&mut self, piece: &[u8]) {
        self.hasher.write(piece);
        if let Some(b) = &mut self.bytes {
            b.extend_from_slice(piece);
        }
    }
}

/// A stream opened for reading: decompressed, counting its raw bytes, naming itself in
/// errors.
pub(crate) type Stream<'p> = Box<dyn Read + Send + 'p>;

/// Opens `source` as a stream, decompressing gzip and zstd (by name or magic bytes).
pub(crate) fn open_stream<'p>(source: Source, progress: &'p Progress<'_>) -> Result<Stream<'p>> {
    let label = source.label();
    let (raw, ext): (Box<dyn Read + Send>, String) = match source {
        Source::Reader { reader, .. } => (reader, String::new()),
        Source::Path(p) => {
            let file = open_file(&p)?;
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_string();
            (Box::new(file), ext)
        }
    };
    let mut buffered = BufReader::with_capacity(
        64 << 10,
        Counting {
            inner: raw,
            progress,
        },
    );
    let head = loop {
        match buffered.fill_buf() {
            Ok(buf) => break buf[..buf.len().min(4)].to_vec(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(&label, &e)),
        }
    };
    let reader: Box<dyn Read + Send + 'p> = if head.starts_with(&GZIP_MAGIC) {
        gzip(buffered, &label)?
    } else if head.starts_with(&ZSTD_MAGIC) {
        zstd(buffered, &label)?
    } else if ext == "gz" || ext == "zst" {
        return Err(Error::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{label}: not a {ext} file (its first bytes are {}, not the {ext} magic)",
                escaped(&head)
            ),
        )));
    } else {
        Box::new(buffered)
    };
    Ok(Box::new(Labelled {
        inner: reader,
        label,
    }))
}

/// Bytes as text, printable ASCII as it is and the rest as `\xNN`: `"pl\x00"`.
pub(crate) fn escaped(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        s.extend(std::ascii::escape_default(b).map(char::from));
    }
    s.push('"');
    s
}

/// A gzip stream (every member), decompressed.
#[cfg(feature = "gzip")]
fn gzip<'p, R: BufRead + Send + 'p>(r: R, _label: &str) -> Result<Box<dyn Read + Send + 'p>> {
    Ok(Box::new(flate2::bufread::MultiGzDecoder::new(r)))
}

/// Without the `gzip` feature: an error saying so.
#[cfg(not(feature = "gzip"))]
fn gzip<'p, R: BufRead + Send + 'p>(_: R, label: &str) -> Result<Box<dyn Read + Send + 'p>> {
    Err(Error::Io(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{label}: gzip-compressed, and lessram was built without its `gzip` feature"),
    )))
}

/// A zstd stream, decompressed.
#[cfg(feature = "zstd")]
fn zstd<'p, R: BufRead + Send + 'p>(r: R, label: &str) -> Result<Box<dyn Read + Send + 'p>> {
    let d = zstd::stream::read::Decoder::with_buffer(r).map_err(|e| io_error(label, &e))?;
    Ok(Box::new(d))
}

/// Without the `zstd` feature: an error saying so.
#[cfg(not(feature = "zstd"))]
fn zstd<'p, R: BufRead + Send + 'p>(_: R, label: &str) -> Result<Box<dyn Read + Send + 'p>> {
    Err(Error::Io(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{label}: zstd-compressed, and lessram was built without its `zstd` feature"),
    )))
}

/// Opens a file for reading, refusing a directory with an error that says so.
fn open_file(path: &Path) -> Result<File> {
    let label = path.display().to_string();
    let file = File::open(path).map_err(|e| io_error(&label, &e))?;
    let meta = file.metadata().map_err(|e| io_error(&label, &e))?;
    if meta.is_dir() {
        return Err(Error::Io(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{label}: is a directory, not a file"),
        )));
    }
    Ok(file)
}

/// Counts the raw bytes read, for the progress callback.
struct Counting<'p, 'c, R> {
    inner: R,
    progress: &'p Progress<'c>,
}

impl<R: Read> Read for Counting<'_, '_, R> {
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

/// `read` that retries on `Interrupted`.
fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Opens the next stream of a count, if any.
pub(crate) type NextStream<'a> = Box<dyn FnMut() -> Result<Option<Stream<'a>>> + Send + 'a>;

/// Cuts a sequence of streams into blocks that end at a separator or at the end of a
/// stream, so that no token is split between blocks; the counting threads take blocks from
/// it in turn. A token longer than a block is hashed piece by piece into the tally of the
/// thread that meets it.
pub(crate) struct Blocks<'a> {
    opts: TokenOptions,
    next_stream: NextStream<'a>,
    current: Option<Stream<'a>>,
    /// The bytes after the last separator of the previous block: the start of the next.
    carry: Vec<u8>,
    /// Every input is read, or reading failed.
    done: bool,
}

impl<'a> Blocks<'a> {
    pub(crate) fn new(opts: TokenOptions, next_stream: NextStream<'a>) -> Self {
        Self {
            opts,
            next_stream,
            current: None,
            carry: Vec::with_capacity(BLOCK),
            done: false,
        }
    }

    /// Fills `buf` (of [`BLOCK`] bytes) with the next block and returns its length, or
    /// `None` once every input is read. After an error, `None` from then on.
    pub(crate) fn next_block(
        &mut self,
        buf: &mut [u8],
        feed: &mut dyn Feed,
    ) -> Result<Option<usize>> {
        if self.done {
            return Ok(None);
        }
        let next = self.fill(buf, feed);
        if next.is_err() {
            self.done = true;
        }
        next
    }

    fn fill(&mut self, buf: &mut [u8], feed: &mut dyn Feed) -> Result<Option<usize>> {
        let mut filled = self.carry.len();
        buf[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        loop {
            let Some(reader) = self.current.as_mut() else {
                match (self.next_stream)()? {
                    Some(r) => self.current = Some(r),
                    None => {
                        self.done = true;
                        return Ok((filled > 0).then_some(filled));
                    }
                }
                continue;
            };
            let n = read_some(reader, &mut buf[filled..]).map_err(Error::Io)?;
            feed.read_bytes(n as u64);
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
            let mut long = feed.long_token();
            long.push(buf);
            filled = 0;
            loop {
                let n = read_some(reader, buf).map_err(Error::Io)?;
                feed.read_bytes(n as u64);
                if self.opts.lowercase {
                    buf[..n].make_ascii_lowercase();
                }
                if n == 0 {
                    feed.finish_long(long);
                    break;
                }
                if let Some(p) = buf[..n].iter().position(|&b| self.opts.is_separator(b)) {
                    long.push(&buf[..p]);
                    feed.finish_long(long);
                    // Drop the separator: in lines mode it would start an empty line.
                    buf.copy_within(p + 1..n, 0);
                    filled = n - p - 1;
                    break;
                }
                long.push(&buf[..n]);
            }
        }
    }
}

/// A regular file of `size` bytes, open for reading by position.
pub(crate) struct Positional {
    file: File,
    pub(crate) size: u64,
    label: String,
}

/// Every source opened for reading by position, or `None` if one of them cannot be: a
/// reader, a FIFO or device, a compressed file, a name ending in `.gz` or `.zst` (whose
/// error the stream path reports), a file of size 0 (which may be a pseudo-file with
/// contents, as in `/proc`, or empty, which the stream path counts as well), or any file
/// on a system without positional reads. A file is counted as far as its size when it was
/// opened.
pub(crate) fn open_positional(sources: &[Source]) -> Result<Option<Vec<Positional>>> {
    if !cfg!(unix) {
        return Ok(None);
    }
    let mut files = Vec::with_capacity(sources.len());
    for source in sources {
        let Source::Path(path) = source else {
            return Ok(None);
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "gz" | "zst") {
            return Ok(None);
        }
        let label = path.display().to_string();
        // Not opened unless regular: opening a FIFO would wait for its writer, and the
        // stream path opens it again.
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() && m.len() > 0 => {}
            _ => return Ok(None),
        }
        let file = open_file(path)?;
        let meta = file.metadata().map_err(|e| io_error(&label, &e))?;
        if !meta.is_file() || meta.len() == 0 {
            return Ok(None);
        }
        let mut head = [0u8; 4];
        let n = read_full_at(&file, &mut head, 0).map_err(|e| io_error(&label, &e))?;
        if head[..n].starts_with(&GZIP_MAGIC) || head[..n].starts_with(&ZSTD_MAGIC) {
            return Ok(None);
        }
        files.push(Positional {
            file,
            size: meta.len(),
            label,
        });
    }
    Ok(Some(files))
}

/// One thread's buffers for reading blocks by position.
///
/// A file is cut into blocks of a fixed size, which threads claim in turn. A block counts
/// the tokens that *start* in it: it skips the end of a token begun in the block before
/// (it reads the byte before its start to tell), and reads on past its end to finish its
/// last token (hashed piece by piece, like any token longer than a block, if it runs on
/// for more than a block). So every token is counted once, whole, by one thread, and every
/// byte is read (counted in the bytes read) by the block it lies in.
pub(crate) struct BlockReader {
    /// A block and the byte before it.
    buf: Vec<u8>,
    /// The last token of a block, finished from the next block's bytes.
    token: Vec<u8>,
    opts: TokenOptions,
}

impl BlockReader {
    pub(crate) fn new(opts: TokenOptions, block: usize) -> Self {
        Self {
            buf: vec![0; block + 1],
            token: Vec::new(),
            opts,
        }
    }

    /// Counts the tokens that start in `file[start..start + block]`.
    pub(crate) fn count_block(
        &mut self,
        file: &Positional,
        start: u64,
        block: usize,
        feed: &mut dyn Feed,
        progress: &Progress<'_>,
    ) -> Result<()> {
        let opts = self.opts;
        let end = (start + block as u64).min(file.size);
        // The byte before the block says whether it starts inside a token.
        let lead = usize::from(start > 0);
        let want = lead + (end - start) as usize;
        let n = read_full_at(&file.file, &mut self.buf[..want], start - lead as u64)
            .map_err(|e| io_error(&format!("reading {}", file.label), &e))?;
        let own = n.saturating_sub(lead) as u64;
        progress.bytes(own);
        feed.read_bytes(own);
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
            feed.feed(whole);
        }
        if tail.is_empty() {
            return Ok(());
        }
        if n < want || end == file.size {
            // The end of the file ends the last token.
            feed.feed(tail);
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
                .map_err(|e| io_error(&format!("reading {}", file.label), &e))?;
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
                        let mut l = feed.long_token();
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
            Some(l) => feed.finish_long(l),
            None => feed.feed(&self.token),
        }
        Ok(())
    }
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns the bytes
/// read.
#[cfg(unix)]
fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
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

/// No positional reads here: [`open_positional`] leaves every file to the stream path.
#[cfg(not(unix))]
fn read_full_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}
