//! K minimum values (KMV): the `k` smallest distinct hashes of a stream.
//!
//! Hash every item to 64 uniform bits and keep the `k` smallest distinct hashes. Below `k`
//! distinct items the sketch holds every hash, so the count is **exact**. Above, if `U_k` is
//! the `k`-th smallest hash scaled to `(0, 1]`, the estimate `(k - 1) / U_k` is unbiased
//! with relative standard error `1 / sqrt(k - 2)` (Beyer et al., *On synopses for
//! distinct-value estimation under multiset operations*, 2007), at any cardinality up to
//! about 2^60.
//!
//! Two sketches with the same hasher combine: the `k` smallest hashes of both are the sketch
//! of the union ([`Kmv::merge`]), and the share of those that both sides hold estimates the
//! Jaccard similarity ([`Kmv::jaccard`]) and so the intersection
//! ([`Kmv::intersection_estimate`]). When the two `k` differ, each side still holds the
//! smaller `k`'s minima of its own stream, so these work at `k = min(k, k')`, in either
//! order.
//!
//! Built with [`ThetaHasher`](crate::interop::theta::ThetaHasher), a `Kmv` keeps the hashes
//! Apache DataSketches' Theta sketch keeps and reports its estimate, and
//! [`interop::theta`](crate::interop::theta) writes and reads DataSketches' compact bytes.
//!
//! # Speed
//!
//! Once `k` hashes are held, a hash above the current `k`-th minimum cannot enter: it is
//! rejected by one comparison before any other work. On a random stream of `n` distinct
//! items only about `k ln(n/k)` hashes ever pass that test. Those go to a pending buffer of
//! `k/4` slots (at least 16) that is sorted and merged into the kept minima when it fills,
//! so an accepted hash costs `O(log k)` amortised. A query (`estimate`, `jaccard`,
//! `to_bytes`, `==`, ...) that finds hashes pending merges them in place first, so it never
//! copies the buffer and the next query finds the minima ready: the buffer sits behind a
//! [`Mutex`] that queries lock and inserts reach without locking (through `&mut self`).
//!
//! Memory: `8 (k + max(k/4, 16))` bytes once full, growing to that as hashes arrive.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::codec::{Codec, Decoder, Encoder, Kind};
use crate::error::{Error, Result};
use crate::hash::{FromSaved, ItemHasher, Murmur3, check_same_hasher};
use crate::{DistinctCount, MemoryUsage};

/// Smallest `k`: the estimate `(k - 1)/U_k` needs two minima.
const MIN_K: usize = 2;
/// Largest `k` (2^26 minima take 640 MiB).
const MAX_K: usize = 1 << 26;
/// 2^-64, to scale a hash to `(0, 1]`.
const TWO_POW_M64: f64 = 1.0 / 18_446_744_073_709_551_616.0;

/// K minimum values: a distinct-count sketch that is exact below `k` items, unbiased above,
/// and supports union, intersection and Jaccard estimates.
///
/// See the [module documentation](self) for the estimator, its error and its cost.
///
/// # Example
///
/// ```
/// use lessram::{DistinctCount, Kmv};
///
/// let mut kmv = Kmv::new(1024)?;
/// for i in 0..500u32 {
///     kmv.insert(&i);
///     kmv.insert(&i); // duplicates change nothing
/// }
/// assert_eq!(kmv.estimate(), 500.0); // exact below k
/// for i in 0..100_000u32 {
///     kmv.insert(&i);
/// }
/// // Relative std error 1/sqrt(1022) ~ 3.1%.
/// assert!((kmv.estimate() / 100_000.0 - 1.0).abs() < 0.15);
/// # Ok::<(), lessram::Error>(())
/// ```
pub struct Kmv<S: ItemHasher = Murmur3> {
    k: usize,
    /// Behind a lock so that `&self` queries can merge pending hashes in place; inserts
    /// reach it through [`Mutex::get_mut`], which does not lock.
    minima: Mutex<Minima>,
    /// Hashes above this cannot enter: [`Minima::limit`] as of the last flush by an
    /// insert. A query's flush may have lowered the one inside since, which only lets a
    /// few more candidates into the buffer until the next flush drops them.
    limit: u64,
    hasher: S,
}

