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
use smallvec::SmallVec;

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
    /// The hashes of the batch being fed: as many as its marks' tokens at the front of a
    /// buffer allocated once (written in place, never pushed: see [`hash_tokens`]).
    hashes: Box<[u128]>,
    /// Token boundaries in the block being fed (see [`scan_words`]).
    marks: Marks,
    /// Short tokens seen lately, when their repeats are dropped before hashing.
    recent: Option<Recent>,
    /// Where copies of each batch of hashes, with the number of tokens they stand for, go
    /// for the estimators that do not merge (fed on one thread; see
    /// [`crate::estimators::Estimator::mergeable`]).
    pub(crate) forward: Option<SyncSender<(Vec<u128>, u64)>>,
}

impl Tally {
    /// A tally feeding `estimators` and `exact`. With `drop_repeats`, tokens seen lately
    /// are dropped before they are hashed (see [`Recent`]): it pays when the exact count or
    /// the scaling Bloom filter runs, whose inserts cost more than the check.
    pub(crate) fn new(
        estimators: Vec<Box<dyn Estimator>>,
        exact: Option<ExactSet>,
        drop_repeats: bool,
    ) -> Self {
        let n = estimators.len();
        Self {
            estimators,
            times: vec![Duration::ZERO; n],
            exact,
            exact_time: Duration::ZERO,
            scan_time: Duration::ZERO,
            tokens: 0,
            bytes: 0,
            hashes: vec![0; Marks::CAP / 2].into_boxed_slice(),
            marks: Marks::new(),
            recent: drop_repeats.then(Recent::new),
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
                scan_lines(rest, base, &mut self.marks)
            } else {
                scan_words(rest, base, &mut self.marks)
            };
            let tokens = self.marks.len / 2;
            if let Some(recent) = &mut self.recent {
                recent.drop_repeats(block, &mut self.marks);
            }
            let kept = self.marks.len / 2;
            hash_tokens(block, self.marks.as_slice(), &mut self.hashes[..kept]);
            self.scan_time += t.elapsed();
            self.flush(block, kept, tokens as u64);
            base += consumed;
            rest = &rest[consumed..];
        }
    }

    /// Counts one token given by its hash and, when the exact count needs them, its bytes.
    pub(crate) fn add_one(&mut self, hash: u128, bytes: &[u8]) {
        self.insert_hashes(&[hash], 1);
        if let Some(exact) = &mut self.exact {
            let t = Instant::now();
            exact.insert(hash as u64, bytes);
            self.exact_time += t.elapsed();
        }
    }

    /// Counts `tokens` tokens, whose distinct hashes are among `hashes`, in every estimator
    /// (not the exact count, which needs their bytes), and forwards them to the
    /// single-threaded estimators if any.
    pub(crate) fn insert_hashes(&mut self, hashes: &[u128], tokens: u64) {
        self.tokens += tokens;
        for (e, time) in self.estimators.iter_mut().zip(&mut self.times) {
            let t = Instant::now();
            e.insert_batch(hashes, tokens);
            *time += t.elapsed();
        }
        if let Some(tx) = &self.forward {
            // The receiver outlives every sender (it is joined after they are dropped).
            let _ = tx.send((hashes.to_vec(), tokens));
        }
    }

    /// Feeds the batch's `kept` hashes (and token bytes, from the marks into `block`) to
    /// every estimator, for `tokens` tokens (the repeats dropped from the batch included).
    fn flush(&mut self, block: &[u8], kept: usize, tokens: u64) {
        if tokens == 0 {
            return;
        }
        let hashes = std::mem::take(&mut self.hashes);
        self.insert_hashes(&hashes[..kept], tokens);
        if let Some(exact) = &mut self.exact {
            let t = Instant::now();
            for (&h, m) in hashes.iter().zip(self.marks.as_slice().chunks_exact(2)) {
                exact.insert(h as u64, &block[m[0] as usize..m[1] as usize]);
            }
            self.exact_time += t.elapsed();
        }
        self.hashes = hashes;
        self.marks.clear();
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

/// Token boundaries of a batch: a buffer allocated once, large enough for any batch (a
/// scan stops once it holds `2 * (BATCH - 64)` boundaries, at most 64 more than that after
/// a 64-byte chunk, and a vector scan writes up to 64 entries past its end), and how much
/// of it is in use. A scan writes into it through a local index, which stays in a
/// register, where `Vec::push` stores the length back to memory at every boundary.
pub(crate) struct Marks {
    buf: Box<[u32]>,
    len: usize,
}

// A scan starts a chunk with fewer than `2 * (BATCH - 64)` marks and writes at most 64.
const _: () = assert!(2 * (BATCH - 64) + 64 <= Marks::CAP);

impl Marks {
    const CAP: usize = 2 * BATCH + 128;

    fn new() -> Self {
        Self {
            buf: vec![0; Self::CAP].into_boxed_slice(),
            len: 0,
        }
    }

    fn as_slice(&self) -> &[u32] {
        &self.buf[..self.len]
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn push(&mut self, mark: u32) {
        self.buf[self.len] = mark;
        self.len += 1;
    }
}

/// Short tokens seen lately, in a direct-mapped table: a token found in its slot is a
/// repeat, dropped before it is hashed. Every estimator fed here is a set (inserting a token
/// twice changes nothing) but the Morris counter, which counts tokens, not hashes, so
/// dropping repeats changes no result. It saves the hash and the inserts of the frequent
/// tokens that make up most of natural text (Zipf's law).
///
/// A slot holds a token of under 16 bytes as its two [`short_words`], with its length plus
/// one in the top byte of the second (the token's 16th byte, so zero): never all zero, the
/// empty slot.
struct Recent {
    slots: Box<[[u64; 2]; Recent::SLOTS]>,
}

impl Recent {
    /// 4,096 slots (64 KiB).
    const SLOTS: usize = 1 << 12;

    fn new() -> Self {
        Self {
            slots: Box::new([[0; 2]; Self::SLOTS]),
        }
    }

    /// Removes from `marks` each token of `block` its slot holds, and puts every short
    /// token in its slot. The tokens kept keep their order. No branch depends on whether a
    /// token repeats: the kept boundaries are written every time, and their count moves on
    /// by one or zero.
    fn drop_repeats(&mut self, block: &[u8], marks: &mut Marks) {
        let slots = &mut *self.slots;
        let buf = &mut marks.buf[..marks.len];
        let mut kept = 0;
        for t in 0..buf.len() / 2 {
            let (start, end) = (buf[2 * t], buf[2 * t + 1]);
            let (s, len) = (start as usize, (end - start) as usize);
            let repeat = if len < 16 && s + 16 <= block.len() {
                let (k1, k2) = short_words(block, s, len);
                let key = [k1, k2 | (len as u64 + 1) << 56];
                // Multiply-shift of the two words.
                let x = (k1 ^ key[1].rotate_left(31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                let slot = &mut slots[(x >> 52) as usize % Self::SLOTS];
                let seen = *slot == key;
                *slot = key;
                seen
            } else {
                false
            };
            buf[2 * kept] = start;
            buf[2 * kept + 1] = end;
            kept += usize::from(!repeat);
        }
        marks.len = 2 * kept;
    }
}

/// For each length below 16, the masks that keep a token's bytes in its two words (see
/// [`short_words`]): a table lookup is fewer instructions than shifts by the length.
const KEEP: [[u64; 2]; 16] = {
    let mut t = [[0u64; 2]; 16];
    let mut len = 0;
    while len < 16 {
        let (a, b) = if len < 8 { (len, 0) } else { (8, len - 8) };
        t[len] = [keep_bytes(a), keep_bytes(b)];
        len += 1;
    }
    t
};

/// A mask of the low `n <= 8` bytes of a word.
const fn keep_bytes(n: usize) -> u64 {
    if n == 0 { 0 } else { u64::MAX >> (64 - 8 * n) }
}

/// A token of `len < 16` bytes at `buf[start..]`, given that 16 bytes can be read from
/// `start`: its first 8 bytes and the rest as two little-endian words, the bytes past `len`
/// masked off.
#[inline(always)]
fn short_words(buf: &[u8], start: usize, len: usize) -> (u64, u64) {
    debug_assert!(len < 16 && start + 16 <= buf.len());
    let word = |at: usize| u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"));
    let [keep1, keep2] = KEEP[len % 16];
    (word(start) & keep1, word(start + 8) & keep2)
}

/// MurmurHash3 x64_128's constants, for the hash of short tokens here and in
/// [`crate::avx512`] (`lessram::hash` has the general one).
pub(crate) mod murmur {
    /// The multipliers of each 8-byte key.
    pub(crate) const C1: u64 = 0x87c3_7b91_1142_53d5;
    pub(crate) const C2: u64 = 0x4cf5_ad43_2745_937f;
    /// The multipliers of the finaliser.
    pub(crate) const FMIX1: u64 = 0xff51_afd7_ed55_8ccd;
    pub(crate) const FMIX2: u64 = 0xc4ce_b9fe_1a85_ec53;
}

/// MurmurHash3 x64_128 (seed 0) of the `len`-byte token whose [`short_words`] are
/// `(k1, k2)`: bit-identical to [`murmur3_x64_128`] (a test checks every length), but with
/// no branch on the length. A short input is all tail: its first 8 bytes are `k1`, the rest
/// `k2`, and mixing a zero key gives zero, so the bytes past the token are masked off
/// instead of branched around.
#[inline(always)]
fn hash_short(k1: u64, k2: u64, len: usize) -> u128 {
    use murmur::{C1, C2, FMIX1, FMIX2};
    let len = len as u64;
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(FMIX1);
        k ^= k >> 33;
        k = k.wrapping_mul(FMIX2);
        k ^ (k >> 33)
    };
    let mut h1 = k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2) ^ len;
    let mut h2 = k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1) ^ len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u128::from(h2) << 64) | u128::from(h1)
}

