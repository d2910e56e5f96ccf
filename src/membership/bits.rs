//! The bit array and probe arithmetic shared by [`BloomFilter`](super::BloomFilter) and the
//! sub-filters of [`ScalingBloomFilter`](super::ScalingBloomFilter).
//!
//! Bits live in 64-byte-aligned blocks of eight `u64` words, whatever the layout, so a
//! blocked filter's probes for one key touch exactly one cache line. A classic filter of
//! `m` bits uses the first `m` bits of the same words (bit `i` is bit `i % 64` of word
//! `i / 64`); bits past `m` stay zero.
//!
//! Index arithmetic is 64-bit throughout: the range reduction is Lemire's multiply-shift
//! `(x * n) >> 64` on 128-bit products (no `%`, no division), so filters above 2^32 bits
//! reach every bit.

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

use super::BloomLayout;
use super::sizing::{BLOCK_BITS, MAX_BITS, MAX_HASHES};

/// One cache line: 512 bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Block([u64; 8]);

const WORDS_PER_BLOCK: usize = 8;

/// A key's bits in its block, as a mask of the block's eight words.
pub(crate) type BlockMask = [u64; WORDS_PER_BLOCK];

/// Maps `x` uniformly onto `0..n` (Lemire 2019, "Fast random integer generation in an
/// interval"): the high 64 bits of the 128-bit product.
#[inline(always)]
pub(crate) fn reduce(x: u64, n: u64) -> u64 {
    ((u128::from(x) * u128::from(n)) >> 64) as u64
}

/// The two 64-bit halves of an item's 128-bit hash.
#[inline(always)]
pub(crate) fn split(hash: u128) -> (u64, u64) {
    (hash as u64, (hash >> 64) as u64)
}

/// Bit index of probe `i` of a classic filter of `bits` bits (Kirsch-Mitzenmacher:
/// `g_i = h1 + i h2` in 64-bit arithmetic, then reduced onto `0..bits`).
#[inline(always)]
pub(crate) fn classic_index(h1: u64, h2: u64, i: u32, bits: u64) -> u64 {
    reduce(h1.wrapping_add(u64::from(i).wrapping_mul(h2)), bits)
}

/// Block of a key in a blocked filter of `blocks` blocks.
#[inline(always)]
pub(crate) fn block_index(h1: u64, blocks: u64) -> u64 {
    reduce(h1, blocks)
}

/// Calls `f(word, bit)` for each of a key's `k` probes inside its block, in order, while
/// it returns `true`; returns whether every call did.
///
/// Positions are successive 9-bit fields of `h2` (seven per 64-bit word); past seven
/// probes the word is remixed with the low half of `h1` (independent of the block choice,
/// which used its high bits). Plain double hashing (`h2 + i h1`) inside a 512-bit block
/// measured 1.07% false positives for a 1% filter: two keys with nearly the same stride
/// share most of their probes, which the large range of a classic filter hides.
///
/// Filters test and set their block's words directly through this, with no mask of the
/// eight words built in memory first, and a query stops at its first unset bit. It runs in
/// stretches of at most seven probes (one word of fields each), so the common case,
/// `k <= 7`, is one tight loop with no remix test inside.
#[inline(always)]
fn probes_while(h1: u64, h2: u64, k: u32, mut f: impl FnMut(usize, u64) -> bool) -> bool {
    let mut x = h2;
    let mut left = k;
    loop {
        let run = left.min(7);
        for _ in 0..run {
            let pos = x >> 55;
            if !f((pos >> 6) as usize, 1 << (pos & 63)) {
                return false;
            }
            x <<= 9;
        }
        left -= run;
        if left == 0 {
            return true;
        }
        x = remix(x ^ h1.rotate_left(32));
    }
}

/// The in-block bit positions of a key, as a mask of the block's eight words.
#[inline(always)]
pub(crate) fn block_mask(h1: u64, h2: u64, k: u32) -> BlockMask {
    let mut mask = [0u64; WORDS_PER_BLOCK];
    probes_while(h1, h2, k, |w, bit| {
        mask[w] |= bit;
        true
    });
    mask
}

