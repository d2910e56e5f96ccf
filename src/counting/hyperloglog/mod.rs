//! HyperLogLog: distinct counts in `0.75 * 2^p` bytes, exact while small.
//!
//! See [`HyperLogLog`] for the representations, the estimators and their errors.

mod dense;
mod estimator;
pub(crate) mod sparse;

use std::fmt;

use crate::codec::{Codec, Decoder, Encoder, Kind};
use crate::error::{Error, Result};
use crate::hash::{FromSaved, Item, ItemHasher, Murmur3, check_same_hasher};
use crate::{DistinctCount, MemoryUsage};

use dense::Dense;
pub(crate) use dense::index_rank;
use sparse::{Inserted, Sparse};

const NAME: &str = "HyperLogLog";

/// The smallest precision.
pub const MIN_PRECISION: u8 = 4;
/// The largest precision.
pub const MAX_PRECISION: u8 = 18;

const REPR_SPARSE: u8 = 0;
const REPR_DENSE: u8 = 1;

// The dense variant carries its 256-byte register histogram inline: one allocation (the
// registers) per sketch, and the estimate reads no extra cache lines through a pointer.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Repr {
    Sparse(Sparse),
    Dense(Dense),
}

/// A HyperLogLog sketch: the number of distinct items of a stream, in at most
/// `0.75 * 2^p` bytes, with relative standard error `1.04 / sqrt(2^p)`.
///
/// # Representations
///
/// * **Sparse** (from the start): the distinct 64-bit hashes themselves, at most
///   `floor(3 * 2^p / 32)` of them (8 bytes each, so never more bytes than the dense form:
///   96 hashes at `p = 10`, 384 at 12, 1,536 at 14, 24,576 at 18). The estimate is then
///   **exact**: it is the number of distinct hashes inserted, which is the number of
///   distinct items unless two of them collide in 64 bits (probability below `n^2 / 2^65`:
///   below `2e-11` even at the largest sparse size, 24,576 hashes at `p = 18`). An empty
///   sketch allocates nothing.
/// * **Dense**: `2^p` registers of 6 bits packed four to three bytes (`0.75 * 2^p` bytes:
///   12 KiB at `p = 14`). The sketch switches when a new distinct hash arrives and the
///   sparse form is full; the registers are then exactly those the hashes would have set.
///
/// Hashes are 64 bits: the top `p` bits pick a register, the rank is one more than the
/// number of trailing zeros of the other `64 - p` bits (so ranks reach `65 - p` and the
/// sketch does not saturate below about `2^64` distinct items).
///
/// # Estimators
///
/// * [`HyperLogLog::estimate`]: exact while sparse; then **Ertl's corrected raw
///   estimator** (2017), computed from the register histogram the sketch keeps up to date:
///   relative standard error about `1.04 / sqrt(m)` over the whole range, with no empirical
///   bias tables and no switch between linear counting and the raw estimate, so no error
///   bump anywhere (tested from 10 to 10^7 items in `tests/hyperloglog.rs`, measured to
///   10^9 in `docs/hyperloglog-accuracy.md`). It takes
///   `&self` and costs about a hundred nanoseconds, whatever `p`.
/// * [`HyperLogLog::estimate_hip`]: the historic-inverse-probability (martingale) estimator
///   of Ting (2014) and Cohen (2015), relative standard error about `0.833 / sqrt(m)`, 20%
///   better. It is kept up to date on every register change (one `f64`, saved in the
///   binary format) and is exact while the sketch is sparse. It is only valid for a sketch
///   built from one stream: merging a dense sketch in makes it `None`. Merging a *sparse*
///   sketch in keeps it, because that merge inserts the other sketch's hashes one by one,
///   which is the same as inserting its items.
///
/// # Merging
///
/// [`HyperLogLog::merge`] takes a sketch of the same precision, or of a higher one, whose
/// registers it folds down to its own precision (the fold is exact: the result equals the
/// sketch of the union at the lower precision). A lower precision, or another hash function
/// or seed, is an [`Error::Incompatible`] naming both sides.
///
/// # Example
///
/// ```
/// use lessram::HyperLogLog;
///
/// let mut hll = HyperLogLog::new(14)?;
/// for word in "a rose is a rose is a rose".split(' ') {
///     hll.insert(word);
/// }
/// assert_eq!(hll.estimate(), 3.0); // exact while sparse
///
/// for i in 0..100_000u64 {
///     hll.insert(&i);
/// }
/// let e = hll.estimate();
/// assert!((e - 100_003.0).abs() < 0.03 * 100_003.0); // 1.04 / sqrt(16384) = 0.8%
/// assert_eq!(hll.memory_usage(), 12_288);
/// # use lessram::MemoryUsage;
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct HyperLogLog<S: ItemHasher = Murmur3> {
    hasher: S,
    precision: u8,
    repr: Repr,
}