/// The whitespace bytes among 8 (read little-endian into `x`), as the high bit of each
/// byte of the result. SWAR, exact for every byte value: each test runs on the low 7 bits,
/// where adding at most `0x7f` cannot carry into the next byte, and bytes with the high bit
/// set (never whitespace) are masked off at the end.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn space_bits(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low = x & !HIGH;
    // High bit clear after adding 0x7f exactly when the byte was 0: the byte is b' '.
    let space = !((low ^ (0x20 * ONES)) + 0x7f * ONES);
    // Low 7 bits at least 9 (adding 0x77 sets the high bit) and not at least 14 (adding
    // 0x72 does not): `\t`, `\n`, `\v`, `\f`, `\r`.
    let control = (low + 0x77 * ONES) & !(low + 0x72 * ONES);
    (space | control) & !x & HIGH
}

/// [`space_mask`] without SIMD (other targets than x86-64): 8 bytes at a time with
/// [`space_bits`], whose 8 high bits one multiplication gathers into the top byte (the
/// multiplier's set bits move bit `8j + 7` to bit `56 + j`, and no two partial products
/// collide there).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn space_mask_swar(chunk: &[u8; 64]) -> u64 {
    const GATHER: u64 = 0x0002_0408_1020_4081;
    let mut m = 0u64;
    for (j, word) in chunk.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        m |= (space_bits(x).wrapping_mul(GATHER) >> 56) << (8 * j);
    }
    m
}

