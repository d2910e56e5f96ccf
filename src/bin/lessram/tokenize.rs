//! Splitting bytes into tokens, hashing each once, and feeding every estimator.
//!
//! Tokens are runs of bytes between ASCII whitespace (space, `\t`, `\n`, `\v`, `\f`, `\r`:
//! C's `isspace`, as `wc -w` uses), or, with `--lines`, the bytes before each `\n`. Bytes are
//! never decoded, so invalid UTF-8 is just bytes. Each token is hashed once with 128-bit
//! MurmurHash3 (seed 0); the sketches get its low 64 bits, the Bloom filter all 128.

use std::hash::{BuildHasher, Hasher};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use lessram::hash::{Murmur3, Murmur3Hasher, murmur3_x64_128};

use crate::estimators::Estimator;
use crate::exact::ExactSet;

/// Tokens hashed before the estimators are fed (a batch keeps each estimator's loop hot and
/// lets us time each one; 4,096 hashes are 64 KiB).
const BATCH: usize = 4096;

/// Whether `b` separates tokens: ASCII whitespace as C's `isspace` sees it.
#[inline(always)]
pub(crate) fn is_space(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

/// How input is cut into tokens.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options {
    /// Tokens are lines (the bytes before each `\n`), not whitespace-separated words.
    pub(crate) lines: bool,
    /// Fold ASCII upper case to lower case before hashing.
    pub(crate) lowercase: bool,
}

impl Options {
    /// Whether `b` ends a token in this mode.
    #[inline(always)]
    pub(crate) fn is_separator(&self, b: u8) -> bool {
        if self.lines { b == b'\n' } else { is_space(b) }
    }
}

/// One thread's estimators and counters.
pub(crate) struct Tally {
    pub(crate) estimators: Vec<Box<dyn Estimator>>,
    /// Time spent inserting into each estimator.
    pub(crate) times: Vec<Duration>,
    pub(crate) exact: Option<ExactSet>,
    pub(crate) exact_time: Duration,
    /// Time spent scanning and hashing.
    pub(crate) scan_time: Duration,
    /// Tokens seen (duplicates included).
    pub(crate) tokens: u64,
    /// Bytes scanned.
    pub(crate) bytes: u64,
    hashes: Vec<u128>,
    spans: Vec<(u32, u32)>,
    /// Where copies of each batch of hashes go for the estimators that do not merge
    /// (fed on one thread; see [`crate::estimators::Estimator::mergeable`]).
    pub(crate) forward: Option<SyncSender<Vec<u128>>>,
}

impl Tally {
    pub(crate) fn new(estimators: Vec<Box<dyn Estimator>>, exact: Option<ExactSet>) -> Self {
        let n = estimators.len();
        Self {
            estimators,
            times: vec![Duration::ZERO; n],
            exact,
            exact_time: Duration::ZERO,
            scan_time: Duration::ZERO,
            tokens: 0,
            bytes: 0,
            hashes: Vec::with_capacity(BATCH + 64),
            spans: Vec::with_capacity(BATCH + 64),
            forward: None,
        }
    }

    /// Counts every token of `block`, which holds whole tokens only: it ends at a separator
    /// or at the end of the input.
    pub(crate) fn feed(&mut self, block: &[u8], opts: Options) {
        self.bytes += block.len() as u64;
        let mut rest = block;
        let mut base = 0usize;
        while !rest.is_empty() {
            let t = Instant::now();
            let consumed = if opts.lines {
                scan_lines(rest, base, &mut self.hashes, &mut self.spans)
            } else {
                scan_words(rest, base, &mut self.hashes, &mut self.spans)
            };
            self.scan_time += t.elapsed();
            self.flush(block);
            base += consumed;
            rest = &rest[consumed..];
        }
    }

    /// Counts one token given by its hash and, when the exact count needs them, its bytes.
    pub(crate) fn add_one(&mut self, hash: u128, bytes: &[u8]) {
        self.insert_hashes(&[hash]);
        if let Some(exact) = &mut self.exact {
            let t = Instant::now();
            exact.insert(hash as u64, bytes);
            self.exact_time += t.elapsed();
        }
    }

