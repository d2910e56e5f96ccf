//! Where token hashes go: the [`Sink`] trait and its adapters for the crate's structures.

use std::any::Any;

use rand_core::Rng;

use crate::counting::SplitMix64;
use crate::error::{Error, Result};
use crate::hash::ItemHasher;
use crate::{DistinctCount, Membership, MorrisCounter};

/// Something a [`Counter`](super::Counter) feeds with the hash of every token: a sketch, a
/// filter, a counter of events, or your own.
///
/// A counter calls [`Sink::insert_hashes`] once a batch (up to 4,096 tokens) with each
/// token's 128-bit MurmurHash3. On several threads, a sink whose [`Sink::fork`] gives a
/// copy is fed on every thread, each copy with its share of the input, and the copies are
/// merged back ([`Sink::merge_fork`]); a sink that gives none is fed every batch on one
/// thread of its own, in an order that depends on the threads' timing.
///
/// The trait is object safe, and `Send`, so a count can run off the caller's thread; the
/// sinks come back as values in the [`Report`](super::Report).
///
/// # Example
///
/// A sink of your own: the number of tokens whose hash is even.
///
/// ```
/// use lessram::text::{Counter, Sink, TokenOptions};
///
/// #[derive(Default)]
/// struct Even(u64);
/// impl Sink for Even {
///     fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
///         self.0 += hashes.iter().filter(|&&h| h % 2 == 0).count() as u64;
///     }
/// }
///
/// let mut counter = Counter::new(TokenOptions::words()).drop_repeats(false);
/// let even = counter.sink(Even::default());
/// let mut report = counter.count_bytes(b"a b c d e f g h")?;
/// assert!(report.take(even).0 <= 8);
/// # Ok::<(), lessram::Error>(())
/// ```
pub trait Sink: Any + Send {
    /// Counts `tokens` tokens, given the 128-bit MurmurHash3 of each (low 64 bits first:
    /// `hash as u64` is what a 64-bit sketch takes).
    ///
    /// Unless the counter's [`drop_repeats`](super::Counter::drop_repeats) is off, a short
    /// token seen lately may be left out of `hashes` (`tokens` still counts it): right for
    /// a set or a sketch of one, where a repeat changes nothing, and for a counter of
    /// tokens, which counts `tokens`.
    fn insert_hashes(&mut self, hashes: &[u128], tokens: u64);

    /// An empty copy (or any copy whose merge with this one changes nothing, such as a
    /// clone of a set) to be fed on another thread and merged back, when merging gives
    /// the same result as feeding one sink everything; `None` (the default) to be fed on
    /// one thread.
    fn fork(&self) -> Option<Box<dyn Sink>> {
        None
    }

    /// Merges back a copy [`Sink::fork`] gave.
    ///
    /// # Errors
    ///
    /// When the copy cannot be merged; the default, for sinks that give no copy, always
    /// fails.
    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let _ = fork;
        Err(Error::corrupt(
            "Sink",
            "merge_fork of a sink that gives no fork",
        ))
    }

    /// Whether dropping repeats before hashing pays for this sink (its inserts cost more
    /// than the check: a large filter, an exact set); the counter's default drops them only
    /// when a sink says so or the exact count runs.
    fn repeats_cost(&self) -> bool {
        false
    }

    /// Whether the sink reads the hashes it is given; `false` for a sink that only counts
    /// `tokens` (as [`Morris`]), which is then sent no copy of a batch's hashes when it
    /// runs on a thread of its own. The default is `true`.
    fn reads_hashes(&self) -> bool {
        true
    }

    /// The `(hash id, seed)` of the hasher the sink's structure hashes items with
    /// ([`ItemHasher::hash_id`], [`ItemHasher::seed`]), if it has one; `None` (the default)
    /// for a sink that hashes nothing itself.
    ///
    /// A [`Counter`](super::Counter) refuses to run with a sink whose hasher is not the
    /// MurmurHash3 of the counter's seed: the structure would hold hashes of another hash
    /// family than its own, which no later insert, query or merge could tell.
    fn hasher_identity(&self) -> Option<(u8, u64)> {
        None
    }
}