/// The bitmask of separators among 64 bytes (bit `i` for byte `i`).
///
/// On x86-64, 16 bytes at a time with SSE2 (part of every x86-64), through `safe_arch`'s
/// safe wrappers: a byte is a space, or lies in `\t..=\r` when `b - 9` (wrapping) is at
/// most 4, which is when it equals its minimum with 4; `pmovmskb` then gathers the 16
/// results into bits. Six vector instructions for 16 bytes, against about 15 scalar ones
/// for 8 with [`space_bits`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, min_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i, sub_i8_m128i,
    };
    let (space, nine, four) = (
        set_splat_i8_m128i(b' ' as i8),
        set_splat_i8_m128i(9),
        set_splat_i8_m128i(4),
    );
    let mut m = 0u64;
    for (j, part) in chunk.chunks_exact(16).enumerate() {
        let v = load_unaligned_m128i(part.try_into().expect("16 bytes"));
        let x = sub_i8_m128i(v, nine);
        let control = cmp_eq_mask_i8_m128i(min_u8_m128i(x, four), x);
        let spaces = bitor_m128i(control, cmp_eq_mask_i8_m128i(v, space));
        m |= u64::from(move_mask_i8_m128i(spaces) as u16) << (16 * j);
    }
    m
}

/// [`space_mask`] on targets other than x86-64: the SWAR version.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    space_mask_swar(chunk)
}

