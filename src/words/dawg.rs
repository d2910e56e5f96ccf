//! Immutable minimal automata (DAWGs) over words, on the `fst` crate.
//!
//! # Storage
//!
//! A [`Dawg`] or [`DawgMap`] *is* its saved form: one lessram frame (see
//! [`codec`](crate::codec)) whose payload is the `fst` automaton's bytes. The builder writes
//! the automaton straight after the frame header into one `Vec<u8>`, which is then shrunk to
//! fit, so the heap is the automaton plus 40 bytes and saving is one `write`. Opening checks
//! the frame (magic, version, kind, lengths, CRC-32 over every byte) and fst's own header,
//! then queries read the payload in place: the bytes may be a `Vec<u8>`, a `&[u8]` or a
//! memory map (see [`Dawg::open`]).

use std::fmt;
use std::ops::{Bound, RangeBounds};
use std::path::Path;

use fst::raw::{Builder, Fst, Output};
use fst::{IntoStreamer, Streamer};

use crate::codec::{Codec, Decoder, HEADER_LEN, Kind, MAGIC, UNHASHED};
use crate::error::{Error, Result};
use crate::words::fst_check::{check_automaton, check_trailer};
use crate::words::levenshtein::Levenshtein;
use crate::words::trie::Trie;
use crate::{MemoryUsage, WordStore};

/// Offset of the payload in a Dawg frame: header, 8 bytes of parameters, payload length.
const PAYLOAD_START: usize = HEADER_LEN + 8 + 8;

/// The payload of a frame held in `D`: what `fst` reads, without copying.
#[derive(Clone)]
pub(crate) struct FrameBytes<D> {
    data: D,
    end: usize,
}

impl<D: AsRef<[u8]>> AsRef<[u8]> for FrameBytes<D> {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        &self.data.as_ref()[PAYLOAD_START..self.end]
    }
}

/// A frame header for `kind` with placeholders for the word count and payload length.
fn frame_writer(kind: Kind) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 * 1024);
    v.extend_from_slice(&MAGIC);
    v.extend_from_slice(&1u16.to_le_bytes()); // the version 1 layout, as `Encoder` writes
    v.push(kind as u8);
    v.push(UNHASHED.0); // hash id: none
    v.extend_from_slice(&UNHASHED.1.to_le_bytes()); // seed: none
    v.extend_from_slice(&8u32.to_le_bytes()); // parameter bytes
    v.extend_from_slice(&0u64.to_le_bytes()); // word count, patched in `finish_frame`
    v.extend_from_slice(&0u64.to_le_bytes()); // payload length, patched in `finish_frame`
    debug_assert_eq!(v.len(), PAYLOAD_START);
    v
}

/// Patches the counts into a frame written after [`frame_writer`], appends the checksum and
/// shrinks the buffer to the frame's size.
fn finish_frame(mut v: Vec<u8>, words: u64) -> Vec<u8> {
    let payload = (v.len() - PAYLOAD_START) as u64;
    v[HEADER_LEN..HEADER_LEN + 8].copy_from_slice(&words.to_le_bytes());
    v[HEADER_LEN + 8..PAYLOAD_START].copy_from_slice(&payload.to_le_bytes());
    let crc = crc32fast::hash(&v);
    v.extend_from_slice(&crc.to_le_bytes());
    v.shrink_to_fit();
    v
}

/// Builds the automaton from `(word, value)` pairs in strictly increasing order; a word
/// out of order or repeated is [`Error::InvalidInput`] (the contract of both
/// `from_sorted`), unless `dedup_set` (for [`Sorter`] output, whose repeats are expected).
fn build_sorted<I, W>(kind: Kind, pairs: I, dedup_set: bool) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = (W, u64)>,
    W: AsRef<[u8]>,
{
    let mut b = Builder::new(frame_writer(kind)).map_err(build_error(kind))?;
    let mut last: Option<Vec<u8>> = None;
    let mut words = 0u64;
    for (w, v) in pairs {
        let w = w.as_ref();
        if let Some(prev) = &mut last {
            match w.cmp(prev) {
                std::cmp::Ordering::Greater => {}
                std::cmp::Ordering::Equal if dedup_set => continue,
                order => {
                    let what = if order.is_eq() {
                        "a duplicate word"
                    } else {
                        "out of order"
                    };
                    return Err(Error::invalid_input(
                        kind.name(),
                        format!(
                            "input must be sorted in byte order without duplicates, found {what}: {:?} after {:?}",
                            String::from_utf8_lossy(w),
                            String::from_utf8_lossy(prev)
                        ),
                    ));
                }
            }
            prev.clear();
            prev.extend_from_slice(w);
        } else {
            last = Some(w.to_vec());
        }
        b.insert(w, v).map_err(build_error(kind))?;
        words += 1;
    }
    let v = b.into_inner().map_err(build_error(kind))?;
    Ok(finish_frame(v, words))
}