/// Downcasts a fork back to the sink type that made it.
pub(super) fn downcast<S: Sink>(fork: Box<dyn Sink>, what: &'static str) -> Result<S> {
    let any: Box<dyn Any> = fork;
    any.downcast::<S>()
        .map(|b| *b)
        .map_err(|_| Error::corrupt(what, "merge_fork of a sink of another type"))
}

/// A [`DistinctCount`] sketch as a [`Sink`]: fed the low 64 bits of each hash through
/// [`DistinctCount::insert_hashes`], forked (cloned) on every thread and merged back, so
/// the result is the same on any number of threads.
///
/// # Example
///
/// ```
/// use lessram::text::{Counter, Distinct, TokenOptions};
/// use lessram::{DistinctCount, HyperLogLog};
///
/// let mut counter = Counter::new(TokenOptions::words());
/// let hll = counter.sink(Distinct(HyperLogLog::new(14)?));
/// let mut report = counter.count_bytes(b"a rose is a rose is a rose")?;
/// assert_eq!(report.take(hll).0.estimate().round(), 3.0);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Distinct<D>(pub D);

impl<D> Distinct<D> {
    /// The sketch.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::Kmv;
    /// use lessram::text::Distinct;
    /// assert_eq!(Distinct(Kmv::new(16)?).into_inner().k(), 16);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn into_inner(self) -> D {
        self.0
    }
}

impl<D> Sink for Distinct<D>
where
    D: DistinctCount + Clone + Send + 'static,
{
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        self.0.insert_hashes(hashes.iter().map(|&h| h as u64));
    }

    fn fork(&self) -> Option<Box<dyn Sink>> {
        Some(Box::new(self.clone()))
    }

    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let other: Self = downcast(fork, "Distinct")?;
        self.0.merge(&other.0)
    }

    fn hasher_identity(&self) -> Option<(u8, u64)> {
        let h = self.0.hasher();
        Some((h.hash_id(), h.seed()))
    }
}

/// A [`Membership`] filter as a [`Sink`]: fed all 128 bits of each hash through
/// [`Membership::insert_hashes`] (prefetching ahead), on one thread, since which inserts
/// are false positives depends on their order. The filter's count of new inserts (as
/// [`crate::ScalingBloomFilter::len`]) estimates the distinct tokens.
///
/// # Example
///
/// ```
/// use lessram::text::{Counter, Filter, TokenOptions};
/// use lessram::{Membership, ScalingBloomFilter};
///
/// let mut counter = Counter::new(TokenOptions::words());
/// let seen = counter.sink(Filter(ScalingBloomFilter::new(1_000, 0.01)?));
/// let mut report = counter.count_bytes(b"a rose is a rose")?;
/// let seen = report.take(seen).0;
/// assert!(seen.contains("rose") && seen.len() == 3);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter<M>(pub M);

impl<M> Filter<M> {
    /// The filter.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::BloomFilter;
    /// use lessram::text::Filter;
    /// let _f: BloomFilter = Filter(BloomFilter::new(100, 0.01)?).into_inner();
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn into_inner(self) -> M {
        self.0
    }
}

impl<M> Sink for Filter<M>
where
    M: Membership + Send + 'static,
{
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        self.0.insert_hashes(hashes.iter().copied());
    }

    fn repeats_cost(&self) -> bool {
        true
    }

    fn hasher_identity(&self) -> Option<(u8, u64)> {
        let h = self.0.hasher();
        Some((h.hash_id(), h.seed()))
    }
}

/// A [`MorrisCounter`] as a [`Sink`]: counts every token, repeats included, with
/// [`MorrisCounter::add`] (one draw per rise of the exponent, not per token), on one
/// thread with its own seeded generator, so a run is reproducible.
///
/// # Example
///
/// ```
/// use lessram::MorrisCounter;
/// use lessram::counting::SplitMix64;
/// use lessram::text::{Counter, Morris, TokenOptions};
///
/// let mut counter = Counter::new(TokenOptions::words());
/// let events = counter.sink(Morris::new(MorrisCounter::new(2.0)?, SplitMix64::new(7)));
/// let mut report = counter.count_bytes(b"a a a a a a a a")?;
/// assert!(report.take(events).counter.estimate() > 0.0);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Morris<R = SplitMix64> {
    /// The counter.
    pub counter: MorrisCounter,
    /// The generator its increments draw from.
    pub rng: R,
}

