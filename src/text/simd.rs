//! The scan and the hash loop of [`crate::text`] with AVX-512, or AVX2, where the CPU has it.
//!
//! - **Scan**: the separators of 64 bytes are two compares into a mask register (SSE2
//!   takes 24 instructions), and the token boundaries among them are written without a
//!   loop: `vpcompressb` gathers the positions of the mask's set bits to the front of a
//!   vector, which is widened and stored 16 at a time. The scalar loop writes one
//!   boundary an iteration and mispredicts its exit once a chunk.
//! - **Hash**: MurmurHash3 x64_128 of a token under 16 bytes is eight 64-bit
//!   multiplications and a few shifts and adds (`hash_short` in [`super::hash`]);
//!   scalar code is bound by the one multiplier port. AVX-512DQ multiplies eight 64-bit
//!   lanes in one instruction (`vpmullq`), so eight tokens take about as long as two. The
//!   eight tokens' bounds come from one load of their 16 marks, and their bytes from two
//!   masked gathers (`vpgatherqq`), which measured faster than staging them with scalar
//!   loads (72 against 77 ms for the English corpus's 10.6 M tokens on a Sapphire Rapids).
//! - **Without AVX-512**: the AVX2 scan ([`scan_words_avx2`]) and the AVX2 hash, four
//!   tokens at a time with 64-bit multiplies made of 32-bit ones and a fifth beside them
//!   with scalar ones ([`hash_tokens_avx2`]).
//!
//! Both give bit for bit what the scalar paths give (tests compare them on random text and
//! on every token length), so tables and saved sketches are the same whichever ran. Each
//! runs when the CPU reports its features at run time (AVX-512F and DQ for the hash; F,
//! BW and VBMI2 for the scan: Intel since Ice Lake, AMD since Zen 4) and the environment
//! variable `LESSRAM_NO_AVX512` is unset; the AVX2 ones where the AVX-512 ones do not run,
//! the CPU has AVX2 and `LESSRAM_NO_AVX2` is unset; the scalar paths run otherwise.
//!
//! This file holds the crate's only `unsafe`: the calls into `#[target_feature]`
//! functions once their features are detected, the reinterpretation of 64-byte arrays of
//! plain data as vectors and back, and the two gathers and the AVX2 hash's loads, which
//! read only 16 bytes inside the block.
#![allow(unsafe_code)]

use std::arch::x86_64::{
    __m128i, __m256i, __m512i, _mm_loadu_si128, _mm256_add_epi64, _mm256_and_si256,
    _mm256_castsi128_si256, _mm256_castsi256_pd, _mm256_cmpeq_epi8, _mm256_cmpgt_epi64,
    _mm256_inserti128_si256, _mm256_min_epu8, _mm256_min_epu32, _mm256_movemask_epi8,
    _mm256_movemask_pd, _mm256_mul_epu32, _mm256_or_si256, _mm256_permute2x128_si256,
    _mm256_set1_epi8, _mm256_set1_epi64x, _mm256_slli_epi64, _mm256_srli_epi64, _mm256_srlv_epi64,
    _mm256_sub_epi8, _mm256_sub_epi64, _mm256_unpackhi_epi64, _mm256_unpacklo_epi64,
    _mm256_xor_si256, _mm512_add_epi32, _mm512_add_epi64, _mm512_and_si512, _mm512_castsi512_si256,
    _mm512_cmpeq_epi8_mask, _mm512_cmple_epi64_mask, _mm512_cmple_epu8_mask,
    _mm512_cmplt_epu64_mask, _mm512_cvtepu8_epi32, _mm512_cvtepu32_epi64,
    _mm512_extracti32x4_epi32, _mm512_extracti64x4_epi64, _mm512_mask_i64gather_epi64,
    _mm512_maskz_compress_epi8, _mm512_max_epi64, _mm512_mullo_epi64, _mm512_permutex2var_epi64,
    _mm512_permutexvar_epi32, _mm512_rol_epi64, _mm512_set1_epi8, _mm512_set1_epi32,
    _mm512_set1_epi64, _mm512_setr_epi32, _mm512_setr_epi64, _mm512_slli_epi64, _mm512_srli_epi64,
    _mm512_srlv_epi64, _mm512_sub_epi8, _mm512_sub_epi64, _mm512_xor_si512,
};
use std::arch::x86_64::{
    _mm_cvtsi64_si128, _mm256_add_epi32, _mm256_cvtepu8_epi32, _mm256_set1_epi32,
};
use std::sync::OnceLock;

