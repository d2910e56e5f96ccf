//! UltraLogLog: distinct counts in `2^p` bytes, 28% less memory than HyperLogLog for the
//! same error.
//!
//! See [`UltraLogLog`] for the registers, the estimators and their errors.

mod fgra;
mod ml;

use std::fmt;

use crate::codec::{Codec, Decoder, Encoder, Kind};
use crate::counting::hyperloglog::sparse::{Inserted, Sparse};
use crate::counting::hyperloglog::{HyperLogLog, index_rank};
use crate::error::{Error, Result};
use crate::hash::{FromSaved, Item, ItemHasher, Murmur3, check_same_hasher};
use crate::{DistinctCount, MemoryUsage};

const NAME: &str = "UltraLogLog";

/// The smallest precision.
pub const MIN_PRECISION: u8 = 4;
/// The largest precision.
pub const MAX_PRECISION: u8 = 18;

/// `2^64` as an `f64`.
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// Distinct hashes the sparse (exact) form holds at precision `p`: `2^p / 8`, so that its
/// `8 n` bytes never exceed the `2^p` of the registers.
fn sparse_limit(p: u8) -> usize {
    (1usize << p) / 8
}

/// Representation tags of the binary format (as HyperLogLog's).
const REPR_SPARSE: u8 = 0;
const REPR_DENSE: u8 = 1;

/// The largest update value (rank) at precision `p`: `65 - p`, as HyperLogLog's.
fn max_rank(p: u8) -> u8 {
    65 - p
}

/// The set of update values a register has seen, as far as it remembers them: bit `k` for
/// value `k`, at most the register's largest value and the two below it. Bit 0 is never
/// set (update values start at 1), which is what makes `unpack(0)` the empty set.
#[inline(always)]
fn unpack(r: u8) -> u64 {
    let (u, b) = (u32::from(r >> 2), u64::from(r & 3));
    (((4 | b) << u) >> 2) & !1
}

/// The register `4 u + b` remembering a non-empty set of update values (bits 1..=61):
/// `u` its largest, bit 1 of `b` whether `u - 1` is in it, bit 0 whether `u - 2` is.
#[inline(always)]
fn pack(set: u64) -> u8 {
    debug_assert!(set != 0 && set < 1 << 62);
    let u = 63 - set.leading_zeros();
    ((u << 2) as u8) | (((set << 2) >> u) & 3) as u8
}

/// Whether a byte is a register some stream can produce at precision `p`.
fn is_valid_register(r: u8, p: u8) -> bool {
    r == 0 || ((4..4 * (max_rank(p) + 1)).contains(&r) && pack(unpack(r)) == r)
}

/// `2^64` times the probability that a hash landing on register `r` changes it: the chance
/// of an update value above its largest `u`, or equal to `u - 1` or `u - 2` while those
/// are unseen. A value `k` below the largest `w` has probability `2^-k`, `w` itself
/// `2^-(w-1)`, so values above `u < w` have `2^-u` together.
fn change_weight(r: u8, p: u8) -> u128 {
    if r == 0 {
        return 1 << 64;
    }
    let (u, b) = (u32::from(r >> 2), r & 3);
    let mut weight = 0u128;
    if u < u32::from(max_rank(p)) {
        weight += 1 << (64 - u);
    }
    if u >= 2 && b & 2 == 0 {
        weight += 1 << (65 - u);
    }
    if u >= 3 && b & 1 == 0 {
        weight += 1 << (66 - u);
    }
    weight
}

/// An UltraLogLog sketch (Ertl, 2024): the number of distinct items of a stream in
/// `2^p` bytes, with relative standard error `0.782 / sqrt(2^p)`, where a HyperLogLog
/// needs `0.75 * 2^p` bytes for `1.04 / sqrt(2^p)`: the same error in 28% less memory.
///
/// # Registers
///
/// One byte per register. Each register remembers the largest update value `u` it has
/// seen (HyperLogLog's register) and whether it has also seen `u - 1` and `u - 2`; the
/// byte is the paper's `4 u + b`, bit 1 of `b` for `u - 1`, bit 0 for `u - 2` (0: empty).
/// (hash4j adds `4 (p - 2)` to nonzero registers so that the byte does not depend on the
/// precision's offset; here a register reads the same as the paper's.)
///
/// The update value of a hash is exactly HyperLogLog's rank in this crate: the top `p` bits
/// pick a register, the value is one more than the number of **trailing** zeros of the
/// other `64 - p` bits, at most `65 - p`. The paper and hash4j count the *leading* zeros of
/// those bits instead; each bit of a hash is uniform and independent, so both give values
/// with the same distribution and the estimators apply unchanged. Sharing HyperLogLog's
/// convention is what lets [`UltraLogLog::to_hyperloglog`] give the very registers a
/// HyperLogLog fed the same stream has, and makes folding to a lower precision the same
/// operation as HyperLogLog's: the index bits a fold frees become the *top* bits of the
/// rank word, which only matter to a register at the largest value (with leading zeros
/// they would be its first bits and change every rank).
///
/// # Exact while small
///
/// A new sketch keeps the distinct 64-bit hashes themselves (sorted, as HyperLogLog's
/// sparse form), up to `2^p / 8` of them, so that they never take more than the `2^p`
/// bytes of the registers: while it does, every estimate is the exact count of distinct
/// hashes, and the sketch takes `8 n` bytes instead of `2^p`. The next distinct hash
/// converts it to registers, exactly those the hashes would have set, with the martingale
/// estimate starting from the exact count. Everything else (merge, fold, the binary
/// format, [`UltraLogLog::registers`]) works on either form alike.
///
/// # Estimators
///
/// * [`UltraLogLog::estimate`]: Ertl's **FGRA** estimator (further generalized remaining
///   area), in closed form from the register histogram: relative standard error
///   `sqrt(0.612 / m) = 0.782 / sqrt(m)` for large counts, less below about `m`, bias a
///   small fraction of that, no bias tables and no switch between estimators. Valid for any
///   sketch, merged or not.
/// * [`UltraLogLog::estimate_ml`]: the **maximum-likelihood** estimator, solving the
///   likelihood equation of the registers by Newton's method, with the paper's bias
///   correction: relative standard error `0.761 / sqrt(m)` for large counts (3% below
///   FGRA's), at the cost of a few more passes over the histogram. Valid for any sketch.
/// * [`UltraLogLog::estimate_martingale`]: the martingale (historic inverse probability)
///   estimator, kept up to date on every register change (one `f64`, saved in the binary
///   format): relative standard error about `0.658 / sqrt(m)`, 16% better. It is only
///   valid for a sketch fed by one stream, so it is `None` once a sketch with registers
///   has been merged in or a sketch with registers was folded: use it for sketches that
///   are never merged. (Merging or folding an exact sketch inserts its hashes, which keeps
///   the estimate valid.)
///
/// # Example
///
/// ```
/// use lessram::{MemoryUsage, UltraLogLog};
///
/// let mut ull = UltraLogLog::new(12)?;
/// for i in 0..100_000u64 {
///     ull.insert(&i);
/// }
/// let e = ull.estimate();
/// assert!((e - 100_000.0).abs() < 0.05 * 100_000.0, "{e}"); // 0.782 / 64 = 1.2%
/// assert_eq!(ull.memory_usage(), 4096);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct UltraLogLog<S: ItemHasher = Murmur3> {
    hasher: S,
    precision: u8,
    repr: Repr,
}

