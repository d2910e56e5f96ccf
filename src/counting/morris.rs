//! Morris approximate counters: one byte counts to astronomically large numbers.
//!
//! A Morris counter keeps an exponent `X` (one byte) instead of a count. Each event raises
//! `X` by one with probability `a^-X`, where `a > 1` is the counter's base, and the count is
//! estimated as `(a^X - 1) / (a - 1)`, which is unbiased: after `n` events its mean is
//! exactly `n` and its variance is `(a - 1) n (n - 1) / 2` (Flajolet, *Approximate counting:
//! a detailed analysis*, 1985), so the relative standard error tends to `sqrt((a - 1) / 2)`.
//!
//! The base trades range for accuracy. With the exponent in one byte (at most 255):
//!
//! | base `a` | largest estimate `(a^255 - 1)/(a - 1)` | relative std error `sqrt((a-1)/2)` |
//! |---:|---:|---:|
//! | 2 | 5.8e76 | 70.7% |
//! | 1.5 | 1.6e45 | 50.0% |
//! | 1.25 | 2.1e25 | 35.4% |
//! | 1.125 | 8.9e13 | 25.0% |
//! | 1.08 | 4.2e9 | 20.0% |
//! | 1.05 | 5.1e6 | 15.8% |
//! | 1.02 | 7.7e3 | 10.0% |
//!
//! ([`MorrisCounter::max_estimate`] and [`MorrisCounter::relative_std_error`] compute these
//! for any base; a unit test checks the table.) At the top exponent the counter is
//! *saturated*: [`MorrisCounter::try_increment`] reports [`Error::LimitReached`] and the
//! exponent never wraps.
//!
//! Randomness comes from a [`rand_core::Rng`] the caller passes in, so runs are
//! reproducible; [`SplitMix64`] is a small seedable generator for that, and
//! [`SeededMorrisCounter`] bundles a counter with its own. [`MorrisArray`] holds many
//! counters (one byte each) sharing one base and one generator: approximate frequencies of
//! a million keys in about a megabyte.

use std::convert::Infallible;
use std::fmt;

use rand_core::{Rng, SeedableRng, TryRng};

use crate::MemoryUsage;
use crate::codec::{Codec, Decoder, Encoder, Kind};
use crate::error::{Error, Result};

/// Largest exponent a one-byte counter holds.
const TOP: u8 = u8::MAX;
/// The valid bases, as text for error messages.
const BASE_RANGE: &str = "(1, 16] (finite)";