fn check_precision(precision: u8) -> Result<()> {
    if (MIN_PRECISION..=MAX_PRECISION).contains(&precision) {
        Ok(())
    } else {
        Err(Error::parameter("precision", precision, "4..=18"))
    }
}

impl HyperLogLog<Murmur3> {
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
    /// use lessram::HyperLogLog;
    ///
    /// let hll = HyperLogLog::new(12)?;
    /// assert_eq!(hll.precision(), 12);
    /// assert_eq!(
    ///     HyperLogLog::new(30).unwrap_err().to_string(),
    ///     "precision 30 out of range 4..=18"
    /// );
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn new(precision: u8) -> Result<Self> {
        Self::with_hasher(precision, Murmur3::new())
    }

    /// Decodes a sketch saved by [`HyperLogLog::to_bytes`] with the default hasher's family
    /// (MurmurHash3, any seed: the seed is read back from the bytes).
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the frame (truncated, changed, wrong kind, another hasher
    /// ([`Error::WrongHasher`]) or none recorded ([`Error::UnidentifiedHasher`])), or
    /// [`Error::Corrupt`] when a field is inconsistent (precision out of range, a register
    /// above its maximum, unsorted or too many sparse hashes, a bad HIP estimate).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::HyperLogLog;
    ///
    /// let mut hll = HyperLogLog::new(10)?;
    /// hll.insert("x");
    /// let bytes = hll.to_bytes();
    /// assert_eq!(HyperLogLog::from_bytes(&bytes)?, hll);
    /// assert!(HyperLogLog::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        <Self as Codec>::from_bytes(bytes)
    }
}

impl<S: ItemHasher> HyperLogLog<S> {
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
    /// use lessram::HyperLogLog;
    ///
    /// let mut a = HyperLogLog::with_hasher(12, Murmur3::with_seed(7))?;
    /// let b = HyperLogLog::new(12)?; // seed 0
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