// The registers' summaries live inline (the 1 KiB histogram), as HyperLogLog's do: the
// heap holds the registers alone, so `memory_usage()` is their `2^p` bytes, and an estimate
// reads no second allocation. A sketch value is about 1.1 KiB, moved rarely.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Repr {
    /// The distinct hashes, while they fit in the registers' bytes.
    Sparse(Sparse),
    Dense(Dense),
}

/// The registers and what is kept beside them, derived from them and kept up to date on
/// every change: the histogram of register bytes (which makes an estimate a pass over 256
/// counts instead of the `2^p` registers), the smallest largest-value `u` (below which, by
/// three, no update value changes any register) and the exact change probability.
#[derive(Clone)]
struct Dense {
    regs: Vec<u8>,
    /// `hist[r]`: how many registers hold the byte `r`.
    hist: [u32; 256],
    /// The smallest `u` of any register (`r >> 2`; 0 while a register is empty).
    low_u: u8,
    /// Sum over registers of [`change_weight`]: the probability that a new hash changes
    /// the sketch is `change_sum / (m 2^64)`. Exact (an integer), so it does not drift.
    change_sum: u128,
    /// The martingale estimate, while it is valid.
    martingale: Option<f64>,
}

impl Dense {
    /// `2^p` empty registers, with the martingale estimate at 0.
    fn new(p: u8) -> Self {
        let m = 1usize << p;
        let mut hist = [0u32; 256];
        hist[0] = m as u32;
        Self {
            regs: vec![0; m],
            hist,
            low_u: 0,
            change_sum: (m as u128) << 64,
            martingale: Some(0.0),
        }
    }

    /// The registers `regs` (each valid at `p`, checked by the caller), with their summaries
    /// and the martingale estimate `martingale`.
    fn from_registers(regs: Vec<u8>, p: u8, martingale: Option<f64>) -> Self {
        let mut d = Self {
            regs,
            hist: [0; 256],
            low_u: 0,
            change_sum: 0,
            martingale,
        };
        d.rebuild(p);
        d
    }

    /// Recomputes the summaries from the registers.
    fn rebuild(&mut self, p: u8) {
        self.hist = [0; 256];
        for &r in &self.regs {
            self.hist[usize::from(r)] += 1;
        }
        // From the histogram: a product per register byte, not a sum per register.
        self.change_sum = (0..=255u8)
            .filter(|&r| self.hist[usize::from(r)] > 0)
            .map(|r| u128::from(self.hist[usize::from(r)]) * change_weight(r, p))
            .sum();
        self.low_u = self.lowest_u();
    }

    fn lowest_u(&self) -> u8 {
        (self.hist.iter().position(|&c| c > 0).unwrap_or(0) >> 2) as u8
    }

    /// The largest update value that can change no register: an update value `k` changes
    /// a register of largest value `u` only if `k >= u - 2`, so none changes when
    /// `k <= low_u - 3`.
    #[inline(always)]
    fn skip_floor(&self) -> u8 {
        self.low_u.saturating_sub(3)
    }

    #[inline(always)]
    fn insert_hash(&mut self, hash: u64, p: u8) {
        let (i, k) = index_rank(hash, p);
        let old = self.regs[i];
        // Most hashes of a full sketch are at least three below their register's largest
        // value, which they cannot change: decided without unpacking the register.
        if u32::from(k) + 2 < u32::from(old >> 2) {
            return;
        }
        let new = pack(unpack(old) | (1 << k));
        if new != old {
            self.change(i, old, new, p);
        }
    }

    /// Inserts hashes in order, with the same result as [`Dense::insert_hash`] on each:
    /// the candidates (update value above [`Dense::skip_floor`] as it was when the batch
    /// of candidates began) gathered branch-free, 64 at a time, then inserted in order; the
    /// others can change no register (registers only grow) and are dropped. An update
    /// value is above `f` exactly when the low `f` bits of the hash are zero (as
    /// HyperLogLog's batch insert).
    fn insert_hashes(&mut self, hashes: impl Iterator<Item = u64>, p: u8) {
        const CANDIDATES: usize = 64;
        // Until every register's largest value is at least 4 nothing can be skipped, and
        // gathering would only cost: one by one (for this batch).
        if self.skip_floor() == 0 {
            return hashes.for_each(|h| self.insert_hash(h, p));
        }
        let mut kept = [0u64; CANDIDATES];
        let mut n = 0usize;
        let mut skip = (1u64 << self.skip_floor()) - 1;
        for h in hashes {
            kept[n % CANDIDATES] = h;
            n += usize::from(h & skip == 0);
            if n == CANDIDATES {
                kept.iter().for_each(|&h| self.insert_hash(h, p));
                n = 0;
                skip = (1u64 << self.skip_floor()) - 1;
            }
        }
        kept[..n].iter().for_each(|&h| self.insert_hash(h, p));
    }

    /// Register `i` changes from `old` to `new`: the martingale estimate adds the inverse
    /// of the probability of a change (Ting 2014; Cohen 2015; Ertl 2024, section 4), which
    /// keeps it unbiased, then the probability is updated.
    #[inline(never)]
    fn change(&mut self, i: usize, old: u8, new: u8, p: u8) {
        if let Some(est) = &mut self.martingale {
            let m_2_64 = f64::from(1u32 << p) * TWO_64;
            *est += m_2_64 / self.change_sum as f64;
        }
        self.change_sum = self.change_sum - change_weight(old, p) + change_weight(new, p);
        self.regs[i] = new;
        self.hist[usize::from(old)] -= 1;
        self.hist[usize::from(new)] += 1;
        if old >> 2 == self.low_u && self.hist[usize::from(old)] == 0 {
            self.low_u = self.lowest_u();
        }
    }