/// A 64-bit bijective mixer (the MurmurHash3 finaliser).
#[inline(always)]
fn remix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Starts loading the cache line of `block` (x86-64 only; elsewhere nothing).
#[inline(always)]
fn prefetch(block: &Block) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(block);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = block;
}

/// A Bloom filter without its hasher: layout, shape and bits.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RawBloom {
    layout: BloomLayout,
    bits: u64,
    hashes: u32,
    blocks: Vec<Block>,
}

impl RawBloom {
    /// An empty filter; `bits` is rounded up to whole blocks for the blocked layout.
    pub(crate) fn new(layout: BloomLayout, bits: u64, hashes: u32) -> Result<Self> {
        if bits == 0 || bits > MAX_BITS {
            return Err(Error::parameter("bits", bits, format!("1..={MAX_BITS}")));
        }
        if hashes == 0 || hashes > MAX_HASHES {
            return Err(Error::parameter(
                "hashes",
                hashes,
                format!("1..={MAX_HASHES}"),
            ));
        }
        let bits = match layout {
            BloomLayout::Classic => bits,
            BloomLayout::Blocked => bits.div_ceil(BLOCK_BITS) * BLOCK_BITS,
        };
        let n = usize::try_from(bits.div_ceil(BLOCK_BITS))
            .map_err(|_| Error::parameter("bits", bits, "a size this platform can address"))?;
        let mut blocks = Vec::new();
        blocks
            .try_reserve_exact(n)
            .map_err(|_| Error::LimitReached {
                structure: "BloomFilter",
                limit: format!("memory: allocating {} bytes failed", n as u128 * 64),
            })?;
        blocks.resize(n, Block::default());
        Ok(Self {
            layout,
            bits,
            hashes,
            blocks,
        })
    }

    pub(crate) fn layout(&self) -> BloomLayout {
        self.layout
    }

    pub(crate) fn bits(&self) -> u64 {
        self.bits
    }

    pub(crate) fn hashes(&self) -> u32 {
        self.hashes
    }

    /// Heap bytes (capacity of the block vector).
    pub(crate) fn memory_usage(&self) -> usize {
        self.blocks.capacity() * size_of::<Block>()
    }

    /// Heap bytes a filter of `bits` bits allocates, whatever its layout: both store
    /// whole 64-byte blocks (a classic filter's last block is part unused).
    pub(crate) fn bytes_for(bits: u64) -> u64 {
        bits.div_ceil(BLOCK_BITS) * size_of::<Block>() as u64
    }

    #[inline(always)]
    fn word_mut(&mut self, word: u64) -> &mut u64 {
        let w = word as usize;
        &mut self.blocks[w / WORDS_PER_BLOCK].0[w % WORDS_PER_BLOCK]
    }

    #[inline(always)]
    fn word(&self, word: u64) -> u64 {
        let w = word as usize;
        self.blocks[w / WORDS_PER_BLOCK].0[w % WORDS_PER_BLOCK]
    }

    /// Whether the key whose block mask is `mask` is present (blocked layout only): all
    /// eight words tested, with no branch (see `ScalingBloomFilter::new_key`).
    #[inline(always)]
    pub(crate) fn contains_mask(&self, h1: u64, mask: &BlockMask) -> bool {
        let b = &self.blocks[block_index(h1, self.blocks.len() as u64) as usize].0;
        let mut missing = 0;
        for w in 0..WORDS_PER_BLOCK {
            missing |= mask[w] & !b[w];
        }
        missing == 0
    }

    /// Sets the key's bits from its block mask (blocked layout only).
    #[inline(always)]
    pub(crate) fn insert_mask(&mut self, h1: u64, mask: &BlockMask) {
        let n = self.blocks.len() as u64;
        let b = &mut self.blocks[block_index(h1, n) as usize].0;
        for w in 0..WORDS_PER_BLOCK {
            b[w] |= mask[w];
        }
    }