/// The kept minima and the pending candidates of a [`Kmv`].
#[derive(Clone, Debug)]
struct Minima {
    /// `values[..sorted]`: the kept minima, ascending and distinct, at most `k`;
    /// `values[sorted..]`: pending candidates, in arrival order.
    values: Vec<u64>,
    sorted: usize,
    /// Hashes above this cannot enter (`u64::MAX` until `k` minima are kept).
    limit: u64,
    /// How many flushes sorted something (tests bound the work with it).
    #[cfg(test)]
    sorts: usize,
}

impl Minima {
    fn new() -> Self {
        Self {
            values: Vec::new(),
            sorted: 0,
            limit: u64::MAX,
            #[cfg(test)]
            sorts: 0,
        }
    }

    /// Sorts the pending hashes into the kept minima, in place.
    fn flush(&mut self, k: usize) {
        if self.values.len() > self.sorted {
            #[cfg(test)]
            {
                self.sorts += 1;
            }
            self.values.sort_unstable();
            self.values.dedup();
            self.values.truncate(k);
            self.sorted = self.values.len();
            self.limit = if self.sorted == k {
                // Distinct and at least two: the k-th minimum is at least 1.
                self.values[k - 1] - 1
            } else {
                u64::MAX
            };
        }
    }

    /// The kept minima after a flush: ascending, distinct, at most `k`.
    fn flushed(&mut self, k: usize) -> &[u64] {
        self.flush(k);
        &self.values
    }
}

impl<S: ItemHasher> Clone for Kmv<S> {
    fn clone(&self) -> Self {
        Self {
            k: self.k,
            minima: Mutex::new(self.lock().clone()),
            limit: self.limit,
            hasher: self.hasher.clone(),
        }
    }
}

impl Kmv<Murmur3> {
    /// A sketch keeping the `k` smallest hashes, with the default hasher.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `2 <= k <= 2^26`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::Kmv;
    /// assert!(Kmv::new(4096).is_ok());
    /// assert_eq!(Kmv::new(1).unwrap_err().to_string(), "k 1 out of range 2..=67108864");
    /// ```
    pub fn new(k: usize) -> Result<Self> {
        Self::with_hasher(k, Murmur3::new())
    }

    /// Decodes a sketch written by [`Kmv::to_bytes`], rebuilding its MurmurHash3 hasher.
    ///
    /// # Errors
    ///
    /// Any corruption, truncation, wrong kind, hasher that is not MurmurHash3, invalid `k`,
    /// more than `k` hashes or hashes not strictly increasing.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, Kmv};
    /// let mut kmv = Kmv::new(64)?;
    /// kmv.insert("a");
    /// assert_eq!(Kmv::from_bytes(&kmv.to_bytes())?, kmv);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Codec::from_bytes(bytes)
    }
}