/// An error of fst's builder, given input the checks above passed: writing to a `Vec`
/// cannot fail and the order is checked first, so this only reports what fst refused.
fn build_error(kind: Kind) -> impl Fn(fst::Error) -> Error {
    move |e| Error::invalid_input(kind.name(), format!("fst: {e}"))
}

/// An error of fst reading an automaton: the bytes are corrupt.
fn fst_error(kind: Kind) -> impl Fn(fst::Error) -> Error {
    move |e| Error::corrupt(kind.name(), format!("fst: {e}"))
}

/// Sorts any iterator of words for [`build_sorted`]: every word is copied once into one
/// byte buffer, with an 8-byte start offset and a 4-byte sort index (and an 8-byte value
/// for maps) per word.
struct Sorter {
    bytes: Vec<u8>,
    starts: Vec<usize>,
    values: Vec<u64>,
    order: Vec<u32>,
}

impl Sorter {
    fn new<I: IntoIterator<Item = (W, u64)>, W: AsRef<[u8]>>(
        kind: Kind,
        pairs: I,
        keep_values: bool,
    ) -> Result<Self> {
        let mut s = Sorter {
            bytes: Vec::new(),
            starts: vec![0],
            values: Vec::new(),
            order: Vec::new(),
        };
        for (w, v) in pairs {
            s.bytes.extend_from_slice(w.as_ref());
            s.starts.push(s.bytes.len());
            if keep_values {
                s.values.push(v);
            }
        }
        let n = s.starts.len() - 1;
        let n = u32::try_from(n).map_err(|_| Error::LimitReached {
            structure: kind.name(),
            limit: format!(
                "limit of {} unsorted words per build (use from_sorted)",
                u32::MAX
            ),
        })?;
        s.order = (0..n).collect();
        let (bytes, starts) = (&s.bytes, &s.starts);
        let word = |i: u32| &bytes[starts[i as usize]..starts[i as usize + 1]];
        s.order.sort_by(|&a, &b| word(a).cmp(word(b)));
        Ok(s)
    }

    fn word(&self, i: u32) -> &[u8] {
        &self.bytes[self.starts[i as usize]..self.starts[i as usize + 1]]
    }

    /// Sorted distinct words; values of repeated words are summed (saturating).
    fn pairs(&self) -> impl Iterator<Item = (&[u8], u64)> + '_ {
        let mut i = 0;
        std::iter::from_fn(move || {
            let &first = self.order.get(i)?;
            let w = self.word(first);
            let mut v = self.values.get(first as usize).copied().unwrap_or(0);
            i += 1;
            while let Some(&next) = self.order.get(i) {
                if self.word(next) != w {
                    break;
                }
                v = v.saturating_add(self.values.get(next as usize).copied().unwrap_or(0));
                i += 1;
            }
            Some((w, v))
        })
    }
}

/// Checks a frame of `kind` and opens the automaton in its payload without copying.
fn open_frame<D: AsRef<[u8]>>(data: D, kind: Kind) -> Result<Fst<FrameBytes<D>>> {
    let bytes = data.as_ref();
    let mut dec = Decoder::new(bytes, kind)?;
    dec.check_unhashed()?;
    let words = dec.params().u64()?;
    let payload = dec.payload();
    let fst_len = payload.remaining();
    payload.take(fst_len)?;
    dec.finish()?;
    // Parameters are exactly 8 bytes (checked by `finish`), so the payload starts here.
    let end = PAYLOAD_START + fst_len;
    check_trailer(&bytes[PAYLOAD_START..end])
        .map_err(|what| Error::corrupt(kind.name(), format!("malformed automaton: {what}")))?;
    let fst = Fst::new(FrameBytes { data, end }).map_err(fst_error(kind))?;
    check_automaton(fst.as_bytes(), words)
        .map_err(|what| Error::corrupt(kind.name(), format!("malformed automaton: {what}")))?;
    if fst.len() as u64 != words {
        return Err(Error::corrupt(
            kind.name(),
            format!(
                "the parameters promise {words} words, the automaton holds {}",
                fst.len()
            ),
        ));
    }
    Ok(fst)
}

