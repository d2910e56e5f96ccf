//! Membership filters: "have I seen this item?" with no false negatives and a promised rate
//! of false positives.
//!
//! # Overview
//!
//! * [`BloomFilter`]: a fixed-size Bloom filter, built for an expected number of items and
//!   a target false-positive rate, or from a size in bits and a number of probes.
//! * [`ScalingBloomFilter`]: a chain of Bloom filters that grows as items arrive (Almeida,
//!   Baquero, Preguiça & Hutchison, "Scalable Bloom Filters", 2007) and keeps the promised
//!   rate at every size, because its first sub-filter is built for `P (1 - r)` rather than
//!   `P`.
//!
//! Both hash an item once, to 128 bits, and derive every probe from the two 64-bit halves
//! (Kirsch & Mitzenmacher, "Less hashing, same performance", 2006). All index arithmetic is
//! 64-bit, with a multiply-shift range reduction instead of `%`.
//!
//! # Layouts
//!
//! [`BloomLayout::Blocked`] (the default) keeps all probes of a key inside one 64-byte
//! cache line: one memory access per query instead of `k`, for about 3% more bits at 1%.
//! [`BloomLayout::Classic`] spreads the probes over the whole array and is the smallest for
//! a given rate. Bits per item each layout needs (from the formulas in the
//! `sizing` module, checked by the tests):
//!
//! | target rate | classic | blocked (512-bit blocks) | blocked / classic |
//! |---|---|---|---|
//! | 10% | 4.79 (k = 3) | 4.87 (k = 3) | +1.7% |
//! | 1% | 9.60 (k = 7) | 9.90 (k = 7) | +3.1% |
//! | 0.1% | 14.38 (k = 10) | 15.35 (k = 10) | +6.7% |
//!
//! `docs/performance.md` has the measured rates and speeds.
//!
//! # Usage
//!
//! ```
//! use lessram::{BloomFilter, Membership, ScalingBloomFilter};
//!
//! let mut seen = BloomFilter::new(1_000, 0.01)?;
//! assert!(seen.insert("apple"));
//! assert!(!seen.insert("apple"));
//! assert!(seen.contains("apple") && !seen.contains("pear"));
//!
//! // Growing from 10 items to 10,000, still at most 1% false positives:
//! let mut words = ScalingBloomFilter::new(10, 0.01)?;
//! for i in 0..10_000u32 {
//!     words.insert(&i);
//! }
//! assert!(words.len() <= 10_000 && words.len() > 9_900);
//! # Ok::<(), lessram::Error>(())
//! ```

use std::fmt;

mod bits;
mod bloom;
mod scaling;
mod sizing;

pub use bloom::{BloomBuilder, BloomFilter};
pub use scaling::{ScalingBloomBuilder, ScalingBloomFilter};

/// Where a Bloom filter puts a key's probes.
///
/// # Example
///
/// ```
/// use lessram::{BloomFilter, BloomLayout};
///
/// let f = BloomFilter::builder().layout(BloomLayout::Classic).for_items(1_000, 0.01)?;
/// assert_eq!(f.layout(), BloomLayout::Classic);
/// assert_eq!(BloomFilter::new(1_000, 0.01)?.layout(), BloomLayout::default());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BloomLayout {
    /// `k` probes anywhere in the array (Bloom 1970): the fewest bits for a rate, one cache
    /// miss per probe on large filters.
    Classic,
    /// All `k` probes inside one 512-bit, cache-line-aligned block chosen by the hash
    /// (Putze, Sanders & Singler 2007): one cache miss per key, a few percent more bits.
    #[default]
    Blocked,
}

impl BloomLayout {
    pub(crate) fn to_byte(self) -> u8 {
        match self {
            BloomLayout::Classic => 1,
            BloomLayout::Blocked => 2,
        }
    }

    pub(crate) fn from_byte(b: u8, structure: &'static str) -> crate::Result<Self> {
        match b {
            1 => Ok(BloomLayout::Classic),
            2 => Ok(BloomLayout::Blocked),
            _ => Err(crate::Error::corrupt(
                structure,
                format!("layout byte {b}, expected 1 (classic) or 2 (blocked)"),
            )),
        }
    }

    /// Bits of the smallest filter of this layout with exactly `hashes` probes and
    /// `FP <= fp_rate` at `expected_items`.
    pub(crate) fn bits_for(
        self,
        expected_items: u64,
        fp_rate: f64,
        hashes: u32,
    ) -> crate::Result<u64> {
        match self {
            BloomLayout::Classic => sizing::classic_with_hashes(expected_items, fp_rate, hashes),
            BloomLayout::Blocked => sizing::blocked_with_hashes(expected_items, fp_rate, hashes),
        }
    }

    /// `(bits, hashes)` of the smallest filter of this layout with `FP <= fp_rate` at
    /// `expected_items`.
    pub(crate) fn size_for(self, expected_items: u64, fp_rate: f64) -> crate::Result<(u64, u32)> {
        match self {
            BloomLayout::Classic => sizing::classic(expected_items, fp_rate),
            BloomLayout::Blocked => sizing::blocked(expected_items, fp_rate),
        }
    }
}

impl fmt::Display for BloomLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BloomLayout::Classic => "classic",
            BloomLayout::Blocked => "blocked",
        })
    }
}