    /// The precision `p`: the sketch has `2^p` registers.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(lessram::HyperLogLog::new(14)?.precision(), 14);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn precision(&self) -> u8 {
        self.precision
    }

    /// The hasher items go through.
    #[must_use]
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Whether the sketch still holds its hashes (and so counts exactly).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::HyperLogLog;
    ///
    /// let mut hll = HyperLogLog::new(10)?; // sparse up to 96 distinct hashes
    /// (0..96u32).for_each(|i| hll.insert_hash(u64::from(i) << 40));
    /// assert!(hll.is_sparse());
    /// hll.insert_hash(1);
    /// assert!(!hll.is_sparse());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn is_sparse(&self) -> bool {
        matches!(self.repr, Repr::Sparse(_))
    }

    /// The number of distinct hashes the sparse form holds before the sketch turns dense:
    /// `floor(3 * 2^p / 32)`, so that it never takes more bytes than the dense form (unless
    /// the hasher sets its own, see [`ItemHasher::hyperloglog_sparse_limit`]).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(lessram::HyperLogLog::new(14)?.sparse_limit(), 1536);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn sparse_limit(&self) -> usize {
        sparse_limit(&self.hasher, self.precision)
    }

    /// Inserts an item, hashing its bytes with the sketch's hasher (see [`Item`]).
    ///
    /// # Example
    ///
    /// ```
    /// let mut hll = lessram::HyperLogLog::new(12)?;
    /// hll.insert("apple");
    /// hll.insert(b"apple"); // the same bytes, the same item
    /// hll.insert(&42u64);
    /// assert_eq!(hll.estimate(), 2.0);
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
    /// let mut hll = lessram::HyperLogLog::new(12)?;
    /// hll.insert_hash(murmur3_x64_128(b"apple", 0) as u64);
    /// assert_eq!(hll.estimate(), 1.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) {
        // The dense path is a handful of instructions and inlines into the caller's loop;
        // the sparse path (a search, maybe a merge or the switch to dense) stays out of line.
        match &mut self.repr {
            Repr::Dense(d) => d.insert_hash(hash),
            Repr::Sparse(_) => self.insert_sparse(hash),
        }
    }

    /// Inserts many hashes, in order: the same sketch as [`HyperLogLog::insert_hash`] on
    /// each (registers, histogram and HIP estimate alike), faster once dense. A dense
    /// sketch first drops, without a branch, every hash whose rank is not above its
    /// smallest register (such a hash cannot change anything, whenever it comes), and only
    /// the rest go through the insert: past a few times `m` items that is most hashes, and
    /// the branch that skips them one by one mispredicts often.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{HyperLogLog, ItemHasher};
    ///
    /// let mut hll = HyperLogLog::new(14)?;
    /// // Hashes computed elsewhere (say, once per item for several sketches).
    /// let hashes: Vec<u64> = (0..1_000_000u64).map(|i| hll.hasher().hash_item(&i)).collect();
    /// hll.insert_hashes(hashes.iter().copied());
    /// assert!((hll.estimate() / 1e6 - 1.0).abs() < 0.05);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn insert_hashes<I: IntoIterator<Item = u64>>(&mut self, hashes: I) {
        let mut hashes = hashes.into_iter();
        loop {
            match &mut self.repr {
                Repr::Dense(d) => return d.insert_hashes(hashes),
                Repr::Sparse(_) => match hashes.next() {
                    Some(h) => self.insert_sparse(h),
                    None => return,
                },
            }
        }
    }

    #[inline(never)]
    fn insert_sparse(&mut self, hash: u64) {
        if let Repr::Sparse(s) = &mut self.repr
            && s.insert(hash, sparse_limit(&self.hasher, self.precision)) == Inserted::Full
        {
            let start = self.hasher.dense_start_hip(self.precision, s.len() + 1);
            self.densify();
            if let Repr::Dense(d) = &mut self.repr {
                if start.is_some() {
                    d.hip = None;
                }
                d.insert_hash(hash);
                if start.is_some() {
                    d.hip = start;
                }
            }
        }
    }

    /// Converts to dense registers; the HIP estimate starts from the exact count.
    #[cold]
    fn densify(&mut self) {
        if let Repr::Sparse(s) = &self.repr {
            let mut d = Dense::new(self.precision);
            s.hashes().iter().for_each(|&h| d.insert_hash(h));
            d.hip = Some(s.len() as f64);
            self.repr = Repr::Dense(d);
        }
    }

    /// The estimated number of distinct items: exact while sparse, then Ertl's corrected
    /// raw estimator (relative standard error about `1.04 / sqrt(2^p)`).
    ///
    /// # Example
    ///
    /// ```
    /// let mut hll = lessram::HyperLogLog::new(12)?;
    /// (0..1000u32).for_each(|i| hll.insert(&i));
    /// let e = hll.estimate();
    /// assert!((e - 1000.0).abs() < 50.0, "{e}");
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate(&self) -> f64 {
        match &self.repr {
            Repr::Sparse(s) => s.len() as f64,
            Repr::Dense(d) => d.estimate(),
        }
    }

    /// The HIP (martingale) estimate, relative standard error about `0.833 / sqrt(2^p)`,
    /// or `None` once a dense sketch has been merged in (the estimator is only valid for a
    /// sketch fed by one stream; see the type's documentation).
    ///
    /// Exact while the sketch is sparse. Saved by [`HyperLogLog::to_bytes`], so it survives
    /// a round trip.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::HyperLogLog;
    ///
    /// let mut a = HyperLogLog::new(12)?;
    /// (0..50_000u32).for_each(|i| a.insert(&i));
    /// let hip = a.estimate_hip().unwrap();
    /// assert!((hip - 50_000.0).abs() < 0.05 * 50_000.0, "{hip}");
    ///
    /// let b = a.clone();
    /// a.merge(&b)?; // b is dense: the merged history is not one stream
    /// assert_eq!(a.estimate_hip(), None);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate_hip(&self) -> Option<f64> {
        match &self.repr {
            Repr::Sparse(s) => Some(s.len() as f64),
            Repr::Dense(d) => d.hip,
        }
    }

    /// Merges `other` into `self`, so that `self` estimates the union of both streams.
    ///
    /// The precisions may differ, in either order: the result has the **coarser** of the
    /// two, the sketch the union would have given at that precision (registers of the finer
    /// side are folded down, which is exact). When `other` is coarser, `self` folds itself
    /// down first, so [`HyperLogLog::precision`] is lower afterwards; `merge(a, b)` and
    /// `merge(b, a)` give the same sketch. Merging a dense `other` (or folding a dense
    /// `self`) makes [`HyperLogLog::estimate_hip`] `None`.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when `other` has another hash function or seed (the message
    /// names both sides). `self` is unchanged then.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::HyperLogLog;
    ///
    /// let mut a = HyperLogLog::new(12)?;
    /// let mut b = HyperLogLog::new(14)?;
    /// (0..30_000u32).for_each(|i| a.insert(&i));
    /// (20_000..50_000u32).for_each(|i| b.insert(&i));
    /// let mut reversed = b.clone();
    /// a.merge(&b)?; // 14 folds into 12
    /// reversed.merge(&a)?; // 14 folds itself down to 12, then takes a in
    /// assert_eq!((a.precision(), reversed.precision()), (12, 12));
    /// assert_eq!(reversed.registers(), a.registers());
    /// assert!((a.estimate() - 50_000.0).abs() < 0.06 * 50_000.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        check_same_hasher(NAME, &self.hasher, &other.hasher)?;
        if other.precision < self.precision {
            let mut coarser = Self::with_hasher(other.precision, self.hasher.clone())
                .expect("the precision of an existing sketch is valid");
            coarser.merge_finer(self);
            *self = coarser;
        }
        self.merge_finer(other);
        Ok(())
    }

    /// Merges `other`, of the same hasher and a precision at least `self`'s.
    fn merge_finer(&mut self, other: &Self) {
        debug_assert!(other.precision >= self.precision);
        match &other.repr {
            Repr::Sparse(s) => s.hashes().iter().for_each(|&h| self.insert_hash(h)),
            Repr::Dense(theirs) => {
                self.densify();
                if let Repr::Dense(d) = &mut self.repr {
                    d.merge(theirs);
                }
            }
        }
    }

    /// The `2^p` register values a dense sketch holds (computed from the hashes while
    /// sparse).
    ///
    /// # Example
    ///
    /// ```
    /// let mut hll = lessram::HyperLogLog::new(4)?;
    /// hll.insert_hash(0x3000_0000_0000_0002); // register 3, low bits ...10: rank 2
    /// let mut want = vec![0u8; 16];
    /// want[3] = 2;
    /// assert_eq!(hll.registers(), want);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn registers(&self) -> Vec<u8> {
        match &self.repr {
            Repr::Dense(d) => d.registers(),
            Repr::Sparse(s) => {
                let mut regs = vec![0u8; 1 << self.precision];
                for &h in s.hashes() {
                    let (i, rank) = dense::index_rank(h, self.precision);
                    regs[i] = regs[i].max(rank);
                }
                regs
            }
        }
    }

    /// Ertl's corrected raw estimate from the registers, whatever the representation (the
    /// sparse form's exact count is not used): what engines that keep only registers
    /// (Redis' `PFCOUNT`) report for the same registers.
    pub(crate) fn registers_estimate(&self) -> f64 {
        match &self.repr {
            Repr::Dense(d) => d.estimate(),
            Repr::Sparse(_) => {
                let mut hist = [0u32; dense::HIST_LEN];
                for r in self.registers() {
                    hist[usize::from(r)] += 1;
                }
                estimator::corrected_raw(&hist, self.precision)
            }
        }
    }

    /// The distinct hashes in increasing order while the sketch is sparse, else `None`.
    pub(crate) fn sparse_hashes(&self) -> Option<Vec<u64>> {
        match &self.repr {
            Repr::Sparse(s) => Some(s.sorted_hashes()),
            Repr::Dense(_) => None,
        }
    }

    /// Sets the HIP estimate of a dense sketch (`None` invalidates it); a sparse sketch's is
    /// its exact count and does not change.
    pub(crate) fn set_dense_hip(&mut self, hip: Option<f64>) {
        if let Repr::Dense(d) = &mut self.repr {
            d.hip = hip;
        }
    }

    /// The registers packed as the dense form keeps them: register `i` in bits `6 i ..
    /// 6 i + 6` of the array, least significant bit first (`0.75 * 2^p` bytes).
    pub(crate) fn packed_registers(&self) -> Vec<u8> {
        match &self.repr {
            Repr::Dense(d) => d.packed().to_vec(),
            Repr::Sparse(s) => {
                let mut d = Dense::new(self.precision);
                for &h in s.hashes() {
                    d.insert_hash(h);
                }
                d.packed().to_vec()
            }
        }
    }

    /// A dense sketch (no HIP estimate) from registers packed as
    /// [`HyperLogLog::packed_registers`] gives them, or which register is above its
    /// maximum (`65 - p`).
    pub(crate) fn from_packed_registers(
        precision: u8,
        hasher: S,
        packed: &[u8],
    ) -> std::result::Result<Self, (usize, u8)> {
        debug_assert!(check_precision(precision).is_ok());
        debug_assert_eq!(packed.len(), 3 << precision >> 2);
        Ok(HyperLogLog {
            hasher,
            precision,
            repr: Repr::Dense(Dense::from_packed(precision, packed)?),
        })
    }

    /// A dense sketch holding `registers` (`2^p` values, each at most `65 - p`), without a
    /// HIP estimate: how other sketches (UltraLogLog) hand their registers over.
    pub(crate) fn from_registers(precision: u8, hasher: S, registers: &[u8]) -> Result<Self> {
        check_precision(precision)?;
        debug_assert_eq!(registers.len(), 1usize << precision);
        let mut d = Dense::new(precision);
        for (i, &v) in registers.iter().enumerate() {
            debug_assert!(v <= dense::max_rank(precision));
            if v > 0 {
                d.update(i, v);
            }
        }
        Ok(Self {
            hasher,
            precision,
            repr: Repr::Dense(d),
        })
    }

    /// Saves the sketch in lessram's binary format (see `docs/format.md`).
    ///
    /// # Example
    ///
    /// ```
    /// let mut hll = lessram::HyperLogLog::new(14)?;
    /// (0..100_000u32).for_each(|i| hll.insert(&i));
    /// // 12,288 register bytes, tag, HIP flag and estimate, and 33 bytes of frame and precision.
    /// assert_eq!(hll.to_bytes().len(), 12_288 + 10 + 33);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::with_hasher(Kind::HyperLogLog, &self.hasher);
        enc.params().u8(self.precision);
        let hip = self.estimate_hip();
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
                out.reserve(10 + d.packed().len());
                out.u8(REPR_DENSE)
                    .u8(u8::from(hip.is_some()))
                    .f64(hip.unwrap_or(0.0))
                    .bytes(d.packed());
            }
        }
        enc.finish()
    }

    /// Decodes a sketch saved with any hasher, which the caller supplies: its hash id and
    /// seed (for hashers other than Murmur3, its [fingerprint](ItemHasher::fingerprint))
    /// must match the saved ones. This is how a sketch built with a hasher that cannot be
    /// rebuilt from the bytes (`RandomState`, [`Custom`](crate::hash::Custom)) decodes: with
    /// that very hasher or a clone of it, never another instance.
    ///
    /// # Errors
    ///
    /// As [`HyperLogLog::from_bytes`]: [`Error::WrongHasher`] when `hasher`'s id or seed
    /// differ from the saved ones, [`Error::UnidentifiedHasher`] when the frame records none.
    ///
    /// # Example
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use lessram::{Error, HyperLogLog};
    ///
    /// let hasher = RandomState::new();
    /// let mut hll = HyperLogLog::with_hasher(10, hasher.clone())?;
    /// hll.insert("x");
    /// let bytes = hll.to_bytes();
    /// assert_eq!(HyperLogLog::from_bytes_with_hasher(&bytes, hasher)?, hll);
    /// // Another RandomState is another hash function: refused.
    /// let other = HyperLogLog::from_bytes_with_hasher(&bytes, RandomState::new());
    /// assert!(matches!(other, Err(Error::WrongHasher { .. })));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes_with_hasher(bytes: &[u8], hasher: S) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::HyperLogLog)?;
        dec.check_hasher(&hasher)?;
        decode(dec, hasher)
    }
}