/// A uniform draw in `[0, 1)` from the top 53 bits of a `u64`.
#[inline]
fn unit(r: u64) -> f64 {
    (r >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn check_base(base: f64) -> Result<()> {
    if base.is_finite() && base > 1.0 && base <= 16.0 {
        Ok(())
    } else {
        Err(Error::parameter(
            "base",
            crate::error::float(base),
            BASE_RANGE,
        ))
    }
}

/// `(a^x - 1) / (a - 1)`.
#[inline]
fn morris_estimate(base: f64, x: u8) -> f64 {
    (base.powi(i32::from(x)) - 1.0) / (base - 1.0)
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast, seedable generator that passes
/// BigCrush, implementing [`rand_core::Rng`] through [`TryRng`].
///
/// Not cryptographic. Its state is one `u64`, which lessram saves with a [`MorrisArray`] so
/// that a reloaded array continues the same random sequence.
///
/// # Example
///
/// ```
/// use lessram::counting::SplitMix64;
/// use rand_core::{Rng, SeedableRng};
///
/// let mut a = SplitMix64::seed_from_u64(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state is `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The current state (feed it to [`SplitMix64::new`] to continue the sequence).
    #[must_use]
    pub const fn state(&self) -> u64 {
        self.state
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_word(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl TryRng for SplitMix64 {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_word() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_word())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

impl SeedableRng for SplitMix64 {
    type Seed = [u8; 8];

    fn from_seed(seed: [u8; 8]) -> Self {
        Self::new(u64::from_le_bytes(seed))
    }

    fn seed_from_u64(state: u64) -> Self {
        Self::new(state)
    }
}

/// A Morris approximate counter: a one-byte exponent and a base `a > 1`.
///
/// See the [module documentation](self) for the estimate, its error and its range.
///
/// # Example
///
/// ```
/// use lessram::MorrisCounter;
/// use lessram::counting::SplitMix64;
///
/// let mut rng = SplitMix64::new(42);
/// let mut c = MorrisCounter::new(1.08)?;
/// for _ in 0..100_000 {
///     c.increment(&mut rng);
/// }
/// // One byte of state; relative std error sqrt((1.08 - 1)/2) = 20%, so within 4 standard
/// // deviations (80%) but for a probability of at most 1/16 (Chebyshev).
/// assert!(c.exponent() < 255);
/// assert!((c.estimate() / 100_000.0 - 1.0).abs() < 0.8);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct MorrisCounter {
    base: f64,
    exponent: u8,
}

impl fmt::Debug for MorrisCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MorrisCounter")
            .field("base", &self.base)
            .field("exponent", &self.exponent)
            .field("estimate", &self.estimate())
            .finish()
    }
}

impl MorrisCounter {
    /// A counter at zero with base `base`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `1 < base <= 16` (above 16 the largest estimate
    /// would overflow an `f64`).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// assert!(MorrisCounter::new(1.125).is_ok());
    /// assert_eq!(
    ///     MorrisCounter::new(1.0).unwrap_err().to_string(),
    ///     "base 1 out of range (1, 16] (finite)"
    /// );
    /// ```
    pub fn new(base: f64) -> Result<Self> {
        check_base(base)?;
        Ok(Self { base, exponent: 0 })
    }

    /// A counter with base `base` whose exponent is already `exponent`.
    ///
    /// # Errors
    ///
    /// As [`MorrisCounter::new`].
    pub fn from_exponent(base: f64, exponent: u8) -> Result<Self> {
        check_base(base)?;
        Ok(Self { base, exponent })
    }

    /// The base `a`.
    #[must_use]
    pub fn base(&self) -> f64 {
        self.base
    }

    /// The exponent `X`, the whole state.
    #[must_use]
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Whether the exponent is at its top (255): further events are not counted.
    #[must_use]
    pub fn is_saturated(&self) -> bool {
        self.exponent == TOP
    }

    /// Counts one event: raises the exponent with probability `a^-X`.
    ///
    /// Returns whether the exponent went up.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] when the counter is saturated (exponent 255); the state does
    /// not change and never wraps.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Error, MorrisCounter};
    /// use lessram::counting::SplitMix64;
    ///
    /// let mut rng = SplitMix64::new(1);
    /// let mut c = MorrisCounter::new(2.0)?;
    /// assert!(c.try_increment(&mut rng)?); // the first event always counts
    /// let mut full = MorrisCounter::from_exponent(2.0, 255)?;
    /// assert!(matches!(full.try_increment(&mut rng), Err(Error::LimitReached { .. })));
    /// assert_eq!(full.exponent(), 255);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    pub fn try_increment<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<bool> {
        if self.is_saturated() {
            return Err(Error::LimitReached {
                structure: "MorrisCounter",
                limit: format!(
                    "top exponent {TOP} (estimate {:.3e} at base {})",
                    self.estimate(),
                    self.base
                ),
            });
        }
        Ok(self.step(rng))
    }

    /// Counts one event, staying put once saturated; returns whether the exponent went up.
    ///
    /// Use [`MorrisCounter::try_increment`] to be told about saturation.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// use lessram::counting::SplitMix64;
    ///
    /// let mut rng = SplitMix64::new(3);
    /// let mut c = MorrisCounter::new(1.5)?;
    /// c.increment(&mut rng);
    /// assert_eq!(c.exponent(), 1);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    pub fn increment<R: Rng + ?Sized>(&mut self, rng: &mut R) -> bool {
        !self.is_saturated() && self.step(rng)
    }

    /// Counts `events` events at once, as `events` calls of [`MorrisCounter::increment`]
    /// would, in distribution, without replaying them one by one: the events until the
    /// exponent next rises are geometric with `p = a^-X`, and memoryless, so skipping whole
    /// runs gives exactly the distribution of `events` increments. It draws once per rise of
    /// the exponent (at most 255 times), so a count of a billion events costs no more than
    /// a count of a few. It stays put once saturated, as `increment` does.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// use lessram::counting::SplitMix64;
    ///
    /// let mut rng = SplitMix64::new(5);
    /// let mut c = MorrisCounter::new(2.0)?;
    /// c.add(1_000_000, &mut rng);
    /// assert!((c.estimate() / 1e6).log2().abs() < 4.0);
    /// c.add(0, &mut rng);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn add<R: Rng + ?Sized>(&mut self, events: u64, rng: &mut R) {
        let mut x = self.exponent;
        // Counted as f64: beyond 2^53 events, a wait's rounding is far below the counter's
        // own error.
        let mut remaining = events as f64;
        while x < TOP && remaining >= 1.0 {
            let p = self.base.powi(-i32::from(x));
            let wait = if p >= 1.0 {
                1.0
            } else {
                // 1 - U is in (0, 1]: its logarithm is finite; ln_1p keeps ln(1 - p) exact
                // for tiny p (a plain ln rounds it to 0 once p < 2^-53 and the counter
                // stalls).
                ((1.0 - unit(rng.next_u64())).ln() / (-p).ln_1p()).floor() + 1.0
            };
            if wait > remaining {
                break;
            }
            remaining -= wait;
            x += 1;
        }
        self.exponent = x;
    }

    /// Merges another counter of the same base into this one: counts the other's estimated
    /// events on top of its own, the fraction of an event rounded up or down at random so
    /// that the mean is kept (one draw for the rounding, then as [`MorrisCounter::add`]).
    ///
    /// A Morris counter holds no more than its estimate, so the merge is in distribution
    /// only: the merged counter's mean is the sum of both estimates, its variance that of
    /// one counter of all the events plus the other's.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when the bases differ; the counter does not change.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// use lessram::counting::SplitMix64;
    ///
    /// let mut rng = SplitMix64::new(11);
    /// let mut a = MorrisCounter::new(2.0)?;
    /// a.merge(&MorrisCounter::from_exponent(2.0, 10)?, &mut rng)?; // 1,023 events
    /// assert!(a.exponent() >= 5);
    /// assert!(a.merge(&MorrisCounter::new(1.5)?, &mut rng).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn merge<R: Rng + ?Sized>(&mut self, other: &MorrisCounter, rng: &mut R) -> Result<()> {
        if self.base != other.base {
            let e = Error::incompatible("MorrisCounter", "base", self.base, other.base);
            return Err(e);
        }
        let events = other.estimate();
        let whole = events.floor();
        let up = unit(rng.next_u64()) < events - whole;
        self.add(whole as u64 + u64::from(up), rng);
        Ok(())
    }

    #[inline]
    fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> bool {
        let x = self.exponent;
        if x == 0 || unit(rng.next_u64()) < self.base.powi(-i32::from(x)) {
            self.exponent = x + 1;
            true
        } else {
            false
        }
    }

    /// The unbiased estimate `(a^X - 1) / (a - 1)` of the number of events counted.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// let c = MorrisCounter::from_exponent(2.0, 10)?;
    /// assert_eq!(c.estimate(), 1023.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate(&self) -> f64 {
        morris_estimate(self.base, self.exponent)
    }

    /// The largest estimate this base reaches, `(a^255 - 1) / (a - 1)`.
    #[must_use]
    pub fn max_estimate(&self) -> f64 {
        morris_estimate(self.base, TOP)
    }

    /// The asymptotic relative standard error `sqrt((a - 1) / 2)`.
    ///
    /// The exact value after `n` events is `sqrt((a - 1)(n - 1) / (2 n))`.
    #[must_use]
    pub fn relative_std_error(&self) -> f64 {
        ((self.base - 1.0) / 2.0).sqrt()
    }

    /// Encodes the counter (see `docs/format.md`).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        Codec::to_bytes(self)
    }

    /// Decodes a counter written by [`MorrisCounter::to_bytes`].
    ///
    /// # Errors
    ///
    /// Any corruption, truncation, wrong kind or invalid base.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisCounter;
    /// let c = MorrisCounter::from_exponent(1.125, 77)?;
    /// assert_eq!(MorrisCounter::from_bytes(&c.to_bytes())?, c);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Codec::from_bytes(bytes)
    }
}