use super::batch::Long;
use super::hash::murmur::{C1, C2, FMIX1, FMIX2};
use super::hash::{hash_short, short_words};
use super::scan::{BIT_POSITIONS, Marks, scan_words_with};

/// Which vector paths this process takes, decided once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paths {
    /// The hash: AVX-512F and DQ.
    pub(crate) hash: bool,
    /// The scan: AVX-512F, BW and VBMI2.
    pub(crate) scan: bool,
    /// The scan with AVX2, where the AVX-512 one is off.
    pub(crate) scan_avx2: bool,
    /// The hash with AVX2, five tokens at a time, where the AVX-512 one is off.
    pub(crate) hash_avx2: bool,
}

/// The paths this CPU can take, unless `LESSRAM_NO_AVX512` (or, for the AVX2 scan and
/// hash, `LESSRAM_NO_AVX2`) is set.
pub(crate) fn paths() -> Paths {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    *PATHS.get_or_init(|| {
        use std::arch::is_x86_feature_detected as has;
        let on = std::env::var_os("LESSRAM_NO_AVX512").is_none() && has!("avx512f");
        let scan = on && has!("avx512bw") && has!("avx512vbmi2");
        let hash = on && has!("avx512dq");
        let avx2 = std::env::var_os("LESSRAM_NO_AVX2").is_none() && has!("avx2");
        Paths {
            hash,
            scan,
            scan_avx2: !scan && avx2,
            hash_avx2: !hash && avx2,
        }
    })
}

/// [`super::batch`]'s `scan_words` with AVX-512 or AVX2, or `None`, having done nothing,
/// when [`paths`] says neither.
pub(crate) fn scan_words(rest: &[u8], base: usize, marks: &mut Marks) -> Option<usize> {
    let paths = paths();
    if paths.scan {
        // SAFETY: `scan_words_avx512` needs AVX-512F, BW and VBMI2, which `paths` detected;
        // it has no other requirement.
        Some(unsafe { scan_words_avx512(rest, base, marks) })
    } else if paths.scan_avx2 {
        // SAFETY: `scan_words_avx2` needs AVX2, which `paths` detected.
        Some(unsafe { scan_words_avx2(rest, base, marks) })
    } else {
        None
    }
}

/// The scan of CPUs with AVX2 but not AVX-512 (AMD before Zen 4, Intel's client parts
/// since Haswell): [`space_mask_avx2`], 32 bytes a step where SSE2 takes 16. Only the mask
/// is compiled for AVX2, a call per 64-byte chunk: with the whole loop compiled for AVX2
/// (and BMI1), LLVM turned the boundary loop into bit-by-bit byte inserts, three times the
/// instructions of the SSE2 scan (callgrind).
///
/// # Safety
///
/// The CPU must have AVX2.
unsafe fn scan_words_avx2(rest: &[u8], base: usize, marks: &mut Marks) -> usize {
    scan_words_with(
        rest,
        base,
        marks,
        // SAFETY: the caller checked that the CPU has AVX2.
        |c| unsafe { space_mask_avx2(c) },
        // SAFETY: as above.
        |b, n, e, a| unsafe { push_events_avx2(b, n, e, a) },
    )
}