    /// Asks the processor to start loading the key's block (blocked layout) without waiting
    /// for it: a hint with no effect on results.
    #[inline(always)]
    pub(crate) fn prefetch(&self, h1: u64) {
        let b = block_index(h1, self.blocks.len() as u64) as usize;
        prefetch(&self.blocks[b]);
    }

    /// Asks the processor to start loading the lines a query of the key reads (its block,
    /// or the words of all its probes in the classic layout): a hint with no effect on
    /// results. Prefetching only the classic layout's first probe left batch queries of
    /// present keys as slow as one query at a time (`docs/performance.md`, "Membership").
    #[inline(always)]
    pub(crate) fn prefetch_key(&self, h1: u64, h2: u64) {
        match self.layout {
            BloomLayout::Blocked => self.prefetch(h1),
            BloomLayout::Classic => {
                for i in 0..self.hashes {
                    let w = (classic_index(h1, h2, i, self.bits) >> 6) as usize;
                    prefetch(&self.blocks[w / WORDS_PER_BLOCK]);
                }
            }
        }
    }

    /// Sets the key's bits; returns whether any was zero.
    #[inline]
    pub(crate) fn insert(&mut self, h1: u64, h2: u64) -> bool {
        match self.layout {
            BloomLayout::Blocked => {
                let b = block_index(h1, self.blocks.len() as u64) as usize;
                let block = &mut self.blocks[b].0;
                let mut new = 0;
                probes_while(h1, h2, self.hashes, |w, bit| {
                    new |= bit & !block[w];
                    block[w] |= bit;
                    true
                });
                new != 0
            }
            BloomLayout::Classic => {
                let mut new = 0;
                for i in 0..self.hashes {
                    let idx = classic_index(h1, h2, i, self.bits);
                    let bit = 1u64 << (idx & 63);
                    let w = self.word_mut(idx >> 6);
                    new |= bit & !*w;
                    *w |= bit;
                }
                new != 0
            }
        }
    }

    /// Whether all of the key's bits are set.
    #[inline]
    pub(crate) fn contains(&self, h1: u64, h2: u64) -> bool {
        match self.layout {
            // Probe by probe with an early exit, like the classic layout. A branch-free test
            // of all `k` bits (or of a precomputed 8-word mask) looked better on paper but
            // measured slower at 10 M keys, for absent keys and present ones alike: the block
            // is a cache miss, and the fewer instructions a query puts in flight behind it,
            // the more queries' misses the processor overlaps (`docs/performance.md`).
            BloomLayout::Blocked => {
                let b = block_index(h1, self.blocks.len() as u64) as usize;
                let block = &self.blocks[b].0;
                probes_while(h1, h2, self.hashes, |w, bit| block[w] & bit != 0)
            }
            BloomLayout::Classic => (0..self.hashes).all(|i| {
                let idx = classic_index(h1, h2, i, self.bits);
                self.word(idx >> 6) & (1 << (idx & 63)) != 0
            }),
        }
    }

    /// Number of set bits.
    pub(crate) fn count_ones(&self) -> u64 {
        self.blocks
            .iter()
            .flat_map(|b| b.0)
            .map(|w| u64::from(w.count_ones()))
            .sum()
    }