/// The smallest byte string greater than every string starting with `prefix`, if any.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Everything the set and the map share: the frame bytes and the automaton inside them.
struct Core<D> {
    fst: Fst<FrameBytes<D>>,
}

impl<D: AsRef<[u8]>> Core<D> {
    fn bytes(&self) -> &[u8] {
        self.fst.as_inner().data.as_ref()
    }

    fn for_each_range<F: FnMut(&[u8], u64)>(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        mut f: F,
    ) {
        let mut b = self.fst.range();
        b = match start {
            Bound::Included(s) => b.ge(s),
            Bound::Excluded(s) => b.gt(s),
            Bound::Unbounded => b,
        };
        b = match end {
            Bound::Included(e) => b.le(e),
            Bound::Excluded(e) => b.lt(e),
            Bound::Unbounded => b,
        };
        let mut s = b.into_stream();
        while let Some((w, v)) = s.next() {
            f(w, v.value());
        }
    }

    fn for_each_prefixed<F: FnMut(&[u8], u64)>(&self, prefix: &[u8], f: F) {
        let end = prefix_end(prefix);
        let end = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        self.for_each_range(Bound::Included(prefix), end, f);
    }

    fn for_each_fuzzy<F: FnMut(&[u8], u64, u32)>(&self, word: &[u8], max: u32, mut f: F) {
        let lev = Levenshtein::new(word, max);
        let mut s = self.fst.search_with_state(lev.clone()).into_stream();
        while let Some((w, v, state)) = s.next() {
            if let Some(d) = lev.final_distance(&state) {
                f(w, v.value(), d);
            }
        }
    }

    fn eq_words<E: AsRef<[u8]>>(&self, other: &Core<E>) -> bool {
        if self.fst.len() != other.fst.len() {
            return false;
        }
        let (mut a, mut b) = (self.fst.stream(), other.fst.stream());
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
    }
}

fn range_bounds<'r, R: RangeBounds<W>, W: AsRef<[u8]> + 'r>(
    r: &'r R,
) -> (Bound<&'r [u8]>, Bound<&'r [u8]>) {
    fn map<W: AsRef<[u8]>>(b: Bound<&W>) -> Bound<&[u8]> {
        match b {
            Bound::Included(w) => Bound::Included(w.as_ref()),
            Bound::Excluded(w) => Bound::Excluded(w.as_ref()),
            Bound::Unbounded => Bound::Unbounded,
        }
    }
    (map(r.start_bound()), map(r.end_bound()))
}