impl MemoryUsage for MorrisCounter {
    /// Always 0: the counter lives inline.
    fn memory_usage(&self) -> usize {
        0
    }
}

impl Codec for MorrisCounter {
    const KIND: Kind = Kind::MorrisCounter;

    fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::unhashed(Self::KIND);
        enc.params().f64(self.base);
        enc.payload().u8(self.exponent);
        enc.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut dec = Decoder::new(bytes, Self::KIND)?;
        dec.check_unhashed()?;
        let base = dec.params().f64()?;
        let exponent = dec.payload().u8()?;
        dec.finish()?;
        Self::from_exponent(base, exponent).map_err(|_| {
            Error::corrupt("MorrisCounter", format!("base {base} out of {BASE_RANGE}"))
        })
    }
}

/// A [`MorrisCounter`] that owns a seeded [`SplitMix64`], for callers that do not want to
/// carry a generator around.
///
/// # Example
///
/// ```
/// use lessram::counting::SeededMorrisCounter;
///
/// let mut a = SeededMorrisCounter::new(1.125, 9)?;
/// let mut b = SeededMorrisCounter::new(1.125, 9)?;
/// for _ in 0..10_000 {
///     a.increment();
///     b.increment();
/// }
/// assert_eq!(a.estimate(), b.estimate()); // same seed, same run
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SeededMorrisCounter {
    counter: MorrisCounter,
    rng: SplitMix64,
}