/// [`super::scan::push_events`] without a loop on the bits: for each byte of `events`, the
/// positions of its set bits from [`BIT_POSITIONS`], widened to 32 bits, offset and
/// stored 8 at a time, and `n` advanced by the byte's count of bits. Eight stores a chunk
/// and no branch, where the scalar loop's exit mispredicts about once a chunk (a chunk of
/// text has about 17 boundaries, a different number each time).
///
/// # Safety
///
/// The CPU must have AVX2.
#[inline]
#[target_feature(enable = "avx2")]
fn push_events_avx2(buf: &mut [u32], mut n: usize, events: u64, at: u32) -> usize {
    for (j, &byte) in events.to_le_bytes().iter().enumerate() {
        let positions = u64::from_le_bytes(BIT_POSITIONS[usize::from(byte)]);
        let positions = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(positions as i64));
        let marks = _mm256_add_epi32(positions, _mm256_set1_epi32((at + 8 * j as u32) as i32));
        // SAFETY: both types are 32 bytes of plain data, every bit pattern valid in each.
        let marks = unsafe { std::mem::transmute::<__m256i, [u32; 8]>(marks) };
        buf[n..n + 8].copy_from_slice(&marks);
        n += byte.count_ones() as usize;
    }
    n
}

/// The separators among 64 bytes (bit `i` for byte `i`) with AVX2: as the SSE2 version of
/// [`super::scan::space_mask`] (a byte is a space, or `b - 9`, wrapping, is at most 4,
/// which is when it equals its minimum with 4), two halves of 32 bytes.
#[inline]
#[target_feature(enable = "avx2")]
fn space_mask_avx2(chunk: &[u8; 64]) -> u64 {
    let (nine, four, space) = (
        _mm256_set1_epi8(9),
        _mm256_set1_epi8(4),
        _mm256_set1_epi8(b' ' as i8),
    );
    // SAFETY: both types are 64 bytes of plain data, every bit pattern valid in each.
    let halves = unsafe { std::mem::transmute::<[u8; 64], [__m256i; 2]>(*chunk) };
    let mask = |v: __m256i| {
        let x = _mm256_sub_epi8(v, nine);
        let control = _mm256_cmpeq_epi8(_mm256_min_epu8(x, four), x);
        let spaces = _mm256_or_si256(control, _mm256_cmpeq_epi8(v, space));
        u64::from(_mm256_movemask_epi8(spaces) as u32)
    };
    mask(halves[0]) | mask(halves[1]) << 32
}

#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2")]
fn scan_words_avx512(rest: &[u8], base: usize, marks: &mut Marks) -> usize {
    scan_words_with(
        rest,
        base,
        marks,
        |c| space_mask(c),
        |b, n, e, a| push_events(b, n, e, a),
    )
}

/// The separators among 64 bytes (bit `i` for byte `i`): a byte is a space, or lies in
/// `\t..=\r` when `b - 9` (wrapping) is at most 4.
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    // SAFETY: both types are 64 bytes of plain data, every bit pattern valid in each.
    let v = unsafe { std::mem::transmute::<[u8; 64], __m512i>(*chunk) };
    let control =
        _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(9)), _mm512_set1_epi8(4));
    control | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b' ' as i8))
}

/// [`super::scan::push_events`] without a loop: the positions of the set bits of
/// `events` are gathered to the front of a vector of byte positions (`vpcompressb`), then
/// widened to 32 bits, `at` added, and written 16 at a time: always the first 32 (a chunk
/// of text averages about 17), then the rest when there are more, so the only branch is
/// on their count.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2")]
fn push_events(buf: &mut [u32], n: usize, events: u64, at: u32) -> usize {
    const POSITIONS: [u8; 64] = {
        let mut p = [0u8; 64];
        let mut i = 0;
        while i < 64 {
            p[i] = i as u8;
            i += 1;
        }
        p
    };
    // SAFETY: as in `space_mask`.
    let positions = unsafe { std::mem::transmute::<[u8; 64], __m512i>(POSITIONS) };
    let packed = _mm512_maskz_compress_epi8(events, positions);
    let at = _mm512_set1_epi32(at as i32);
    let count = events.count_ones() as usize;
    let mut write = |j: usize, quarter: __m128i| {
        let marks = _mm512_add_epi32(_mm512_cvtepu8_epi32(quarter), at);
        // SAFETY: as in `space_mask` (16 words of 4 bytes).
        let marks = unsafe { std::mem::transmute::<__m512i, [u32; 16]>(marks) };
        buf[n + 16 * j..n + 16 * j + 16].copy_from_slice(&marks);
    };
    write(0, _mm512_extracti32x4_epi32::<0>(packed));
    write(1, _mm512_extracti32x4_epi32::<1>(packed));
    if count > 32 {
        write(2, _mm512_extracti32x4_epi32::<2>(packed));
        write(3, _mm512_extracti32x4_epi32::<3>(packed));
    }
    n + count
}