/// How this machine scans and hashes in mode `opts`: which of [`crate::avx512`]'s paths it
/// takes, for the table's footer and the JSON output.
pub(crate) fn vector_paths(opts: Options) -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        let paths = crate::avx512::paths();
        match (paths.scan && !opts.lines, paths.hash) {
            (true, true) => "AVX-512 scan and hash",
            (false, true) => "AVX-512 hash",
            (true, false) => "AVX-512 scan",
            (false, false) => "scalar",
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = opts;
        "scalar"
    }
}

/// Finds whitespace-separated tokens of `rest` until a batch is full; returns the bytes
/// consumed. Pushes `base` plus the offset of each token's first byte and of the byte after
/// its last to `marks`, so token `t` is `marks[2t]..marks[2t + 1]`. Stops only at a
/// separator, at the first byte of a token or at the end of `rest`, so no token is cut.
///
/// With AVX-512 ([`crate::avx512`]) where the CPU has it, else with [`space_mask`] and
/// [`push_events`].
fn scan_words(rest: &[u8], base: usize, marks: &mut Marks) -> usize {
    scan_words_vector(rest, base, marks)
        .unwrap_or_else(|| scan_words_with(rest, base, marks, space_mask, push_events))
}

/// [`scan_words`] with AVX-512, or `None` where the CPU cannot.
#[cfg(target_arch = "x86_64")]
fn scan_words_vector(rest: &[u8], base: usize, marks: &mut Marks) -> Option<usize> {
    crate::avx512::scan_words(rest, base, marks)
}

/// [`scan_words`] with AVX-512: x86-64 only.
#[cfg(not(target_arch = "x86_64"))]
fn scan_words_vector(_: &[u8], _: usize, _: &mut Marks) -> Option<usize> {
    None
}

/// Writes `at` plus the position of each set bit of `events`, lowest first, to `buf[n..]`;
/// returns the new `n`. (`buf` has room: see [`Marks`].)
#[inline(always)]
fn push_events(buf: &mut [u32], mut n: usize, mut events: u64, at: u32) -> usize {
    while events != 0 {
        buf[n] = at + events.trailing_zeros();
        n += 1;
        events &= events - 1;
    }
    n
}

/// The loop of [`scan_words`], given how to find the separators among 64 bytes (`mask`,
/// bit `i` for byte `i`) and how to write the positions of a chunk's token boundaries
/// (`push`, as [`push_events`] does; it may write up to 64 entries past the new end).
///
/// Token boundaries alternate, start then end, so the scan pushes every boundary of a
/// 64-byte chunk without looking at which it is. No token is open on entry (the number of
/// marks is even); whether one is open across chunks is the last bit of the previous
/// chunk's word mask.
#[inline(always)]
pub(crate) fn scan_words_with(
    rest: &[u8],
    base: usize,
    marks: &mut Marks,
    mask: impl Fn(&[u8; 64]) -> u64,
    push: impl Fn(&mut [u32], usize, u64, u32) -> usize,
) -> usize {
    debug_assert!(marks.len.is_multiple_of(2));
    let buf = &mut marks.buf[..];
    let mut n = marks.len;
    let mut pos = 0usize;
    let mut padded;
    // Whether the byte before the chunk is a word byte: the last bit of the previous
    // chunk's words (not the parity of `n`, which would make each chunk wait for the
    // previous one's count).
    let mut in_token = 0u64;
    while pos < rest.len() {
        let chunk: &[u8; 64] = if rest.len() - pos >= 64 {
            rest[pos..pos + 64].try_into().expect("64 bytes")
        } else {
            // Padding with spaces ends a token running to the end at `rest.len()`.
            padded = [b' '; 64];
            padded[..rest.len() - pos].copy_from_slice(&rest[pos..]);
            &padded
        };
        let spaces = mask(chunk);
        let words = !spaces;
        // A start is a word byte after a space; an end is a space after a word byte.
        let prev_word = (words << 1) | in_token;
        in_token = words >> 63;
        let events = (words & !prev_word) | (spaces & prev_word);
        n = push(buf, n, events, (base + pos) as u32);
        pos += 64;
        if n >= 2 * (BATCH - 64) {
            if n % 2 == 1 {
                // The last token is still open: it is left, from its start, to the next
                // call (which starts outside a token), so a batch never outgrows `Marks`.
                n -= 1;
                marks.len = n;
                return buf[n] as usize - base;
            }
            marks.len = n;
            return pos.min(rest.len());
        }
    }
    // A token running to the end of `rest` when its length is a multiple of 64 (otherwise
    // the padding ended it).
    if n % 2 == 1 {
        buf[n] = (base + rest.len()) as u32;
        n += 1;
    }
    marks.len = n;
    rest.len()
}