    /// Counts tokens by their hashes in every estimator (not the exact count, which needs
    /// their bytes), and forwards them to the single-threaded estimators if any.
    pub(crate) fn insert_hashes(&mut self, hashes: &[u128]) {
        self.tokens += hashes.len() as u64;
        for (e, time) in self.estimators.iter_mut().zip(&mut self.times) {
            let t = Instant::now();
            e.insert_batch(hashes);
            *time += t.elapsed();
        }
        if let Some(tx) = &self.forward {
            // The receiver outlives every sender (it is joined after they are dropped).
            let _ = tx.send(hashes.to_vec());
        }
    }

    /// Feeds the batch of hashes (and spans into `block`) to every estimator.
    fn flush(&mut self, block: &[u8]) {
        if self.hashes.is_empty() {
            return;
        }
        let hashes = std::mem::take(&mut self.hashes);
        self.insert_hashes(&hashes);
        self.hashes = hashes;
        if let Some(exact) = &mut self.exact {
            let t = Instant::now();
            for (&h, &(s, e)) in self.hashes.iter().zip(&self.spans) {
                exact.insert(h as u64, &block[s as usize..e as usize]);
            }
            self.exact_time += t.elapsed();
        }
        self.hashes.clear();
        self.spans.clear();
    }

    /// Adds `other`'s counts into `self` (same estimators in the same order).
    pub(crate) fn merge(&mut self, other: Tally) -> anyhow::Result<()> {
        for ((mine, theirs), (t, ot)) in self
            .estimators
            .iter_mut()
            .zip(other.estimators)
            .zip(self.times.iter_mut().zip(other.times))
        {
            mine.merge_box(theirs)?;
            *t += ot;
        }
        if let (Some(mine), Some(theirs)) = (&mut self.exact, other.exact) {
            let t = Instant::now();
            mine.merge(&theirs);
            self.exact_time += t.elapsed() + other.exact_time;
        }
        self.scan_time += other.scan_time;
        self.tokens += other.tokens;
        self.bytes += other.bytes;
        Ok(())
    }
}

/// MurmurHash3 x64_128 (seed 0) of the `len < 16` bytes at `buf[start..]`, given that 16
/// bytes can be read from `start`: bit-identical to [`murmur3_x64_128`] (a test checks every
/// length), but with no branch on the length. A short input is all tail: its first 8 bytes
/// are `k1`, the rest `k2`, and mixing a zero key gives zero, so the bytes past `len` are
/// masked off instead of branched around.
#[inline(always)]
fn hash_short(buf: &[u8], start: usize, len: usize) -> u128 {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    debug_assert!(len < 16 && start + 16 <= buf.len());
    let word = |at: usize| u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"));
    let keep = |n: usize| u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0);
    let k1 = word(start) & keep(len.min(8));
    let k2 = word(start + 8) & keep(len.saturating_sub(8));
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    };
    let mut h1 = k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2) ^ len as u64;
    let mut h2 = k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1) ^ len as u64;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u128::from(h2) << 64) | u128::from(h1)
}

/// The hash of `rest[start..end]`, by [`hash_short`] when it applies.
#[inline(always)]
fn hash_token(rest: &[u8], start: usize, end: usize) -> u128 {
    if end - start < 16 && start + 16 <= rest.len() {
        hash_short(rest, start, end - start)
    } else {
        murmur3_x64_128(&rest[start..end], 0)
    }
}

/// The bitmask of separators among 64 bytes (bit `i` for byte `i`).
#[inline(always)]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    let mut m = 0u64;
    for (i, &b) in chunk.iter().enumerate() {
        m |= u64::from(is_space(b)) << i;
    }
    m
}

