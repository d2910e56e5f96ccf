//! Apache DataSketches' Theta sketch, in its compact form: the bytes of the `datasketches`
//! libraries for Java, C++ and Python (`compact_theta_sketch.serialize()`), Druid's and
//! Hive's Theta aggregators.
//!
//! # Overview
//!
//! A Theta sketch hashes an item's bytes with MurmurHash3 x64_128, seed [`SEED`] (9001), and
//! keeps the first 64-bit half shifted right by one: a 63-bit hash. It retains the hashes below a threshold `theta` (a
//! 63-bit value; [`MAX_THETA`] `= 2^63 - 1` while it has seen few items) and estimates the
//! count as `retained / (theta / MAX_THETA)`. An update sketch of `lg_k`, once trimmed (and
//! the result of a union of `lg_k`), keeps the `2^lg_k` smallest hashes it has seen, with
//! `theta` the next one: a KMV sketch.
//!
//! [`ThetaHasher`] hashes an item exactly as a Theta sketch does, so a
//! [`Kmv<ThetaHasher>`](Kmv) keeps exactly the hashes DataSketches sees, and reports
//! DataSketches' estimate ([`ItemHasher::kmv_estimate`]).
//!
//! # The mapping between a `Kmv` and a Theta sketch
//!
//! A `Kmv` of `k` holding its `k` minima `h_1 < ... < h_k` is the Theta sketch that retains
//! `h_1 ... h_{k-1}` below `theta = h_k`; with fewer than `k` hashes it is the Theta sketch in
//! exact mode (`theta = MAX_THETA`) retaining them all. Both estimate `(k - 1) / (h_k /
//! MAX_THETA)` (the unbiased KMV estimator) and the exact count below `k`, to the bit. So:
//!
//! * a `Kmv` of `k = 2^lg_k + 1` ([`new`]) is, item for item, DataSketches'
//!   `update_theta_sketch(lg_k)` after `trim()` (or a `theta_union(lg_k)`'s result), and
//!   [`to_bytes`] writes the bytes of its `compact()`;
//! * [`from_bytes`] reads any compact Theta sketch into a [`ThetaSketch`], which keeps its
//!   `theta` and retained hashes as they are, so its [`ThetaSketch::estimate`] is
//!   DataSketches' `get_estimate()` for the same bytes, whatever made them (an untrimmed
//!   update sketch, a union, an intersection, sampling with `p < 1`);
//! * [`ThetaSketch::to_kmv`] turns it into a `Kmv` when one represents it exactly: `n`
//!   hashes retained below `theta < MAX_THETA` are the `Kmv` of `k = n + 1` holding them and
//!   `theta`; in exact mode, a `Kmv` of any `k` above `n`. Any other `k` would change the
//!   estimate and is refused;
//! * [`ThetaSketch::merge`] unions any two Theta sketches as DataSketches' union does (the
//!   smaller `theta`, every hash below it), for sketches no `Kmv` represents.
//!
//! A round trip never changes the estimate: `Kmv` → bytes → `ThetaSketch` → `Kmv` gives the
//! same minima, and bytes → `ThetaSketch` → bytes the same bytes for every ordered sketch the
//! C++ and Python libraries write (an unordered sketch is written back sorted, a Java
//! single-item flag dropped: the same hashes and estimate).
//!
//! Items: a string as its UTF-8 bytes (DataSketches ignores the empty string: skip it too),
//! an integer as the 8 little-endian bytes of an `i64` (Python's `update(42)`), a float as
//! the bytes [`double_bytes`] gives (Python's `update(1.5)`; Python hashes an `int` outside
//! the `i64` range as that float too). A `u32` or `i32` would be hashed as 4 bytes, which
//! DataSketches never does.
//!
//! # Example
//!
//! ```
//! use lessram::interop::theta;
//! use lessram::DistinctCount;
//!
//! let mut kmv = theta::new(10)?; // as `update_theta_sketch(lg_k=10)`, trimmed
//! for i in 0..50_000i64 {
//!     kmv.insert(&i); // as `sketch.update(i)`
//! }
//! let bytes = theta::to_bytes(&kmv, false)?; // `sketch.compact().serialize()`
//! assert_eq!(bytes.len(), 24 + 8 * 1024);
//! let back = theta::from_bytes(&bytes)?;
//! assert_eq!(back.estimate(), kmv.estimate()); // DataSketches' `get_estimate()`
//! assert_eq!(back.to_kmv(kmv.k())?, kmv);
//! # Ok::<(), lessram::Error>(())
//! ```

use std::hash::{BuildHasher, Hasher};

use crate::Kmv;
use crate::error::{Error, Result};
use crate::hash::{FromSaved, ItemHasher, Murmur3Hasher, murmur3_x64_128};
use crate::interop::datasketches::SEED;

const NAME: &str = "DataSketches Theta";

/// The largest `theta`, `2^63 - 1`: a sketch at this `theta` has seen fewer items than it
/// keeps, and its estimate is its exact count.
pub const MAX_THETA: u64 = i64::MAX as u64;
/// The 16-bit hash of the seed 9001 that every Theta sketch stores (the low 16 bits of
/// MurmurHash3 x64_128, seed 0, of the seed's 8 little-endian bytes).
pub const SEED_HASH: u16 = 0x93cc;
/// The smallest `lg_k` DataSketches allows.
pub const MIN_LG_K: u8 = 5;
/// The largest `lg_k` [`new`] takes (a `Kmv` keeps at most `2^26` minima; DataSketches
/// allows 26).
pub const MAX_LG_K: u8 = 25;

const SER_VER: u8 = 3;
const SER_VER_COMPRESSED: u8 = 4;
const FAMILY_ALPHA: u8 = 1;
const FAMILY_QUICKSELECT: u8 = 2;
const FAMILY_COMPACT: u8 = 3;
const FAMILY_UNION: u8 = 4;
const FAMILY_HLL: u8 = 7;