impl SeededMorrisCounter {
    /// A counter at zero with base `base` and a generator seeded with `seed`.
    ///
    /// # Errors
    ///
    /// As [`MorrisCounter::new`].
    pub fn new(base: f64, seed: u64) -> Result<Self> {
        Ok(Self {
            counter: MorrisCounter::new(base)?,
            rng: SplitMix64::new(seed),
        })
    }

    /// Counts one event (see [`MorrisCounter::increment`]).
    #[inline]
    pub fn increment(&mut self) -> bool {
        self.counter.increment(&mut self.rng)
    }

    /// Counts one event (see [`MorrisCounter::try_increment`]).
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] when saturated.
    #[inline]
    pub fn try_increment(&mut self) -> Result<bool> {
        self.counter.try_increment(&mut self.rng)
    }

    /// The unbiased estimate of the events counted.
    #[must_use]
    pub fn estimate(&self) -> f64 {
        self.counter.estimate()
    }

    /// The counter inside.
    #[must_use]
    pub fn counter(&self) -> &MorrisCounter {
        &self.counter
    }
}

/// Many Morris counters, one byte each, sharing one base and one generator.
///
/// `len` counters take `len` bytes of heap plus a 2 KiB table of the 256 increment
/// probabilities. Counters are addressed by index; to count keys, map each key to an index
/// yourself (e.g. an id, or a hash modulo `len` if collisions are acceptable).
///
/// # Example
///
/// ```
/// use lessram::{MemoryUsage, MorrisArray};
///
/// let mut a = MorrisArray::new(1_000_000, 1.08, 7)?;
/// for _ in 0..5_000 {
///     a.increment(12)?;
/// }
/// a.increment(999_999)?;
/// assert_eq!(a.estimate(999_999)?, 1.0);
/// let e = a.estimate(12)?;
/// assert!(e > 2_000.0 && e < 10_000.0);
/// assert!(a.memory_usage() < 1_003_000); // about one byte per counter
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct MorrisArray {
    base: f64,
    counters: Vec<u8>,
    /// `probability[x] = a^-x`: the chance an event raises a counter at exponent `x`.
    probability: Box<[f64; 256]>,
    rng: SplitMix64,
}

impl fmt::Debug for MorrisArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MorrisArray")
            .field("base", &self.base)
            .field("len", &self.counters.len())
            .field("rng", &self.rng)
            .finish_non_exhaustive()
    }
}

impl PartialEq for MorrisArray {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.counters == other.counters && self.rng == other.rng
    }
}