    /// Takes in the registers `other` (at precision `high`), folded down to this sketch's
    /// precision `p <= high`.
    fn merge_finer(&mut self, other: &[u8], high: u8, p: u8) {
        debug_assert!(high >= p);
        let d = high - p;
        let top = max_rank(high);
        for (j, &r) in other.iter().enumerate() {
            if r == 0 {
                continue;
            }
            // The register at this sketch's precision: the same byte unless a fold moves
            // a largest value on into the freed index bits (the top of the rank word: an
            // all-zero rank word at the finer precision continues into them).
            let r = if d > 0 && r >> 2 == top {
                let low = (j & ((1usize << d) - 1)) | (1usize << d);
                let set = unpack(r);
                pack((set & !(1 << top)) | (1 << (u32::from(top) + low.trailing_zeros())))
            } else {
                r
            };
            let i = j >> d;
            let old = self.regs[i];
            // Of two registers whose largest values are three or more apart, the union
            // is the larger one (the other's values are all below its window).
            let (uo, ur) = (old >> 2, r >> 2);
            self.regs[i] = if uo + 2 < ur {
                r
            } else if ur + 2 < uo || old == r {
                old
            } else {
                pack(unpack(old) | unpack(r))
            };
        }
        self.rebuild(p);
    }

    /// The registers the hashes of a sparse sketch set, with the martingale estimate at
    /// their exact count.
    fn from_sparse(s: &Sparse, p: u8) -> Self {
        let mut d = Self::new(p);
        d.martingale = None;
        s.hashes().iter().for_each(|&h| d.insert_hash(h, p));
        d.martingale = Some(s.len() as f64);
        d
    }
}

fn check_precision(precision: u8) -> Result<()> {
    if (MIN_PRECISION..=MAX_PRECISION).contains(&precision) {
        Ok(())
    } else {
        Err(Error::parameter("precision", precision, "4..=18"))
    }
}

impl UltraLogLog<Murmur3> {
    /// An empty sketch with `2^precision` registers and the default hasher
    /// ([`Murmur3`] with seed 0).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `4 <= precision <= 18`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::UltraLogLog;
    ///
    /// assert_eq!(UltraLogLog::new(12)?.precision(), 12);
    /// assert_eq!(
    ///     UltraLogLog::new(30).unwrap_err().to_string(),
    ///     "precision 30 out of range 4..=18"
    /// );
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn new(precision: u8) -> Result<Self> {
        Self::with_hasher(precision, Murmur3::new())
    }

    /// Decodes a sketch saved by [`UltraLogLog::to_bytes`] with the default hasher's family
    /// (MurmurHash3, any seed: the seed is read back from the bytes).
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the frame (truncated, changed, wrong kind, another hasher), or
    /// [`Error::Corrupt`] when a field is inconsistent (precision out of range, a register
    /// no stream can produce, a bad martingale estimate).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::UltraLogLog;
    ///
    /// let mut ull = UltraLogLog::new(10)?;
    /// ull.insert("x");
    /// let bytes = ull.to_bytes();
    /// assert_eq!(UltraLogLog::from_bytes(&bytes)?, ull);
    /// assert!(UltraLogLog::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        <Self as Codec>::from_bytes(bytes)
    }
}

impl<S: ItemHasher> UltraLogLog<S> {
    /// An empty sketch with `2^precision` registers hashing items with `hasher`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `4 <= precision <= 18`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::UltraLogLog;
    ///
    /// let mut a = UltraLogLog::with_hasher(12, Murmur3::with_seed(7))?;
    /// let b = UltraLogLog::new(12)?; // seed 0
    /// a.insert("x");
    /// assert!(a.merge(&b).is_err()); // different seeds do not merge
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn with_hasher(precision: u8, hasher: S) -> Result<Self> {
        check_precision(precision)?;
        Ok(Self {
            hasher,
            precision,
            repr: Repr::Sparse(Sparse::default()),
        })
    }