/// Hashes the tokens `block[marks[2t]..marks[2t + 1]]` with `seed` into `out[t]`, as
/// [`super::batch`]'s scalar loop does, eight at a time. Tokens of 16 bytes or more, or
/// with fewer than 16 bytes readable from their start, get a meaningless hash here and
/// their index in `long`, for the caller to hash.
///
/// With AVX2 and not AVX-512, five at a time ([`hash_tokens_avx2`]).
///
/// Returns `false`, having done nothing, when [`paths`] says not to.
pub(crate) fn hash_tokens(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    seed: u32,
    long: &mut Long,
) -> bool {
    let paths = paths();
    if paths.hash {
        // SAFETY: `hash_tokens_avx512` needs AVX-512F and DQ, which `paths` detected; it has
        // no other requirement.
        unsafe { hash_tokens_avx512(block, marks, out, seed, long) };
    } else if paths.hash_avx2 {
        // SAFETY: `hash_tokens_avx2` needs AVX2, which `paths` detected; it has no other
        // requirement.
        unsafe { hash_tokens_avx2(block, marks, out, seed, long) };
    } else {
        return false;
    }
    true
}

/// One vector as four 128-bit words.
#[inline(always)]
fn pairs(v: __m512i) -> [u128; 4] {
    // SAFETY: both types are 64 bytes of plain data, every bit pattern valid in each.
    unsafe { std::mem::transmute::<__m512i, [u128; 4]>(v) }
}

#[target_feature(enable = "avx512f,avx512dq")]
fn hash_tokens_avx512(block: &[u8], marks: &[u32], out: &mut [u128], seed: u32, long: &mut Long) {
    // A start at most this leaves 16 bytes to read (negative, so no start, below 16 bytes).
    let limit = _mm512_set1_epi64(block.len() as i64 - 16);
    let split = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    let groups = out.len() / 8;
    for (g, (m, dst)) in marks
        .chunks_exact(16)
        .zip(out.chunks_exact_mut(8))
        .enumerate()
    {
        let m: [u32; 16] = m.try_into().expect("16 marks");
        // SAFETY: both types are 64 bytes of plain data, every bit pattern valid in each.
        let m = unsafe { std::mem::transmute::<[u32; 16], __m512i>(m) };
        let m = _mm512_permutexvar_epi32(split, m);
        let starts = _mm512_cvtepu32_epi64(_mm512_castsi512_si256(m));
        let ends = _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64::<1>(m));
        let len = _mm512_sub_epi64(ends, starts);
        let short = _mm512_cmplt_epu64_mask(len, _mm512_set1_epi64(16))
            & _mm512_cmple_epi64_mask(starts, limit);
        let zero = _mm512_set1_epi64(0);
        let base = block.as_ptr();
        // SAFETY: a lane is read only if its bit of `short` is set, and then its start is at
        // most `block.len() - 16`, so both reads (8 bytes at `start`, 8 at `start + 8`) lie
        // inside `block`. `wrapping_add` makes no claim about a `block` under 8 bytes.
        let (k1, k2) = unsafe {
            (
                _mm512_mask_i64gather_epi64::<1>(zero, short, starts, base.cast()),
                _mm512_mask_i64gather_epi64::<1>(zero, short, starts, base.wrapping_add(8).cast()),
            )
        };
        long.push_lanes(8 * g, !short);
        let (h1, h2) = hash_short8(k1, k2, len, seed);
        // Interleave the halves as the `u128`s are laid out: h1 low, h2 high.
        let low = _mm512_permutex2var_epi64(h1, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), h2);
        let high = _mm512_permutex2var_epi64(h1, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), h2);
        let [a, b] = [pairs(low), pairs(high)];
        dst.copy_from_slice(&[a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]);
    }
    // The last tokens, fewer than eight, go to the caller's loop.
    long.extend(8 * groups..out.len());
}