const FLAG_BIG_ENDIAN: u8 = 1;
const FLAG_READ_ONLY: u8 = 2;
const FLAG_EMPTY: u8 = 4;
const FLAG_COMPACT: u8 = 8;
const FLAG_ORDERED: u8 = 16;
/// Java marks a compact sketch of one entry with it; C++ and Python do not.
const FLAG_SINGLE_ITEM: u8 = 32;

/// The 63-bit hash Theta sketches keep of an item's bytes: the first half of MurmurHash3
/// x64_128 with seed 9001, shifted right by one.
///
/// # Example
///
/// ```
/// use lessram::interop::theta::theta_hash;
/// // `update_theta_sketch(); s.update("abc")` retains 7326100087833347728.
/// assert_eq!(theta_hash(b"abc"), 7_326_100_087_833_347_728);
/// ```
#[must_use]
pub fn theta_hash(bytes: &[u8]) -> u64 {
    (murmur3_x64_128(bytes, SEED) as u64) >> 1
}

/// The 8 bytes DataSketches hashes a float as: the little-endian `f64`, with `-0.0` taken as
/// `0.0` and every NaN as the one quiet NaN `0x7ff8_0000_0000_0000` (Python's and Java's
/// `update(float)`).
///
/// # Example
///
/// ```
/// use lessram::interop::theta::double_bytes;
/// assert_eq!(double_bytes(-0.0), double_bytes(0.0));
/// assert_eq!(double_bytes(1.5), 1.5f64.to_le_bytes());
/// ```
#[must_use]
pub fn double_bytes(x: f64) -> [u8; 8] {
    let x = if x == 0.0 {
        0.0
    } else if x.is_nan() {
        f64::from_bits(0x7ff8_0000_0000_0000)
    } else {
        x
    };
    x.to_le_bytes()
}

/// The hasher of DataSketches' Theta sketch: [`theta_hash`] of an item's bytes.
///
/// A [`Kmv`] built with it keeps the hashes DataSketches keeps, and its
/// [`estimate`](crate::DistinctCount::estimate) is DataSketches' once it holds `k` of them
/// (`(k - 1) / (h_k / MAX_THETA)`, see the [module docs](self)). As a [`BuildHasher`] it
/// streams (MurmurHash3 does).
///
/// # Example
///
/// ```
/// use lessram::interop::theta::{theta_hash, ThetaHasher};
/// use lessram::ItemHasher;
///
/// assert_eq!(ThetaHasher.hash_item("w1"), theta_hash(b"w1"));
/// assert_eq!(ThetaHasher.hash_item(&42i64), theta_hash(&42i64.to_le_bytes()));
/// assert!(ThetaHasher.hash_item("w1") <= lessram::interop::theta::MAX_THETA);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThetaHasher;

/// A `Kmv` that hashes as DataSketches' Theta sketch (see the [module docs](self)).
///
/// # Example
///
/// ```
/// use lessram::interop::theta::{ThetaHasher, ThetaKmv};
/// let kmv: ThetaKmv = lessram::Kmv::with_hasher(100, ThetaHasher)?;
/// assert_eq!(kmv.k(), 100);
/// # Ok::<(), lessram::Error>(())
/// ```
pub type ThetaKmv = Kmv<ThetaHasher>;

impl BuildHasher for ThetaHasher {
    type Hasher = ThetaBytesHasher;

    fn build_hasher(&self) -> ThetaBytesHasher {
        ThetaBytesHasher {
            murmur: Murmur3Hasher::with_seed(SEED),
        }
    }
}

impl ItemHasher for ThetaHasher {
    #[inline]
    fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        theta_hash(bytes)
    }

    fn kmv_estimate(&self, k: usize, kth: u64) -> Option<f64> {
        Some(theta_estimate(k - 1, kth))
    }
}

impl FromSaved for ThetaHasher {
    fn from_saved(hash_id: u8, seed: u64) -> Result<Self> {
        let h = ThetaHasher;
        crate::codec::check_hash_fields((h.hash_id(), h.seed()), (hash_id, seed))?;
        Ok(h)
    }
}

/// The [`Hasher`] of [`ThetaHasher`]: streaming MurmurHash3, its first half shifted right by
/// one on `finish`.
///
/// # Example
///
/// ```
/// use std::hash::{BuildHasher, Hasher};
/// use lessram::interop::theta::{theta_hash, ThetaHasher};
///
/// let mut h = ThetaHasher.build_hasher();
/// h.write(b"ab");
/// h.write(b"c");
/// assert_eq!(h.finish(), theta_hash(b"abc"));
/// ```
#[derive(Clone, Debug)]
pub struct ThetaBytesHasher {
    murmur: Murmur3Hasher,
}

impl Hasher for ThetaBytesHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.murmur.write(bytes);
    }

    fn finish(&self) -> u64 {
        (self.murmur.finish128() as u64) >> 1
    }
}

/// DataSketches' estimate of `retained` hashes below `theta`, in its own steps.
fn theta_estimate(retained: usize, theta: u64) -> f64 {
    retained as f64 / (theta as f64 / MAX_THETA as f64)
}

/// An empty `Kmv` of `k = 2^lg_k + 1` hashing as DataSketches' Theta sketch: the sketch
/// `update_theta_sketch(lg_k)` is after `trim()` (its `2^lg_k` retained hashes and `theta`,
/// the next one, are this `Kmv`'s minima).
///
/// # Errors
///
/// [`Error::InvalidParameter`] unless `5 <= lg_k <= 25`.
///
/// # Example
///
/// ```
/// let kmv = lessram::interop::theta::new(12)?;
/// assert_eq!(kmv.k(), 4097);
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn new(lg_k: u8) -> Result<ThetaKmv> {
    if !(MIN_LG_K..=MAX_LG_K).contains(&lg_k) {
        return Err(Error::parameter("lg_k", lg_k, "5..=25"));
    }
    Kmv::with_hasher((1 << lg_k) + 1, ThetaHasher)
}