    /// Whether the sketch still holds its distinct hashes (and so counts exactly) rather
    /// than registers.
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(10)?;
    /// (0..128u32).for_each(|i| ull.insert(&i));
    /// assert!(ull.is_sparse()); // 128 hashes: 1,024 bytes, the registers' size
    /// ull.insert(&128u32);
    /// assert!(!ull.is_sparse());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn is_sparse(&self) -> bool {
        matches!(self.repr, Repr::Sparse(_))
    }

    /// The sum of the change weights of the registers (of those its hashes set, while
    /// exact).
    #[cfg(test)]
    fn change_sum(&self) -> u128 {
        match &self.repr {
            Repr::Dense(d) => d.change_sum,
            Repr::Sparse(s) => Dense::from_sparse(s, self.precision).change_sum,
        }
    }

    /// The registers, borrowed when the sketch has them, else computed from its hashes.
    fn dense_registers(&self) -> std::borrow::Cow<'_, [u8]> {
        match &self.repr {
            Repr::Dense(d) => std::borrow::Cow::Borrowed(&d.regs),
            Repr::Sparse(s) => std::borrow::Cow::Owned(Dense::from_sparse(s, self.precision).regs),
        }
    }

    /// Converts an exact sketch to registers (the martingale estimate starts from the
    /// exact count).
    fn densify(&mut self) -> &mut Dense {
        if let Repr::Sparse(s) = &self.repr {
            self.repr = Repr::Dense(Dense::from_sparse(s, self.precision));
        }
        match &mut self.repr {
            Repr::Dense(d) => d,
            Repr::Sparse(_) => unreachable!("just converted"),
        }
    }

    /// The precision `p`: the sketch has `2^p` registers of one byte.
    #[must_use]
    pub fn precision(&self) -> u8 {
        self.precision
    }

    /// The hasher items go through.
    #[must_use]
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// The `2^p` registers, `4 u + b` each (see the type's documentation); for a sketch
    /// still exact, the registers its hashes set.
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(4)?;
    /// ull.insert_hash(0x3000_0000_0000_0004); // register 3, low bits ...100: value 3
    /// ull.insert_hash(0x3000_0000_0000_0001); // register 3, value 1: u - 2
    /// assert_eq!(ull.registers()[3], 4 * 3 + 0b01);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn registers(&self) -> Vec<u8> {
        self.dense_registers().into_owned()
    }

    /// Inserts an item, hashing its bytes with the sketch's hasher (see [`Item`]).
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(12)?;
    /// ull.insert("apple");
    /// ull.insert(b"apple"); // the same bytes, the same item
    /// ull.insert(&42u64);
    /// assert!((ull.estimate() - 2.0).abs() < 0.01);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        let hash = self.hasher.hash_item(item);
        self.insert_hash(hash);
    }

    /// Inserts an item already hashed to 64 uniformly distributed bits.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::murmur3_x64_128;
    ///
    /// let mut ull = lessram::UltraLogLog::new(12)?;
    /// ull.insert_hash(murmur3_x64_128(b"apple", 0) as u64);
    /// assert_eq!(ull.estimate_martingale(), Some(1.0));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) {
        match &mut self.repr {
            Repr::Dense(d) => d.insert_hash(hash, self.precision),
            Repr::Sparse(_) => self.insert_sparse(hash),
        }
    }

    #[inline(never)]
    fn insert_sparse(&mut self, hash: u64) {
        if let Repr::Sparse(s) = &mut self.repr
            && s.insert(hash, sparse_limit(self.precision)) == Inserted::Full
        {
            let p = self.precision;
            self.densify().insert_hash(hash, p);
        }
    }

    /// Inserts many hashes, in order: the same sketch as [`UltraLogLog::insert_hash`] on
    /// each.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{ItemHasher, UltraLogLog};
    ///
    /// let mut ull = UltraLogLog::new(14)?;
    /// let hashes: Vec<u64> = (0..100_000u64).map(|i| ull.hasher().hash_item(&i)).collect();
    /// ull.insert_hashes(hashes.iter().copied());
    /// assert!((ull.estimate() / 1e5 - 1.0).abs() < 0.03);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn insert_hashes<I: IntoIterator<Item = u64>>(&mut self, hashes: I) {
        let mut hashes = hashes.into_iter();
        loop {
            match &mut self.repr {
                Repr::Dense(d) => return d.insert_hashes(hashes, self.precision),
                Repr::Sparse(_) => match hashes.next() {
                    Some(h) => self.insert_sparse(h),
                    None => return,
                },
            }
        }
    }

    /// The number of registers holding each byte value.
    fn histogram(&self) -> [u32; 256] {
        match &self.repr {
            Repr::Dense(d) => d.hist,
            Repr::Sparse(s) => Dense::from_sparse(s, self.precision).hist,
        }
    }

    /// The estimated number of distinct items: exact while the sketch holds its hashes,
    /// then Ertl's FGRA estimator (relative standard error about `0.782 / sqrt(2^p)` for
    /// large counts, less for counts below about `2^p`). From the histogram of the
    /// registers the sketch keeps up to date: a few hundred operations whatever `p` (0.2 µs
    /// at p = 14 in `docs/performance.md`).
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(12)?;
    /// (0..1000u32).for_each(|i| ull.insert(&i));
    /// let e = ull.estimate();
    /// assert!((e - 1000.0).abs() < 30.0, "{e}");
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate(&self) -> f64 {
        match &self.repr {
            Repr::Sparse(s) => s.len() as f64,
            Repr::Dense(_) => fgra::estimate(&self.histogram(), self.precision),
        }
    }

    /// The maximum-likelihood estimate (Ertl 2024): exact while the sketch holds its
    /// hashes, then relative standard error `0.761 / sqrt(2^p)` for large counts (memory-variance product 4.63 against FGRA's
    /// 4.90), with the paper's first-order bias correction. Valid for any sketch, merged or
    /// not. It solves the likelihood equation by Newton's method from the FGRA estimate: a
    /// few hundred operations more than [`UltraLogLog::estimate`] (1 µs at p = 14). 0 for an empty sketch, infinite when every register is
    /// saturated (as FGRA).
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(12)?;
    /// (0..100_000u32).for_each(|i| ull.insert(&i));
    /// let (ml, fgra) = (ull.estimate_ml(), ull.estimate());
    /// assert!((ml / 1e5 - 1.0).abs() < 0.05, "{ml}"); // 0.761 / 64 = 1.2%
    /// assert!((ml / fgra - 1.0).abs() < 0.01, "{ml} {fgra}"); // the two agree closely
    /// assert_eq!(lessram::UltraLogLog::new(12)?.estimate_ml(), 0.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate_ml(&self) -> f64 {
        if let Repr::Sparse(s) = &self.repr {
            return s.len() as f64;
        }
        let hist = self.histogram();
        let start = fgra::estimate(&hist, self.precision);
        ml::estimate(&hist, self.precision, start)
    }

    /// The martingale estimate, relative standard error about `0.658 / sqrt(2^p)`, or
    /// `None` once a sketch with registers has been merged in or a sketch with registers
    /// was folded (the estimator is only valid for a sketch fed by one stream). Exact while
    /// the sketch holds its hashes. Saved by [`UltraLogLog::to_bytes`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::UltraLogLog;
    ///
    /// let mut a = UltraLogLog::new(12)?;
    /// (0..50_000u32).for_each(|i| a.insert(&i));
    /// let e = a.estimate_martingale().unwrap();
    /// assert!((e - 50_000.0).abs() < 0.05 * 50_000.0, "{e}");
    ///
    /// let b = a.clone();
    /// a.merge(&b)?;
    /// assert_eq!(a.estimate_martingale(), None);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate_martingale(&self) -> Option<f64> {
        match &self.repr {
            Repr::Sparse(s) => Some(s.len() as f64),
            Repr::Dense(d) => d.martingale,
        }
    }

    /// The probability that a new distinct item changes the sketch's registers (for a
    /// sketch still exact, the registers its hashes set).
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(8)?;
    /// assert_eq!(ull.change_probability(), 1.0);
    /// (0..10_000u32).for_each(|i| ull.insert(&i));
    /// assert!(ull.change_probability() < 0.1);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn change_probability(&self) -> f64 {
        let sum = match &self.repr {
            Repr::Dense(d) => d.change_sum,
            Repr::Sparse(s) => Dense::from_sparse(s, self.precision).change_sum,
        };
        sum as f64 / (f64::from(1u32 << self.precision) * TWO_64)
    }

    /// The same sketch at a lower precision: what inserting the same stream at
    /// `precision` would have given (the fold is exact). The martingale estimate of a
    /// sketch with registers is dropped (`None`) unless `precision` is its own; a sketch
    /// still exact is folded by inserting its hashes, and keeps it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `4 <= precision <= self.precision()`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::UltraLogLog;
    ///
    /// let (mut fine, mut coarse) = (UltraLogLog::new(12)?, UltraLogLog::new(8)?);
    /// for i in 0..20_000u32 {
    ///     fine.insert(&i);
    ///     coarse.insert(&i);
    /// }
    /// assert_eq!(fine.fold(8)?.registers(), coarse.registers());
    /// assert!(fine.fold(13).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn fold(&self, precision: u8) -> Result<Self> {
        if !(MIN_PRECISION..=self.precision).contains(&precision) {
            return Err(Error::parameter(
                "precision",
                precision,
                format_args!("{MIN_PRECISION}..={}", self.precision),
            ));
        }
        if precision == self.precision {
            return Ok(self.clone());
        }
        let mut out = Self::with_hasher(precision, self.hasher.clone())?;
        match &self.repr {
            Repr::Sparse(s) => out.insert_hashes(s.sorted_hashes()),
            Repr::Dense(d) => {
                let into = out.densify();
                into.merge_finer(&d.regs, self.precision, precision);
                into.martingale = None;
            }
        }
        Ok(out)
    }

    /// Merges `other` into `self`, so that `self` estimates the union of both streams:
    /// register by register, the union of the update values each remembers, of which the
    /// result keeps the largest and the two below it (exact: the register the union stream
    /// would have given).
    ///
    /// The precisions may differ, in either order: the result has the coarser of the two
    /// (the finer side is folded down, exactly, as by [`UltraLogLog::fold`]), so
    /// `merge(a, b)` and `merge(b, a)` give the same registers. Merging a sketch with
    /// registers (not empty) makes [`UltraLogLog::estimate_martingale`] `None`; merging a
    /// sketch still exact inserts its hashes, which keeps it, and keeps an exact sketch
    /// exact while the union fits.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when `other` has another hash function or seed (the message
    /// names both sides). `self` is unchanged then.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::UltraLogLog;
    ///
    /// let (mut a, mut b, mut both) = (UltraLogLog::new(10)?, UltraLogLog::new(10)?, UltraLogLog::new(10)?);
    /// (0..3_000u32).for_each(|i| { a.insert(&i); both.insert(&i) });
    /// (2_000..5_000u32).for_each(|i| { b.insert(&i); both.insert(&i) });
    /// a.merge(&b)?;
    /// assert_eq!(a.registers(), both.registers());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        check_same_hasher(NAME, &self.hasher, &other.hasher)?;
        if other.precision < self.precision {
            *self = self.fold(other.precision)?;
        }
        match &other.repr {
            // Hashes do not depend on the precision: inserting them is exact at any.
            Repr::Sparse(s) => self.insert_hashes(s.sorted_hashes()),
            Repr::Dense(od) => {
                if od.regs.iter().any(|&r| r != 0) {
                    let p = self.precision;
                    let d = self.densify();
                    d.merge_finer(&od.regs, other.precision, p);
                    d.martingale = None;
                }
            }
        }
        Ok(())
    }

    /// The HyperLogLog of the same precision and hasher holding, in each register, this
    /// sketch's largest update value there: the very sketch (registers) a HyperLogLog fed
    /// the same stream has, dense and without a HIP estimate. A sketch still exact gives
    /// the HyperLogLog fed its hashes (exact too while they fit its own sparse form).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{HyperLogLog, UltraLogLog};
    ///
    /// let (mut ull, mut hll) = (UltraLogLog::new(10)?, HyperLogLog::new(10)?);
    /// for i in 0..5_000u32 {
    ///     ull.insert(&i);
    ///     hll.insert(&i);
    /// }
    /// assert_eq!(ull.to_hyperloglog().registers(), hll.registers());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_hyperloglog(&self) -> HyperLogLog<S> {
        match &self.repr {
            Repr::Sparse(s) => {
                let mut hll = HyperLogLog::with_hasher(self.precision, self.hasher.clone())
                    .expect("the precision of an existing sketch is valid");
                hll.insert_hashes(s.sorted_hashes());
                hll
            }
            Repr::Dense(d) => {
                let ranks: Vec<u8> = d.regs.iter().map(|&r| r >> 2).collect();
                HyperLogLog::from_registers(self.precision, self.hasher.clone(), &ranks)
                    .expect("the precision of an existing sketch is valid")
            }
        }
    }

    /// Saves the sketch in lessram's binary format (see `docs/format.md`).
    ///
    /// # Example
    ///
    /// ```
    /// let mut ull = lessram::UltraLogLog::new(12)?;
    /// ull.insert("x");
    /// // Exact: the tag, the martingale flag and estimate, a count, one hash, and 33 bytes
    /// // of frame and precision.
    /// assert_eq!(ull.to_bytes().len(), 10 + 8 + 8 + 33);
    /// (0..1000u32).for_each(|i| ull.insert(&i));
    /// // Registers: the tag, flag and estimate, and 4,096 register bytes.
    /// assert_eq!(ull.to_bytes().len(), 10 + 4096 + 33);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::with_hasher(Kind::UltraLogLog, &self.hasher);
        enc.params().u8(self.precision);
        let out = enc.payload();
        match &self.repr {
            Repr::Sparse(s) => {
                let hashes = s.sorted_hashes();
                out.reserve(18 + 8 * hashes.len());
                out.u8(REPR_SPARSE).u8(1).f64(s.len() as f64);
                out.u64(hashes.len() as u64);
                hashes.iter().for_each(|&h| {
                    out.u64(h);
                });
            }
            Repr::Dense(d) => {
                out.reserve(10 + d.regs.len());
                out.u8(REPR_DENSE)
                    .u8(u8::from(d.martingale.is_some()))
                    .f64(d.martingale.unwrap_or(0.0))
                    .bytes(&d.regs);
            }
        }
        enc.finish()
    }

    /// Decodes a sketch saved with any hasher, which the caller supplies: its hash id and
    /// seed (for hashers other than Murmur3, its [fingerprint](ItemHasher::fingerprint))
    /// must match the saved ones.
    ///
    /// # Errors
    ///
    /// As [`UltraLogLog::from_bytes`]: [`Error::WrongHasher`] when `hasher`'s id or seed
    /// differ from the saved ones, [`Error::UnidentifiedHasher`] when the frame records none.
    ///
    /// # Example
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use lessram::UltraLogLog;
    ///
    /// let hasher = RandomState::new();
    /// let mut ull = UltraLogLog::with_hasher(10, hasher.clone())?;
    /// ull.insert("x");
    /// assert_eq!(UltraLogLog::from_bytes_with_hasher(&ull.to_bytes(), hasher)?, ull);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes_with_hasher(bytes: &[u8], hasher: S) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::UltraLogLog)?;
        dec.check_hasher(&hasher)?;
        decode(dec, hasher)
    }
}

