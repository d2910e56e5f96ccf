//! MurmurHash3 x64_128 of short tokens without a branch on their length: the scalar hash
//! the vector kernels of [`super::simd`] compute eight (AVX-512) or four (AVX2) at a time, and of tokens of 16 to 31 bytes.

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
pub(crate) fn short_words(buf: &[u8], start: usize, len: usize) -> (u64, u64) {
    debug_assert!(len < 16 && start + 16 <= buf.len());
    let word = |at: usize| u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"));
    let [keep1, keep2] = KEEP[len % 16];
    (word(start) & keep1, word(start + 8) & keep2)
}

/// MurmurHash3 x64_128's constants, for the hash of short tokens here and in
/// [`super::simd`] (`lessram::hash` has the general one).
pub(crate) mod murmur {
    /// The multipliers of each 8-byte key.
    pub(crate) const C1: u64 = 0x87c3_7b91_1142_53d5;
    pub(crate) const C2: u64 = 0x4cf5_ad43_2745_937f;
    /// The multipliers of the finaliser.
    pub(crate) const FMIX1: u64 = 0xff51_afd7_ed55_8ccd;
    pub(crate) const FMIX2: u64 = 0xc4ce_b9fe_1a85_ec53;
}

/// MurmurHash3 x64_128 with `seed` of the `len`-byte token whose [`short_words`] are
/// `(k1, k2)`: bit-identical to [`crate::hash::murmur3_x64_128`] (a test checks every
/// length), but with no branch on the length. A short input is all tail: both halves start
/// at the seed, its first 8 bytes are `k1`, the rest `k2`, and mixing a zero key gives
/// zero, so the bytes past the token are masked off instead of branched around.
#[inline(always)]
pub(crate) fn hash_short(k1: u64, k2: u64, len: usize, seed: u32) -> u128 {
    use murmur::{C1, C2, FMIX1, FMIX2};
    let (len, seed) = (len as u64, u64::from(seed));
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(FMIX1);
        k ^= k >> 33;
        k = k.wrapping_mul(FMIX2);
        k ^ (k >> 33)
    };
    let mut h1 = seed ^ k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2) ^ len;
    let mut h2 = seed ^ k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1) ^ len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u128::from(h2) << 64) | u128::from(h1)
}

/// A token of `16 <= len < 32` bytes at `buf[start..]`, given that 32 bytes can be read
/// from `start`: its first block of 16 bytes and its tail as four little-endian words, the
/// bytes past `len` masked off.
#[inline(always)]
pub(crate) fn mid_words(buf: &[u8], start: usize, len: usize) -> [u64; 4] {
    debug_assert!((16..32).contains(&len) && start + 32 <= buf.len());
    let word = |at: usize| u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"));
    let [keep3, keep4] = KEEP[len % 16];
    [
        word(start),
        word(start + 8),
        word(start + 16) & keep3,
        word(start + 24) & keep4,
    ]
}

/// MurmurHash3 x64_128 with `seed` of the `len`-byte token (`16 <= len < 32`) whose
/// [`mid_words`] are `k`: bit-identical to [`crate::hash::murmur3_x64_128`] (a test checks
/// every length), with no branch on the length. One block, then the tail as in
/// [`hash_short`]: mixing a zero key gives zero, so an empty tail (16 bytes) needs no
/// branch either. The general function branches on the tail's length three times, which
/// mispredicts on text (about 50 cycles a token of C source, sampled with `perf`).
#[inline(always)]
pub(crate) fn hash_mid(k: [u64; 4], len: usize, seed: u32) -> u128 {
    use murmur::{C1, C2, FMIX1, FMIX2};
    let (len, seed) = (len as u64, u64::from(seed));
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(FMIX1);
        k ^= k >> 33;
        k = k.wrapping_mul(FMIX2);
        k ^ (k >> 33)
    };
    let mix1 = |k: u64| k.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    let mix2 = |k: u64| k.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    let mut h1 = seed ^ mix1(k[0]);
    h1 = h1
        .rotate_left(27)
        .wrapping_add(seed)
        .wrapping_mul(5)
        .wrapping_add(0x52dc_e729);
    let mut h2 = seed ^ mix2(k[1]);
    h2 = h2
        .rotate_left(31)
        .wrapping_add(h1)
        .wrapping_mul(5)
        .wrapping_add(0x3849_5ab5);
    h1 ^= mix1(k[2]) ^ len;
    h2 ^= mix2(k[3]) ^ len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u128::from(h2) << 64) | u128::from(h1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::murmur3_x64_128;

    #[test]
    fn hash_short_and_hash_mid_are_murmur3() {
        let mut state = 7u64;
        for round in 0..20_000u32 {
            let bytes: Vec<u8> = (0..40)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 56) as u8
                })
                .collect();
            // Seed 0, DataSketches' 9001, and seeds with high bits set.
            let seed = [0, 9001, u32::MAX, round.wrapping_mul(0x9e37_79b9)][round as usize % 4];
            for len in 0..16 {
                let (k1, k2) = short_words(&bytes, 3, len);
                assert_eq!(
                    hash_short(k1, k2, len, seed),
                    murmur3_x64_128(&bytes[3..3 + len], seed),
                    "len {len}, seed {seed}"
                );
            }
            for len in 16..32 {
                assert_eq!(
                    hash_mid(mid_words(&bytes, 5, len), len, seed),
                    murmur3_x64_128(&bytes[5..5 + len], seed),
                    "len {len}, seed {seed}"
                );
            }
        }
    }
}