/// A compact Theta sketch as DataSketches holds it: `theta`, the hashes retained below it
/// (ascending) and the empty flag. [`from_bytes`] reads one; its estimate is DataSketches'.
///
/// # Example
///
/// ```
/// use lessram::interop::theta::{self, ThetaSketch, MAX_THETA};
/// use lessram::DistinctCount;
///
/// let mut kmv = theta::new(5)?;
/// ["a", "b", "c"].iter().for_each(|w| kmv.insert(w));
/// let sketch = ThetaSketch::from_kmv(&kmv)?;
/// assert_eq!((sketch.theta(), sketch.hashes().len(), sketch.estimate()), (MAX_THETA, 3, 3.0));
/// assert!(!sketch.is_estimation_mode());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThetaSketch {
    theta: u64,
    hashes: Vec<u64>,
    empty: bool,
}

impl ThetaSketch {
    /// The Theta sketch of a `Kmv`: its first `k - 1` minima below `theta` = the `k`-th once
    /// it holds `k`; all of them at `theta` = [`MAX_THETA`] before.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when a minimum is 0 or at least `MAX_THETA` (DataSketches
    /// keeps neither; [`ThetaHasher`] makes one in `2^62` items, a raw
    /// [`insert_hash`](crate::DistinctCount::insert_hash) any time).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, ThetaSketch};
    /// use lessram::DistinctCount;
    ///
    /// let mut kmv = theta::new(5)?; // k = 33
    /// (0..1000i64).for_each(|i| kmv.insert(&i));
    /// let sketch = ThetaSketch::from_kmv(&kmv)?;
    /// assert_eq!(sketch.hashes().len(), 32);
    /// assert_eq!(sketch.theta(), kmv.hashes()[32]);
    /// assert_eq!(sketch.estimate(), kmv.estimate());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_kmv(kmv: &ThetaKmv) -> Result<Self> {
        let mut hashes = kmv.hashes();
        if let Some(&h) = hashes.iter().find(|&&h| h == 0 || h >= MAX_THETA) {
            return Err(Error::invalid_input(
                NAME,
                format!("the Kmv holds hash {h}, outside DataSketches' 1..2^63-1"),
            ));
        }
        let theta = if hashes.len() == kmv.k() {
            hashes.pop().expect("k >= 2")
        } else {
            MAX_THETA
        };
        Ok(Self {
            empty: hashes.is_empty() && theta == MAX_THETA,
            theta,
            hashes,
        })
    }

    /// `theta`, as a 63-bit value (`theta / MAX_THETA` is DataSketches' `get_theta()`).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, MAX_THETA};
    /// let empty = theta::from_bytes(&[1, 3, 3, 0, 0, 0x1e, 0xcc, 0x93])?;
    /// assert_eq!(empty.theta(), MAX_THETA);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn theta(&self) -> u64 {
        self.theta
    }

    /// The retained hashes, ascending, all below `theta`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, theta_hash, ThetaSketch};
    /// use lessram::DistinctCount;
    /// let mut kmv = theta::new(5)?;
    /// kmv.insert("abc");
    /// assert_eq!(ThetaSketch::from_kmv(&kmv)?.hashes(), [theta_hash(b"abc")]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// DataSketches' empty flag: the sketch saw no item (not even one `theta` screened out).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, ThetaSketch};
    /// assert!(ThetaSketch::from_kmv(&theta::new(5)?)?.is_empty());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// `theta < MAX_THETA` on a sketch that is not empty: the estimate is scaled up.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, ThetaSketch};
    /// use lessram::DistinctCount;
    /// let mut kmv = theta::new(5)?; // k = 33
    /// (0..32i64).for_each(|i| kmv.insert(&i));
    /// assert!(!ThetaSketch::from_kmv(&kmv)?.is_estimation_mode()); // exact: 32 < k
    /// kmv.insert(&32i64);
    /// assert!(ThetaSketch::from_kmv(&kmv)?.is_estimation_mode());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn is_estimation_mode(&self) -> bool {
        self.theta < MAX_THETA && !self.empty
    }

    /// DataSketches' `get_estimate()`: `retained / (theta / MAX_THETA)`, computed as it does
    /// (so equal to the bit).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta;
    /// // `update_theta_sketch().compact().serialize()` after `update("abc")`.
    /// let one = [1, 3, 3, 0, 0, 0x1a, 0xcc, 0x93, 0x90, 0xc6, 0x43, 0xec, 0x36, 0x89, 0xab, 0x65];
    /// assert_eq!(theta::from_bytes(&one)?.estimate(), 1.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate(&self) -> f64 {
        if self.empty {
            0.0
        } else {
            theta_estimate(self.hashes.len(), self.theta)
        }
    }

    /// Merges `other` in as DataSketches' union does before it trims: `theta` the smaller of
    /// the two, and every hash of either side below it. The estimate is that of
    /// `theta_union(lg_k)`'s result for any `lg_k` whose `2^lg_k` is at least the hashes
    /// kept (a smaller union also keeps only its `2^lg_k` smallest). Unlike a
    /// [`Kmv`] merge it applies to any Theta sketch, out of an intersection or sampling too.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, ThetaSketch};
    /// use lessram::DistinctCount;
    ///
    /// let (mut a, mut b) = (theta::new(10)?, theta::new(10)?);
    /// (0..30_000i64).for_each(|i| a.insert(&i));
    /// (20_000..50_000i64).for_each(|i| b.insert(&i));
    /// let mut union = ThetaSketch::from_kmv(&a)?;
    /// union.merge(&ThetaSketch::from_kmv(&b)?);
    /// assert_eq!(union.theta(), a.hashes()[1024].min(b.hashes()[1024]));
    /// // Relative std error about 1/sqrt(1024) ~ 3.1%.
    /// assert!((union.estimate() / 50_000.0 - 1.0).abs() < 0.15);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn merge(&mut self, other: &ThetaSketch) {
        if other.empty {
            return;
        }
        let theta = self.theta.min(other.theta);
        let mut hashes = Vec::with_capacity(self.hashes.len() + other.hashes.len());
        let (mut a, mut b) = (
            self.hashes.iter().peekable(),
            other.hashes.iter().peekable(),
        );
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x == y => {
                    a.next();
                    b.next();
                    x
                }
                (Some(&&x), Some(&&y)) if x < y => {
                    a.next();
                    x
                }
                (Some(&&x), None) => {
                    a.next();
                    x
                }
                (_, Some(&&y)) => {
                    b.next();
                    y
                }
                (None, None) => break,
            };
            if next >= theta {
                break;
            }
            hashes.push(next);
        }
        *self = ThetaSketch {
            theta,
            hashes,
            empty: false,
        };
    }

    /// The `Kmv` of `k` holding this sketch exactly, with the same estimate: in estimation
    /// mode, its `n` hashes and `theta` as the minima of a `Kmv` of `k = n + 1`; in exact
    /// mode, its hashes in a `Kmv` of any `k > n`.
    ///
    /// That `Kmv` is the one lessram builds from the same items when the sketch came from
    /// items (an update sketch, trimmed or not, or a union: `theta` is then a hash it saw,
    /// and every hash below it is retained). A sketch out of an intersection, a difference
    /// or sampling (`p < 1`) converts with the same estimate, but its `theta` is not a hash
    /// of an item: merge such sketches as Theta sketches, in DataSketches.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for any other `k` (a smaller `k` would drop hashes, a larger
    /// one in estimation mode lacks them: either changes the estimate), or for a sketch in
    /// estimation mode retaining no hash (the result of sampling or an empty intersection:
    /// a `Kmv` holds at least two minima); [`Error::InvalidParameter`] for `k` outside
    /// `2..=2^26`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta;
    /// use lessram::DistinctCount;
    ///
    /// let mut kmv = theta::new(5)?;
    /// (0..1000i64).for_each(|i| kmv.insert(&i));
    /// let sketch = theta::from_bytes(&theta::to_bytes(&kmv, true)?)?;
    /// assert_eq!(sketch.to_kmv(33)?, kmv);
    /// assert!(sketch.to_kmv(32).is_err() && sketch.to_kmv(34).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn to_kmv(&self, k: usize) -> Result<ThetaKmv> {
        let n = self.hashes.len();
        if self.is_estimation_mode() {
            if n == 0 {
                return Err(Error::invalid_input(
                    NAME,
                    format!(
                        "theta {} with no hash retained (sampling or an intersection): no Kmv holds it",
                        self.theta
                    ),
                ));
            }
            if k != n + 1 {
                return Err(Error::invalid_input(
                    NAME,
                    format!(
                        "a sketch of {n} hashes below theta is the Kmv of k = {}, not k = {k}",
                        n + 1
                    ),
                ));
            }
            let mut minima = Vec::with_capacity(n + 1);
            minima.extend_from_slice(&self.hashes);
            minima.push(self.theta);
            Kmv::from_minima(k, ThetaHasher, minima)
        } else {
            if k <= n {
                return Err(Error::invalid_input(
                    NAME,
                    format!(
                        "a sketch of {n} hashes in exact mode needs a Kmv of k above {n}, not k = {k}"
                    ),
                ));
            }
            Kmv::from_minima(k, ThetaHasher, self.hashes.clone())
        }
    }

    /// The sketch in DataSketches' compact form, ordered: serial version 3, or with
    /// `compressed` the version 4 that `serialize(compress=True)` writes (deltas between
    /// the sorted hashes, in as many bits as the largest needs), when DataSketches would
    /// (version 3 for an empty sketch and a single hash in exact mode).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta::{self, ThetaSketch};
    /// use lessram::DistinctCount;
    ///
    /// let mut kmv = theta::new(12)?;
    /// (0..2i64).for_each(|i| kmv.insert(&i));
    /// let sketch = ThetaSketch::from_kmv(&kmv)?;
    /// assert_eq!(sketch.to_bytes(false).len(), 16 + 2 * 8);
    /// assert!(sketch.to_bytes(true).len() < 16 + 2 * 8);
    /// assert_eq!(theta::from_bytes(&sketch.to_bytes(true))?, sketch);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self, compressed: bool) -> Vec<u8> {
        let n = self.hashes.len();
        let estimating = self.is_estimation_mode();
        if compressed && n > 0 && (n > 1 || estimating) {
            return self.compressed_bytes();
        }
        let pre_longs: u8 = if estimating {
            3
        } else if self.empty || n == 1 {
            1
        } else {
            2
        };
        let mut flags = FLAG_READ_ONLY | FLAG_COMPACT | FLAG_ORDERED;
        if self.empty {
            flags |= FLAG_EMPTY;
        }
        let mut out = Vec::with_capacity(8 * usize::from(pre_longs) + 8 * n);
        out.extend_from_slice(&[pre_longs, SER_VER, FAMILY_COMPACT, 0, 0, flags]);
        out.extend_from_slice(&SEED_HASH.to_le_bytes());
        if pre_longs > 1 {
            out.extend_from_slice(&(n as u32).to_le_bytes());
            out.extend_from_slice(&[0; 4]);
        }
        if estimating {
            out.extend_from_slice(&self.theta.to_le_bytes());
        }
        for &h in &self.hashes {
            out.extend_from_slice(&h.to_le_bytes());
        }
        out
    }

    fn compressed_bytes(&self) -> Vec<u8> {
        let n = self.hashes.len();
        let estimating = self.is_estimation_mode();
        let deltas = || {
            self.hashes
                .iter()
                .scan(0u64, |prev, &h| Some(h - std::mem::replace(prev, h)))
        };
        let entry_bits = (64 - deltas().fold(0, |a, d| a | d).leading_zeros()) as u8;
        let count_bytes = (32 - (n as u32).leading_zeros()).div_ceil(8) as u8;
        let flags = FLAG_READ_ONLY | FLAG_COMPACT | FLAG_ORDERED;
        let mut out = vec![
            if estimating { 2 } else { 1 },
            SER_VER_COMPRESSED,
            FAMILY_COMPACT,
            entry_bits,
            count_bytes,
            flags,
        ];
        out.extend_from_slice(&SEED_HASH.to_le_bytes());
        if estimating {
            out.extend_from_slice(&self.theta.to_le_bytes());
        }
        out.extend_from_slice(&(n as u32).to_le_bytes()[..usize::from(count_bytes)]);
        // One bit stream, most significant bit first, `entry_bits` bits a delta.
        let (mut acc, mut held) = (0u128, 0u32);
        for d in deltas() {
            acc = (acc << entry_bits) | u128::from(d);
            held += u32::from(entry_bits);
            while held >= 8 {
                held -= 8;
                out.push((acc >> held) as u8);
            }
            acc &= (1u128 << held) - 1;
        }
        if held > 0 {
            out.push((acc << (8 - held)) as u8);
        }
        out
    }
}