macro_rules! shared_methods {
    ($ty:ident, $kind:expr, $example:expr) => {
        impl<D: AsRef<[u8]>> $ty<D> {
            /// Opens a saved frame held in `data` without copying it: a `Vec<u8>`, a
            /// `&[u8]`, or a memory map.
            ///
            /// Checks the frame's magic, version, kind, lengths and CRC-32 (one pass over
            /// the bytes, which also pages a memory map in once), fst's header, and then
            /// the automaton itself; queries then read the bytes in place.
            ///
            /// The CRC detects damage, not malice, and `fst` does not validate its node
            /// encoding, so opening also walks every node and transition reachable from
            /// the root once, with bounds of its own checked before `fst` decodes a node:
            /// every byte a node spans lies in the payload, pack sizes are valid,
            /// transitions point to earlier nodes (so the automaton is acyclic), inputs are
            /// in order and agree with the node's input index, every node leads to a word,
            /// output sums fit in a `u64`, and the automaton spells exactly the promised
            /// number of words. A frame forged with a correct checksum around malformed
            /// automaton bytes is therefore an [`Error::Corrupt`], and no query on an
            /// opened value can panic or loop forever. The walk is linear in the
            /// automaton's size (see `docs/performance.md` for its cost on a 663,473-word
            /// list) and borrows about 1.5 bits per automaton byte plus 16 bytes per node
            /// while it runs.
            ///
            /// # Errors
            ///
            /// Any frame error (see [`codec`](crate::codec)): truncated, padded, damaged or
            /// wrong-kind bytes; [`Error::Corrupt`] if the automaton's header, nodes or
            /// word count do not check out.
            ///
            /// # Example
            ///
            /// Opening a memory-mapped file with `memmap2` (mapping is `unsafe` because
            /// another process could change the file while it is mapped):
            ///
            /// ```
            #[doc = concat!("use lessram::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let words = ", stringify!($ty), "::", $example, "?;")]
            #[doc = concat!("let path = std::env::temp_dir().join(format!(\"lessram-doc-{}.", stringify!($ty), "\", std::process::id()));")]
            /// words.save(&path)?;
            ///
            /// let file = std::fs::File::open(&path)?;
            /// // SAFETY: nothing modifies or truncates the file while the map is alive
            /// // (lessram writes each file once, and this one is private to the process).
            /// let mmap = unsafe { memmap2::Mmap::map(&file)? };
            #[doc = concat!("let mapped = ", stringify!($ty), "::open(mmap)?; // checks the CRC, copies nothing")]
            /// assert!(mapped.contains("mapped"));
            /// assert_eq!(mapped, words);
            /// # drop(mapped);
            /// # std::fs::remove_file(&path)?;
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn open(data: D) -> Result<Self> {
                Ok(Self {
                    core: Core {
                        fst: open_frame(data, $kind)?,
                    },
                })
            }

            /// Number of distinct words.
            #[must_use]
            pub fn len(&self) -> usize {
                self.core.fst.len()
            }

            /// Whether no word is stored.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.core.fst.len() == 0
            }

            /// Whether `word` is stored.
            #[must_use]
            pub fn contains<W: AsRef<[u8]>>(&self, word: W) -> bool {
                self.core.fst.contains_key(word)
            }

            /// The saved frame: exactly what [`Self::save`] writes.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                self.core.bytes()
            }

            /// The bytes this was opened from or built into.
            #[must_use]
            pub fn into_inner(self) -> D {
                self.core.fst.into_inner().data
            }

            /// Size of the automaton in bytes (the frame adds 40).
            #[must_use]
            pub fn automaton_size(&self) -> usize {
                self.core.fst.size()
            }

            /// Writes the frame to `path` (creating or truncating it).
            ///
            /// # Errors
            ///
            /// [`Error::Io`] if the file cannot be written.
            pub fn save<P: AsRef<Path>>(&self, path: P) -> Result<()> {
                std::fs::write(path, self.as_bytes())?;
                Ok(())
            }
        }

        impl $ty<Vec<u8>> {
            /// Reads a frame saved by [`Self::save`] from `path` into memory and checks it
            /// (see [`Self::open`] to use a memory map instead).
            ///
            /// # Errors
            ///
            /// [`Error::Io`] if the file cannot be read; any error of [`Self::open`].
            pub fn load<P: AsRef<Path>>(path: P) -> Result<Self> {
                Self::open(std::fs::read(path)?)
            }

            /// Encodes in lessram's binary format: a copy of [`Self::as_bytes`].
            #[must_use]
            pub fn to_bytes(&self) -> Vec<u8> {
                self.as_bytes().to_vec()
            }

            /// Decodes (copies and checks) a frame written by [`Self::to_bytes`].
            ///
            /// # Errors
            ///
            /// As [`Self::open`].
            pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
                Self::open(bytes.to_vec())
            }
        }

        impl Codec for $ty<Vec<u8>> {
            const KIND: Kind = $kind;
            fn to_bytes(&self) -> Vec<u8> {
                $ty::to_bytes(self)
            }
            fn from_bytes(bytes: &[u8]) -> Result<Self> {
                $ty::from_bytes(bytes)
            }
        }

        impl<D: AsRef<[u8]> + Clone> Clone for $ty<D> {
            fn clone(&self) -> Self {
                Self {
                    core: Core {
                        fst: Fst::new(self.core.fst.as_inner().clone())
                            .expect("a clone of checked bytes"),
                    },
                }
            }
        }

        impl<D: AsRef<[u8]>, E: AsRef<[u8]>> PartialEq<$ty<E>> for $ty<D> {
            /// Equal when they hold the same words (and values), whatever the bytes are in.
            fn eq(&self, other: &$ty<E>) -> bool {
                self.core.eq_words(&other.core)
            }
        }

        impl<D: AsRef<[u8]>> Eq for $ty<D> {}

        impl<D: AsRef<[u8]>> fmt::Debug for $ty<D> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("len", &self.len())
                    .field("bytes", &self.as_bytes().len())
                    .finish()
            }
        }

        impl<D: AsRef<[u8]>> WordStore for $ty<D> {
            fn contains(&self, word: &[u8]) -> bool {
                self.core.fst.contains_key(word)
            }
            fn len(&self) -> usize {
                self.core.fst.len()
            }
            fn for_each_with_prefix<F: FnMut(&[u8])>(&self, prefix: &[u8], mut f: F) {
                self.core.for_each_prefixed(prefix, |w, _| f(w));
            }
        }

        impl MemoryUsage for $ty<Vec<u8>> {
            /// The frame's buffer (automaton + 40 bytes), counting capacity.
            fn memory_usage(&self) -> usize {
                self.core.fst.as_inner().data.capacity()
            }
        }

        impl MemoryUsage for $ty<Box<[u8]>> {
            fn memory_usage(&self) -> usize {
                self.core.fst.as_inner().data.len()
            }
        }

        impl MemoryUsage for $ty<&[u8]> {
            /// Zero: the bytes are borrowed.
            fn memory_usage(&self) -> usize {
                0
            }
        }

        #[cfg(feature = "serde")]
        crate::serde_impls::serde_via_codec!($ty<Vec<u8>>);
    };
}

