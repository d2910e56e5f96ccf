//! The repeat filter: short tokens seen lately, dropped before they are hashed.

use super::hash::short_words;
use super::scan::Marks;

/// Short tokens seen lately, in a direct-mapped table: a token found in its slot is a
/// repeat, dropped before it is hashed. Every sink is a set (inserting a token twice changes
/// nothing) or counts tokens, not hashes (a Morris counter), so dropping repeats changes no
/// result (see [`super::Sink::insert_hashes`]). It saves the hash and the inserts of the frequent
/// tokens that make up most of natural text (Zipf's law).
///
/// A slot holds a token of under 16 bytes as its two [`short_words`], with its length plus
/// one in the top byte of the second (the token's 16th byte, so zero): never all zero, the
/// empty slot.
pub(crate) struct Recent {
    slots: Box<[[u64; 2]; Recent::SLOTS]>,
}

impl Recent {
    /// 4,096 slots (64 KiB).
    const SLOTS: usize = 1 << 12;

    pub(crate) fn new() -> Self {
        Self {
            slots: Box::new([[0; 2]; Self::SLOTS]),
        }
    }

    /// Removes from `marks` each token of `block` its slot holds, and puts every short
    /// token in its slot. The tokens kept keep their order. No branch depends on whether a
    /// token repeats: the kept boundaries are written every time, and their count moves on
    /// by one or zero.
    pub(crate) fn drop_repeats(&mut self, block: &[u8], marks: &mut Marks) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::scan::scan_lines;

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
}