/// Largest number of counters in one array (2^32; beyond that use several arrays). A
/// `u64`, so the check reads the same where `usize` is 32 bits.
const MAX_LEN: u64 = 1 << 32;

/// Whether `len` counters are allowed: `1..=MAX_LEN` (`usize` widens losslessly to `u64`).
fn len_in_range(len: usize) -> bool {
    len != 0 && len as u64 <= MAX_LEN
}

/// `len` zeroed counters, or [`Error::LimitReached`] if they cannot be allocated.
fn zeroed(len: usize) -> Result<Vec<u8>> {
    let mut counters = Vec::new();
    counters
        .try_reserve_exact(len)
        .map_err(|_| Error::LimitReached {
            structure: "MorrisArray",
            limit: format!("memory: {len} one-byte counters could not be allocated"),
        })?;
    counters.resize(len, 0);
    Ok(counters)
}

impl MorrisArray {
    /// `len` counters at zero with base `base`, sharing a [`SplitMix64`] seeded with `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a base outside `(1, 16]` or `len` outside
    /// `1..=2^32`; [`Error::LimitReached`] if the `len` bytes cannot be allocated.
    pub fn new(len: usize, base: f64, seed: u64) -> Result<Self> {
        check_base(base)?;
        if !len_in_range(len) {
            return Err(Error::parameter("len", len, "1..=4294967296"));
        }
        Ok(Self::from_parts(base, zeroed(len)?, SplitMix64::new(seed)))
    }

    fn from_parts(base: f64, counters: Vec<u8>, rng: SplitMix64) -> Self {
        let mut probability = Box::new([0.0; 256]);
        for (x, p) in probability.iter_mut().enumerate() {
            *p = base.powi(-(x as i32));
        }
        Self {
            base,
            counters,
            probability,
            rng,
        }
    }

    /// The number of counters.
    #[must_use]
    pub fn len(&self) -> usize {
        self.counters.len()
    }

    /// Always `false`: an array has at least one counter.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.counters.is_empty()
    }

    /// The shared base.
    #[must_use]
    pub fn base(&self) -> f64 {
        self.base
    }

    fn index_error(&self, index: usize) -> Error {
        Error::parameter("index", index, format!("0..{}", self.counters.len()))
    }

    /// Counts one event for counter `index`; returns whether its exponent went up.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for an index past the end; [`Error::LimitReached`] when
    /// that counter is saturated (it stays at 255).
    pub fn increment(&mut self, index: usize) -> Result<bool> {
        let Some(&x) = self.counters.get(index) else {
            return Err(self.index_error(index));
        };
        if x == TOP {
            return Err(Error::LimitReached {
                structure: "MorrisArray",
                limit: format!("top exponent {TOP} at counter {index}"),
            });
        }
        if x == 0 || unit(self.rng.next_word()) < self.probability[usize::from(x)] {
            self.counters[index] = x + 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// The unbiased estimate of the events counted by counter `index`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for an index past the end.
    pub fn estimate(&self, index: usize) -> Result<f64> {
        match self.counters.get(index) {
            Some(&x) => Ok(morris_estimate(self.base, x)),
            None => Err(self.index_error(index)),
        }
    }

    /// The exponents, one byte per counter.
    #[must_use]
    pub fn exponents(&self) -> &[u8] {
        &self.counters
    }

    /// Encodes the array, its base and its generator's state (see `docs/format.md`).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        Codec::to_bytes(self)
    }

    /// Decodes an array written by [`MorrisArray::to_bytes`]; it continues the same random
    /// sequence.
    ///
    /// # Errors
    ///
    /// Any corruption, truncation, wrong kind, invalid base or length.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::MorrisArray;
    /// let mut a = MorrisArray::new(10, 2.0, 1)?;
    /// a.increment(3)?;
    /// let b = MorrisArray::from_bytes(&a.to_bytes())?;
    /// assert_eq!(a, b);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Codec::from_bytes(bytes)
    }
}

impl MemoryUsage for MorrisArray {
    /// One byte per counter (capacity) plus the 2 KiB probability table.
    fn memory_usage(&self) -> usize {
        self.counters.capacity() + std::mem::size_of::<[f64; 256]>()
    }
}