fn corrupt(detail: impl Into<String>) -> Error {
    Error::corrupt(NAME, detail)
}

fn decode<S: ItemHasher>(mut dec: Decoder<'_>, hasher: S) -> Result<UltraLogLog<S>> {
    let precision = dec.params().u8()?;
    check_precision(precision).map_err(|e| corrupt(e.to_string()))?;
    let payload = dec.payload();
    let tag = payload.u8()?;
    let flag = payload.u8()?;
    let value = payload.f64()?;
    if tag == REPR_SPARSE {
        let n = payload.count(8)?;
        let limit = sparse_limit(precision);
        if n > limit {
            return Err(corrupt(format!(
                "{n} sparse hashes, at most {limit} at precision {precision}"
            )));
        }
        let mut hashes = Vec::with_capacity(n);
        for _ in 0..n {
            let h = payload.u64()?;
            if hashes.last().is_some_and(|&last| last >= h) {
                return Err(corrupt("sparse hashes not strictly increasing"));
            }
            hashes.push(h);
        }
        if flag != 1 || value.to_bits() != (n as f64).to_bits() {
            return Err(corrupt(format!(
                "an exact sketch's martingale estimate must be its count {n}, found flag {flag} value {value}"
            )));
        }
        dec.finish()?;
        return Ok(UltraLogLog {
            hasher,
            precision,
            repr: Repr::Sparse(Sparse::from_sorted(hashes)),
        });
    }
    if tag != REPR_DENSE {
        return Err(corrupt(format!(
            "representation tag {tag}, expected 0 (sparse) or 1 (dense)"
        )));
    }
    let regs = payload.take(1 << precision)?;
    for (i, &r) in regs.iter().enumerate() {
        if !is_valid_register(r, precision) {
            return Err(corrupt(format!(
                "register {i} holds {r}, which no stream gives at precision {precision}"
            )));
        }
    }
    let empty = regs.iter().all(|&r| r == 0);
    let martingale = match flag {
        0 if value.to_bits() == 0 => None,
        1 if empty && value.to_bits() == 0 => Some(0.0),
        1 if !empty && value.is_finite() && value >= 1.0 => Some(value),
        _ => {
            return Err(corrupt(format!(
                "bad martingale estimate: flag {flag} value {value} (valid: flag 0 and 0.0, \
                 or flag 1 and 0.0 when empty, at least 1 otherwise)"
            )));
        }
    };
    let regs = regs.to_vec();
    dec.finish()?;
    Ok(UltraLogLog {
        hasher,
        precision,
        repr: Repr::Dense(Dense::from_registers(regs, precision, martingale)),
    })
}

