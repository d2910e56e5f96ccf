//! Finding token boundaries: the scalar scans (SSE2 on x86-64, SWAR elsewhere) and the
//! loop they share with the AVX-512 scan of [`super::simd`].
//!
//! A scan fills [`Marks`] with the start and end of each token of a block, in order, until
//! a batch is full; [`super::batch`] then hashes them.

#[cfg(test)]
use super::options::is_space;

/// Tokens found before their hashes are taken and the sinks fed (a batch keeps each sink's
/// loop hot and lets us time each one; 4,096 hashes are 64 KiB).
pub(crate) const BATCH: usize = 4096;

/// Token boundaries of a batch: a buffer allocated once, large enough for any batch (a
/// scan stops once it holds `2 * (BATCH - 64)` boundaries, at most 64 more than that after
/// a 64-byte chunk, and a vector scan writes up to 64 entries past its end), and how much
/// of it is in use. A scan writes into it through a local index, which stays in a
/// register, where `Vec::push` stores the length back to memory at every boundary.
pub(crate) struct Marks {
    pub(crate) buf: Box<[u32]>,
    pub(crate) len: usize,
}

// A scan starts a chunk with fewer than `2 * (BATCH - 64)` marks and writes at most 64.
const _: () = assert!(2 * (BATCH - 64) + 64 <= Marks::CAP);

impl Marks {
    pub(crate) const CAP: usize = 2 * BATCH + 128;

    pub(crate) fn new() -> Self {
        Self {
            buf: vec![0; Self::CAP].into_boxed_slice(),
            len: 0,
        }
    }

    pub(crate) fn as_slice(&self) -> &[u32] {
        &self.buf[..self.len]
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    pub(crate) fn push(&mut self, mark: u32) {
        self.buf[self.len] = mark;
        self.len += 1;
    }
}

/// For each byte value, the positions of its set bits, lowest first, then zeros: the
/// vector scan writes a chunk's boundaries with it, and the vector hash the tokens it
/// leaves to the second loop ([`super::batch::Long::push_lanes`]), with no loop on the bits.
pub(crate) const BIT_POSITIONS: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let (mut bit, mut k) = (0, 0);
        while bit < 8 {
            if byte >> bit & 1 == 1 {
                t[byte][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        byte += 1;
    }
    t
};

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
pub(crate) fn space_mask_swar(chunk: &[u8; 64]) -> u64 {
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
pub(crate) fn space_mask(chunk: &[u8; 64]) -> u64 {
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
pub(crate) fn space_mask(chunk: &[u8; 64]) -> u64 {
    space_mask_swar(chunk)
}

/// Writes `at` plus the position of each set bit of `events`, lowest first, to `buf[n..]`;
/// returns the new `n`. (`buf` has room: see [`Marks`].)
#[inline(always)]
pub(crate) fn push_events(buf: &mut [u32], mut n: usize, mut events: u64, at: u32) -> usize {
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
pub(crate) fn scan_lines(rest: &[u8], base: usize, marks: &mut Marks) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