/// An immutable set of words as a minimal automaton (a DAWG), built on `fst`.
///
/// 3.6 heap bytes a word on the 663,473-word English list (against 35.6 for a collected
/// `BTreeSet<String>` and 27.6 with `Box<str>` keys; see `docs/footprint.md`), with exact
/// membership, prefix, range and fuzzy (Levenshtein) search, in byte order. Build it from a
/// [`Trie`], from sorted words, or from words in any order; save it and open it again, from
/// memory or from a memory map (`D` is the type holding the bytes, `Vec<u8>` when built).
///
/// # Example
///
/// ```
/// use lessram::Dawg;
///
/// let d = Dawg::from_words(["dog", "cat", "cart", "car"])?;
/// assert!(d.contains("cart") && !d.contains("ca"));
/// assert_eq!(d.words_with_prefix("car"), [b"car".to_vec(), b"cart".to_vec()]);
/// assert_eq!(d.fuzzy("cot", 1), [(b"cat".to_vec(), 1)]);
///
/// let again = Dawg::from_bytes(&d.to_bytes())?;
/// assert_eq!(again, d);
/// # Ok::<(), lessram::Error>(())
/// ```
pub struct Dawg<D = Vec<u8>> {
    core: Core<D>,
}

shared_methods!(Dawg, Kind::Dawg, "from_words([\"mapped\", \"words\"])");

impl Dawg<Vec<u8>> {
    /// Builds from words in strictly increasing byte order: sorted, each word once.
    ///
    /// Streams: memory is the automaton being built plus fst's bounded node cache. The
    /// contract is the one of [`DawgMap::from_sorted`]; [`Dawg::from_words`] takes words in
    /// any order, repeats included.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first word that is out of order or repeated.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Dawg, Error};
    /// assert_eq!(Dawg::from_sorted(["a", "b", "c"])?.len(), 3);
    /// assert!(matches!(Dawg::from_sorted(["b", "a"]), Err(Error::InvalidInput { .. })));
    /// assert!(Dawg::from_sorted(["a", "b", "b"]).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_sorted<I, W>(words: I) -> Result<Self>
    where
        I: IntoIterator<Item = W>,
        W: AsRef<[u8]>,
    {
        let bytes = build_sorted(Kind::Dawg, words.into_iter().map(|w| (w, 0)), false)?;
        Self::open(bytes)
    }

    /// Builds from words in any order (repeats allowed), sorting them first.
    ///
    /// Sorting holds every word once more while it runs: their bytes in one buffer plus
    /// 12 bytes a word (an 8-byte offset and a 4-byte index), about 21 bytes a word on an
    /// English list, freed before this returns. Input that is already sorted can stream
    /// through [`Dawg::from_sorted`] instead.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] above 2^32 - 1 words.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::Dawg;
    /// let d = Dawg::from_words(["b", "a", "b"])?;
    /// assert_eq!(d.words(), [b"a".to_vec(), b"b".to_vec()]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_words<I, W>(words: I) -> Result<Self>
    where
        I: IntoIterator<Item = W>,
        W: AsRef<[u8]>,
    {
        let s = Sorter::new(Kind::Dawg, words.into_iter().map(|w| (w, 0)), false)?;
        Self::open(build_sorted(Kind::Dawg, s.pairs(), true)?)
    }

