//! The dense representation: `2^p` registers of 6 bits, four packed into three bytes.
//!
//! Register `i` lives in bytes `3 (i / 4) .. 3 (i / 4) + 3`, read as a little-endian 24-bit
//! word, at bits `6 (i % 4) .. 6 (i % 4) + 6`. So `m` registers take exactly `3 m / 4` bytes
//! and no register straddles a group. Beside the registers the sketch keeps, inline and
//! derived from them, the histogram of register values (which makes the estimate O(64)
//! instead of a pass over the registers) and the exact probability that a new hash changes
//! a register (which the HIP estimator needs at each change).

use super::estimator;

/// Histogram slots: register values go up to `65 - p <= 61`.
pub(super) const HIST_LEN: usize = 64;

/// The index (top `p` bits) and rank (1 + trailing zeros of the other `64 - p` bits, at
/// most `65 - p`) of a hash.
///
/// Trailing rather than leading zeros: the two are distributed alike, but `trailing_zeros`
/// compiles to `tzcnt`, one fast instruction on every x86-64 with BMI1, while
/// `leading_zeros` without a target feature compiles to `bsr`, which made the dense insert
/// 1.4x slower on AMD (`cargo bench --bench bench -- hyperloglog/insert_hash`).
#[inline(always)]
pub(crate) fn index_rank(hash: u64, p: u8) -> (usize, u8) {
    let index = (hash >> (64 - p)) as usize;
    // A sentinel just above the rank bits caps the rank at 65 - p.
    let rest = hash | (1u64 << (64 - p));
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Where register `i` starts: the byte holding its first bit (bit `6 i` of the array) and
/// that bit's position in the byte (0, 6, 4 or 2). The register lies in that byte and the
/// next, except the very last register of the array, which ends its last byte.
#[inline(always)]
fn locate(i: usize) -> (usize, u32) {
    ((3 * i) >> 2, (6 * i as u32) & 7)
}

/// The largest register value at precision `p`.
pub(super) fn max_rank(p: u8) -> u8 {
    65 - p
}

#[derive(Clone)]
pub(super) struct Dense {
    precision: u8,
    /// `3 * 2^p / 4` bytes of packed registers.
    regs: Vec<u8>,
    /// `hist[k]`: how many registers hold `k`.
    hist: [u32; HIST_LEN],
    /// The smallest register value (the lowest `k` with `hist[k] > 0`): a hash whose rank
    /// is not above it cannot raise any register, so the insert skips the register read.
    /// Past a few times `m` items that is most hashes (7 in 8 once every register is at
    /// least 3).
    floor: u8,
    /// Sum over registers below the maximum of `2^(64 - value)`: the probability that a new
    /// hash raises a register is `inv_sum / (m 2^64)`. Exact (an integer), so it does not
    /// drift.
    inv_sum: u128,
    /// The HIP (martingale) estimate, while it is valid.
    pub(super) hip: Option<f64>,
}

impl Dense {
    /// All registers at zero.
    pub(super) fn new(precision: u8) -> Self {
        let m = 1usize << precision;
        let mut hist = [0u32; HIST_LEN];
        hist[0] = m as u32;
        Self {
            precision,
            regs: vec![0; 3 * m / 4],
            hist,
            floor: 0,
            inv_sum: (m as u128) << 64,
            hip: None,
        }
    }

    /// Packed registers as stored (and as saved).
    pub(super) fn packed(&self) -> &[u8] {
        &self.regs
    }

    pub(super) fn precision(&self) -> u8 {
        self.precision
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.regs.capacity()
    }

    /// Builds a sketch from packed registers, or says which register is above its maximum.
    pub(super) fn from_packed(precision: u8, packed: &[u8]) -> Result<Self, (usize, u8)> {
        debug_assert_eq!(packed.len(), 3 << precision >> 2);
        let mut d = Self {
            precision,
            regs: packed.to_vec(),
            hist: [0; HIST_LEN],
            floor: 0,
            inv_sum: 0,
            hip: None,
        };
        let max = max_rank(precision);
        for i in 0..1usize << precision {
            let v = d.get(i);
            if v > max {
                return Err((i, v));
            }
        }
        d.rebuild_summaries();
        Ok(d)
    }

    /// Register `i`.
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> u8 {
        let (off, shift) = locate(i);
        let lo = self.regs[off];
        let hi = self.regs.get(off + 1).copied().unwrap_or(0);
        ((u16::from_le_bytes([lo, hi]) >> shift) & 63) as u8
    }

    /// The 24-bit group holding register `i`.
    #[inline(always)]
    fn word(&self, i: usize) -> u32 {
        let b = 3 * (i >> 2);
        let w = &self.regs[b..b + 3];
        u32::from_le_bytes([w[0], w[1], w[2], 0])
    }

    #[inline(always)]
    fn set(&mut self, i: usize, v: u8) {
        let shift = 6 * (i & 3);
        let w = (self.word(i) & !(63 << shift)) | (u32::from(v) << shift);
        let b = 3 * (i >> 2);
        self.regs[b..b + 3].copy_from_slice(&w.to_le_bytes()[..3]);
    }

    #[inline(always)]
    fn weight(&self, v: u8) -> u128 {
        if v >= max_rank(self.precision) {
            0
        } else {
            1u128 << (64 - v)
        }
    }

    /// Raises register `i` to `rank` if that is higher, keeping the summaries (and the HIP
    /// estimate, if valid) up to date.
    ///
    /// This is the insert's hot path: in a dense sketch almost every hash leaves its
    /// register unchanged (at `n` items a hash raises its register with probability about
    /// `m / n`), so it loads the 2 bytes the register starts in and compares `rank`, shifted
    /// into place, with the register's bits masked in place: a handful of instructions,
    /// whose one bounds check also routes the array's very last register (whose 2-byte
    /// window would run past the end) out of line. Everything else (the store, the
    /// histogram, the HIP estimate) is out of line in [`Dense::raise`] and only runs when
    /// the register grows. Shifting the loaded word down to a byte before comparing measured
    /// about three times as slow (`benches/hyperloglog.rs`; `docs/performance.md`).
    #[inline(always)]
    pub(super) fn update(&mut self, i: usize, rank: u8) {
        let (off, shift) = locate(i);
        match self.regs.get(off..off + 2) {
            Some(w) => {
                let w = u32::from(u16::from_le_bytes([w[0], w[1]]));
                if u32::from(rank) << shift > w & (63 << shift) {
                    self.raise(i, rank);
                }
            }
            None => self.update_last(i, rank),
        }
    }

    /// [`Dense::update`] for the last register of the array.
    #[cold]
    #[inline(never)]
    fn update_last(&mut self, i: usize, rank: u8) {
        if rank > self.get(i) {
            self.raise(i, rank);
        }
    }

    /// Sets register `i` to `rank`, which is above its current value, and updates the
    /// summaries (and the HIP estimate, if valid).
    #[inline(never)]
    fn raise(&mut self, i: usize, rank: u8) {
        let old = self.get(i);
        debug_assert!(rank > old);
        if let Some(hip) = &mut self.hip {
            // The change had probability inv_sum / (m 2^64); adding its inverse keeps the
            // estimate an unbiased martingale (Ting 2014; Cohen 2015).
            let m_2_64 = f64::from(1u32 << self.precision) * 18_446_744_073_709_551_616.0;
            *hip += m_2_64 / self.inv_sum as f64;
        }
        self.set(i, rank);
        self.hist[usize::from(old)] -= 1;
        self.hist[usize::from(rank)] += 1;
        if old == self.floor && self.hist[usize::from(old)] == 0 {
            self.floor = self.lowest_value();
        }
        self.inv_sum = self.inv_sum - self.weight(old) + self.weight(rank);
    }

    /// Inserts a hash.
    #[inline(always)]
    pub(super) fn insert_hash(&mut self, hash: u64) {
        let (i, rank) = index_rank(hash, self.precision);
        if rank > self.floor {
            self.update(i, rank);
        }
    }

    /// Inserts hashes in order, with the same result as [`Dense::insert_hash`] on each.
    /// Candidates (rank above the smallest register as it was when the batch of candidates
    /// began) are gathered branch-free, `CANDIDATES` at a time, and then inserted in order;
    /// the others are dropped. Dropping is exact whatever the order: a hash whose rank is
    /// not above the smallest register then is not above its own register at any later
    /// time, since registers only grow.
    pub(super) fn insert_hashes(&mut self, hashes: impl Iterator<Item = u64>) {
        const CANDIDATES: usize = 64;
        let mut kept = [0u64; CANDIDATES];
        let mut n = 0usize;
        let mut skip = self.skip_mask();
        for h in hashes {
            kept[n % CANDIDATES] = h;
            n += usize::from(h & skip == 0);
            if n == CANDIDATES {
                kept.iter().for_each(|&h| self.insert_hash(h));
                n = 0;
                skip = self.skip_mask();
            }
        }
        kept[..n].iter().for_each(|&h| self.insert_hash(h));
    }

    /// The bits of which a hash with any set has a rank not above the smallest register:
    /// its rank is one more than the trailing zeros of its low `64 - p` bits (and the
    /// sentinel above them), so it is above `floor` exactly when its low `floor` bits are
    /// all zero. A test against this mask is the rank comparison without computing the
    /// rank. Past `64 - p` no rank is above `floor`; the mask is then every bit, which
    /// drops every hash but 0, and [`Dense::insert_hash`] drops that one.
    fn skip_mask(&self) -> u64 {
        if u32::from(self.floor) > 64 - u32::from(self.precision) {
            u64::MAX
        } else {
            (1u64 << self.floor) - 1
        }
    }

    /// The smallest register value, from the histogram.
    fn lowest_value(&self) -> u8 {
        self.hist.iter().position(|&c| c > 0).unwrap_or(0) as u8
    }

    /// Ertl's corrected raw estimate.
    pub(super) fn estimate(&self) -> f64 {
        estimator::corrected_raw(&self.hist, self.precision)
    }

    /// Every register, unpacked.
    pub(super) fn registers(&self) -> Vec<u8> {
        (0..1usize << self.precision).map(|i| self.get(i)).collect()
    }

    /// Merges registers of a sketch at precision `other.precision >= self.precision`,
    /// folding them down when it is higher. Invalidates the HIP estimate.
    pub(super) fn merge(&mut self, other: &Dense) {
        debug_assert!(other.precision >= self.precision);
        let d = other.precision - self.precision;
        if d == 0 {
            for i in 0..1usize << self.precision {
                let v = other.get(i);
                if v > self.get(i) {
                    self.set(i, v);
                }
            }
        } else {
            for j in 0..1usize << other.precision {
                let v = other.get(j);
                if v == 0 {
                    continue;
                }
                let rank = fold_rank(j, v, d, other.precision);
                let i = j >> d;
                if rank > self.get(i) {
                    self.set(i, rank);
                }
            }
        }
        self.hip = None;
        self.rebuild_summaries();
    }

    fn rebuild_summaries(&mut self) {
        self.hist = [0; HIST_LEN];
        self.inv_sum = 0;
        for i in 0..1usize << self.precision {
            let v = self.get(i);
            self.hist[usize::from(v)] += 1;
            self.inv_sum += self.weight(v);
        }
        self.floor = self.lowest_value();
    }

    /// Registers equal and HIP estimates equal (bit for bit).
    pub(super) fn same_state(&self, other: &Dense) -> bool {
        self.precision == other.precision
            && self.regs == other.regs
            && self.hip.map(f64::to_bits) == other.hip.map(f64::to_bits)
    }
}

/// The rank at precision `p = high - d` of register `j` holding `v > 0` at precision
/// `high`.
///
/// At the lower precision the rank bits are the `d` low bits of `j` followed (towards the
/// low end) by the rank bits at `high`. Trailing zeros count from the low end, so a rank
/// below its maximum `65 - high` is unchanged; a maximal one (all of its bits zero) goes on
/// into the low bits of `j`, up to the new maximum `65 - p` when those are zero too.
#[inline]
pub(super) fn fold_rank(j: usize, v: u8, d: u8, high: u8) -> u8 {
    if v < max_rank(high) {
        v
    } else {
        let low = (j & ((1usize << d) - 1)) | (1usize << d);
        v + low.trailing_zeros() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_rank_follow_the_top_bits() {
        // Top 4 bits 0b1010 -> register 10; lowest bit set -> rank 1.
        assert_eq!(index_rank(0xA000_0000_0000_0001, 4), (10, 1));
        // Low bits ...1000 -> rank 4.
        assert_eq!(index_rank(0xA000_0000_0000_0008, 4), (10, 4));
        // All 60 bits below the index zero -> the maximum 61.
        assert_eq!(index_rank(0xF000_0000_0000_0000, 4), (15, 61));
        assert_eq!(index_rank(0, 18), (0, 47));
        // The highest rank bit set, all below it zero -> 46.
        assert_eq!(index_rank(1 << 45, 18), (0, 46));
        // Index bits never count towards the rank.
        assert_eq!(index_rank(u64::MAX << 46, 18), ((1 << 18) - 1, 47));
    }

    #[test]
    fn packed_registers_round_trip_without_touching_neighbours() {
        let mut d = Dense::new(6);
        assert_eq!(d.packed().len(), 48);
        let mut want = vec![0u8; 64];
        let mut state = 7u64;
        for _ in 0..2000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (state >> 58) as usize;
            let v = ((state >> 20) % 60) as u8;
            d.update(i, v);
            want[i] = want[i].max(v);
            assert_eq!(d.registers(), want);
            assert_eq!(d.floor, *want.iter().min().unwrap());
        }
        let mut hist = [0u32; HIST_LEN];
        want.iter().for_each(|&v| hist[usize::from(v)] += 1);
        assert_eq!(d.hist, hist);
        let rebuilt = Dense::from_packed(6, d.packed()).unwrap();
        assert_eq!((rebuilt.hist, rebuilt.inv_sum), (d.hist, d.inv_sum));
    }

    #[test]
    fn skipping_ranks_at_the_floor_changes_nothing() {
        // At p = 4 the floor rises within a few hundred hashes; every insert, skipped or
        // not, must leave the registers, the summaries and the HIP estimate as a plain
        // register-by-register maximum would.
        let mut d = Dense::new(4);
        d.hip = Some(0.0);
        let mut want = vec![0u8; 16];
        let mut state = 3u64;
        let mut skipped = 0;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let hash = state ^ (state >> 29);
            let (i, r) = index_rank(hash, 4);
            skipped += usize::from(r <= d.floor);
            let before = (d.hip, d.inv_sum);
            d.insert_hash(hash);
            if r <= want[i] {
                assert_eq!((d.hip, d.inv_sum), before);
            }
            want[i] = want[i].max(r);
            assert_eq!(d.registers(), want);
            assert_eq!(d.floor, *want.iter().min().unwrap());
        }
        assert!(skipped > 10_000, "{skipped}");
        let rebuilt = Dense::from_packed(4, d.packed()).unwrap();
        assert_eq!(
            (rebuilt.hist, rebuilt.inv_sum, rebuilt.floor),
            (d.hist, d.inv_sum, d.floor)
        );
    }

    #[test]
    fn skip_mask_is_the_rank_comparison() {
        // Every floor a register array can have (and one more) at the smallest, a middle
        // and the largest precision, against hashes of every rank.
        let mut state = 17u64;
        for p in [4u8, 10, 18] {
            let mut d = Dense::new(p);
            for floor in 0..=66 - p {
                d.floor = floor;
                let skip = d.skip_mask();
                for i in 0..2_000u64 {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // A random hash with its low `i % 64` bits cleared: every rank occurs.
                    let hash = state & (u64::MAX << (i % 64));
                    let rank = index_rank(hash, p).1;
                    let kept = hash & skip == 0;
                    if u32::from(floor) <= 64 - u32::from(p) {
                        assert_eq!(kept, rank > floor, "p {p} floor {floor} {hash:#x}");
                    } else {
                        // No rank is above the floor; only 0 gets past the mask.
                        assert!(rank <= floor && kept == (hash == 0), "p {p} {hash:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn fold_rank_matches_rehashing() {
        // Folding a register of precision p + d must give the rank the hash has at p.
        let mut state = 99u64;
        for _ in 0..100_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let hash = state ^ (state >> 29) ^ (state << 7);
            for (p, d) in [(4u8, 1u8), (10, 2), (12, 6), (4, 14)] {
                // The hash, and the hash with its rank bits at `p + d` cleared (a maximal
                // rank there, which continues into the index bits folded away).
                for hash in [hash, hash & !((1u64 << (64 - p - d)) - 1)] {
                    let (j, v) = index_rank(hash, p + d);
                    let (i, want) = index_rank(hash, p);
                    assert_eq!(
                        (j >> d, fold_rank(j, v, d, p + d)),
                        (i, want),
                        "{hash:#x} {p} {d}"
                    );
                }
            }
        }
        for (p, d) in [(4u8, 14u8), (12, 2)] {
            let (j, v) = index_rank(0, p + d);
            assert_eq!(fold_rank(j, v, d, p + d), max_rank(p));
        }
    }
}