/// The sparse form's capacity: the hasher's, if it sets one, else `floor(3 * 2^p / 32)`.
fn sparse_limit<S: ItemHasher>(hasher: &S, precision: u8) -> usize {
    hasher
        .hyperloglog_sparse_limit(precision)
        .unwrap_or_else(|| sparse::limit(precision))
}

fn corrupt(detail: impl Into<String>) -> Error {
    Error::corrupt(NAME, detail)
}

fn decode<S: ItemHasher>(mut dec: Decoder<'_>, hasher: S) -> Result<HyperLogLog<S>> {
    let precision = dec.params().u8()?;
    check_precision(precision).map_err(|e| corrupt(e.to_string()))?;
    let payload = dec.payload();
    let tag = payload.u8()?;
    let hip_flag = payload.u8()?;
    let hip = payload.f64()?;
    let limit = sparse_limit(&hasher, precision);
    let repr = match tag {
        REPR_SPARSE => {
            let n = payload.count(8)?;
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
            if hip_flag != 1 || hip != n as f64 {
                return Err(corrupt(format!(
                    "a sparse sketch's HIP estimate must be its count {n}, found flag {hip_flag} value {hip}"
                )));
            }
            Repr::Sparse(Sparse::from_sorted(hashes))
        }
        REPR_DENSE => {
            let packed = payload.take(3 << precision >> 2)?;
            let mut d = Dense::from_packed(precision, packed).map_err(|(i, v)| {
                corrupt(format!(
                    "register {i} holds {v}, above the maximum {} at precision {precision}",
                    dense::max_rank(precision)
                ))
            })?;
            d.hip = match hip_flag {
                0 if hip.to_bits() == 0 => None,
                // Not necessarily at least the sparse limit: a sketch read from DataSketches
                // bytes that started in HLL mode carries DataSketches' HIP from 0.
                1 if hip.is_finite() && hip >= 0.0 => Some(hip),
                _ => {
                    return Err(corrupt(format!(
                        "bad HIP estimate: flag {hip_flag} value {hip} (a valid one is finite and not negative)"
                    )));
                }
            };
            Repr::Dense(d)
        }
        other => {
            return Err(corrupt(format!(
                "representation tag {other}, expected 0 (sparse) or 1 (dense)"
            )));
        }
    };
    dec.finish()?;
    Ok(HyperLogLog {
        hasher,
        precision,
        repr,
    })
}

