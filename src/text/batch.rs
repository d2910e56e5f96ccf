//! A block's tokens found and hashed, a batch at a time: the vector paths where the CPU
//! has them ([`super::simd`], chosen at run time), the scalar ones everywhere else.

use super::hash::{hash_mid, hash_short, mid_words, short_words};
use super::options::TokenOptions;
use super::scan::{
    BATCH, BIT_POSITIONS, Marks, push_events, scan_lines, scan_words_with, space_mask,
};
use crate::hash::murmur3_x64_128;

/// Which vector paths this process takes to scan and hash, decided once at run time from
/// what the CPU reports (and the environment variables `LESSRAM_NO_AVX512`, which turns
/// the AVX-512 ones off when set, and `LESSRAM_NO_AVX2`, the AVX2 scan and hash).
///
/// Both paths give bit for bit what the scalar ones give, so a count or a saved sketch is
/// the same whichever ran; this says only how fast.
///
/// # Example
///
/// ```
/// use lessram::text::{TokenOptions, VectorPaths};
///
/// let paths = VectorPaths::detect();
/// println!("{}", paths.describe(TokenOptions::words())); // "AVX2 scan and hash" without AVX-512
/// assert!(!paths.describe(TokenOptions::lines()).contains("scan"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VectorPaths {
    /// The hash of tokens under 16 bytes, eight at a time: AVX-512F and DQ.
    pub hash: bool,
    /// The separator scan of words (not lines): AVX-512F, BW and VBMI2.
    pub scan: bool,
    /// The separator scan of words with AVX2, where the AVX-512 one is off.
    pub scan_avx2: bool,
    /// The hash of tokens under 16 bytes five at a time with AVX2, where the AVX-512 one
    /// is off.
    pub hash_avx2: bool,
}

impl VectorPaths {
    /// The paths this CPU takes (detected once per process).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::VectorPaths;
    /// assert_eq!(VectorPaths::detect(), VectorPaths::detect());
    /// ```
    #[must_use]
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            let p = super::simd::paths();
            Self {
                hash: p.hash,
                scan: p.scan,
                scan_avx2: p.scan_avx2,
                hash_avx2: p.hash_avx2,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Self {
                hash: false,
                scan: false,
                scan_avx2: false,
                hash_avx2: false,
            }
        }
    }

    /// What runs in mode `opts`, in words: `"AVX-512 scan and hash"`, `"AVX2 scan and
    /// hash"`, `"AVX-512 hash"`, `"AVX2 hash"`, `"AVX-512 scan"`, `"AVX2 scan"`, `"AVX2 scan
    /// and AVX-512 hash"`, `"AVX-512 scan and AVX2 hash"` or `"scalar"` (lines are always
    /// scanned by the scalar loop).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{TokenOptions, VectorPaths};
    /// let mut paths = VectorPaths::detect();
    /// (paths.hash, paths.scan, paths.scan_avx2, paths.hash_avx2) = (false, false, false, false);
    /// assert_eq!(paths.describe(TokenOptions::words()), "scalar");
    /// paths.scan_avx2 = true;
    /// assert_eq!(paths.describe(TokenOptions::words()), "AVX2 scan");
    /// paths.hash_avx2 = true;
    /// assert_eq!(paths.describe(TokenOptions::words()), "AVX2 scan and hash");
    /// assert_eq!(paths.describe(TokenOptions::lines()), "AVX2 hash");
    /// ```
    #[must_use]
    pub fn describe(self, opts: TokenOptions) -> &'static str {
        // 2 for AVX-512, 1 for AVX2, 0 for scalar.
        let level = |avx512: bool, avx2: bool| if avx512 { 2 } else { u8::from(avx2) };
        let scan = if opts.lines {
            0
        } else {
            level(self.scan, self.scan_avx2)
        };
        match (scan, level(self.hash, self.hash_avx2)) {
            (2, 2) => "AVX-512 scan and hash",
            (1, 1) => "AVX2 scan and hash",
            (1, 2) => "AVX2 scan and AVX-512 hash",
            (2, 1) => "AVX-512 scan and AVX2 hash",
            (0, 2) => "AVX-512 hash",
            (0, 1) => "AVX2 hash",
            (2, _) => "AVX-512 scan",
            (1, _) => "AVX2 scan",
            _ => "scalar",
        }
    }
}