/// The sketch in DataSketches' compact form: [`ThetaSketch::from_kmv`], then
/// [`ThetaSketch::to_bytes`]. The bytes of `compact().serialize()` (or, with `compressed`,
/// `serialize(compress=True)`) of DataSketches' sketch of the same items, trimmed to
/// `k - 1` hashes.
///
/// # Errors
///
/// Those of [`ThetaSketch::from_kmv`].
///
/// # Example
///
/// ```
/// use lessram::interop::theta;
/// assert_eq!(theta::to_bytes(&theta::new(12)?, false)?, [1, 3, 3, 0, 0, 0x1e, 0xcc, 0x93]);
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn to_bytes(kmv: &ThetaKmv, compressed: bool) -> Result<Vec<u8>> {
    Ok(ThetaSketch::from_kmv(kmv)?.to_bytes(compressed))
}

/// The header fields of compact Theta bytes, as [`header`] reads them.
///
/// # Example
///
/// ```
/// use lessram::interop::theta::{self, header};
/// use lessram::DistinctCount;
/// let mut kmv = theta::new(5)?;
/// (0..1000i64).for_each(|i| kmv.insert(&i));
/// let h = header(&theta::to_bytes(&kmv, true)?)?;
/// assert_eq!((h.serial_version, h.ordered, h.retained), (4, true, 32));
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// 3 (one 64-bit word a hash) or 4 (compressed deltas).
    pub serial_version: u8,
    /// The empty flag.
    pub empty: bool,
    /// The ordered flag: hashes ascending.
    pub ordered: bool,
    /// Number of retained hashes.
    pub retained: u32,
    /// `theta` ([`MAX_THETA`] when the bytes hold none).
    pub theta: u64,
    /// Where the hashes start.
    start: usize,
    /// Bits a delta (version 4; 64 for version 3).
    entry_bits: u8,
}

