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
//! a given rate. Bits per item each layout needs at 10 M items (classic:
//! `m/n = -k / ln(1 - p^(1/k))` at the best `k`; blocked: the smallest `B` 512-bit blocks with
//! `Σ_j Pois(j; n/B) (1 - (1 - 1/512)^(kj))^k <= p`; printed by
//! `cargo test --lib sizing_table -- --nocapture`, which also checks these figures):
//!
//! | target rate | classic | blocked (512-bit blocks) | blocked / classic |
//! |---|---|---|---|
//! | 10% | 4.81 (k = 3) | 4.83 (k = 3) | +0.5% |
//! | 1% | 9.59 (k = 7) | 9.90 (k = 6) | +3.2% |
//! | 0.1% | 14.38 (k = 10) | 15.49 (k = 9) | +7.7% |
//!
//! `docs/performance.md` has the measured rates and speeds.
//!
//! # Many queries at once
//!
//! A filter larger than the processor's caches costs a cache miss per query, and a loop of
//! `contains` calls waits for each miss in turn. [`Membership::contains_each`](crate::Membership::contains_each) takes the
//! items as an iterator, hashes [`LOOKAHEAD`] of them ahead of the one it answers and
//! prefetches their cache lines, so several misses are in flight at once; it yields the same
//! answers, in order. [`Membership::insert_each`](crate::Membership::insert_each) does the same for inserts.
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
mod each;
mod scaling;
mod sizing;

pub use bloom::{BloomBuilder, BloomFilter};
pub use each::{ContainsEach, LOOKAHEAD};
pub(crate) use each::{insert_each, insert_hashes};
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