impl<S: ItemHasher> Kmv<S> {
    /// A sketch keeping the `k` smallest hashes made by `hasher`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `2 <= k <= 2^26`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::Kmv;
    /// let kmv = Kmv::with_hasher(256, Murmur3::with_seed(9))?;
    /// assert_eq!(kmv.k(), 256);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn with_hasher(k: usize, hasher: S) -> Result<Self> {
        if !(MIN_K..=MAX_K).contains(&k) {
            return Err(Error::parameter("k", k, format!("{MIN_K}..={MAX_K}")));
        }
        Ok(Self {
            k,
            minima: Mutex::new(Minima::new()),
            limit: u64::MAX,
            hasher,
        })
    }

    /// Decodes a sketch written with `hasher`, checked against the saved hash id and seed
    /// (for hashers other than Murmur3, the [fingerprint](ItemHasher::fingerprint)).
    ///
    /// # Errors
    ///
    /// As [`Kmv::from_bytes`]: [`Error::WrongHasher`] if the saved hasher differs,
    /// [`Error::UnidentifiedHasher`] if the frame records none.
    pub fn from_bytes_with_hasher(bytes: &[u8], hasher: S) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::Kmv)?;
        dec.check_hasher(&hasher)?;
        Self::decode(dec, hasher)
    }

    /// The number of minima kept, `k`.
    #[must_use]
    pub fn k(&self) -> usize {
        self.k
    }

    /// The relative standard error above `k` items, `1 / sqrt(k - 2)` (0 below `k`; for
    /// `k = 2`, where the variance is infinite, `inf`).
    #[must_use]
    pub fn relative_std_error(&self) -> f64 {
        1.0 / ((self.k - 2) as f64).sqrt()
    }

    fn pending_room(&self) -> usize {
        (self.k / 4).max(16)
    }

    /// The buffer, locked (a panic cannot leave it inconsistent: every change to it is
    /// complete before anything that can panic, so a poisoned lock is used as it is).
    fn lock(&self) -> MutexGuard<'_, Minima> {
        self.minima.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The buffer, through `&mut self`: no locking.
    fn minima_mut(&mut self) -> &mut Minima {
        self.minima
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sorts the pending hashes into the kept minima.
    fn flush(&mut self) {
        let k = self.k;
        let m = self.minima_mut();
        m.flush(k);
        self.limit = m.limit;
    }

    /// Flushes, then makes sure at least `pending_room()` hashes fit before the next flush
    /// (up to the full size `k + pending_room()`), so that each sort is paid for by that
    /// many inserts. Growing only when the flush freed nothing made a stream of repeats
    /// below `k` sort the whole buffer on almost every insert.
    #[cold]
    fn make_room(&mut self) {
        self.flush();
        let full_size = self.k + self.pending_room();
        let max_room = self.pending_room();
        let values = &mut self.minima_mut().values;
        let (len, cap) = (values.len(), values.capacity());
        // Room for as many pending hashes as are kept (at least 16, at most `k / 4`): each
        // sort of `len + room` is still paid for by `room` inserts, and a sketch of large
        // `k` holding few hashes does not reserve `k / 4` slots at its first insert.
        let room = max_room.min(len.max(16));
        if cap - len < room && cap < full_size {
            let target = (cap * 2).max(16).max(len + room).min(full_size);
            values.reserve_exact(target - len);
        }
    }

    /// Calls `f` with the kept minima (ascending, distinct, at most `k`), merging pending
    /// hashes in place first.
    fn with_minima<R>(&self, f: impl FnOnce(&[u64]) -> R) -> R {
        f(self.lock().flushed(self.k))
    }

    /// Calls `f` with the kept minima of `self` and `other`, locking each once (in address
    /// order, so two threads comparing the same pair both ways cannot deadlock).
    fn with_both_minima<R>(&self, other: &Self, f: impl FnOnce(&[u64], &[u64]) -> R) -> R {
        if std::ptr::eq(self, other) {
            let mut m = self.lock();
            let m = m.flushed(self.k);
            return f(m, m);
        }
        let self_first = std::ptr::from_ref(self) < std::ptr::from_ref(other);
        let (mut a, mut b) = if self_first {
            let a = self.lock();
            (a, other.lock())
        } else {
            let b = other.lock();
            (self.lock(), b)
        };
        f(a.flushed(self.k), b.flushed(other.k))
    }

    /// The `min(k, n)` smallest distinct hashes seen, ascending.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, Kmv};
    /// let mut kmv = Kmv::new(2)?;
    /// for h in [50, 10, 30, 10] {
    ///     kmv.insert_hash(h);
    /// }
    /// assert_eq!(kmv.hashes(), [10, 30]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn hashes(&self) -> Vec<u64> {
        self.with_minima(<[u64]>::to_vec)
    }

    fn estimate_from(&self, k: usize, minima: &[u64]) -> f64 {
        if minima.len() < k {
            minima.len() as f64
        } else {
            self.full_estimate(k, minima[k - 1])
        }
    }

    /// The estimate of `k` minima whose largest is `kth`: the hasher's own rule (see
    /// [`ItemHasher::kmv_estimate`]) or `(k - 1) / U_k`.
    fn full_estimate(&self, k: usize, kth: u64) -> f64 {
        self.hasher
            .kmv_estimate(k, kth)
            .unwrap_or_else(|| (k - 1) as f64 / ((kth as f64 + 1.0) * TWO_POW_M64))
    }

    /// A sketch of `k` holding `minima` (ascending, distinct, at most `k`: the caller's
    /// checks), ready for queries: what a decoder of a foreign format builds.
    pub(crate) fn from_minima(k: usize, hasher: S, minima: Vec<u64>) -> Result<Self> {
        debug_assert!(minima.len() <= k && minima.windows(2).all(|w| w[0] < w[1]));
        let mut kmv = Self::with_hasher(k, hasher)?;
        let n = minima.len();
        let limit = if n == k { minima[k - 1] - 1 } else { u64::MAX };
        let m = kmv.minima_mut();
        (m.values, m.sorted, m.limit) = (minima, n, limit);
        kmv.limit = limit;
        Ok(kmv)
    }

    /// Lowers `k` to `k` (at most the current one), dropping the minima above the new
    /// `k`-th and the buffer room the larger `k` had: the sketch a `Kmv` of this `k` would
    /// hold after the same stream.
    fn shrink_k(&mut self, k: usize) {
        debug_assert!((MIN_K..=self.k).contains(&k));
        self.flush();
        self.k = k;
        let full_size = k + self.pending_room();
        let m = self.minima_mut();
        m.values.truncate(k);
        m.values.shrink_to(full_size);
        m.sorted = m.values.len();
        m.limit = if m.sorted == k {
            m.values[k - 1] - 1
        } else {
            u64::MAX
        };
        self.limit = m.limit;
    }

    /// The union's `min(k, k')` minima, how many of them both sides hold, and the union's
    /// estimate at that `k`.
    fn compare(&self, other: &Self) -> Result<(usize, usize, f64)> {
        check_same_hasher("Kmv", &self.hasher, &other.hasher)?;
        let k = self.k.min(other.k);
        Ok(self.with_both_minima(other, |a, b| {
            // Walk both ascending lists; every hash at or below the union's k-th minimum
            // is at or below each full side's own k-th minimum (k is at most either side's
            // own), so membership is known.
            let (mut i, mut j, mut taken, mut both, mut last) = (0, 0, 0, 0, 0u64);
            while taken < k && (i < a.len() || j < b.len()) {
                let (x, y) = (a.get(i), b.get(j));
                last = match (x, y) {
                    (Some(&x), Some(&y)) if x == y => {
                        both += 1;
                        i += 1;
                        j += 1;
                        x
                    }
                    (Some(&x), Some(&y)) if x < y => {
                        i += 1;
                        x
                    }
                    (Some(&x), None) => {
                        i += 1;
                        x
                    }
                    (_, Some(&y)) => {
                        j += 1;
                        y
                    }
                    (None, None) => unreachable!("loop condition"),
                };
                taken += 1;
            }
            let union = if taken < k {
                taken as f64
            } else {
                self.full_estimate(k, last)
            };
            (taken, both, union)
        }))
    }

    /// Estimated Jaccard similarity `|A ∩ B| / |A ∪ B|` of the two streams: the share of the
    /// union's `k` minima that both sketches hold. Exact when the union has fewer than `k`
    /// items; 0 for two empty sketches. When the two `k` differ, the smaller is used (with
    /// its larger error): `a.jaccard(&b) == b.jaccard(&a)`.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when the hasher differs (another hash function or seed).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, Kmv};
    /// let (mut a, mut b) = (Kmv::new(4096)?, Kmv::new(4096)?);
    /// for i in 0..30_000u32 { a.insert(&i); }
    /// for i in 10_000..40_000u32 { b.insert(&i); }
    /// // True Jaccard 20,000 / 40,000 = 0.5; std error about sqrt(0.25 / 4096) ~ 0.008.
    /// assert!((a.jaccard(&b)? - 0.5).abs() < 0.04);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn jaccard(&self, other: &Self) -> Result<f64> {
        let (taken, both, _) = self.compare(other)?;
        Ok(if taken == 0 {
            0.0
        } else {
            both as f64 / taken as f64
        })
    }

    /// Estimated size of the intersection of the two streams: the Jaccard estimate times the
    /// union's estimate. Exact when the union has fewer than `k` items. When the two `k`
    /// differ, the smaller is used, as in [`Kmv::jaccard`].
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when the hasher differs.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, Kmv};
    /// let (mut a, mut b) = (Kmv::new(100)?, Kmv::new(100)?);
    /// for w in ["x", "y", "z"] { a.insert(w); }
    /// for w in ["y", "z", "w"] { b.insert(w); }
    /// assert_eq!(a.intersection_estimate(&b)?, 2.0); // exact: the union is below k
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn intersection_estimate(&self, other: &Self) -> Result<f64> {
        let (taken, both, union) = self.compare(other)?;
        Ok(if taken == 0 {
            0.0
        } else {
            union * both as f64 / taken as f64
        })
    }

    /// Merges `other` into `self`, so that `self` holds the sketch of the union of both
    /// streams: the `k` smallest distinct hashes of both.
    ///
    /// The two `k` may differ, in either order: the result keeps `min(k, k')` minima, exactly
    /// the sketch a `Kmv` of the smaller `k` fed both streams would hold (each side's kept
    /// minima include the smaller `k`'s minima of its own stream). When `other` has the
    /// smaller `k`, `self` drops its minima above the new `k`-th first, so [`Kmv::k`] is
    /// **lower afterwards** (and [`Kmv::relative_std_error`] higher); `merge(a, b)` and
    /// `merge(b, a)` give equal sketches. The minima are kept ready: no hash is left
    /// pending, so the next `&self` query does not sort.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when `other` has another hash function or seed (the message
    /// names both sides). `self` is unchanged then.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, Kmv};
    ///
    /// let (mut a, mut b) = (Kmv::new(1024)?, Kmv::new(4096)?);
    /// (0..30_000u32).for_each(|i| a.insert(&i));
    /// (20_000..50_000u32).for_each(|i| b.insert(&i));
    /// let mut reversed = b.clone();
    /// a.merge(&b)?; // a keeps k = 1024
    /// reversed.merge(&a)?; // reversed drops to k = 1024, then takes a in
    /// assert_eq!((a.k(), reversed.k()), (1024, 1024));
    /// assert_eq!(reversed, a);
    /// // Relative std error 1/sqrt(1022) ~ 3.1%.
    /// assert!((a.estimate() / 50_000.0 - 1.0).abs() < 0.15);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        check_same_hasher("Kmv", &self.hasher, &other.hasher)?;
        if other.k < self.k {
            self.shrink_k(other.k);
        }
        let k = self.k;
        other.with_minima(|m| m.iter().take(k).for_each(|&h| self.insert_hash(h)));
        self.flush();
        Ok(())
    }

    /// Encodes the sketch (see `docs/format.md`).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::with_hasher(Kind::Kmv, &self.hasher);
        enc.params().u64(self.k as u64);
        self.with_minima(|m| {
            let p = enc.payload();
            p.reserve(8 + 8 * m.len()).u64(m.len() as u64);
            for &h in m {
                p.u64(h);
            }
        });
        enc.finish()
    }

    fn decode(mut dec: Decoder<'_>, hasher: S) -> Result<Self> {
        let k = dec.params().u64()?;
        let k = usize::try_from(k)
            .ok()
            .filter(|k| (MIN_K..=MAX_K).contains(k))
            .ok_or_else(|| Error::corrupt("Kmv", format!("k {k} out of {MIN_K}..={MAX_K}")))?;
        let n = dec.payload().count(8)?;
        if n > k {
            return Err(Error::corrupt(
                "Kmv",
                format!("{n} hashes stored, at most k = {k} expected"),
            ));
        }
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            let h = dec.payload().u64()?;
            if values.last().is_some_and(|&last| last >= h) {
                return Err(Error::corrupt(
                    "Kmv",
                    "hashes not strictly increasing".to_string(),
                ));
            }
            values.push(h);
        }
        dec.finish()?;
        let limit = if n == k { values[k - 1] - 1 } else { u64::MAX };
        let mut kmv = Self::with_hasher(k, hasher)?;
        let m = kmv.minima_mut();
        (m.values, m.sorted, m.limit) = (values, n, limit);
        kmv.limit = limit;
        Ok(kmv)
    }
}