/// Hashes every token of `text` with 128-bit MurmurHash3 and `seed`, in order, appending
/// the hashes to `out`: for each token, what [`crate::hash::Murmur3::with_seed`]`(seed)`'s
/// [`hash_item128`](crate::ItemHasher::hash_item128) gives for its bytes (its low 64 bits
/// are [`hash_item`](crate::ItemHasher::hash_item)'s), bit for bit. The end of `text`
/// ends its last token.
///
/// This is the batch loop [`Counter`](super::Counter) runs: boundaries found 64 bytes at a
/// time, tokens under 16 bytes hashed with no branch on their length (eight at a time with
/// AVX-512, five with AVX2, where the CPU has it). It allocates its scratch buffers (about 100 KiB) on each
/// call; to hash many buffers, keep a [`TokenHasher`].
///
/// # Example
///
/// ```
/// use lessram::ItemHasher;
/// use lessram::hash::Murmur3;
/// use lessram::text::{TokenOptions, hash_tokens};
///
/// let mut hashes = Vec::new();
/// hash_tokens(b"to be or\tnot to be\n", TokenOptions::words(), 9001, &mut hashes);
/// let words = ["to", "be", "or", "not", "to", "be"];
/// let want: Vec<u128> = words.iter().map(|w| Murmur3::with_seed(9001).hash_item128(*w)).collect();
/// assert_eq!(hashes, want);
/// ```
pub fn hash_tokens(text: &[u8], opts: TokenOptions, seed: u32, out: &mut Vec<u128>) {
    TokenHasher::new(opts, seed).hash(text, out);
}

/// Hashes the tokens of buffers, as [`hash_tokens`] does, with scratch buffers allocated
/// once.
///
/// # Example
///
/// ```
/// use lessram::text::{TokenHasher, TokenOptions};
///
/// let mut hasher = TokenHasher::new(TokenOptions::lines().lowercase(true), 0);
/// let mut hashes = Vec::new();
/// for block in [&b"Apple\napple\n"[..], b"APPLE"] {
///     hasher.hash(block, &mut hashes);
/// }
/// assert_eq!(hashes.len(), 3);
/// assert!(hashes.iter().all(|&h| h == hashes[0]));
/// ```
pub struct TokenHasher {
    opts: TokenOptions,
    seed: u32,
    marks: Marks,
    /// The tokens of a batch left to the second hash loop.
    long: Box<Long>,
    /// The block, lower-cased, when the options say so.
    folded: Vec<u8>,
}

impl std::fmt::Debug for TokenHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenHasher")
            .field("opts", &self.opts)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl TokenHasher {
    /// A hasher of tokens cut by `opts`, hashed with MurmurHash3 and `seed`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{TokenHasher, TokenOptions};
    /// let _ = TokenHasher::new(TokenOptions::words(), 0);
    /// ```
    #[must_use]
    pub fn new(opts: TokenOptions, seed: u32) -> Self {
        Self {
            opts,
            seed,
            marks: Marks::new(),
            long: Box::new(Long::new()),
            folded: Vec::new(),
        }
    }

    /// Appends the hash of every token of `text` to `out`, in order (see [`hash_tokens`]).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{TokenHasher, TokenOptions};
    /// let mut hashes = Vec::new();
    /// TokenHasher::new(TokenOptions::words(), 0).hash(b" a  b ", &mut hashes);
    /// assert_eq!(hashes, [lessram::hash::murmur3_x64_128(b"a", 0), lessram::hash::murmur3_x64_128(b"b", 0)]);
    /// ```
    pub fn hash(&mut self, text: &[u8], out: &mut Vec<u128>) {
        let text = if self.opts.lowercase {
            self.folded.clear();
            self.folded.extend_from_slice(text);
            self.folded.make_ascii_lowercase();
            &self.folded[..]
        } else {
            text
        };
        let mut pos = 0;
        while pos < text.len() {
            let consumed = scan(text, pos, self.opts, &mut self.marks);
            let have = out.len();
            out.resize(have + self.marks.len / 2, 0);
            hash_marks(
                text,
                self.marks.as_slice(),
                &mut out[have..],
                self.seed,
                &mut self.long,
            );
            self.marks.clear();
            pos += consumed;
        }
    }
}

