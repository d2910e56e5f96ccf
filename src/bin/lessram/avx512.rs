//! The scan and the hash loop of `lessram count` with AVX-512, where the CPU has it.
//!
//! - **Scan**: the separators of 64 bytes are two compares into a mask register (SSE2
//!   takes 24 instructions), and the token boundaries among them are written without a
//!   loop: `vpcompressb` gathers the positions of the mask's set bits to the front of a
//!   vector, which is widened and stored 16 at a time. The scalar loop writes one
//!   boundary an iteration and mispredicts its exit once a chunk.
//! - **Hash**: MurmurHash3 x64_128 of a token under 16 bytes is eight 64-bit
//!   multiplications and a few shifts and adds (`hash_short` in [`crate::tokenize`]);
//!   scalar code is bound by the one multiplier port. AVX-512DQ multiplies eight 64-bit
//!   lanes in one instruction (`vpmullq`), so eight tokens take about as long as two.
//!
//! Both give bit for bit what the scalar paths give (tests compare them on random text and
//! on every token length), so tables and saved sketches are the same whichever ran. Each
//! runs when the CPU reports its features at run time (AVX-512F and DQ for the hash; F,
//! BW and VBMI2 for the scan: Intel since Ice Lake, AMD since Zen 4) and the environment
//! variable `LESSRAM_NO_AVX512` is unset; the scalar paths run otherwise.
//!
//! This file holds the binary's only `unsafe`: the calls into `#[target_feature]`
//! functions once their features are detected, and the reinterpretation of 64-byte arrays
//! of plain data as vectors and back.
#![allow(unsafe_code)]

use std::arch::x86_64::{
    __m128i, __m512i, _mm512_add_epi32, _mm512_add_epi64, _mm512_and_si512, _mm512_cmpeq_epi8_mask,
    _mm512_cmple_epu8_mask, _mm512_cvtepu8_epi32, _mm512_extracti32x4_epi32,
    _mm512_maskz_compress_epi8, _mm512_max_epi64, _mm512_mullo_epi64, _mm512_permutex2var_epi64,
    _mm512_rol_epi64, _mm512_set1_epi8, _mm512_set1_epi32, _mm512_set1_epi64, _mm512_setr_epi64,
    _mm512_slli_epi64, _mm512_srli_epi64, _mm512_srlv_epi64, _mm512_sub_epi8, _mm512_sub_epi64,
    _mm512_xor_si512,
};
use std::sync::OnceLock;

use smallvec::SmallVec;

use crate::tokenize::{Marks, scan_words_with};

/// Which vector paths this process takes, decided once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paths {
    /// The hash: AVX-512F and DQ.
    pub(crate) hash: bool,
    /// The scan: AVX-512F, BW and VBMI2.
    pub(crate) scan: bool,
}

/// The paths this CPU can take, unless `LESSRAM_NO_AVX512` is set.
pub(crate) fn paths() -> Paths {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    *PATHS.get_or_init(|| {
        use std::arch::is_x86_feature_detected as has;
        let on = std::env::var_os("LESSRAM_NO_AVX512").is_none() && has!("avx512f");
        Paths {
            hash: on && has!("avx512dq"),
            scan: on && has!("avx512bw") && has!("avx512vbmi2"),
        }
    })
}