    /// Builds from the words of a [`Trie`] (which iterates in order; counts are dropped,
    /// see [`DawgMap::from_trie`] to keep them).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Dawg, Trie};
    /// let t: Trie = ["x", "y"].into_iter().collect();
    /// assert_eq!(Dawg::from_trie(&t).words(), [b"x".to_vec(), b"y".to_vec()]);
    /// ```
    #[must_use]
    pub fn from_trie(trie: &Trie) -> Self {
        let mut b = Builder::new(frame_writer(Kind::Dawg)).expect("writing to a Vec");
        trie.for_each(|w, _| b.insert(w, 0).expect("a trie iterates in order"));
        let v = b.into_inner().expect("writing to a Vec");
        Self::open(finish_frame(v, trie.len() as u64)).expect("a frame we just built")
    }
}

impl<D: AsRef<[u8]>> Dawg<D> {
    /// Calls `f` with every word in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["b", "a"])?;
    /// let mut n = 0;
    /// d.for_each(|_| n += 1);
    /// assert_eq!(n, 2);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each<F: FnMut(&[u8])>(&self, mut f: F) {
        self.core
            .for_each_range(Bound::Unbounded, Bound::Unbounded, |w, _| f(w));
    }

    /// Every word, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["b", "a"])?;
    /// assert_eq!(d.words(), [b"a".to_vec(), b"b".to_vec()]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn words(&self) -> Vec<Vec<u8>> {
        // A small automaton can hold exponentially many words: grow as they come rather
        // than reserving `len()` up front.
        let mut out = Vec::with_capacity(self.len().min(1 << 12));
        self.for_each(|w| out.push(w.to_vec()));
        out
    }

    /// Calls `f` with every word starting with `prefix`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["pre", "prefix", "pro"])?;
    /// let mut n = 0;
    /// d.for_each_prefixed("pre", |_| n += 1);
    /// assert_eq!(n, 2);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each_prefixed<P: AsRef<[u8]>, F: FnMut(&[u8])>(&self, prefix: P, mut f: F) {
        self.core.for_each_prefixed(prefix.as_ref(), |w, _| f(w));
    }

    /// Every word starting with `prefix`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["pre", "prefix", "pro"])?;
    /// assert_eq!(d.words_with_prefix("pre"), [b"pre".to_vec(), b"prefix".to_vec()]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn words_with_prefix<P: AsRef<[u8]>>(&self, prefix: P) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.for_each_prefixed(prefix, |w| out.push(w.to_vec()));
        out
    }

    /// Calls `f` with every word in `range`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["a", "b", "c", "d"])?;
    /// let mut got = Vec::new();
    /// d.for_each_in_range("b"..="c", |w| got.push(w.to_vec()));
    /// assert_eq!(got, [b"b".to_vec(), b"c".to_vec()]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each_in_range<R, W, F>(&self, range: R, mut f: F)
    where
        R: RangeBounds<W>,
        W: AsRef<[u8]>,
        F: FnMut(&[u8]),
    {
        let (s, e) = range_bounds(&range);
        self.core.for_each_range(s, e, |w, _| f(w));
    }

    /// Every word in `range`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["a", "b", "c", "d"])?;
    /// assert_eq!(d.words_in_range("b".."d"), [b"b".to_vec(), b"c".to_vec()]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn words_in_range<R: RangeBounds<W>, W: AsRef<[u8]>>(&self, range: R) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.for_each_in_range(range, |w| out.push(w.to_vec()));
        out
    }

    /// Calls `f(word, distance)` for every word within `max_distance` edits of `word`, in
    /// byte order (edits count characters of UTF-8 and single bytes otherwise; see
    /// [`Levenshtein`](crate::words::Levenshtein)).
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["cat", "cart", "dog"])?;
    /// let mut got = Vec::new();
    /// d.for_each_fuzzy("cat", 1, |w, dist| got.push((w.to_vec(), dist)));
    /// assert_eq!(got, [(b"cart".to_vec(), 1), (b"cat".to_vec(), 0)]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each_fuzzy<Q: AsRef<[u8]>, F: FnMut(&[u8], u32)>(
        &self,
        word: Q,
        max_distance: u32,
        mut f: F,
    ) {
        self.core
            .for_each_fuzzy(word.as_ref(), max_distance, |w, _, d| f(w, d));
    }

    /// Every word within `max_distance` edits of `word`, with its distance, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let d = lessram::Dawg::from_words(["café", "cafe", "car"])?;
    /// assert_eq!(
    ///     d.fuzzy("cafe", 1),
    ///     [(b"cafe".to_vec(), 0), (b"caf\xc3\xa9".to_vec(), 1)],
    /// );
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn fuzzy<Q: AsRef<[u8]>>(&self, word: Q, max_distance: u32) -> Vec<(Vec<u8>, u32)> {
        let mut out = Vec::new();
        self.for_each_fuzzy(word, max_distance, |w, d| out.push((w.to_vec(), d)));
        out
    }
}