fn truncated(what: &'static str, needed: usize, available: usize) -> Error {
    Error::Truncated {
        what,
        needed: needed as u64,
        available: available as u64,
    }
}

fn corrupt(detail: impl Into<String>) -> Error {
    Error::corrupt(NAME, detail)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn need(what: &'static str, bytes: &[u8], n: usize) -> Result<()> {
    if bytes.len() < n {
        Err(truncated(what, n, bytes.len()))
    } else {
        Ok(())
    }
}

/// Reads the preamble of compact Theta bytes.
///
/// # Errors
///
/// [`Error::Truncated`] when the bytes end inside the preamble; [`Error::Corrupt`] naming the
/// field for a family other than 3 (a DataSketches update sketch, family 1 or 2, must be
/// compacted first; a union, family 4, gives its result; family 7 is an HLL sketch), a
/// serial version other than 3 or 4, a preamble size that does not fit the version, the
/// big-endian flag or an unknown flag, a missing compact flag, a seed hash other than
/// 9001's ([`SEED_HASH`]) on a sketch that is not empty, or `theta` 0 or above
/// [`MAX_THETA`].
///
/// # Example
///
/// ```
/// use lessram::interop::theta::{header, MAX_THETA};
/// let empty = [1, 3, 3, 0, 0, 0x1e, 0xcc, 0x93];
/// let h = header(&empty)?;
/// assert_eq!((h.serial_version, h.empty, h.retained, h.theta), (3, true, 0, MAX_THETA));
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn header(bytes: &[u8]) -> Result<Header> {
    need("DataSketches Theta preamble", bytes, 8)?;
    let (pre_longs, ser_ver, family, flags) = (bytes[0], bytes[1], bytes[2], bytes[5]);
    match family {
        FAMILY_COMPACT => {}
        FAMILY_ALPHA | FAMILY_QUICKSELECT => {
            return Err(corrupt(format!(
                "family {family} (an update sketch), expected 3 (compact): compact it first, `sketch.compact()`"
            )));
        }
        FAMILY_UNION => {
            return Err(corrupt(
                "family 4 (a union's state), expected 3 (compact): serialize the union's `get_result()`",
            ));
        }
        FAMILY_HLL => {
            return Err(corrupt(
                "family 7 (an HLL sketch), expected 3 (compact Theta): read it with interop::datasketches",
            ));
        }
        _ => {
            return Err(corrupt(format!(
                "family {family}, expected 3 (compact Theta): not a Theta sketch"
            )));
        }
    }
    if ser_ver != SER_VER && ser_ver != SER_VER_COMPRESSED {
        return Err(corrupt(format!(
            "serial version {ser_ver}, expected 3 or 4 (versions 1 and 2, before 2016, are not read)"
        )));
    }
    if flags & FLAG_BIG_ENDIAN != 0 {
        return Err(corrupt(
            "the big-endian flag (1) is set; every library writes little-endian",
        ));
    }
    if flags & !(FLAG_READ_ONLY | FLAG_EMPTY | FLAG_COMPACT | FLAG_ORDERED | FLAG_SINGLE_ITEM) != 0
    {
        return Err(corrupt(format!(
            "flags {flags:#04x}: bits 64 and 128 are unknown"
        )));
    }
    if flags & FLAG_COMPACT == 0 {
        return Err(corrupt(
            "the compact flag (8) is not set: an update sketch; compact it first, `sketch.compact()`",
        ));
    }
    let empty = flags & FLAG_EMPTY != 0;
    let seed_hash = u16::from_le_bytes([bytes[6], bytes[7]]);
    if !empty && seed_hash != SEED_HASH {
        return Err(corrupt(format!(
            "seed hash {seed_hash:#06x}, expected {SEED_HASH:#06x} (seed 9001): a sketch made with another seed"
        )));
    }
    let ordered = flags & FLAG_ORDERED != 0;
    let check_theta = |theta: u64| {
        if theta == 0 || theta > MAX_THETA {
            Err(corrupt(format!("theta {theta}, expected 1..=2^63-1")))
        } else {
            Ok(theta)
        }
    };
    if ser_ver == SER_VER {
        let (retained, theta, start) = match pre_longs {
            1 if empty => (0, MAX_THETA, 8),
            1 => (1, MAX_THETA, 8),
            2 | 3 => {
                need(
                    "DataSketches Theta preamble",
                    bytes,
                    8 * usize::from(pre_longs),
                )?;
                let count = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
                let theta = if pre_longs == 3 {
                    check_theta(u64_at(bytes, 16))?
                } else {
                    MAX_THETA
                };
                (count, theta, 8 * usize::from(pre_longs))
            }
            _ => {
                return Err(corrupt(format!(
                    "preamble of {pre_longs} longs, expected 1, 2 or 3 (serial version 3)"
                )));
            }
        };
        if empty && retained != 0 {
            return Err(corrupt(format!(
                "the empty flag is set on a sketch of {retained} hashes"
            )));
        }
        return Ok(Header {
            serial_version: ser_ver,
            empty,
            ordered,
            retained,
            // C++ reads an empty sketch at MAX_THETA, whatever theta it holds (Java's of
            // `p < 1`): its estimate is 0 either way.
            theta: if empty { MAX_THETA } else { theta },
            start,
            entry_bits: 64,
        });
    }
    // Version 4: ordered and never empty.
    if empty || !ordered {
        return Err(corrupt(format!(
            "flags {flags:#04x} on a compressed sketch, which is ordered and not empty"
        )));
    }
    let (theta, at) = match pre_longs {
        1 => (MAX_THETA, 8),
        2 => {
            need("DataSketches Theta preamble", bytes, 16)?;
            (check_theta(u64_at(bytes, 8))?, 16)
        }
        _ => {
            return Err(corrupt(format!(
                "preamble of {pre_longs} longs, expected 1 or 2 (serial version 4)"
            )));
        }
    };
    let entry_bits = bytes[3];
    if !(1..=63).contains(&entry_bits) {
        return Err(corrupt(format!(
            "{entry_bits} bits a delta, expected 1 to 63"
        )));
    }
    let count_bytes = usize::from(bytes[4]);
    if !(1..=4).contains(&count_bytes) {
        return Err(corrupt(format!(
            "a count of {count_bytes} bytes, expected 1 to 4"
        )));
    }
    need("DataSketches Theta count", bytes, at + count_bytes)?;
    let retained = bytes[at..at + count_bytes]
        .iter()
        .rev()
        .fold(0u32, |n, &b| (n << 8) | u32::from(b));
    if retained == 0 {
        return Err(corrupt(
            "a compressed sketch of 0 hashes (DataSketches writes those as version 3)",
        ));
    }
    Ok(Header {
        serial_version: ser_ver,
        empty,
        ordered,
        retained,
        theta,
        start: at + count_bytes,
        entry_bits,
    })
}

/// Reads compact Theta bytes, from any library (Java, C++, Python; Druid, Hive): serial
/// version 3 (ordered or not, empty, a single hash, exact or estimation mode) and the
/// compressed version 4. The [`ThetaSketch`] keeps `theta` and the hashes as they are, so
/// its estimate is DataSketches'; [`ThetaSketch::to_kmv`] gives the `Kmv`.
///
/// # Errors
///
/// Those of [`header`]; [`Error::Truncated`] when the bytes end before the hashes do;
/// [`Error::Corrupt`] naming the field for bytes left over, a hash 0, at or above `theta`, or
/// repeated, hashes out of order under the ordered flag, or a compressed delta of 0 or one
/// that overflows. It never panics and allocates no more than the bytes' length warrants,
/// whatever the bytes.
///
/// # Example
///
/// ```
/// use lessram::interop::theta;
///
/// // `update_theta_sketch().compact().serialize()` of a sketch updated with nothing.
/// let empty = [1, 3, 3, 0, 0, 0x1e, 0xcc, 0x93];
/// let sketch = theta::from_bytes(&empty)?;
/// assert!(sketch.is_empty() && sketch.estimate() == 0.0);
/// assert!(theta::from_bytes(&empty[..7]).is_err());
/// let other_seed = [1, 3, 3, 0, 0, 0x1a, 0x12, 0x34, 1, 0, 0, 0, 0, 0, 0, 0];
/// assert!(theta::from_bytes(&other_seed).unwrap_err().to_string().contains("seed hash"));
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn from_bytes(bytes: &[u8]) -> Result<ThetaSketch> {
    let h = header(bytes)?;
    let n = h.retained as usize;
    let bits = n as u64 * u64::from(h.entry_bits);
    let body = bits.div_ceil(8);
    let expected = u64::try_from(h.start).expect("small") + body;
    if (bytes.len() as u64) < expected {
        return Err(Error::Truncated {
            what: "DataSketches Theta hashes",
            needed: expected,
            available: bytes.len() as u64,
        });
    }
    if bytes.len() as u64 > expected {
        return Err(corrupt(format!(
            "{expected} bytes expected for {n} hashes, found {} ({} left over)",
            bytes.len(),
            bytes.len() as u64 - expected
        )));
    }
    let data = &bytes[h.start..];
    let mut hashes = Vec::with_capacity(n);
    if h.entry_bits == 64 {
        hashes.extend(
            data.chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8"))),
        );
    } else {
        let (mut acc, mut held, mut prev) = (0u128, 0u32, 0u64);
        let mut bytes_in = data.iter();
        let width = u32::from(h.entry_bits);
        for i in 0..n {
            while held < width {
                acc = (acc << 8) | u128::from(*bytes_in.next().expect("length checked"));
                held += 8;
            }
            held -= width;
            let delta = (acc >> held) as u64 & ((1u64 << width) - 1);
            acc &= (1u128 << held) - 1;
            if delta == 0 {
                return Err(corrupt(format!(
                    "compressed delta {i} is 0: a hash repeated"
                )));
            }
            prev = prev
                .checked_add(delta)
                .ok_or_else(|| corrupt(format!("compressed delta {i} overflows 64 bits")))?;
            hashes.push(prev);
        }
    }
    if let Some(i) = hashes.iter().position(|&x| x == 0 || x >= h.theta) {
        return Err(corrupt(format!(
            "hash {i} is {}, expected 1 to theta - 1 = {}",
            hashes[i],
            h.theta - 1
        )));
    }
    if h.ordered {
        if let Some(i) = hashes.windows(2).position(|w| w[0] >= w[1]) {
            return Err(corrupt(format!(
                "the ordered flag is set but hash {} is not above hash {i}",
                i + 1
            )));
        }
    } else {
        hashes.sort_unstable();
        if let Some(w) = hashes.windows(2).find(|w| w[0] == w[1]) {
            return Err(corrupt(format!("hash {} appears twice", w[0])));
        }
    }
    Ok(ThetaSketch {
        theta: h.theta,
        hashes,
        empty: h.empty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DistinctCount;

    #[test]
    fn seed_hash_is_murmur3_of_the_seed() {
        let h = murmur3_x64_128(&u64::from(SEED).to_le_bytes(), 0);
        assert_eq!(h as u16, SEED_HASH);
        assert_eq!(SEED_HASH, 37836);
    }

    #[test]
    fn python_hashes_match() {
        // `update_theta_sketch(); s.update(x); list(s.compact())` in `datasketches` 5.2.0.
        assert_eq!(ThetaHasher.hash_item(&42i64), 5_206_189_584_322_944_525);
        assert_eq!(ThetaHasher.hash_item(&-7i64), 2_711_677_844_098_561_528);
        assert_eq!(ThetaHasher.hash_item(&1i64), 405_753_591_161_026_837);
        assert_eq!(ThetaHasher.hash_item(&i64::MAX), 2_001_309_120_629_202_303);
        // Python hashes an int outside the `i64` range as a float.
        let big = ((1u64 << 63) + 5) as f64;
        assert_eq!(theta_hash(&double_bytes(big)), 3_131_701_378_678_480_348);
        assert_eq!(theta_hash(&double_bytes(1.5)), 1_115_031_845_194_776_849);
        assert_eq!(theta_hash(&double_bytes(1.0)), 8_981_259_348_345_803_397);
        assert_eq!(theta_hash(&double_bytes(-0.0)), 2_325_124_908_111_195_109);
        assert_eq!(theta_hash(&double_bytes(f64::NAN)), 758_931_599_656_917_237);
        assert_eq!(ThetaHasher.hash_item("abc"), 7_326_100_087_833_347_728);
        let mut streamed = ThetaHasher.build_hasher();
        streamed.write(b"a");
        streamed.write(b"bc");
        assert_eq!(streamed.finish(), theta_hash(b"abc"));
    }

    #[test]
    fn kmv_estimate_is_the_theta_estimate() {
        let mut kmv = new(5).unwrap();
        for i in 0..10_000i64 {
            kmv.insert(&i);
        }
        let s = ThetaSketch::from_kmv(&kmv).unwrap();
        assert!(s.is_estimation_mode());
        assert_eq!(s.hashes().len(), 32);
        assert_eq!(kmv.estimate().to_bits(), s.estimate().to_bits());
        assert_eq!(
            s.estimate(),
            32.0 / (s.theta() as f64 / 9_223_372_036_854_775_807.0)
        );
    }

    fn sample_sketches() -> Vec<ThetaSketch> {
        let mut out = Vec::new();
        for n in [0usize, 1, 2, 7, 8, 9, 31, 32, 33, 34, 100, 5000] {
            let mut kmv = new(5).unwrap();
            (0..n as i64).for_each(|i| kmv.insert(&i));
            out.push(ThetaSketch::from_kmv(&kmv).unwrap());
            let mut big = Kmv::with_hasher(n.max(2) + 1, ThetaHasher).unwrap();
            (0..n as i64).for_each(|i| big.insert(&i));
            out.push(ThetaSketch::from_kmv(&big).unwrap());
        }
        // A single hash below theta.
        let mut two = Kmv::with_hasher(2, ThetaHasher).unwrap();
        (0..50i64).for_each(|i| two.insert(&i));
        out.push(ThetaSketch::from_kmv(&two).unwrap());
        out
    }

    #[test]
    fn every_form_round_trips() {
        for s in sample_sketches() {
            for compressed in [false, true] {
                let bytes = s.to_bytes(compressed);
                let back = from_bytes(&bytes).unwrap_or_else(|e| panic!("{s:?}: {e}"));
                assert_eq!(back, s);
                assert_eq!(back.estimate().to_bits(), s.estimate().to_bits());
                assert_eq!(back.to_bytes(compressed), bytes);
                let h = header(&bytes).unwrap();
                let v4 = compressed
                    && !s.hashes.is_empty()
                    && (s.hashes.len() > 1 || s.is_estimation_mode());
                assert_eq!(h.serial_version, if v4 { 4 } else { 3 });
            }
            let n = s.hashes().len();
            let k = if s.is_estimation_mode() {
                n + 1
            } else {
                n.max(1) + 1
            };
            let kmv = s.to_kmv(k).unwrap();
            assert_eq!(ThetaSketch::from_kmv(&kmv).unwrap(), s);
            assert_eq!(kmv.estimate().to_bits(), s.estimate().to_bits());
        }
    }

    #[test]
    fn unordered_sketches_read_sorted() {
        let mut kmv = new(5).unwrap();
        (0..1000i64).for_each(|i| kmv.insert(&i));
        let s = ThetaSketch::from_kmv(&kmv).unwrap();
        let mut bytes = s.to_bytes(false);
        bytes[5] &= !FLAG_ORDERED;
        // Reverse the hashes, as an unordered sketch may hold them.
        let mut hs: Vec<[u8; 8]> = bytes[24..]
            .chunks_exact(8)
            .map(|c| c.try_into().unwrap())
            .collect();
        hs.reverse();
        bytes.truncate(24);
        hs.iter().for_each(|h| bytes.extend_from_slice(h));
        assert_eq!(from_bytes(&bytes).unwrap(), s);
        let mut ordered = bytes.clone();
        ordered[5] |= FLAG_ORDERED;
        assert!(
            from_bytes(&ordered)
                .unwrap_err()
                .to_string()
                .contains("ordered")
        );
        bytes.copy_within(32..40, 24);
        assert!(
            from_bytes(&bytes)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }

    #[test]
    fn to_kmv_refuses_what_would_change_the_estimate() {
        let mut kmv = new(5).unwrap();
        (0..1000i64).for_each(|i| kmv.insert(&i));
        let s = ThetaSketch::from_kmv(&kmv).unwrap();
        assert_eq!(s.to_kmv(33).unwrap(), kmv);
        for k in [2, 32, 34, 1000] {
            let e = s.to_kmv(k).unwrap_err().to_string();
            assert!(e.contains("k = 33"), "{e}");
        }
        let mut small = new(5).unwrap();
        (0..10i64).for_each(|i| small.insert(&i));
        let s = ThetaSketch::from_kmv(&small).unwrap();
        assert_eq!(s.to_kmv(11).unwrap().estimate(), 10.0);
        assert!(s.to_kmv(10).is_err());
        let sampled = ThetaSketch {
            theta: MAX_THETA / 2,
            hashes: Vec::new(),
            empty: false,
        };
        assert_eq!(sampled.estimate(), 0.0);
        assert_eq!(from_bytes(&sampled.to_bytes(true)).unwrap(), sampled);
        assert!(sampled.to_kmv(2).is_err());
    }

    #[test]
    fn merge_keeps_every_hash_below_the_smaller_theta() {
        let sketches = sample_sketches();
        for a in &sketches {
            for b in &sketches {
                let mut m = a.clone();
                m.merge(b);
                let theta = if b.empty {
                    a.theta
                } else {
                    a.theta.min(b.theta)
                };
                let mut want: Vec<u64> = a
                    .hashes
                    .iter()
                    .chain(&b.hashes)
                    .copied()
                    .filter(|&h| h < theta)
                    .collect();
                want.sort_unstable();
                want.dedup();
                assert_eq!(
                    (m.theta, &m.hashes, m.empty),
                    (theta, &want, a.empty && b.empty)
                );
                assert_eq!(from_bytes(&m.to_bytes(true)).unwrap(), m);
            }
        }
    }

    #[test]
    fn out_of_range_kmv_hashes_are_refused() {
        for h in [0, MAX_THETA, u64::MAX] {
            let mut kmv = new(5).unwrap();
            kmv.insert_hash(h);
            let e = to_bytes(&kmv, false).unwrap_err().to_string();
            assert!(e.contains("outside"), "{e}");
        }
    }

    #[test]
    fn foreign_families_seeds_and_flags_are_named() {
        let mut kmv = new(5).unwrap();
        (0..3i64).for_each(|i| kmv.insert(&i));
        let good = to_bytes(&kmv, false).unwrap();
        let err = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = good.clone();
            f(&mut b);
            from_bytes(&b).unwrap_err().to_string()
        };
        assert!(err(&|b| b[2] = 2).contains("update sketch"));
        assert!(err(&|b| b[2] = 4).contains("union"));
        assert!(err(&|b| b[2] = 7).contains("HLL"));
        assert!(err(&|b| b[1] = 2).contains("serial version 2"));
        assert!(err(&|b| b[5] &= !FLAG_COMPACT).contains("compact flag"));
        assert!(err(&|b| b[5] |= FLAG_BIG_ENDIAN).contains("big-endian"));
        assert!(err(&|b| b[6] ^= 1).contains("seed hash"));
        assert!(err(&|b| b[5] |= FLAG_EMPTY).contains("empty flag"));
        assert!(err(&|b| b.push(0)).contains("left over"));
        assert!(matches!(
            from_bytes(&good[..good.len() - 1]),
            Err(Error::Truncated { .. })
        ));
    }

    #[test]
    fn hostile_bytes_are_refused() {
        for s in sample_sketches() {
            for compressed in [false, true] {
                let bytes = s.to_bytes(compressed);
                for n in 0..bytes.len() {
                    assert!(from_bytes(&bytes[..n]).is_err(), "cut at {n}");
                }
                for bit in 0..(bytes.len() * 8).min(8 * 400) {
                    let mut b = bytes.clone();
                    b[bit / 8] ^= 1 << (bit % 8);
                    if let Ok(t) = from_bytes(&b) {
                        let _ = t.estimate();
                        let _ = t.to_bytes(true);
                        let n = t.hashes().len();
                        let _ = t.to_kmv(n + 1);
                    }
                }
            }
        }
        // A huge count in a short input allocates nothing.
        let mut b = vec![3, 3, 3, 0, 0, 0x1a, 0xcc, 0x93];
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&(MAX_THETA / 2).to_le_bytes());
        assert!(matches!(from_bytes(&b), Err(Error::Truncated { .. })));
    }
}