impl<S: FromSaved> Codec for HyperLogLog<S> {
    const KIND: Kind = Kind::HyperLogLog;

    fn to_bytes(&self) -> Vec<u8> {
        HyperLogLog::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::HyperLogLog)?;
        let hasher = dec.hasher::<S>()?;
        decode(dec, hasher)
    }
}

impl<S: ItemHasher> DistinctCount for HyperLogLog<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.hasher
    }

    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        HyperLogLog::insert_hash(self, hash);
    }

    fn insert_hashes<I: IntoIterator<Item = u64>>(&mut self, hashes: I) {
        HyperLogLog::insert_hashes(self, hashes);
    }

    fn estimate(&self) -> f64 {
        HyperLogLog::estimate(self)
    }

    fn merge(&mut self, other: &Self) -> Result<()> {
        HyperLogLog::merge(self, other)
    }
}

impl<S: ItemHasher> MemoryUsage for HyperLogLog<S> {
    fn memory_usage(&self) -> usize {
        match &self.repr {
            Repr::Sparse(s) => s.heap_bytes(),
            Repr::Dense(d) => d.heap_bytes(),
        }
    }
}

/// Equal when precision, hash id and seed, representation and contents (the set of hashes,
/// or the registers and the HIP estimate) are equal.
impl<S: ItemHasher> PartialEq for HyperLogLog<S> {
    fn eq(&self, other: &Self) -> bool {
        self.precision == other.precision
            && self.hasher.hash_id() == other.hasher.hash_id()
            && self.hasher.seed() == other.hasher.seed()
            && match (&self.repr, &other.repr) {
                (Repr::Sparse(a), Repr::Sparse(b)) => a.same_set(b),
                (Repr::Dense(a), Repr::Dense(b)) => a.same_state(b),
                _ => false,
            }
    }
}