/// MurmurHash3 x64_128 with `seed` of eight tokens of under 16 bytes, given the 16 bytes
/// from each one's start as two little-endian words (bytes past the token included: they
/// are masked off here) and the lengths: the `(h1, h2)` halves of each hash.
#[inline]
#[target_feature(enable = "avx512f,avx512dq")]
fn hash_short8(k1: __m512i, k2: __m512i, len: __m512i, seed: u32) -> (__m512i, __m512i) {
    let splat = |c: u64| _mm512_set1_epi64(c as i64);
    let (c1, c2) = (splat(C1), splat(C2));
    // Keep the first `len` bytes: a shift of all ones right by 64 - 8 len bits for the
    // first word, 128 - 8 len for the second (`vpsrlvq` gives 0 for shifts of 64 or more).
    let ones = _mm512_set1_epi64(-1);
    let bits = _mm512_slli_epi64::<3>(len);
    let zero = _mm512_set1_epi64(0);
    let shift1 = _mm512_max_epi64(_mm512_sub_epi64(_mm512_set1_epi64(64), bits), zero);
    let shift2 = _mm512_sub_epi64(_mm512_set1_epi64(128), bits);
    let k1 = _mm512_and_si512(k1, _mm512_srlv_epi64(ones, shift1));
    let k2 = _mm512_and_si512(k2, _mm512_srlv_epi64(ones, shift2));

    let fmix = |k: __m512i| {
        let k = _mm512_xor_si512(k, _mm512_srli_epi64::<33>(k));
        let k = _mm512_mullo_epi64(k, splat(FMIX1));
        let k = _mm512_xor_si512(k, _mm512_srli_epi64::<33>(k));
        let k = _mm512_mullo_epi64(k, splat(FMIX2));
        _mm512_xor_si512(k, _mm512_srli_epi64::<33>(k))
    };
    let h1 = _mm512_mullo_epi64(_mm512_rol_epi64::<31>(_mm512_mullo_epi64(k1, c1)), c2);
    let h2 = _mm512_mullo_epi64(_mm512_rol_epi64::<33>(_mm512_mullo_epi64(k2, c2)), c1);
    // Both halves start at the seed; a short input is all tail, mixed in by xor.
    let seed_len = _mm512_xor_si512(len, _mm512_set1_epi64(i64::from(seed)));
    let h1 = _mm512_xor_si512(h1, seed_len);
    let h2 = _mm512_xor_si512(h2, seed_len);
    let h1 = _mm512_add_epi64(h1, h2);
    let h2 = _mm512_add_epi64(h2, h1);
    let h1 = fmix(h1);
    let h2 = fmix(h2);
    let h1 = _mm512_add_epi64(h1, h2);
    let h2 = _mm512_add_epi64(h2, h1);
    (h1, h2)
}