impl<S: FromSaved> Codec for UltraLogLog<S> {
    const KIND: Kind = Kind::UltraLogLog;

    fn to_bytes(&self) -> Vec<u8> {
        UltraLogLog::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::UltraLogLog)?;
        let hasher = dec.hasher::<S>()?;
        decode(dec, hasher)
    }
}

impl<S: ItemHasher> DistinctCount for UltraLogLog<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.hasher
    }

    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        UltraLogLog::insert_hash(self, hash);
    }

    fn insert_hashes<I: IntoIterator<Item = u64>>(&mut self, hashes: I) {
        UltraLogLog::insert_hashes(self, hashes);
    }

    fn estimate(&self) -> f64 {
        UltraLogLog::estimate(self)
    }

    fn merge(&mut self, other: &Self) -> Result<()> {
        UltraLogLog::merge(self, other)
    }
}

impl<S: ItemHasher> MemoryUsage for UltraLogLog<S> {
    fn memory_usage(&self) -> usize {
        match &self.repr {
            Repr::Sparse(s) => s.heap_bytes(),
            Repr::Dense(d) => d.regs.capacity(),
        }
    }
}

/// Equal when precision, hash id and seed, representation and contents (the set of hashes,
/// or the registers and the martingale estimate) are equal.
impl<S: ItemHasher> PartialEq for UltraLogLog<S> {
    fn eq(&self, other: &Self) -> bool {
        self.precision == other.precision
            && self.hasher.hash_id() == other.hasher.hash_id()
            && self.hasher.seed() == other.hasher.seed()
            && match (&self.repr, &other.repr) {
                (Repr::Sparse(a), Repr::Sparse(b)) => a.same_set(b),
                (Repr::Dense(a), Repr::Dense(b)) => {
                    a.regs == b.regs
                        && a.martingale.map(f64::to_bits) == b.martingale.map(f64::to_bits)
                }
                _ => false,
            }
    }
}

impl<S: ItemHasher> fmt::Debug for UltraLogLog<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(NAME)
            .field("precision", &self.precision)
            .field("hash_id", &self.hasher.hash_id())
            .field("seed", &self.hasher.seed())
            .field("estimate", &self.estimate())
            .field("sparse", &self.is_sparse())
            .field("estimate_martingale", &self.estimate_martingale())
            .finish()
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(UltraLogLog);

#[cfg(test)]
mod tests {
    use super::*;

    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The register from the full set of update values seen, by definition.
    fn register_of(seen: &[u8]) -> u8 {
        let Some(&u) = seen.iter().max() else {
            return 0;
        };
        let b = 2 * u8::from(seen.contains(&(u.wrapping_sub(1))))
            + u8::from(seen.contains(&(u.wrapping_sub(2))));
        4 * u + b
    }

    #[test]
    fn precision_is_checked() {
        for p in 0..=255u8 {
            assert_eq!(UltraLogLog::new(p).is_ok(), (4..=18).contains(&p), "{p}");
        }
        assert_eq!(
            UltraLogLog::new(3).unwrap_err().to_string(),
            "precision 3 out of range 4..=18"
        );
    }

    #[test]
    fn pack_and_unpack_round_trip_every_register() {
        let mut valid = 0;
        for r in 0..=255u8 {
            let ok = is_valid_register(r, 4);
            valid += usize::from(ok);
            if ok && r != 0 {
                assert_eq!(pack(unpack(r)), r);
                assert_eq!(unpack(r) & 1, 0);
            }
        }
        // u = 1: one register; u = 2: two; u = 3..=61: four each; and the empty one.
        assert_eq!(valid, 1 + 1 + 2 + 4 * 59);
        assert!(!is_valid_register(4 * 62, 4));
        assert!(is_valid_register(4 * 47 + 3, 18) && !is_valid_register(4 * 48, 18));
    }

    #[test]
    fn registers_follow_their_definition() {
        // Random update values into one register, against the full set.
        let mut state = 9;
        for _ in 0..2000 {
            let mut seen = Vec::new();
            let mut r = 0u8;
            for _ in 0..(splitmix(&mut state) % 8) {
                let k = 1 + (splitmix(&mut state) % 61) as u8;
                seen.push(k);
                r = pack(unpack(r) | 1 << k);
                assert_eq!(r, register_of(&seen), "{seen:?}");
            }
        }
    }