/// Like [`scan_words`] for `--lines`: a token is the bytes before each `\n`, and a last
/// line without `\n` at the end of `rest` (the end of the input) is a token too.
fn scan_lines(rest: &[u8], base: usize, marks: &mut Marks) -> usize {
    let mut pos = 0;
    while pos < rest.len() && marks.len < 2 * BATCH {
        let end = rest[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| pos + i);
        marks.push((base + pos) as u32);
        marks.push((base + end) as u32);
        pos = end + 1;
    }
    pos.min(rest.len())
}

/// Hashes the tokens `block[marks[2t]..marks[2t + 1]]` into `out[t]` (`out` holds one entry
/// a token). A separate pass from the scan: with no scanning branches between them, the
/// hashes of neighbouring tokens overlap in the pipeline. The loop hashes tokens of under
/// 16 bytes (with 16 bytes readable from their start) only, eight at a time with AVX-512
/// where the CPU has it ([`crate::avx512`]), and leaves the others, rare, to a second loop:
/// with no call in it, the hash's constants stay in registers. The hashes are written in
/// place: pushing them would check capacity at every one, and a variable-length copy from
/// the vector path would call `memcpy`.
fn hash_tokens(block: &[u8], marks: &[u32], out: &mut [u128]) {
    hash_tokens_using(block, marks, out, true);
}

/// [`hash_tokens`], with the vector loop only if `vector` (and the CPU has it).
fn hash_tokens_using(block: &[u8], marks: &[u32], out: &mut [u128], vector: bool) {
    assert_eq!(out.len() * 2, marks.len(), "one hash a token");
    let mut long: SmallVec<[usize; 16]> = SmallVec::new();
    if !(vector && hash_tokens_vector(block, marks, out, &mut long)) {
        hash_tokens_scalar(block, marks, out, &mut long);
    }
    for t in long {
        let (start, end) = (marks[2 * t] as usize, marks[2 * t + 1] as usize);
        out[t] = murmur3_x64_128(&block[start..end], 0);
    }
}

/// [`hash_tokens`]'s first loop, one token at a time.
fn hash_tokens_scalar(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    long: &mut SmallVec<[usize; 16]>,
) {
    for (t, (m, hash)) in marks.chunks_exact(2).zip(out).enumerate() {
        let (start, end) = (m[0] as usize, m[1] as usize);
        *hash = if end - start < 16 && start + 16 <= block.len() {
            let (k1, k2) = short_words(block, start, end - start);
            hash_short(k1, k2, end - start)
        } else {
            long.push(t);
            0
        };
    }
}

/// [`hash_tokens`]'s first loop eight tokens at a time, or `false` where the CPU cannot.
#[cfg(target_arch = "x86_64")]
fn hash_tokens_vector(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    long: &mut SmallVec<[usize; 16]>,
) -> bool {
    crate::avx512::hash_tokens(block, marks, out, long)
}