impl<R> Morris<R> {
    /// A sink counting tokens into `counter`, drawing from `rng`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// use lessram::counting::SplitMix64;
    /// use lessram::text::Morris;
    /// let m = Morris::new(MorrisCounter::new(2.0)?, SplitMix64::new(1));
    /// assert_eq!(m.counter.exponent(), 0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn new(counter: MorrisCounter, rng: R) -> Self {
        Self { counter, rng }
    }
}

impl<R> Sink for Morris<R>
where
    R: Rng + Send + 'static,
{
    #[inline]
    fn insert_hashes(&mut self, _hashes: &[u128], tokens: u64) {
        self.counter.add(tokens, &mut self.rng);
    }

    fn reads_hashes(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BloomFilter, ItemHasher, ScalingBloomFilter};

    #[test]
    fn morris_add_draws_the_distribution_of_increments() {
        // 20,000 counters of 1,000 events each, by `add` and by `increment`. The estimate
        // is unbiased with variance n(n - 1)(a - 1)/2 (Flajolet 1985): at base 2, a standard
        // deviation of 707, so 5.0 for the mean of 20,000; 6 of those (30) bound the mean.
        // The exponents' histograms must agree within sampling noise: at most 0.03 in total
        // variation (for 20,000 draws per side, noise alone gives about 0.01; a wait off
        // by one event at every rise moves the histogram by far more).
        let (n, trials) = (1_000u64, 20_000);
        let mut rng = SplitMix64::new(42);
        let (mut by_add, mut by_one) = ([0u32; 64], [0u32; 64]);
        let mut sum = 0.0;
        for _ in 0..trials {
            let mut a = MorrisCounter::new(2.0).unwrap();
            a.add(n, &mut rng);
            sum += a.estimate();
            by_add[usize::from(a.exponent())] += 1;
            let mut b = MorrisCounter::new(2.0).unwrap();
            for _ in 0..n {
                b.increment(&mut rng);
            }
            by_one[usize::from(b.exponent())] += 1;
        }
        let mean = sum / f64::from(trials);
        assert!((mean - n as f64).abs() < 30.0, "mean {mean}");
        let tv: f64 = by_add
            .iter()
            .zip(&by_one)
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs())
            .sum::<f64>()
            / (2.0 * f64::from(trials));
        assert!(tv < 0.03, "total variation {tv}: {by_add:?} vs {by_one:?}");
        // Saturation: the counter stays at its top.
        let mut top = MorrisCounter::from_exponent(2.0, 255).unwrap();
        top.add(u64::MAX, &mut rng);
        assert_eq!(top.exponent(), 255);
        // Zero events change nothing; the first event always counts.
        let mut c = MorrisCounter::new(2.0).unwrap();
        c.add(0, &mut rng);
        assert_eq!(c.exponent(), 0);
        c.add(1, &mut rng);
        assert_eq!(c.exponent(), 1);
    }

    #[test]
    fn membership_insert_hashes_is_insert_hash_on_each() {
        for n in [0usize, 1, 7, 8, 9, 100, 5_000] {
            let hashes: Vec<u128> = (0..n as u64)
                .map(|i| crate::hash::Murmur3::new().hash_item128(&(i % 3_000)))
                .collect();
            let mut a = ScalingBloomFilter::new(100, 0.01).unwrap();
            let mut b = a.clone();
            let new = a.insert_hashes(hashes.iter().copied());
            let want: usize = hashes.iter().map(|&h| usize::from(b.insert_hash(h))).sum();
            assert_eq!((new, a.len()), (want, b.len()), "{n} hashes");
            assert_eq!(a.to_bytes(), b.to_bytes(), "{n} hashes");
            let mut c = BloomFilter::new(1_000, 0.01).unwrap();
            let mut d = c.clone();
            c.insert_hashes(hashes.iter().copied());
            hashes.iter().for_each(|&h| {
                d.insert_hash(h);
            });
            assert_eq!(c.to_bytes(), d.to_bytes(), "{n} hashes");
        }
    }
}