impl<S: ItemHasher> fmt::Debug for HyperLogLog<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct(NAME);
        s.field("precision", &self.precision)
            .field("hash_id", &self.hasher.hash_id())
            .field("seed", &self.hasher.seed());
        match &self.repr {
            Repr::Sparse(sp) => s.field("sparse_hashes", &sp.len()),
            Repr::Dense(d) => s.field("dense_registers", &(1usize << d.precision())),
        };
        s.field("estimate", &self.estimate())
            .field("estimate_hip", &self.estimate_hip())
            .finish()
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(HyperLogLog);

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

    #[test]
    fn precision_is_checked() {
        for p in 0..=255u8 {
            assert_eq!(HyperLogLog::new(p).is_ok(), (4..=18).contains(&p), "{p}");
        }
        assert_eq!(
            HyperLogLog::new(3).unwrap_err().to_string(),
            "precision 3 out of range 4..=18"
        );
    }

    #[test]
    fn sparse_is_exact_and_never_larger_than_dense() {
        for p in MIN_PRECISION..=MAX_PRECISION {
            let mut h = HyperLogLog::new(p).unwrap();
            assert_eq!(h.memory_usage(), 0);
            let limit = h.sparse_limit();
            let dense_bytes = 3usize << p >> 2;
            let mut state = u64::from(p);
            for n in 1..=limit {
                let x = splitmix(&mut state);
                h.insert_hash(x);
                h.insert_hash(x);
                assert_eq!(h.estimate(), n as f64);
                assert!(h.memory_usage() <= dense_bytes);
            }
            assert!(h.is_sparse());
            let regs = h.registers();
            let x = splitmix(&mut state);
            h.insert_hash(x);
            assert!(!h.is_sparse());
            // Densifying kept every register: only the new hash's own may have risen.
            let after = h.registers();
            let index = (x >> (64 - p)) as usize;
            for (i, (&old, &new)) in regs.iter().zip(&after).enumerate() {
                assert!(
                    new == old || (i == index && new > old),
                    "p {p}: register {i} {old} -> {new}"
                );
            }
            assert_eq!(h.memory_usage(), dense_bytes);
            // HIP restarts from the exact count; the new hash adds 1/q if it raised a register.
            let hip = h.estimate_hip().unwrap();
            assert!(
                hip >= limit as f64 && hip < limit as f64 + 2.0,
                "p {p}: {hip}"
            );
        }
    }

    #[test]
    fn densified_registers_match_the_hashes() {
        let mut h = HyperLogLog::new(8).unwrap();
        let mut state = 5;
        let hashes: Vec<u64> = (0..500).map(|_| splitmix(&mut state)).collect();
        let mut want = vec![0u8; 256];
        for &x in &hashes {
            h.insert_hash(x);
            let (i, r) = dense::index_rank(x, 8);
            want[i] = want[i].max(r);
            assert_eq!(h.registers(), want);
        }
    }

    #[test]
    fn hasher_mismatch_names_both_sides() {
        let mut a = HyperLogLog::with_hasher(10, Murmur3::with_seed(1)).unwrap();
        let b = HyperLogLog::with_hasher(10, Murmur3::with_seed(2)).unwrap();
        assert_eq!(
            a.merge(&b).unwrap_err().to_string(),
            "cannot combine HyperLogLogs with different hasher: hash id 1 seed 1 and hash id 1 seed 2"
        );
    }

    #[test]
    fn debug_is_short() {
        let mut h = HyperLogLog::new(14).unwrap();
        (0..10_000u32).for_each(|i| h.insert(&i));
        let s = format!("{h:?}");
        assert!(s.len() < 200 && s.contains("dense_registers: 16384"), "{s}");
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<HyperLogLog>();
    }
}