/// An immutable map from words to `u64` (such as token frequencies) as a minimal automaton,
/// built on `fst`.
///
/// Everything [`Dawg`] does, with a value per word: [`DawgMap::get`], and values passed to
/// every iteration. Build it from a [`Trie`] of counts in one call.
///
/// # Example
///
/// ```
/// use lessram::DawgMap;
///
/// let m = DawgMap::from_pairs([("the", 3), ("cat", 1), ("the", 2)])?;
/// assert_eq!((m.get("the"), m.get("dog")), (Some(5), None));
/// let mut pairs = Vec::new();
/// m.for_each(|w, v| pairs.push((w.to_vec(), v)));
/// assert_eq!(pairs, [(b"cat".to_vec(), 1), (b"the".to_vec(), 5)]);
/// # Ok::<(), lessram::Error>(())
/// ```
pub struct DawgMap<D = Vec<u8>> {
    core: Core<D>,
}

shared_methods!(
    DawgMap,
    Kind::DawgMap,
    "from_pairs([(\"mapped\", 1), (\"words\", 2)])"
);

impl DawgMap<Vec<u8>> {
    /// Builds from `(word, value)` pairs in strictly increasing word order: sorted, each
    /// word once (the contract of [`Dawg::from_sorted`]); [`DawgMap::from_pairs`] takes
    /// pairs in any order and sums the values of a repeated word.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first word out of order or repeated.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::DawgMap;
    /// let m = DawgMap::from_sorted([("a", 1), ("b", 2)])?;
    /// assert_eq!(m.get("b"), Some(2));
    /// assert!(DawgMap::from_sorted([("a", 1), ("a", 2)]).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_sorted<I, W>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (W, u64)>,
        W: AsRef<[u8]>,
    {
        Self::open(build_sorted(Kind::DawgMap, pairs, false)?)
    }

    /// Builds from `(word, value)` pairs in any order, sorting them first; the values of a
    /// repeated word are summed (saturating at `u64::MAX`), as counts are.
    ///
    /// Sorting holds every word once more while it runs: their bytes plus 20 bytes a word
    /// (offset, index and value), freed before this returns.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] above 2^32 - 1 pairs.
    ///
    /// # Example
    ///
    /// ```
    /// let m = lessram::DawgMap::from_pairs([("b", 1), ("a", 2), ("b", 3)])?;
    /// assert_eq!((m.get("a"), m.get("b")), (Some(2), Some(4)));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_pairs<I, W>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (W, u64)>,
        W: AsRef<[u8]>,
    {
        let s = Sorter::new(Kind::DawgMap, pairs, true)?;
        Self::open(build_sorted(Kind::DawgMap, s.pairs(), false)?)
    }

    /// Builds from a [`Trie`]: each word maps to its count.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DawgMap, Trie};
    /// let t: Trie = "a b a".split(' ').collect();
    /// assert_eq!(DawgMap::from_trie(&t).get("a"), Some(2));
    /// ```
    #[must_use]
    pub fn from_trie(trie: &Trie) -> Self {
        let mut b = Builder::new(frame_writer(Kind::DawgMap)).expect("writing to a Vec");
        trie.for_each(|w, n| b.insert(w, n).expect("a trie iterates in order"));
        let v = b.into_inner().expect("writing to a Vec");
        Self::open(finish_frame(v, trie.len() as u64)).expect("a frame we just built")
    }
}