/// Finds the tokens of `block[base..]` until a batch is full, pushing `base` plus their
/// bounds to `marks`; returns the bytes consumed (never cutting a token).
#[inline]
pub(crate) fn scan(block: &[u8], base: usize, opts: TokenOptions, marks: &mut Marks) -> usize {
    let rest = &block[base..];
    if opts.lines {
        scan_lines(rest, base, marks)
    } else {
        scan_words(rest, base, marks)
    }
}

/// Finds whitespace-separated tokens of `rest` until a batch is full; returns the bytes
/// consumed. Pushes `base` plus the offset of each token's first byte and of the byte after
/// its last to `marks`, so token `t` is `marks[2t]..marks[2t + 1]`. Stops only at a
/// separator, at the first byte of a token or at the end of `rest`, so no token is cut.
///
/// With AVX-512 or AVX2 ([`super::simd`]) where the CPU has it, else with [`space_mask`]
/// and [`push_events`].
fn scan_words(rest: &[u8], base: usize, marks: &mut Marks) -> usize {
    scan_words_vector(rest, base, marks)
        .unwrap_or_else(|| scan_words_with(rest, base, marks, space_mask, push_events))
}

/// [`scan_words`] with AVX-512 or AVX2, or `None` where the CPU has neither.
#[cfg(target_arch = "x86_64")]
fn scan_words_vector(rest: &[u8], base: usize, marks: &mut Marks) -> Option<usize> {
    super::simd::scan_words(rest, base, marks)
}

/// [`scan_words`] with AVX-512: x86-64 only.
#[cfg(not(target_arch = "x86_64"))]
fn scan_words_vector(_: &[u8], _: usize, _: &mut Marks) -> Option<usize> {
    None
}

/// Hashes the tokens `block[marks[2t]..marks[2t + 1]]` with `seed` into `out[t]` (`out`
/// holds one entry a token). A separate pass from the scan: with no scanning branches
/// between them, the hashes of neighbouring tokens overlap in the pipeline. The loop hashes
/// tokens of under 16 bytes (with 16 bytes readable from their start) only, eight at a
/// time with AVX-512 or five with AVX2 where the CPU has it ([`super::simd`]), and leaves the others, rare,
/// to a second loop: with no call in it, the hash's constants stay in registers. The hashes
/// are written in place: pushing them would check capacity at every one, and a
/// variable-length copy from the vector path would call `memcpy`.
#[inline]
pub(crate) fn hash_marks(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    seed: u32,
    long: &mut Long,
) {
    hash_marks_using(block, marks, out, seed, true, long);
}

/// [`hash_marks`], with the vector loop only if `vector` (and the CPU has it).
fn hash_marks_using(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    seed: u32,
    vector: bool,
    long: &mut Long,
) {
    assert_eq!(out.len() * 2, marks.len(), "one hash a token");
    assert!(
        out.len() <= Long::CAP,
        "a batch of at most {} tokens",
        Long::CAP
    );
    long.len = 0;
    let long = &mut *long;
    if !(vector && hash_marks_vector(block, marks, out, seed, long)) {
        hash_marks_scalar(block, marks, out, seed, long);
    }
    hash_long(block, marks, out, seed, long.as_slice());
}

/// [`hash_marks`]'s second loop: the tokens of `long`, those of 16 to 31 bytes with 32
/// bytes readable from their start without a branch on their length ([`hash_mid`]), the
/// others with the general function.
fn hash_long(block: &[u8], marks: &[u32], out: &mut [u128], seed: u32, long: &[u32]) {
    let last = block.len().checked_sub(32);
    for &t in long {
        let t = t as usize;
        let (start, end) = (marks[2 * t] as usize, marks[2 * t + 1] as usize);
        let len = end.wrapping_sub(start);
        out[t] = if (16..32).contains(&len) && last.is_some_and(|last| start <= last) {
            hash_mid(mid_words(block, start, len), len, seed)
        } else {
            murmur3_x64_128(&block[start..end], seed)
        };
    }
}