    #[test]
    fn change_weights_are_the_change_probabilities() {
        // Against the definition: sum the probability of each value that changes r.
        let p = 10;
        let w = max_rank(p);
        let prob = |k: u8| {
            if k < w {
                0.5f64.powi(k.into())
            } else {
                0.5f64.powi((w - 1).into())
            }
        };
        for r in (0..=255u8).filter(|&r| is_valid_register(r, p)) {
            let want: f64 = (1..=w)
                .filter(|&k| r == 0 || pack(unpack(r) | 1 << k) != r)
                .map(prob)
                .sum();
            assert_eq!(change_weight(r, p) as f64 / TWO_64, want, "register {r}");
        }
    }

    #[test]
    fn change_sum_is_kept_exact() {
        let mut ull = UltraLogLog::new(6).unwrap();
        let mut state = 3;
        for _ in 0..20_000 {
            ull.insert_hash(splitmix(&mut state));
        }
        let want: u128 = ull.registers().iter().map(|&r| change_weight(r, 6)).sum();
        assert_eq!(ull.change_sum(), want);
        // The histogram and the smallest largest-value, kept up to date on every change
        // (and through merges), equal those computed afresh from the registers.
        let mut other = UltraLogLog::new(8).unwrap();
        for _ in 0..5_000 {
            other.insert_hash(splitmix(&mut state));
        }
        let mut merged = ull.clone();
        merged.merge(&other).unwrap();
        for s in [&ull, &other, &merged] {
            let Repr::Dense(d) = &s.repr else {
                panic!("dense")
            };
            let fresh = Dense::from_registers(d.regs.clone(), s.precision, None);
            assert_eq!(d.hist, fresh.hist);
            assert_eq!(d.low_u, fresh.low_u);
            if s.precision == 6 {
                assert!(d.low_u >= 3, "{}", d.low_u); // 20,000 hashes in 64 registers
            }
            assert_eq!(d.change_sum, fresh.change_sum);
        }
        let decoded = UltraLogLog::from_bytes(&ull.to_bytes()).unwrap();
        assert_eq!(decoded.change_sum(), want);
        assert_eq!(decoded, ull);
    }

    #[test]
    fn fold_equals_the_coarser_sketch() {
        for (hi, lo) in [(18u8, 4u8), (10, 9), (12, 7)] {
            let mut fine = UltraLogLog::new(hi).unwrap();
            let mut coarse = UltraLogLog::new(lo).unwrap();
            let mut state = u64::from(hi);
            for n in 0..30_000u32 {
                // Hashes with many zero bits reach the largest values of both precisions.
                let mut h = splitmix(&mut state);
                if n.is_multiple_of(7) {
                    h &= !((1u64 << (64 - lo)) - 1) | (1 << (splitmix(&mut state) % 64));
                }
                fine.insert_hash(h);
                coarse.insert_hash(h);
            }
            let folded = fine.fold(lo).unwrap();
            assert_eq!(folded.registers(), coarse.registers(), "{hi} -> {lo}");
            assert_eq!(folded.change_sum(), coarse.change_sum());
            // Kept only by a sketch still exact (p 18 holds 32,768 hashes).
            assert_eq!(folded.estimate_martingale().is_some(), fine.is_sparse());
            // Merge folds either way round.
            let mut a = coarse.clone();
            a.merge(&fine).unwrap();
            let mut b = fine.clone();
            b.merge(&coarse).unwrap();
            assert_eq!(a.registers(), coarse.registers());
            assert_eq!(b.registers(), coarse.registers());
        }
    }

    #[test]
    fn saturated_registers_are_reachable_and_estimated() {
        // All-zero rank words: every register at the largest value 65 - p.
        let p = 4;
        let mut ull = UltraLogLog::new(p).unwrap();
        for i in 0..16u64 {
            for k in [59u32, 60, 61] {
                // value k: trailing zeros k - 1 (61: all zero).
                let low = if k == 61 { 0 } else { 1u64 << (k - 1) };
                ull.insert_hash((i << 60) | low);
            }
        }
        assert!(ull.registers().iter().all(|&r| r == 4 * 61 + 3));
        assert_eq!(ull.change_probability(), 0.0); // nothing can change any more
        // Every register saturated: the data fit any count above about 2^64, and the
        // estimate is infinite, as the paper's large-range correction gives.
        assert_eq!(ull.estimate(), f64::INFINITY);
        // One register short of saturation: finite and beyond 10^17.
        let mut almost = UltraLogLog::new(p).unwrap();
        for i in 0..16u64 {
            almost.insert_hash((i << 60) | if i == 0 { 1 << 58 } else { 0 });
        }
        let e = almost.estimate();
        assert!(e.is_finite() && e > 1e17, "{e}");
    }

    #[test]
    fn hasher_mismatch_names_both_sides() {
        let mut a = UltraLogLog::with_hasher(10, Murmur3::with_seed(1)).unwrap();
        let b = UltraLogLog::with_hasher(10, Murmur3::with_seed(2)).unwrap();
        assert_eq!(
            a.merge(&b).unwrap_err().to_string(),
            "cannot combine UltraLogLogs with different hasher: hash id 1 seed 1 and hash id 1 seed 2"
        );
    }

    #[test]
    fn merging_an_empty_sketch_keeps_the_martingale() {
        let mut a = UltraLogLog::new(8).unwrap();
        (0..100u32).for_each(|i| a.insert(&i));
        let before = a.clone();
        a.merge(&UltraLogLog::new(8).unwrap()).unwrap();
        assert_eq!(a, before);
    }

    #[test]
    fn debug_is_short() {
        let s = format!("{:?}", UltraLogLog::new(14).unwrap());
        assert!(s.len() < 200 && s.contains("precision: 14"), "{s}");
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<UltraLogLog>();
    }

    /// The registers (and change sum) of `hashes` inserted into registers from the start,
    /// and the sketch built through the API.
    fn reference(p: u8, hashes: &[u64]) -> (Dense, UltraLogLog) {
        let mut d = Dense::new(p);
        let mut ull = UltraLogLog::new(p).unwrap();
        for &h in hashes {
            d.insert_hash(h, p);
            ull.insert_hash(h);
        }
        (d, ull)
    }