/// [`crate::tokenize`]'s `scan_words` with AVX-512, or `None`, having done nothing, when
/// [`paths`] says not to.
pub(crate) fn scan_words(rest: &[u8], base: usize, marks: &mut Marks) -> Option<usize> {
    if !paths().scan {
        return None;
    }
    // SAFETY: `scan_words_avx512` needs AVX-512F, BW and VBMI2, which `paths` detected; it
    // has no other requirement.
    Some(unsafe { scan_words_avx512(rest, base, marks) })
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

/// `push_events` of [`crate::tokenize`] without a loop: the positions of the set bits of
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

/// Hashes the tokens `block[marks[2t]..marks[2t + 1]]` into `out[t]`, as
/// [`crate::tokenize`]'s scalar loop does, eight at a time. Tokens of 16 bytes or more, or
/// with fewer than 16 bytes readable from their start, get a meaningless hash here and
/// their index in `long`, for the caller to hash.
///
/// Returns `false`, having done nothing, when [`paths`] says not to.
pub(crate) fn hash_tokens(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    long: &mut SmallVec<[usize; 16]>,
) -> bool {
    if !paths().hash {
        return false;
    }
    // SAFETY: `hash_tokens_avx512` needs AVX-512F and DQ, which `paths` detected; it has no
    // other requirement.
    unsafe { hash_tokens_avx512(block, marks, out, long) };
    true
}

/// Eight words as one vector.
#[inline(always)]
fn vector(words: [u64; 8]) -> __m512i {
    // SAFETY: both types are 64 bytes of plain data, every bit pattern valid in each.
    unsafe { std::mem::transmute::<[u64; 8], __m512i>(words) }
}

/// One vector as four 128-bit words.
#[inline(always)]
fn pairs(v: __m512i) -> [u128; 4] {
    // SAFETY: as in `vector`.
    unsafe { std::mem::transmute::<__m512i, [u128; 4]>(v) }
}

/// Tokens staged at a time: their words and lengths are written one token at a time, then
/// read eight at a time as vectors. A vector load of words stored just before would wait
/// for the stores to retire (a store is not forwarded to a wider load), and so for the
/// previous group's hash: a stage of 256 tokens (6 KiB) lets the stores retire first.
const STAGE: usize = 256;

#[target_feature(enable = "avx512f,avx512dq")]
fn hash_tokens_avx512(
    block: &[u8],
    marks: &[u32],
    out: &mut [u128],
    long: &mut SmallVec<[usize; 16]>,
) {
    let (mut k1, mut k2, mut len) = ([0u64; STAGE], [0u64; STAGE], [0u64; STAGE]);
    for (s, (stage, out)) in marks
        .chunks(2 * STAGE)
        .zip(out.chunks_mut(STAGE))
        .enumerate()
    {
        for (i, m) in stage.chunks_exact(2).enumerate() {
            let (start, end) = (m[0] as usize, m[1] as usize);
            match block.get(start..start + 16) {
                Some(bytes) if end - start < 16 => {
                    k1[i] = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
                    k2[i] = u64::from_le_bytes(bytes[8..].try_into().expect("8 bytes"));
                    len[i] = (end - start) as u64;
                }
                _ => long.push(STAGE * s + i),
            }
        }
        let group = |g: usize| -> [u128; 8] {
            let lanes = |w: &[u64; STAGE]| vector(w[8 * g..8 * g + 8].try_into().expect("8 words"));
            let (h1, h2) = hash_short8(lanes(&k1), lanes(&k2), lanes(&len));
            // Interleave the halves as the `u128`s are laid out: h1 low, h2 high.
            let low =
                _mm512_permutex2var_epi64(h1, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), h2);
            let high =
                _mm512_permutex2var_epi64(h1, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), h2);
            let [a, b] = [pairs(low), pairs(high)];
            [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
        };
        let full = out.len() / 8;
        let mut groups = out.chunks_exact_mut(8);
        for (g, dst) in (&mut groups).enumerate() {
            dst.copy_from_slice(&group(g));
        }
        // A last, partial group: its lanes past the stage's end hold stale words.
        let rest = groups.into_remainder();
        if !rest.is_empty() {
            let n = rest.len();
            rest.copy_from_slice(&group(full)[..n]);
        }
    }
}

/// MurmurHash3 x64_128 (seed 0) of eight tokens of under 16 bytes, given the 16 bytes
/// from each one's start as two little-endian words (bytes past the token included: they
/// are masked off here) and the lengths: the `(h1, h2)` halves of each hash.
#[inline]
#[target_feature(enable = "avx512f,avx512dq")]
fn hash_short8(k1: __m512i, k2: __m512i, len: __m512i) -> (__m512i, __m512i) {
    const C1: i64 = 0x87c3_7b91_1142_53d5_u64 as i64;
    const C2: i64 = 0x4cf5_ad43_2745_937f_u64 as i64;
    let (c1, c2) = (_mm512_set1_epi64(C1), _mm512_set1_epi64(C2));
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
        let k = _mm512_mullo_epi64(k, _mm512_set1_epi64(0xff51_afd7_ed55_8ccd_u64 as i64));
        let k = _mm512_xor_si512(k, _mm512_srli_epi64::<33>(k));
        let k = _mm512_mullo_epi64(k, _mm512_set1_epi64(0xc4ce_b9fe_1a85_ec53_u64 as i64));
        _mm512_xor_si512(k, _mm512_srli_epi64::<33>(k))
    };
    let h1 = _mm512_mullo_epi64(_mm512_rol_epi64::<31>(_mm512_mullo_epi64(k1, c1)), c2);
    let h2 = _mm512_mullo_epi64(_mm512_rol_epi64::<33>(_mm512_mullo_epi64(k2, c2)), c1);
    let h1 = _mm512_xor_si512(h1, len);
    let h2 = _mm512_xor_si512(h2, len);
    let h1 = _mm512_add_epi64(h1, h2);
    let h2 = _mm512_add_epi64(h2, h1);
    let h1 = fmix(h1);
    let h2 = fmix(h2);
    let h1 = _mm512_add_epi64(h1, h2);
    let h2 = _mm512_add_epi64(h2, h1);
    (h1, h2)
}