impl Codec for MorrisArray {
    const KIND: Kind = Kind::MorrisArray;

    fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::unhashed(Self::KIND);
        enc.params().f64(self.base).u64(self.rng.state());
        enc.payload()
            .reserve(8 + self.counters.len())
            .len_bytes(&self.counters);
        enc.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut dec = Decoder::new(bytes, Self::KIND)?;
        dec.check_unhashed()?;
        let base = dec.params().f64()?;
        let state = dec.params().u64()?;
        let counters = dec.payload().len_bytes()?;
        dec.finish()?;
        check_base(base).map_err(|_| {
            Error::corrupt("MorrisArray", format!("base {base} out of {BASE_RANGE}"))
        })?;
        if !len_in_range(counters.len()) {
            return Err(Error::corrupt(
                "MorrisArray",
                format!("{} counters, expected 1..=4294967296", counters.len()),
            ));
        }
        Ok(Self::from_parts(
            base,
            counters.to_vec(),
            SplitMix64::new(state),
        ))
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(MorrisCounter, MorrisArray);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_ranges_and_errors_hold() {
        for (base, max, rse) in [
            (2.0, 5.8e76, 0.707),
            (1.5, 1.6e45, 0.5),
            (1.25, 2.1e25, 0.354),
            (1.125, 8.9e13, 0.25),
            (1.08, 4.2e9, 0.2),
            (1.05, 5.1e6, 0.158),
            (1.02, 7.7e3, 0.1),
        ] {
            let c = MorrisCounter::new(base).unwrap();
            let got = c.max_estimate();
            assert!((got / max - 1.0).abs() < 0.02, "base {base}: {got:e}");
            assert!((c.relative_std_error() - rse).abs() < 0.001, "base {base}");
        }
    }

    #[test]
    fn merge_keeps_the_mean_and_refuses_other_bases() {
        // Base 1.5, exponent 3: an estimate of 4.75 events, merged into an empty counter
        // as 4 or 5 events; the merged estimate's mean is 4.75 only if the fraction is
        // rounded up three times in four (always down gives 4, always up 5). Five events
        // at base 1.5 give a standard deviation under 2.5, so under 0.02 for the mean of
        // 20,000: 0.1 bounds it.
        let (trials, mut sum) = (20_000, 0.0);
        let mut rng = SplitMix64::new(8);
        let other = MorrisCounter::from_exponent(1.5, 3).unwrap();
        assert_eq!(other.estimate(), 4.75);
        for _ in 0..trials {
            let mut a = MorrisCounter::new(1.5).unwrap();
            a.merge(&other, &mut rng).unwrap();
            sum += a.estimate();
        }
        let mean = sum / f64::from(trials);
        assert!((mean - 4.75).abs() < 0.1, "mean {mean}");
        // On top of a counter's own events: 1,023 + 255 in the mean (a standard deviation
        // near 520 at exponent 10, so 5.2 for the mean of 10,000: 30 bounds it).
        let (trials, mut sum) = (10_000, 0.0);
        for _ in 0..trials {
            let mut a = MorrisCounter::from_exponent(2.0, 10).unwrap();
            a.merge(&MorrisCounter::from_exponent(2.0, 8).unwrap(), &mut rng)
                .unwrap();
            sum += a.estimate();
        }
        let mean = sum / f64::from(trials);
        assert!((mean - 1_278.0).abs() < 30.0, "mean {mean}");
        // Different bases: refused, nothing changed.
        let mut a = MorrisCounter::from_exponent(2.0, 4).unwrap();
        let err = a.merge(&MorrisCounter::new(1.5).unwrap(), &mut rng);
        assert!(matches!(err, Err(Error::Incompatible { .. })), "{err:?}");
        assert_eq!(a.exponent(), 4);
    }

    #[test]
    fn bad_bases_are_refused() {
        for b in [1.0, 0.5, -2.0, 16.5, f64::NAN, f64::INFINITY] {
            assert!(MorrisCounter::new(b).is_err(), "{b}");
            assert!(MorrisArray::new(4, b, 0).is_err(), "{b}");
        }
        assert!(MorrisArray::new(0, 2.0, 0).is_err());
        assert!(
            MorrisCounter::from_exponent(16.0, 255)
                .unwrap()
                .max_estimate()
                .is_finite()
        );
    }