    #[test]
    fn exact_while_the_hashes_fit_then_the_same_registers() {
        for p in [4u8, 8, 12] {
            let limit = sparse_limit(p);
            let mut state = u64::from(p) * 11;
            let hashes: Vec<u64> = (0..4 * limit + 50).map(|_| splitmix(&mut state)).collect();
            let mut ull = UltraLogLog::new(p).unwrap();
            for (n, &h) in hashes.iter().enumerate() {
                ull.insert_hash(h);
                ull.insert_hash(h); // a repeat changes nothing
                if n < limit {
                    assert!(ull.is_sparse(), "p {p} n {n}");
                    assert_eq!(ull.estimate(), (n + 1) as f64);
                    assert_eq!(ull.estimate_martingale(), Some((n + 1) as f64));
                    assert!(ull.memory_usage() <= 1 << p, "p {p} n {n}");
                } else {
                    assert!(!ull.is_sparse(), "p {p} n {n}");
                }
                if n == limit {
                    // Converted with the martingale estimate at the exact count it had,
                    // plus the inverse probability of the change the new hash made (if
                    // it made one).
                    let m = ull.estimate_martingale().unwrap();
                    assert!(m >= limit as f64, "p {p}: {m}");
                }
            }
            let (d, _) = reference(p, &hashes);
            assert_eq!(ull.registers(), d.regs, "p {p}");
            assert_eq!(ull.change_sum(), d.change_sum, "p {p}");
            // The same in one batch.
            let mut batch = UltraLogLog::new(p).unwrap();
            batch.insert_hashes(hashes.iter().copied());
            assert_eq!(batch, ull, "p {p}");
        }
    }

    #[test]
    fn merges_and_folds_of_either_form_are_the_union_stream() {
        let mut state = 77;
        let all: Vec<u64> = (0..3000).map(|_| splitmix(&mut state)).collect();
        // Sizes around the sparse limits of p 8 (32) and p 10 (128).
        for (pa, na, pb, nb) in [
            (10u8, 20usize, 10u8, 30usize),
            (10, 100, 10, 100),
            (10, 20, 8, 10),
            (8, 10, 10, 20),
            (10, 2000, 8, 5),
            (8, 5, 10, 2000),
            (10, 0, 10, 2000),
        ] {
            let (a_h, b_h) = (&all[..na], &all[1000..1000 + nb]);
            let p = pa.min(pb);
            let union: Vec<u64> = a_h.iter().chain(b_h).copied().collect();
            let (want, _) = reference(p, &union);
            let (_, a) = reference(pa, a_h);
            let (_, b) = reference(pb, b_h);
            for (x, y) in [(&a, &b), (&b, &a)] {
                let mut m = x.clone();
                m.merge(y).unwrap();
                let why = format!("{pa}/{na} {pb}/{nb}");
                assert_eq!(m.precision(), p, "{why}");
                assert_eq!(m.registers(), want.regs, "{why}");
                assert_eq!(m.change_sum(), want.change_sum, "{why}");
                if m.is_sparse() {
                    assert_eq!(m.estimate(), (na + nb) as f64, "{why}");
                }
                // A sketch still exact keeps the martingale estimate through a merge of
                // another exact one.
                if !x.is_sparse() && y.is_sparse() && x.precision() <= y.precision() {
                    assert!(m.estimate_martingale().is_some(), "{why}");
                }
                if !y.is_sparse() && y.registers().iter().any(|&r| r != 0) {
                    assert_eq!(m.estimate_martingale(), None, "{why}");
                }
            }
            let f = a.fold(pa.min(6)).unwrap();
            assert_eq!(f.registers(), reference(pa.min(6), a_h).0.regs);
            assert_eq!(f.estimate_martingale().is_some(), a.is_sparse());
        }
    }

    #[test]
    fn an_exact_sketch_round_trips_and_gives_the_hyperloglog_of_its_hashes() {
        let mut state = 5;
        let hashes: Vec<u64> = (0..100).map(|_| splitmix(&mut state)).collect();
        let (_, ull) = reference(12, &hashes);
        assert!(ull.is_sparse());
        let back = UltraLogLog::from_bytes(&ull.to_bytes()).unwrap();
        assert_eq!(back, ull);
        assert!(back.is_sparse());
        let mut hll = HyperLogLog::new(12).unwrap();
        hll.insert_hashes(hashes.iter().copied());
        assert_eq!(ull.to_hyperloglog(), hll);
        // Registers are not an exact sketch.
        let dense = {
            let mut u = UltraLogLog::new(12).unwrap();
            u.densify();
            hashes.iter().for_each(|&h| u.insert_hash(h));
            u
        };
        assert_ne!(dense, ull);
        assert_eq!(dense.registers(), ull.registers());
    }

    #[test]
    fn a_damaged_exact_sketch_is_refused() {
        let mut ull = UltraLogLog::new(6).unwrap(); // holds 8 hashes
        [5u64, 9, 3].iter().for_each(|&h| ull.insert_hash(h));
        let bytes = ull.to_bytes();
        // Payload: tag, flag, estimate (8), count (8), hashes; the frame ends with a
        // checksum, so each change is made through a re-encoded frame.
        let frame = |payload: &[u8]| {
            let mut enc = Encoder::with_hasher(Kind::UltraLogLog, ull.hasher());
            enc.params().u8(6);
            enc.payload().bytes(payload);
            enc.finish()
        };
        let good = {
            let mut v = vec![REPR_SPARSE, 1];
            v.extend_from_slice(&3f64.to_le_bytes());
            v.extend_from_slice(&3u64.to_le_bytes());
            [3u64, 5, 9]
                .iter()
                .for_each(|h| v.extend_from_slice(&h.to_le_bytes()));
            v
        };
        assert_eq!(frame(&good), bytes);
        let err = |payload: Vec<u8>| {
            UltraLogLog::from_bytes(&frame(&payload))
                .unwrap_err()
                .to_string()
        };
        let mut unsorted = good.clone();
        unsorted[18..26].copy_from_slice(&9u64.to_le_bytes());
        assert!(err(unsorted).contains("strictly increasing"));
        let mut count = good.clone();
        count[2..10].copy_from_slice(&4f64.to_le_bytes());
        assert!(err(count).contains("must be its count 3"));
        let mut many = vec![REPR_SPARSE, 1];
        many.extend_from_slice(&9f64.to_le_bytes());
        many.extend_from_slice(&9u64.to_le_bytes());
        (1..=9u64).for_each(|h| many.extend_from_slice(&h.to_le_bytes()));
        assert!(err(many).contains("9 sparse hashes, at most 8"));
        let mut tag = good;
        tag[0] = 2;
        assert!(err(tag).contains("representation tag 2"));
    }
}