/// [`hash_marks`]'s first loop, one token at a time. Kept small so that its live values
/// (the four constants, the bounds, the seed) stay in registers: the rare token it cannot
/// hash goes to a call kept out of line, where pushing to `long` inline spilled them to the
/// stack and reloaded them every token (75 instructions a token, against 45 now, counted
/// with callgrind).
#[inline(never)]
fn hash_marks_scalar(block: &[u8], marks: &[u32], out: &mut [u128], seed: u32, long: &mut Long) {
    // A start at most this leaves 16 bytes to read; `None` when the block is shorter.
    let last = block.len().checked_sub(16);
    let n = out.len().min(marks.len() / 2);
    let (marks, out) = (&marks[..2 * n], &mut out[..n]);
    for t in 0..n {
        let (start, end) = (marks[2 * t] as usize, marks[2 * t + 1] as usize);
        let len = end.wrapping_sub(start);
        if len < 16 && last.is_some_and(|last| start <= last) {
            let (k1, k2) = short_words(block, start, len);
            out[t] = hash_short(k1, k2, len, seed);
        } else {
            push_long(long, t);
        }
    }
}

/// Notes token `t` for [`hash_marks`]'s second loop (out of line: see
/// [`hash_marks_scalar`]).
#[cold]
#[inline(never)]
fn push_long(long: &mut Long, t: usize) {
    long.push(t);
}

/// [`hash_marks`]'s first loop eight tokens at a time, or `false` where the CPU cannot.
#[cfg(target_arch = "x86_64")]
fn hash_marks_vector(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    seed: u32,
    long: &mut Long,
) -> bool {
    super::simd::hash_tokens(block, marks, out, seed, long)
}

/// [`hash_marks`]'s first loop eight tokens at a time: x86-64 only.
#[cfg(not(target_arch = "x86_64"))]
fn hash_marks_vector(_: &[u8], _: &[u32], _: &mut [u128], _: u32, _: &mut Long) -> bool {
    false
}

/// The tokens of a batch that [`hash_marks`]'s first loop leaves to its second: their
/// indices, in a buffer as large as any batch, allocated once by the caller (a `SmallVec`
/// of 16 went to the heap and grew five times a batch of C source, where one token in seven
/// is long), with room for a vector group's lanes to be written whole.
pub(crate) struct Long {
    idx: [u32; Self::CAP + 8],
    len: usize,
}

impl Long {
    /// The most tokens of a batch: as many as a full scan's marks hold.
    pub(crate) const CAP: usize = Marks::CAP / 2;

    pub(crate) fn new() -> Self {
        Self {
            idx: [0; Self::CAP + 8],
            len: 0,
        }
    }

    pub(crate) fn as_slice(&self) -> &[u32] {
        &self.idx[..self.len]
    }

    pub(crate) fn push(&mut self, t: usize) {
        self.idx[self.len] = t as u32;
        self.len += 1;
    }

    /// Pushes `first + i` for each set bit `i` of `lanes`, lowest first, with no branch on
    /// them: the eight candidates from [`BIT_POSITIONS`] are written whole and the length
    /// advanced by the count (a vector group's lanes go long about half the time on C
    /// source, which a loop on the bits mispredicted).
    #[inline(always)]
    pub(crate) fn push_lanes(&mut self, first: usize, lanes: u8) {
        let at = self.len;
        let slots = &mut self.idx[at..at + 8];
        for (slot, &p) in slots.iter_mut().zip(&BIT_POSITIONS[usize::from(lanes)]) {
            *slot = (first + usize::from(p)) as u32;
        }
        self.len = at + lanes.count_ones() as usize;
    }

    pub(crate) fn extend(&mut self, range: std::ops::Range<usize>) {
        for t in range {
            self.push(t);
        }
    }
}