/// [`hash_tokens`] with AVX2, five tokens at a time (four in vector lanes), for CPUs without AVX-512 (AMD before
/// Zen 4, Intel's client parts). AVX2 has no 64-bit multiply: `a * c` (mod 2^64) is
/// `lo(a) lo(c) + (hi(a) lo(c) + lo(a) hi(c)) << 32`, three `vpmuludq` (32 x 32 -> 64 bits
/// on four lanes) and four adds and shifts, so the eight multiplications of four tokens
/// cost 24 vector ones, where scalar code issues 32 one at a time. Each token's 16 bytes
/// are two loads (vector gathers are slow on AMD): tokens 0 and 2 into one vector, 1 and
/// 3 into another, and one unpack of each half gives the four first words, the other the
/// four second words.
///
/// A fifth token of each group is hashed with scalar multiplies meanwhile: the integer
/// multiplier is otherwise idle while the vector units work, and the loop is not bound by
/// instruction issue (groups of 4 + 1 tokens took 57.6 ms of CPU against 63.0 ms for groups
/// of 4 on the sample corpus, 67.0 against 73.7 on the English one; 4 + 2 was about the
/// same as 4 + 1, 4 + 3 and 4 + 4 slower; Zen 5, medians of 9 alternating runs).
///
/// # Safety
///
/// The CPU must have AVX2.
#[target_feature(enable = "avx2")]
fn hash_tokens_avx2(block: &[u8], marks: &[u32], out: &mut [u128], seed: u32, long: &mut Long) {
    // A start at most `last` leaves 16 bytes to read; in a block under 16 bytes none does.
    let Some(last) = block.len().checked_sub(16) else {
        long.extend(0..out.len());
        return;
    };
    let splat = |c: u64| _mm256_set1_epi64x(c as i64);
    let (limit, fifteen, low32, zero) =
        (splat(last as u64), splat(15), splat(0xffff_ffff), splat(0));
    let base = block.as_ptr();
    // Four tokens in the vector lanes, one more with scalar multiplies.
    let width = 5;
    let groups = out.len() / width;
    for (g, (m, dst)) in marks
        .chunks_exact(2 * width)
        .zip(out.chunks_exact_mut(width))
        .enumerate()
    {
        let (m, rest) = m.split_at(8);
        let m: [u32; 8] = m.try_into().expect("8 marks");
        // SAFETY: both types are 32 bytes of plain data, every bit pattern valid in each.
        let pairs = unsafe { std::mem::transmute::<[u32; 8], __m256i>(m) };
        // Each 64-bit lane holds a start (low half) and its end (high half).
        let starts = _mm256_and_si256(pairs, low32);
        let len = _mm256_sub_epi64(_mm256_srli_epi64::<32>(pairs), starts);
        // Lanes hashed here: a length in 0..16 (an end before its start, never made by a
        // scan, wraps to a long token, as in the scalar loop) and 16 bytes readable.
        let others = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_cmpgt_epi64(len, fifteen),
                _mm256_cmpgt_epi64(zero, len),
            ),
            _mm256_cmpgt_epi64(starts, limit),
        );
        let mut others = _mm256_movemask_pd(_mm256_castsi256_pd(others)) as u8;
        // The lanes not hashed here read from the block's start instead.
        let at = |i: usize| {
            let start = m[2 * i] as usize;
            if start <= last { start } else { 0 }
        };
        let (a, b) = (at(0), at(1));
        let (c, d) = (at(2), at(3));
        // SAFETY: each offset is at most `last = block.len() - 16`, so the 16 bytes read
        // from it lie inside `block`; `_mm_loadu_si128` has no alignment requirement.
        let [a, b, c, d] =
            unsafe { [a, b, c, d].map(|at| _mm_loadu_si128(base.add(at).cast::<__m128i>())) };
        let ac = _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(a), c);
        let bd = _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(b), d);
        let (k1, k2) = (_mm256_unpacklo_epi64(ac, bd), _mm256_unpackhi_epi64(ac, bd));
        // The fifth token, as the scalar loop hashes it (a long one, hashed from the
        // block's start here, is hashed again by the caller).
        let (start, end) = (rest[0] as usize, rest[1] as usize);
        let len5 = end.wrapping_sub(start);
        let here = len5 < 16 && start <= last;
        let (k1_5, k2_5) = short_words(block, if here { start } else { 0 }, len5 % 16);
        dst[4] = hash_short(k1_5, k2_5, len5, seed);
        others |= u8::from(!here) << 4;
        long.push_lanes(width * g, others);
        let (h1, h2) = hash_short4(k1, k2, len, seed);
        // Interleave the halves as the `u128`s are laid out: h1 low, h2 high.
        let (lo, hi) = (_mm256_unpacklo_epi64(h1, h2), _mm256_unpackhi_epi64(h1, h2));
        let first = _mm256_permute2x128_si256::<0x20>(lo, hi);
        let second = _mm256_permute2x128_si256::<0x31>(lo, hi);
        // SAFETY: both types are 32 bytes of plain data, every bit pattern valid in each.
        let [p, q] =
            unsafe { [first, second].map(|v| std::mem::transmute::<__m256i, [u128; 2]>(v)) };
        dst[..4].copy_from_slice(&[p[0], p[1], q[0], q[1]]);
    }
    // The last tokens, fewer than a group, go to the caller's loop.
    long.extend(width * groups..out.len());
}