    #[test]
    fn saturation_is_reported_and_never_wraps() {
        let mut rng = SplitMix64::new(5);
        let mut c = MorrisCounter::from_exponent(2.0, 254).unwrap();
        // At 254 the chance to move is 2^-254: it stays.
        assert!(!c.try_increment(&mut rng).unwrap());
        let mut c = MorrisCounter::from_exponent(1.001, 255).unwrap();
        for _ in 0..100 {
            assert!(c.try_increment(&mut rng).is_err());
            assert!(!c.increment(&mut rng));
        }
        assert_eq!(c.exponent(), 255);
        // A small base saturates quickly and stays saturated.
        let mut c = MorrisCounter::new(1.000_01).unwrap();
        for _ in 0..1000 {
            c.increment(&mut rng);
        }
        assert!(c.is_saturated());
        let mut a = MorrisArray::new(2, 1.000_01, 1).unwrap();
        let mut errors = 0;
        for _ in 0..1000 {
            errors += usize::from(a.increment(1).is_err());
        }
        assert_eq!(a.exponents(), &[0, 255]);
        assert_eq!(errors, 1000 - 255);
        assert!(a.increment(2).is_err() && a.estimate(2).is_err());
    }

    #[test]
    fn counters_round_trip_and_reject_corruption() {
        let c = MorrisCounter::from_exponent(1.3, 200).unwrap();
        let bytes = c.to_bytes();
        assert_eq!(MorrisCounter::from_bytes(&bytes).unwrap(), c);
        for cut in 0..bytes.len() {
            assert!(MorrisCounter::from_bytes(&bytes[..cut]).is_err());
        }
        let mut a = MorrisArray::new(100, 1.1, 77).unwrap();
        for i in 0..1000 {
            a.increment(i % 100).unwrap();
        }
        let bytes = a.to_bytes();
        let mut b = MorrisArray::from_bytes(&bytes).unwrap();
        assert_eq!(a, b);
        // The reloaded array continues the same sequence.
        for i in 0..1000 {
            a.increment(i % 7).unwrap();
            b.increment(i % 7).unwrap();
        }
        assert_eq!(a, b);
        for i in 0..bytes.len() * 8 {
            let mut f = bytes.clone();
            f[i / 8] ^= 1 << (i % 8);
            assert!(MorrisArray::from_bytes(&f).is_err(), "bit {i}");
        }
        // A frame with a valid checksum but an invalid base is refused.
        let mut enc = Encoder::new(Kind::MorrisCounter, 0, 0);
        enc.params().f64(0.5);
        enc.payload().u8(3);
        assert!(matches!(
            MorrisCounter::from_bytes(&enc.finish()),
            Err(Error::Corrupt { .. })
        ));
    }

    #[test]
    fn memory_usage_is_one_byte_per_counter_plus_the_table() {
        let a = MorrisArray::new(1_000_000, 2.0, 0).unwrap();
        assert_eq!(a.memory_usage(), 1_000_000 + 2048);
        assert_eq!(MorrisCounter::new(2.0).unwrap().memory_usage(), 0);
    }

    #[test]
    fn lengths_are_checked_and_allocation_failure_is_an_error() {
        // Past 2^32 only where `usize` has room for it (not on 32-bit targets).
        let over = usize::try_from(MAX_LEN + 1).ok();
        for len in [Some(0), over].into_iter().flatten() {
            assert!(
                matches!(
                    MorrisArray::new(len, 2.0, 0),
                    Err(Error::InvalidParameter { name: "len", .. })
                ),
                "len {len}"
            );
        }
        assert!(len_in_range(1));
        assert!(usize::try_from(MAX_LEN).map_or(true, len_in_range));
        // An allocation that cannot succeed is an error, not an abort.
        assert!(matches!(
            zeroed(usize::MAX),
            Err(Error::LimitReached {
                structure: "MorrisArray",
                ..
            })
        ));
        assert_eq!(zeroed(3).unwrap(), [0, 0, 0]);
    }
}