    /// Whether no bit is set.
    pub(crate) fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.0 == [0; 8])
    }

    /// Estimated number of distinct keys inserted, from the fraction of set bits.
    ///
    /// A key leaves a given bit zero with probability `q`, `1 - 1/m` per probe for the
    /// classic layout (`q = (1 - 1/m)^k`), `1 - (1 - (1 - 1/512)^k) / B` for the blocked
    /// one; so `E[zero bits] = m q^n` and `n = ln(zero fraction) / ln q`.
    pub(crate) fn estimated_len(&self) -> f64 {
        let ones = self.count_ones();
        if ones == 0 {
            return 0.0;
        }
        if ones >= self.bits {
            return f64::INFINITY;
        }
        let zero_fraction = 1.0 - ones as f64 / self.bits as f64;
        let k = f64::from(self.hashes);
        let ln_q = match self.layout {
            BloomLayout::Classic => k * (-1.0 / self.bits as f64).ln_1p(),
            BloomLayout::Blocked => {
                let touched = -(k * (-1.0 / BLOCK_BITS as f64).ln_1p()).exp_m1();
                (-touched / self.blocks.len() as f64).ln_1p()
            }
        };
        zero_fraction.ln() / ln_q
    }

    /// The false-positive rate a query for a random absent key has now: the fill to the
    /// power `k` (classic), or the mean of that over blocks (blocked).
    pub(crate) fn expected_fp_rate(&self) -> f64 {
        let k = self.hashes as i32;
        match self.layout {
            BloomLayout::Classic => (self.count_ones() as f64 / self.bits as f64).powi(k),
            BloomLayout::Blocked => {
                // Blocks with the same count of set bits share one power.
                let mut by_count = [0u64; BLOCK_BITS as usize + 1];
                for b in &self.blocks {
                    let ones: u32 = b.0.iter().map(|w| w.count_ones()).sum();
                    by_count[ones as usize] += 1;
                }
                let sum: f64 = by_count
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(ones, n)| *n as f64 * (ones as f64 / BLOCK_BITS as f64).powi(k))
                    .sum();
                sum / self.blocks.len() as f64
            }
        }
    }

    /// Clears every bit, keeping the allocation.
    pub(crate) fn clear(&mut self) {
        self.blocks.fill(Block::default());
    }

    /// Checks that `other` has the same layout, size and probe count.
    pub(crate) fn check_shape(&self, other: &Self, structure: &'static str) -> Result<()> {
        if self.layout != other.layout {
            return Err(Error::incompatible(
                structure,
                "layout",
                self.layout,
                other.layout,
            ));
        }
        if self.bits != other.bits {
            return Err(Error::incompatible(
                structure,
                "size in bits",
                self.bits,
                other.bits,
            ));
        }
        if self.hashes != other.hashes {
            return Err(Error::incompatible(
                structure,
                "hash count",
                self.hashes,
                other.hashes,
            ));
        }
        Ok(())
    }

    /// ORs `other`'s bits into `self` (shapes already checked).
    pub(crate) fn union(&mut self, other: &Self) {
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x |= y;
            }
        }
    }

    /// ANDs `other`'s bits into `self` (shapes already checked).
    pub(crate) fn intersect(&mut self, other: &Self) {
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x &= y;
            }
        }
    }

    /// Writes the shape (bits u64, hashes u32) then the words (count u64, then each word).
    pub(crate) fn write(&self, w: &mut Writer) {
        let words = self.bits.div_ceil(64);
        w.reserve(20 + words as usize * 8);
        w.u64(self.bits).u32(self.hashes).u64(words);
        for i in 0..words {
            w.u64(self.word(i));
        }
    }

    /// Reads what [`RawBloom::write`] wrote, checking shape, word count and padding.
    pub(crate) fn read(
        r: &mut Reader<'_>,
        layout: BloomLayout,
        structure: &'static str,
    ) -> Result<Self> {
        let bits = r.u64()?;
        let hashes = r.u32()?;
        if bits == 0 || bits > MAX_BITS {
            return Err(Error::corrupt(
                structure,
                format!("size of {bits} bits, expected 1..={MAX_BITS}"),
            ));
        }
        if hashes == 0 || hashes > MAX_HASHES {
            return Err(Error::corrupt(
                structure,
                format!("{hashes} hashes, expected 1..={MAX_HASHES}"),
            ));
        }
        if layout == BloomLayout::Blocked && bits % BLOCK_BITS != 0 {
            return Err(Error::corrupt(
                structure,
                format!("blocked layout with {bits} bits, expected a multiple of 512"),
            ));
        }
        // The count is checked against the bytes left before anything is allocated.
        let words = r.count(8)?;
        if words as u64 != bits.div_ceil(64) {
            return Err(Error::corrupt(
                structure,
                format!(
                    "{words} words for {bits} bits, expected {}",
                    bits.div_ceil(64)
                ),
            ));
        }
        let mut raw = Self::new(layout, bits, hashes)?;
        for i in 0..words as u64 {
            *raw.word_mut(i) = r.u64()?;
        }
        let tail = bits % 64;
        if tail != 0 && raw.word(bits / 64) >> tail != 0 {
            return Err(Error::corrupt(
                structure,
                format!("bits set past the end of a {bits}-bit array"),
            ));
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_above_2_pow_32_without_allocating() {
        // A classic filter of 2^40 bits (128 GiB) and a blocked one of 2^35 blocks: the index
        // functions alone, over many hashes, reach the whole range and stay inside it.
        let bits = 1u64 << 40;
        let blocks = 1u64 << 35;
        let mut state = 0x1234_5678_u64;
        let mut max_bit = 0;
        let mut max_block = 0;
        let mut high_quarter = 0;
        for _ in 0..100_000 {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let h1 = crate::hash::murmur3_x64_128(&state.to_le_bytes(), 0) as u64;
            let h2 = state.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ (state >> 29);
            for i in 0..7 {
                let idx = classic_index(h1, h2, i, bits);
                assert!(idx < bits);
                max_bit = max_bit.max(idx);
                high_quarter += u64::from(idx >= bits / 4 * 3);
            }
            let b = block_index(h1, blocks);
            assert!(b < blocks);
            max_block = max_block.max(b);
        }
        assert!(max_bit > u32::MAX as u64 * 255, "max index {max_bit}");
        assert!(max_block > u32::MAX as u64 * 7, "max block {max_block}");
        // A quarter of 700,000 probes land in the top quarter (binomial sd ~ 362).
        assert!((170_000..180_000).contains(&high_quarter), "{high_quarter}");
        // `%`-free reduction is exact at the ends.
        assert_eq!(reduce(u64::MAX, bits), bits - 1);
        assert_eq!(reduce(0, bits), 0);
    }

    #[test]
    fn mask_insert_and_test_match_probe_by_probe() {
        // The scaling filter's insert sets and tests bits through the block mask; its
        // queries and saved frames go probe by probe: both must see the same bits.
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state ^ (state >> 29)
        };
        for k in [1, 3, 7, 8, 10, 16] {
            let mut by_probe = RawBloom::new(BloomLayout::Blocked, 4096, k).unwrap();
            let mut by_mask = by_probe.clone();
            for _ in 0..300 {
                let (h1, h2) = (next(), next());
                by_probe.insert(h1, h2);
                by_mask.insert_mask(h1, &block_mask(h1, h2, k));
                assert!(by_probe == by_mask, "k = {k}");
            }
            for _ in 0..2000 {
                let (h1, h2) = (next(), next());
                let mask = block_mask(h1, h2, k);
                assert_eq!(by_mask.contains_mask(h1, &mask), by_probe.contains(h1, h2));
            }
        }
    }

    #[test]
    fn block_masks_stay_inside_one_block() {
        let mut state = 1u64;
        for k in 1..=MAX_HASHES {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let m = block_mask(state, state.rotate_left(17), k);
            let ones: u32 = m.iter().map(|w| w.count_ones()).sum();
            assert!(ones >= 1 && ones <= k);
        }
    }

    #[test]
    fn classic_tail_bits_stay_zero() {
        let mut f = RawBloom::new(BloomLayout::Classic, 100, 3).unwrap();
        for i in 0..1000u64 {
            f.insert(i.wrapping_mul(0x9e37_79b9_7f4a_7c15), i ^ 0xdead_beef_1234);
        }
        assert!(f.count_ones() <= 100);
        assert_eq!(f.word(1) >> 36, 0);
        assert!(f.blocks[0].0[2..].iter().all(|w| *w == 0));
    }

    #[test]
    fn bytes_for_is_what_either_layout_allocates() {
        for bits in [1, 63, 64, 511, 512, 513, 10_000, 1 << 20] {
            for layout in [BloomLayout::Classic, BloomLayout::Blocked] {
                let f = RawBloom::new(layout, bits, 3).unwrap();
                assert_eq!(
                    RawBloom::bytes_for(bits),
                    f.memory_usage() as u64,
                    "{layout:?} {bits}"
                );
            }
        }
    }
}