/// [`hash_tokens`]'s first loop eight tokens at a time: x86-64 only.
#[cfg(not(target_arch = "x86_64"))]
fn hash_tokens_vector(_: &[u8], _: &[u32], _: &mut [u128], _: &mut SmallVec<[usize; 16]>) -> bool {
    false
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
            hash_tokens_using(text, marks_now, &mut hashes, vector);
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
            let want: Vec<u128> = marks
                .chunks_exact(2)
                .map(|m| murmur3_x64_128(&block[m[0] as usize..m[1] as usize], 0))
                .collect();
            for vector in [false, true] {
                let mut hashes = vec![7u128; tokens as usize];
                hash_tokens_using(&block, &marks, &mut hashes, vector);
                assert_eq!(hashes, want, "{tokens} tokens, vector {vector}");
            }
        }
        #[cfg(target_arch = "x86_64")]
        if !crate::avx512::paths().hash {
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
                let (k1, k2) = short_words(&bytes, 3, len);
                assert_eq!(
                    hash_short(k1, k2, len),
                    murmur3_x64_128(&bytes[3..3 + len], 0)
                );
            }
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
        if !crate::avx512::paths().scan {
            eprintln!("note: no AVX-512 here; only the scalar scan was tested");
        }
    }

    #[test]
    fn space_mask_matches_is_space_for_every_byte() {
        // Every byte value at every position of a chunk, beside every other byte value.
        for shift in 0..64usize {
            let chunk: [u8; 64] = std::array::from_fn(|i| (i * 4 + shift * 7) as u8);
            let want = (0..64).fold(0u64, |m, i| m | u64::from(is_space(chunk[i])) << i);
            assert_eq!(space_mask(&chunk), want, "shift {shift}");
            assert_eq!(space_mask_swar(&chunk), want, "shift {shift}");
        }
        for b in 0..=255u8 {
            for c in 0..=255u8 {
                let x = u64::from_le_bytes([b, c, b, c, c, b, 0x20, 0x0d]);
                let want = (0..8).fold(0u64, |m, i| {
                    m | u64::from(is_space(x.to_le_bytes()[i])) << (8 * i + 7)
                });
                assert_eq!(space_bits(x), want, "{b:#x} {c:#x}");
            }
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
    fn dropping_repeats_keeps_every_distinct_token() {
        // Lines (so tokens hold spaces and NULs, and may be empty) drawn from a small set
        // with many repeats; "x\0" always follows "x", which it would match if the length
        // were not part of the key, and 15-, 16- and 17-byte lines straddle the short limit.
        let mut vocab: Vec<Vec<u8>> = (0..300u32)
            .map(|i| format!("w{}", i * 7919).into_bytes())
            .collect();
        vocab.extend([&b""[..], b"a b", b"x", b"x\0"].map(<[u8]>::to_vec));
        vocab.extend((14..18).map(|n| vec![b'y'; n]));
        let mut state = 3u64;
        let mut text = Vec::new();
        for _ in 0..40_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (state >> 33) as usize % vocab.len();
            text.extend_from_slice(&vocab[i]);
            text.push(b'\n');
            if vocab[i] == b"x" {
                text.extend_from_slice(b"x\0\n");
            }
        }
        let (mut marks, mut recent) = (Marks::new(), Recent::new());
        let (mut all, mut kept) = (0usize, std::collections::HashSet::new());
        let mut kept_count = 0;
        let mut pos = 0;
        while pos < text.len() {
            pos += scan_lines(&text[pos..], pos, &mut marks);
            all += marks.len / 2;
            recent.drop_repeats(&text, &mut marks);
            for m in marks.as_slice().chunks_exact(2) {
                kept.insert(&text[m[0] as usize..m[1] as usize]);
                kept_count += 1;
            }
            marks.clear();
        }
        let distinct: std::collections::HashSet<&[u8]> =
            text.split(|&b| b == b'\n').take(all).collect();
        let lost: Vec<_> = distinct.difference(&kept).collect();
        assert!(lost.is_empty(), "lost {lost:?}");
        assert_eq!(kept.len(), distinct.len());
        // Most repeats go: a table that dropped nothing would fail here.
        assert!(kept_count * 4 < all, "{kept_count} of {all} kept");
    }

    #[test]
    fn batches_never_cut_a_token() {
        let text = "w ".repeat(20_000).into_bytes();
        assert_eq!(words(&text).len(), 20_000);
    }
}