impl<S: ItemHasher> DistinctCount for Kmv<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Rejects in one comparison a hash above the `k`-th minimum kept so far.
    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        if hash > self.limit {
            return;
        }
        let values = &mut self.minima_mut().values;
        if values.len() < values.capacity() {
            values.push(hash);
            return;
        }
        self.make_room();
        if hash <= self.limit {
            self.minima_mut().values.push(hash);
        }
    }

    /// The exact count below `k` distinct hashes, `(k - 1) / U_k` above.
    fn estimate(&self) -> f64 {
        self.with_minima(|m| self.estimate_from(self.k, m))
    }

    /// See [`Kmv::merge`].
    fn merge(&mut self, other: &Self) -> Result<()> {
        Kmv::merge(self, other)
    }
}

impl<S: ItemHasher> MemoryUsage for Kmv<S> {
    fn memory_usage(&self) -> usize {
        self.lock().values.capacity() * std::mem::size_of::<u64>()
    }
}

impl<S: ItemHasher> PartialEq for Kmv<S> {
    /// Equal when `k`, the hasher's id and seed, and the kept minima are equal.
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k
            && check_same_hasher("Kmv", &self.hasher, &other.hasher).is_ok()
            && self.with_both_minima(other, |a, b| a == b)
    }
}

impl<S: ItemHasher> fmt::Debug for Kmv<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kept, estimate) = self.with_minima(|m| (m.len(), self.estimate_from(self.k, m)));
        f.debug_struct("Kmv")
            .field("k", &self.k)
            .field("hash_id", &self.hasher.hash_id())
            .field("seed", &self.hasher.seed())
            .field("kept", &kept)
            .field("estimate", &estimate)
            .finish()
    }
}