/// Hashes whitespace-separated tokens of `rest` into `hashes` (and their spans, offset by
/// `base`, into `spans`) until the batch is full; returns the bytes consumed. Stops only
/// at a separator or at the end of `rest`, so no token is cut.
fn scan_words(
    rest: &[u8],
    base: usize,
    hashes: &mut Vec<u128>,
    spans: &mut Vec<(u32, u32)>,
) -> usize {
    let mut pos = 0usize;
    // Whether the byte before `pos` was part of a token, and where that token started.
    let mut in_token = false;
    let mut start = 0usize;
    let mut padded;
    while pos < rest.len() {
        let chunk: &[u8; 64] = if rest.len() - pos >= 64 {
            rest[pos..pos + 64].try_into().expect("64 bytes")
        } else {
            padded = [b' '; 64];
            padded[..rest.len() - pos].copy_from_slice(&rest[pos..]);
            &padded
        };
        let spaces = space_mask(chunk);
        let words = !spaces;
        let carry = u64::from(in_token);
        // A start is a word byte after a space; an end is a space after a word byte.
        let prev_word = (words << 1) | carry;
        let mut events = (words & !prev_word) | (spaces & prev_word);
        while events != 0 {
            let i = pos + events.trailing_zeros() as usize;
            events &= events - 1;
            if in_token {
                hashes.push(hash_token(rest, start, i));
                spans.push(((base + start) as u32, (base + i) as u32));
                in_token = false;
            } else {
                start = i;
                in_token = true;
            }
        }
        pos += 64;
        if !in_token && hashes.len() >= BATCH - 64 {
            return pos.min(rest.len());
        }
    }
    // A token running to the end of `rest` (when its length is a multiple of 64; otherwise
    // the padding ended it).
    if in_token {
        hashes.push(murmur3_x64_128(&rest[start..], 0));
        spans.push(((base + start) as u32, (base + rest.len()) as u32));
    }
    rest.len()
}

/// Like [`scan_words`] for `--lines`: a token is the bytes before each `\n`, and a last
/// line without `\n` at the end of `rest` (the end of the input) is a token too.
fn scan_lines(
    rest: &[u8],
    base: usize,
    hashes: &mut Vec<u128>,
    spans: &mut Vec<(u32, u32)>,
) -> usize {
    let mut pos = 0;
    while pos < rest.len() && hashes.len() < BATCH {
        let end = rest[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| pos + i);
        hashes.push(murmur3_x64_128(&rest[pos..end], 0));
        spans.push(((base + pos) as u32, (base + end) as u32));
        pos = end + 1;
    }
    pos.min(rest.len())
}

/// A token too long for the read buffer, hashed piece by piece (the same hash as the whole
/// token in one slice); its bytes are kept only when the exact count needs them.
pub(crate) struct LongToken {
    hasher: Murmur3Hasher,
    bytes: Option<Vec<u8>>,
}

impl LongToken {
    pub(crate) fn new(keep_bytes: bool) -> Self {
        Self {
            hasher: Murmur3::new().build_hasher(),
            bytes: keep_bytes.then(Vec::new),
        }
    }

    pub(crate) fn push(&mut self, piece: &[u8]) {
        self.hasher.write(piece);
        if let Some(b) = &mut self.bytes {
            b.extend_from_slice(piece);
        }
    }

    pub(crate) fn finish(self, tally: &mut Tally) {
        let hash = self.hasher.finish128();
        tally.add_one(hash, self.bytes.as_deref().unwrap_or(&[]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &[u8]) -> Vec<(u32, u32)> {
        let (mut h, mut s) = (Vec::new(), Vec::new());
        let mut rest = text;
        let mut base = 0;
        while !rest.is_empty() {
            let n = scan_words(rest, base, &mut h, &mut s);
            base += n;
            rest = &rest[n..];
        }
        for (&hash, &(a, b)) in h.iter().zip(&s) {
            assert_eq!(hash, murmur3_x64_128(&text[a as usize..b as usize], 0));
        }
        s
    }

    #[test]
    fn scan_words_matches_split() {
        let mut state = 1u64;
        for len in 0..600 {
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    b"ab \n\t\x0bc\xff"[(state >> 60) as usize % 8]
                })
                .collect();
            let want: Vec<&[u8]> = text
                .split(|&b| is_space(b))
                .filter(|t| !t.is_empty())
                .collect();
            let got: Vec<&[u8]> = words(&text)
                .into_iter()
                .map(|(a, b)| &text[a as usize..b as usize])
                .collect();
            assert_eq!(got, want, "len {len}");
        }
    }

    #[test]
    fn hash_short_is_murmur3() {
        let mut state = 7u64;
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..32)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 56) as u8
                })
                .collect();
            for len in 0..16 {
                assert_eq!(
                    hash_short(&bytes, 3, len),
                    murmur3_x64_128(&bytes[3..3 + len], 0)
                );
            }
        }
    }

    #[test]
    fn batches_never_cut_a_token() {
        let text = "w ".repeat(20_000).into_bytes();
        assert_eq!(words(&text).len(), 20_000);
    }
}