// A batch of hashes fits the marks of a full scan.
const _: () = assert!(BATCH <= Long::CAP);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::options::is_space;

    /// The tokens of `text` as `feed` cuts them, with the scalar scan and hash and with the
    /// vector ones where the CPU has them, which must agree; the hashes of each batch are
    /// checked.
    fn words(text: &[u8]) -> Vec<(u32, u32)> {
        let scalar = words_using(text, false);
        assert_eq!(words_using(text, true), scalar);
        scalar
    }

    /// [`words`] with the vector paths or not.
    fn words_using(text: &[u8], vector: bool) -> Vec<(u32, u32)> {
        let (mut marks, mut spans) = (Marks::new(), Vec::new());
        let mut rest = text;
        let mut base = 0;
        while !rest.is_empty() {
            let n = if vector {
                scan_words(rest, base, &mut marks)
            } else {
                scan_words_with(rest, base, &mut marks, space_mask, push_events)
            };
            assert!(marks.len % 2 == 0);
            let marks_now = marks.as_slice();
            spans.extend(marks_now.chunks_exact(2).map(|m| (m[0], m[1])));
            let mut hashes = vec![0; marks_now.len() / 2];
            hash_marks_using(text, marks_now, &mut hashes, 0, vector, &mut Long::new());
            for (&hash, m) in hashes.iter().zip(marks_now.chunks_exact(2)) {
                assert_eq!(
                    hash,
                    murmur3_x64_128(&text[m[0] as usize..m[1] as usize], 0)
                );
            }
            marks.clear();
            base += n;
            rest = &rest[n..];
        }
        spans
    }

    #[test]
    fn hash_tokens_is_murmur3_on_both_paths() {
        // Random spans of 0 to 40 bytes over random bytes, many within 16 bytes of the end
        // (hashed by the long-token loop), in batches of every size from 0 to 600 tokens:
        // every size of a last, partial group of eight on the vector path.
        let mut state = 11u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        let block: Vec<u8> = (0..4096).map(|_| next() as u8).collect();
        for tokens in 0..600 {
            let marks: Vec<u32> = (0..tokens)
                .flat_map(|_| {
                    let len = next() % 41;
                    let start = if next() % 4 == 0 {
                        4096 - len - next() % 16.min(4096 - len)
                    } else {
                        next() % (4096 - len)
                    };
                    [start as u32, (start + len) as u32]
                })
                .collect();
            let seed = [0, 9001, u32::MAX][tokens as usize % 3];
            let want: Vec<u128> = marks
                .chunks_exact(2)
                .map(|m| murmur3_x64_128(&block[m[0] as usize..m[1] as usize], seed))
                .collect();
            for vector in [false, true] {
                let mut hashes = vec![7u128; tokens as usize];
                hash_marks_using(&block, &marks, &mut hashes, seed, vector, &mut Long::new());
                assert_eq!(
                    hashes, want,
                    "{tokens} tokens, seed {seed}, vector {vector}"
                );
            }
        }
        #[cfg(target_arch = "x86_64")]
        if !crate::text::simd::paths().hash {
            eprintln!("note: no AVX-512 here; only the scalar hash loop was tested");
        }
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
    fn dense_and_sparse_boundaries_on_both_paths() {
        // Up to 64 boundaries a chunk (more than the vector scan's first 32), none at all,
        // and tokens that span chunks, at every alignment.
        for shift in 0..64 {
            for text in [
                format!("{}{}", " ".repeat(shift), "a ".repeat(3000)),
                format!("{}{}", " ".repeat(shift), "ab\tc\n".repeat(2000)),
                format!("{}{}", "x".repeat(shift), " ".repeat(500)),
                format!("{} {}", "y".repeat(shift + 100), "z".repeat(300)),
            ] {
                let want: Vec<&str> = text
                    .split(|c: char| c.is_ascii_whitespace())
                    .filter(|t| !t.is_empty())
                    .collect();
                let got: Vec<&str> = words(text.as_bytes())
                    .into_iter()
                    .map(|(a, b)| &text[a as usize..b as usize])
                    .collect();
                assert_eq!(got, want, "shift {shift}");
            }
        }
        #[cfg(target_arch = "x86_64")]
        if !(crate::text::simd::paths().scan || crate::text::simd::paths().scan_avx2) {
            eprintln!("note: no AVX-512 or AVX2 here; only the scalar scan was tested");
        }
    }

    #[test]
    fn batches_stay_bounded_when_a_token_spans_every_chunk() {
        // Tokens of 63 bytes after one leading space: every 64-byte chunk ends inside a
        // token, so a scan that waited for a chunk to end between tokens would run on to
        // the end of the text and overflow the fixed `Marks` buffer (a panic here).
        let text = format!(" {}", format!("{} ", "a".repeat(63)).repeat(10_000)).into_bytes();
        let spans = words(&text);
        assert_eq!(spans.len(), 10_000);
        assert!(spans.iter().all(|&(a, b)| b - a == 63));
    }

    #[test]
    fn batches_never_cut_a_token() {
        let text = "w ".repeat(20_000).into_bytes();
        assert_eq!(words(&text).len(), 20_000);
    }
}