impl<D: AsRef<[u8]>> DawgMap<D> {
    /// The value of `word`, if stored.
    ///
    /// # Example
    ///
    /// ```
    /// let m = lessram::DawgMap::from_pairs([("a", 7)])?;
    /// assert_eq!((m.get("a"), m.get("b")), (Some(7), None));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn get<W: AsRef<[u8]>>(&self, word: W) -> Option<u64> {
        self.core.fst.get(word).map(Output::value)
    }

    /// Calls `f(word, value)` for every word in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let m = lessram::DawgMap::from_pairs([("a", 1), ("b", 2)])?;
    /// let mut total = 0;
    /// m.for_each(|_, v| total += v);
    /// assert_eq!(total, 3);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each<F: FnMut(&[u8], u64)>(&self, f: F) {
        self.core
            .for_each_range(Bound::Unbounded, Bound::Unbounded, f);
    }

    /// Calls `f(word, value)` for every word starting with `prefix`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let m = lessram::DawgMap::from_pairs([("ab", 1), ("ac", 2), ("b", 3)])?;
    /// let mut total = 0;
    /// m.for_each_prefixed("a", |_, v| total += v);
    /// assert_eq!(total, 3);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each_prefixed<P: AsRef<[u8]>, F: FnMut(&[u8], u64)>(&self, prefix: P, f: F) {
        self.core.for_each_prefixed(prefix.as_ref(), f);
    }

    /// Calls `f(word, value)` for every word in `range`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let m = lessram::DawgMap::from_pairs([("a", 1), ("b", 2), ("c", 3)])?;
    /// let mut got = Vec::new();
    /// m.for_each_in_range("b".., |w, v| got.push((w.to_vec(), v)));
    /// assert_eq!(got, [(b"b".to_vec(), 2), (b"c".to_vec(), 3)]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn for_each_in_range<R, W, F>(&self, range: R, f: F)
    where
        R: RangeBounds<W>,
        W: AsRef<[u8]>,
        F: FnMut(&[u8], u64),
    {
        let (s, e) = range_bounds(&range);
        self.core.for_each_range(s, e, f);
    }

    /// Every `(word, value, distance)` within `max_distance` edits of `word`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let m = lessram::DawgMap::from_pairs([("cat", 5), ("cart", 2), ("dog", 9)])?;
    /// assert_eq!(m.fuzzy("cat", 1), [(b"cart".to_vec(), 2, 1), (b"cat".to_vec(), 5, 0)]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn fuzzy<Q: AsRef<[u8]>>(&self, word: Q, max_distance: u32) -> Vec<(Vec<u8>, u64, u32)> {
        let mut out = Vec::new();
        self.core
            .for_each_fuzzy(word.as_ref(), max_distance, |w, v, d| {
                out.push((w.to_vec(), v, d));
            });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_handles_ff() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn heap_is_the_frame() {
        let d = Dawg::from_words(["alpha", "beta", "gamma"]).unwrap();
        assert_eq!(d.memory_usage(), d.as_bytes().len());
        assert_eq!(d.as_bytes().len(), d.automaton_size() + 40);
        let empty = Dawg::from_words(Vec::<&str>::new()).unwrap();
        assert!(empty.is_empty() && empty.words().is_empty());
        assert_eq!(Dawg::from_bytes(&empty.to_bytes()).unwrap(), empty);
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error() {
        let m = DawgMap::from_pairs([("", 1), ("a", 2), ("ab", 3), ("\u{e9}", 4)]).unwrap();
        let bytes = m.to_bytes();
        for cut in 0..bytes.len() {
            assert!(DawgMap::open(&bytes[..cut]).is_err(), "cut {cut}");
        }
        for i in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[i / 8] ^= 1 << (i % 8);
            assert!(DawgMap::from_bytes(&b).is_err(), "bit {i}");
        }
        // A set frame is not a map frame.
        let d = Dawg::from_words(["a"]).unwrap();
        assert!(matches!(
            DawgMap::from_bytes(&d.to_bytes()),
            Err(Error::WrongKind { .. })
        ));
    }

    #[test]
    fn a_frame_with_a_lying_word_count_is_an_error() {
        let mut bytes = Dawg::from_words(["a", "b"]).unwrap().to_bytes();
        bytes[HEADER_LEN] = 3;
        let n = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..n]);
        bytes[n..].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(
            Dawg::from_bytes(&bytes),
            Err(Error::Corrupt { .. })
        ));
    }
}