/// [`hash_short8`] on four lanes with AVX2.
#[inline]
#[target_feature(enable = "avx2")]
fn hash_short4(k1: __m256i, k2: __m256i, len: __m256i, seed: u32) -> (__m256i, __m256i) {
    let splat = |c: u64| _mm256_set1_epi64x(c as i64);
    // `a * c` mod 2^64: `vpmuludq` multiplies the low 32 bits of each lane, so `splat(c)`
    // stands for `lo(c)`.
    let mul = |a: __m256i, c: u64| {
        let cross = _mm256_add_epi64(
            _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), splat(c)),
            _mm256_mul_epu32(a, splat(c >> 32)),
        );
        _mm256_add_epi64(
            _mm256_mul_epu32(a, splat(c)),
            _mm256_slli_epi64::<32>(cross),
        )
    };
    // Keep the first `len` bytes: all ones shifted right by 64 - 8 min(len, 8) bits for
    // the first word, 128 - 8 len for the second (`vpsrlvq` gives 0 for shifts of 64 or
    // more). `len` is under 2^32, so a 32-bit minimum is the 64-bit one.
    let ones = splat(u64::MAX);
    let shift1 = _mm256_sub_epi64(
        splat(64),
        _mm256_slli_epi64::<3>(_mm256_min_epu32(len, splat(8))),
    );
    let shift2 = _mm256_sub_epi64(splat(128), _mm256_slli_epi64::<3>(len));
    let k1 = _mm256_and_si256(k1, _mm256_srlv_epi64(ones, shift1));
    let k2 = _mm256_and_si256(k2, _mm256_srlv_epi64(ones, shift2));

    let shift_xor = |k: __m256i| _mm256_xor_si256(k, _mm256_srli_epi64::<33>(k));
    let fmix = |k: __m256i| shift_xor(mul(shift_xor(mul(shift_xor(k), FMIX1)), FMIX2));
    let k1 = mul(k1, C1);
    let k1 = _mm256_or_si256(_mm256_slli_epi64::<31>(k1), _mm256_srli_epi64::<33>(k1));
    let k2 = mul(k2, C2);
    let k2 = _mm256_or_si256(_mm256_slli_epi64::<33>(k2), _mm256_srli_epi64::<31>(k2));
    // Both halves start at the seed; a short input is all tail, mixed in by xor.
    let seed_len = _mm256_xor_si256(len, splat(u64::from(seed)));
    let h1 = _mm256_xor_si256(mul(k1, C2), seed_len);
    let h2 = _mm256_xor_si256(mul(k2, C1), seed_len);
    let h1 = _mm256_add_epi64(h1, h2);
    let h2 = _mm256_add_epi64(h2, h1);
    let h1 = fmix(h1);
    let h2 = fmix(h2);
    let h1 = _mm256_add_epi64(h1, h2);
    let h2 = _mm256_add_epi64(h2, h1);
    (h1, h2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::scan::{push_events, space_mask};

    /// Whether this CPU can run the AVX2 scan (whichever scan [`paths`] chose).
    fn has_avx2() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
    }

    #[test]
    fn avx2_hash_is_murmur3_for_every_length_and_at_the_block_end() {
        use crate::hash::murmur3_x64_128;
        if !has_avx2() {
            eprintln!("note: no AVX2 here; its hash was not tested");
            return;
        }
        let mut state = 3u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        // Blocks of every size to 80 bytes (under 16: nothing readable), then 1000.
        for size in (0..=80).chain([1000]) {
            let block: Vec<u8> = (0..size).map(|_| next() as u8).collect();
            // Every token of 0..=40 bytes that fits, at every start, in order, then the
            // same shuffled, in batches of 0 to 11 tokens (every size of a partial group).
            let mut spans: Vec<[u32; 2]> = (0..=40usize.min(size))
                .flat_map(|len| (0..=size - len).map(move |s| [s as u32, (s + len) as u32]))
                .collect();
            let ordered = spans.clone();
            for i in (1..spans.len()).rev() {
                spans.swap(i, next() % (i + 1));
            }
            for spans in [ordered, spans] {
                let mut at = 0;
                while at < spans.len() {
                    let n = (next() % 12).min(spans.len() - at);
                    let marks: Vec<u32> = spans[at..at + n].iter().flatten().copied().collect();
                    let seed = [0, 9001, u32::MAX][next() % 3];
                    let mut out = vec![7u128; n];
                    let mut long = Long::new();
                    // SAFETY: AVX2 is detected above.
                    unsafe { hash_tokens_avx2(&block, &marks, &mut out, seed, &mut long) };
                    for &t in long.as_slice() {
                        let t = t as usize;
                        let [s, e] = spans[at + t];
                        out[t] = murmur3_x64_128(&block[s as usize..e as usize], seed);
                    }
                    for (t, &h) in out.iter().enumerate() {
                        let [s, e] = spans[at + t];
                        assert_eq!(
                            h,
                            murmur3_x64_128(&block[s as usize..e as usize], seed),
                            "block of {size}, token {s}..{e}, seed {seed}"
                        );
                        // A token short enough, with 16 bytes readable, is hashed here.
                        let here = e - s < 16 && s as usize + 16 <= size && t < n / 5 * 5;
                        assert_eq!(
                            !long.as_slice().contains(&(t as u32)),
                            here,
                            "block of {size}, {s}..{e}"
                        );
                    }
                    at += n;
                }
            }
        }
    }

    #[test]
    fn avx2_space_mask_is_the_scalar_one_for_every_byte() {
        if !has_avx2() {
            eprintln!("note: no AVX2 here; its scan was not tested");
            return;
        }
        for shift in 0..64usize {
            let chunk: [u8; 64] = std::array::from_fn(|i| (i * 4 + shift * 7) as u8);
            // SAFETY: AVX2 is detected above.
            assert_eq!(
                unsafe { space_mask_avx2(&chunk) },
                space_mask(&chunk),
                "shift {shift}"
            );
        }
    }

    #[test]
    fn avx2_scan_is_the_scalar_one() {
        if !has_avx2() {
            eprintln!("note: no AVX2 here; its scan was not tested");
            return;
        }
        // Random text of separators and word bytes at every length up to 700 (a last
        // partial chunk of every size), and a dense one that fills batches.
        let mut state = 5u64;
        let mut texts: Vec<Vec<u8>> = (0..700)
            .map(|len| {
                (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        b"ab \n\t\x0bc\xff\r\x0c\x08\x0e"[(state >> 58) as usize % 12]
                    })
                    .collect()
            })
            .collect();
        texts.push(b"a ".repeat(20_000));
        for text in &texts {
            let (mut want, mut got) = (Marks::new(), Marks::new());
            let (mut pos, mut spans) = (0, [Vec::new(), Vec::new()]);
            while pos < text.len() {
                let n = scan_words_with(&text[pos..], pos, &mut want, space_mask, push_events);
                // SAFETY: AVX2 is detected above.
                let m = unsafe { scan_words_avx2(&text[pos..], pos, &mut got) };
                assert_eq!(m, n, "consumed, text of {} bytes at {pos}", text.len());
                spans[0].extend_from_slice(want.as_slice());
                spans[1].extend_from_slice(got.as_slice());
                (want.len, got.len) = (0, 0);
                pos += n;
            }
            assert_eq!(spans[1], spans[0], "text of {} bytes", text.len());
        }
    }
}