impl<S: FromSaved> Codec for Kmv<S> {
    const KIND: Kind = Kind::Kmv;

    fn to_bytes(&self) -> Vec<u8> {
        Kmv::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let dec = Decoder::new(bytes, Self::KIND)?;
        let hasher = dec.hasher::<S>()?;
        Self::decode(dec, hasher)
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(Kmv);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::SplitMix64;
    use std::collections::BTreeSet;

    #[test]
    fn exact_below_k_and_at_k() {
        let mut kmv = Kmv::new(100).unwrap();
        let mut rng = SplitMix64::new(1);
        let hs: Vec<u64> = (0..100).map(|_| rng.next_word()).collect();
        for (i, &h) in hs.iter().enumerate() {
            kmv.insert_hash(h);
            kmv.insert_hash(h);
            if i + 1 < 100 {
                assert_eq!(kmv.estimate(), (i + 1) as f64);
            }
        }
        // The 100th distinct hash fills the sketch: the estimator switches to (k-1)/U_k.
        let kth = *hs.iter().max().unwrap();
        let expected = 99.0 / ((kth as f64 + 1.0) * TWO_POW_M64);
        assert_eq!(kmv.estimate(), expected);
        // Extreme hashes count too.
        let mut kmv = Kmv::new(4).unwrap();
        for h in [u64::MAX, 0, u64::MAX, 0] {
            kmv.insert_hash(h);
        }
        assert_eq!(kmv.estimate(), 2.0);
    }

    #[test]
    fn keeps_the_k_smallest_distinct_like_a_btreeset() {
        let mut rng = SplitMix64::new(2);
        for k in [2, 3, 17, 64, 1000] {
            let mut kmv = Kmv::new(k).unwrap();
            let mut oracle = BTreeSet::new();
            for i in 0..20_000 {
                // Repeat some hashes, and keep some small so they enter late.
                let h = if i % 3 == 0 {
                    rng.next_word() % 5000
                } else {
                    rng.next_word()
                };
                kmv.insert_hash(h);
                oracle.insert(h);
                if i % 997 == 0 {
                    let want: Vec<u64> = oracle.iter().copied().take(k).collect();
                    assert_eq!(kmv.hashes(), want, "k {k} after {i}");
                }
            }
        }
    }

    #[test]
    fn memory_grows_to_k_plus_buffer() {
        let mut kmv = Kmv::new(1024).unwrap();
        assert_eq!(kmv.memory_usage(), 0);
        let mut rng = SplitMix64::new(3);
        for _ in 0..100_000 {
            kmv.insert_hash(rng.next_word());
        }
        assert_eq!(kmv.memory_usage(), 8 * (1024 + 256));
    }

    #[test]
    fn other_hashers_are_refused_naming_both_sides() {
        let mut a = Kmv::new(10).unwrap();
        a.insert_hash(7);
        let before = a.clone();
        let c = Kmv::with_hasher(5, Murmur3::with_seed(1)).unwrap();
        let e = a.jaccard(&c).unwrap_err().to_string();
        assert!(e.contains("seed 0") && e.contains("seed 1"), "{e}");
        let e = a.merge(&c).unwrap_err().to_string();
        assert!(e.contains("seed 0") && e.contains("seed 1"), "{e}");
        assert_eq!(a, before, "a refused merge left self unchanged (k too)");
        assert!(a.intersection_estimate(&c).is_err());
    }

    #[test]
    fn merging_a_smaller_k_shrinks_self_and_keeps_the_minima_ready() {
        let mut rng = SplitMix64::new(5);
        let (mut a, mut b) = (Kmv::new(1000).unwrap(), Kmv::new(100).unwrap());
        for _ in 0..50_000 {
            a.insert_hash(rng.next_word());
            b.insert_hash(rng.next_word());
        }
        let mut want: Vec<u64> = a.hashes().into_iter().chain(b.hashes()).collect();
        want.sort_unstable();
        want.truncate(100);
        a.merge(&b).unwrap();
        assert_eq!(a.k(), 100);
        let m = a.lock();
        assert_eq!(m.sorted, m.values.len(), "nothing pending after a merge");
        assert_eq!(m.values, want);
        assert_eq!((m.limit, a.limit), (want[99] - 1, want[99] - 1));
        assert!(m.values.capacity() <= 100 + a.pending_room());
    }

    #[test]
    fn decoding_checks_every_field() {
        let mut kmv = Kmv::new(8).unwrap();
        for h in 1..=20u64 {
            kmv.insert_hash(h * 1000);
        }
        let bytes = kmv.to_bytes();
        assert_eq!(Kmv::from_bytes(&bytes).unwrap(), kmv);
        let encode = |k: u64, hs: &[u64]| {
            let mut enc = Encoder::new(Kind::Kmv, 1, 0);
            enc.params().u64(k);
            enc.payload().u64(hs.len() as u64);
            for &h in hs {
                enc.payload().u64(h);
            }
            enc.finish()
        };
        assert!(Kmv::from_bytes(&encode(2, &[1, 2])).is_ok());
        assert!(Kmv::from_bytes(&encode(2, &[1, 2, 3])).is_err());
        assert!(Kmv::from_bytes(&encode(3, &[2, 1])).is_err());
        assert!(Kmv::from_bytes(&encode(3, &[2, 2])).is_err());
        assert!(Kmv::from_bytes(&encode(1, &[])).is_err());
        assert!(Kmv::from_bytes(&encode(u64::MAX, &[])).is_err());
        let other = Murmur3::with_seed(5);
        assert!(matches!(
            Kmv::from_bytes_with_hasher(&bytes, other),
            Err(Error::WrongHasher { .. })
        ));
    }

    #[test]
    fn queries_merge_pending_hashes_in_place_once() {
        let mut kmv = Kmv::new(1024).unwrap();
        let mut rng = SplitMix64::new(4);
        for _ in 0..100_000 {
            kmv.insert_hash(rng.next_word());
        }
        kmv.flush();
        for _ in 0..10 {
            kmv.insert_hash(rng.next_word() >> 20); // small: they enter the buffer
        }
        let pending = |kmv: &Kmv| {
            let m = kmv.lock();
            m.values.len() - m.sorted
        };
        assert_eq!(pending(&kmv), 10);
        let (before, capacity) = (kmv.hashes(), kmv.memory_usage());
        assert_eq!(pending(&kmv), 0, "the query merged the pending hashes");
        assert_eq!(
            kmv.memory_usage(),
            capacity,
            "in place: the buffer did not grow"
        );
        // The query lowered the limit inside; the insert side's copy is stale until its
        // next flush, which only lets a hash in that the next merge drops again.
        let lowered = kmv.lock().limit;
        assert!(kmv.limit > lowered);
        kmv.insert_hash(lowered + 1);
        assert_eq!(pending(&kmv), 1);
        assert_eq!(kmv.hashes(), before);
        kmv.flush();
        assert_eq!(kmv.limit, lowered);
    }

    #[test]
    fn comparing_a_sketch_with_itself_or_both_ways_at_once_does_not_deadlock() {
        let mut a = Kmv::new(64).unwrap();
        let mut b = Kmv::new(64).unwrap();
        for h in 0..1000u64 {
            a.insert_hash(h.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            b.insert_hash((h + 500).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        assert_eq!(a.jaccard(&a).unwrap(), 1.0);
        assert_eq!(a, a);
        let (a, b) = (&a, &b);
        std::thread::scope(|s| {
            let one = s.spawn(|| (0..2000).map(|_| a.jaccard(b).unwrap()).sum::<f64>());
            let two = s.spawn(|| (0..2000).map(|_| b.jaccard(a).unwrap()).sum::<f64>());
            assert_eq!(one.join().unwrap(), two.join().unwrap());
        });
    }

    /// Found by the `decode_kmv` fuzz target: a decoded sketch of k = 2^25 + 2 holding one
    /// hash reserved k / 4 slots (64 MiB) when merged with itself, at its first insert.
    /// Room now grows with the hashes kept.
    #[test]
    fn a_large_k_holding_few_hashes_reserves_little() {
        let mut one = Kmv::new((1 << 25) + 2).unwrap();
        one.insert_hash(0x0123_4567_89ab_cdef);
        let kmv = Kmv::from_bytes(&one.to_bytes()).unwrap();
        let mut merged = kmv.clone();
        merged.merge(&kmv).unwrap();
        assert_eq!(merged, kmv);
        let mut fresh = Kmv::new(MAX_K).unwrap();
        for i in 0..1000u64 {
            fresh.insert_hash(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        }
        for s in [&merged, &fresh] {
            let cap = s.lock().values.capacity();
            assert!(cap <= 4096, "{cap} slots reserved for at most 1,000 hashes");
        }
    }

    /// Found by the `ops_kmv` fuzz target (`tests/fuzz_regressions/ops-kmv-repeats-below-k-slow.bin`
    /// took 2 s for 37 bytes of operations): below `k`, a stream of repeats filled the buffer
    /// one slot short of a flush after every dedup, so almost every insert sorted the whole
    /// buffer (200,000 sorts for 200,000 inserts). Each sort must be paid for by
    /// `pending_room()` inserts.
    #[test]
    fn repeats_below_k_do_not_sort_on_every_insert() {
        for distinct in [1_000u64, 1_023, 2_047] {
            let mut kmv = Kmv::new(4096).unwrap();
            let n = 200_000;
            for i in 0..n {
                kmv.insert_hash((i % distinct).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            }
            assert_eq!(kmv.estimate(), distinct as f64);
            let sorts = kmv.lock().sorts;
            // Growing to k + room takes a handful of doublings, each after a sort.
            let bound = n as usize / kmv.pending_room() + 16;
            assert!(
                sorts <= bound,
                "{distinct} distinct: {sorts} sorts, bound {bound}"
            );
        }
    }
}
