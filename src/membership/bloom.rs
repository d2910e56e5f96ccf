//! The fixed-size Bloom filter.

use std::fmt;

use crate::codec::{Codec, Decoder, Encoder, Kind};
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::hash::{ItemHasher, Murmur3, check_same_hasher};
use crate::{Membership, MemoryUsage};

use super::BloomLayout;
use super::bits::{RawBloom, split};

/// A Bloom filter: a fixed array of bits answering "maybe seen" or "certainly not seen".
///
/// Built for an expected number of items and a target false-positive rate
/// ([`BloomFilter::new`]), it is sized by the exact formula of its [layout](BloomLayout)
/// so that the rate holds at that many items (it rises past them: see
/// [`BloomFilter::expected_fp_rate`]). Each item is hashed once to 128 bits; all `k`
/// probes come from the two halves.
///
/// # Example
///
/// ```
/// use lessram::{BloomFilter, Membership};
///
/// let mut f = BloomFilter::new(10_000, 0.01)?;
/// for word in ["the", "cat", "sat"] {
///     assert!(f.insert(word)); // new
/// }
/// assert!(!f.insert("cat")); // already there
/// assert!(f.contains("sat"));
/// assert!(!f.contains("dog"));
/// assert!((f.estimated_len() - 3.0).abs() < 0.1);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct BloomFilter<S = Murmur3> {
    raw: RawBloom,
    hasher: S,
}

/// Builds a [`BloomFilter`] with a chosen layout and hasher.
///
/// # Example
///
/// ```
/// use lessram::hash::Murmur3;
/// use lessram::{BloomFilter, BloomLayout};
///
/// let f = BloomFilter::builder()
///     .layout(BloomLayout::Classic)
///     .hasher(Murmur3::with_seed(7))
///     .with_bits(1 << 20, 5)?;
/// assert_eq!((f.bits(), f.hashes()), (1 << 20, 5));
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct BloomBuilder<S = Murmur3> {
    layout: BloomLayout,
    hasher: S,
}

impl<S: ItemHasher> BloomBuilder<S> {
    /// Sets the layout ([`BloomLayout::Blocked`] by default).
    pub fn layout(mut self, layout: BloomLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets the hasher ([`Murmur3`] with seed 0 by default).
    pub fn hasher<H: ItemHasher>(self, hasher: H) -> BloomBuilder<H> {
        BloomBuilder {
            layout: self.layout,
            hasher,
        }
    }

    /// The smallest filter whose false-positive rate is at most `fp_rate` after
    /// `expected_items` distinct insertions.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `expected_items` is 0, `fp_rate` is not inside
    /// (0, 1), or the filter would need more than 2^48 bits.
    pub fn for_items(self, expected_items: usize, fp_rate: f64) -> Result<BloomFilter<S>> {
        let (bits, hashes) = self.layout.size_for(expected_items as u64, fp_rate)?;
        self.with_bits(bits, hashes)
    }

    /// A filter of `bits` bits with `hashes` probes per item (for the blocked layout,
    /// `bits` is rounded up to a multiple of 512).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `bits` is not in `1..=2^48` or `hashes` not in
    /// `1..=64`; [`Error::LimitReached`] if the allocation fails.
    pub fn with_bits(self, bits: u64, hashes: u32) -> Result<BloomFilter<S>> {
        Ok(BloomFilter {
            raw: RawBloom::new(self.layout, bits, hashes)?,
            hasher: self.hasher,
        })
    }
}

impl BloomFilter<Murmur3> {
    /// The smallest filter (default layout, [`Murmur3`] seed 0) whose false-positive rate
    /// is at most `fp_rate` after `expected_items` distinct insertions.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `expected_items` is 0, `fp_rate` is not inside
    /// (0, 1), or the filter would need more than 2^48 bits.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::BloomFilter;
    ///
    /// let f = BloomFilter::new(1_000_000, 0.01)?;
    /// assert_eq!(f.hashes(), 6); // the best k for 512-bit blocks at 1%
    /// assert!(f.bits() < 10_000_000); // 9.90 bits per item
    /// assert!(BloomFilter::new(0, 0.01).is_err());
    /// assert!(BloomFilter::new(10, 1.0).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn new(expected_items: usize, fp_rate: f64) -> Result<Self> {
        Self::builder().for_items(expected_items, fp_rate)
    }

    /// A filter of `bits` bits (rounded up to a multiple of 512 for the default, blocked
    /// layout) with `hashes` probes per item.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `bits` is not in `1..=2^48` or `hashes` not in
    /// `1..=64`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::BloomFilter;
    ///
    /// let f = BloomFilter::with_bits(1000, 4)?;
    /// assert_eq!(f.bits(), 1024);
    /// assert!(BloomFilter::with_bits(1000, 0).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn with_bits(bits: u64, hashes: u32) -> Result<Self> {
        Self::builder().with_bits(bits, hashes)
    }

    /// A builder, to choose the layout or the hasher.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, BloomLayout};
    ///
    /// let f = BloomFilter::builder().layout(BloomLayout::Classic).for_items(100, 0.001)?;
    /// assert_eq!(f.hashes(), 10);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn builder() -> BloomBuilder<Murmur3> {
        BloomBuilder::default()
    }

    /// Decodes a filter saved by [`BloomFilter::to_bytes`] with the default hasher.
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the frame (truncated, checksum, wrong kind, wrong hasher), or
    /// [`Error::Corrupt`] when the shape or bits are inconsistent.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let mut f = BloomFilter::new(100, 0.01)?;
    /// f.insert("x");
    /// let g = BloomFilter::from_bytes(&f.to_bytes())?;
    /// assert_eq!(f, g);
    /// assert!(BloomFilter::from_bytes(&f.to_bytes()[1..]).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::BloomFilter)?;
        let hasher = dec.hasher()?;
        Self::decode(dec, hasher)
    }
}

impl<S: ItemHasher> BloomFilter<S> {
    /// Like [`BloomFilter::new`], with another hasher.
    ///
    /// # Errors
    ///
    /// As [`BloomFilter::new`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let mut f = BloomFilter::with_hasher(100, 0.01, Murmur3::with_seed(42))?;
    /// f.insert(&7u64);
    /// assert!(f.contains(&7u64));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn with_hasher(expected_items: usize, fp_rate: f64, hasher: S) -> Result<Self> {
        BloomBuilder {
            layout: BloomLayout::default(),
            hasher,
        }
        .for_items(expected_items, fp_rate)
    }

    /// The layout.
    #[must_use]
    pub fn layout(&self) -> BloomLayout {
        self.raw.layout()
    }

    /// Size of the bit array.
    #[must_use]
    pub fn bits(&self) -> u64 {
        self.raw.bits()
    }

    /// Probes per item (`k`).
    #[must_use]
    pub fn hashes(&self) -> u32 {
        self.raw.hashes()
    }

    /// The hasher.
    #[must_use]
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Number of bits set.
    #[must_use]
    pub fn count_ones(&self) -> u64 {
        self.raw.count_ones()
    }

    /// Whether nothing was inserted (no bit is set).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Estimated number of distinct items inserted, from the number of set bits
    /// (Swamidass & Baldi 2007, extended to the blocked layout): `ln(zero fraction) / ln q`,
    /// where `q` is the probability that one item leaves a given bit zero. Infinite when
    /// every bit is set. Costs one pass over the bits.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let mut f = BloomFilter::new(10_000, 0.01)?;
    /// (0..5_000u32).for_each(|i| { f.insert(&i); });
    /// assert!((f.estimated_len() - 5_000.0).abs() < 100.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimated_len(&self) -> f64 {
        self.raw.estimated_len()
    }

    /// The false-positive rate of a query for an absent item now, from the current fill:
    /// `(set bits / bits)^k`, averaged over blocks for the blocked layout. Costs one pass
    /// over the bits.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let mut f = BloomFilter::new(10_000, 0.01)?;
    /// assert_eq!(f.expected_fp_rate(), 0.0);
    /// (0..10_000u32).for_each(|i| { f.insert(&i); });
    /// assert!((0.008..0.0105).contains(&f.expected_fp_rate()));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn expected_fp_rate(&self) -> f64 {
        self.raw.expected_fp_rate()
    }

    /// Clears the filter, keeping its size and allocation.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let mut f = BloomFilter::new(100, 0.01)?;
    /// f.insert("a");
    /// f.clear();
    /// assert!(f.is_empty() && !f.contains("a"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.raw.clear();
    }

    fn check_compatible(&self, other: &Self) -> Result<()> {
        self.raw.check_shape(&other.raw, "BloomFilter")?;
        check_same_hasher("BloomFilter", &self.hasher, &other.hasher)
    }

    /// Makes `self` the filter of the union of both sets (bitwise OR): it contains every
    /// item either contained.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] unless layout, size, hash count, hash id and seed all match
    /// (hashers other than [`Murmur3`] cannot be told apart: same id, seed 0).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let (mut a, mut b) = (BloomFilter::new(100, 0.01)?, BloomFilter::new(100, 0.01)?);
    /// a.insert("x");
    /// b.insert("y");
    /// a.union(&b)?;
    /// assert!(a.contains("x") && a.contains("y"));
    /// assert!(a.union(&BloomFilter::new(1000, 0.01)?).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn union(&mut self, other: &Self) -> Result<()> {
        self.check_compatible(other)?;
        self.raw.union(&other.raw);
        Ok(())
    }

    /// Makes `self` the bitwise AND of both filters: it contains every item both contained
    /// (and may answer "maybe" more often than a filter built from the intersection).
    ///
    /// # Errors
    ///
    /// As [`BloomFilter::union`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{BloomFilter, Membership};
    ///
    /// let (mut a, mut b) = (BloomFilter::new(100, 0.01)?, BloomFilter::new(100, 0.01)?);
    /// a.insert("x");
    /// a.insert("both");
    /// b.insert("both");
    /// a.intersect(&b)?;
    /// assert!(a.contains("both") && !a.contains("x"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn intersect(&mut self, other: &Self) -> Result<()> {
        self.check_compatible(other)?;
        self.raw.intersect(&other.raw);
        Ok(())
    }

    /// Saves the filter in lessram's binary format (see `docs/format.md`).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::BloomFilter;
    ///
    /// let f = BloomFilter::new(1000, 0.01)?;
    /// assert_eq!(&f.to_bytes()[..4], b"LSRM");
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::with_hasher(Kind::BloomFilter, &self.hasher);
        enc.params().u8(self.raw.layout().to_byte());
        self.raw.write(enc.payload());
        enc.finish()
    }

    /// Decodes a filter saved with the hasher `hasher` (same hash id and seed; for hashers
    /// other than Murmur3, the same [fingerprint](ItemHasher::fingerprint)).
    ///
    /// # Errors
    ///
    /// As [`BloomFilter::from_bytes`]; [`Error::WrongHasher`] if the frame's hash id or
    /// seed differ from `hasher`'s, [`Error::UnidentifiedHasher`] if it records none.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::BloomFilter;
    ///
    /// let f = BloomFilter::with_hasher(10, 0.1, Murmur3::with_seed(9))?;
    /// let g = BloomFilter::from_bytes_with_hasher(&f.to_bytes(), Murmur3::with_seed(9))?;
    /// assert_eq!(f, g);
    /// assert!(BloomFilter::from_bytes_with_hasher(&f.to_bytes(), Murmur3::new()).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes_with_hasher(bytes: &[u8], hasher: S) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::BloomFilter)?;
        dec.check_hasher(&hasher)?;
        Self::decode(dec, hasher)
    }

    fn decode(mut dec: Decoder<'_>, hasher: S) -> Result<Self> {
        let layout = BloomLayout::from_byte(dec.params().u8()?, "BloomFilter")?;
        let raw = RawBloom::read(dec.payload(), layout, "BloomFilter")?;
        dec.finish()?;
        Ok(Self { raw, hasher })
    }
}

impl<S: ItemHasher> Membership for BloomFilter<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Sets the item's bits; `true` if any was unset (the item was certainly new).
    #[inline]
    fn insert_hash(&mut self, hash: u128) -> bool {
        let (h1, h2) = split(hash);
        self.raw.insert(h1, h2)
    }

    #[inline]
    fn contains_hash(&self, hash: u128) -> bool {
        let (h1, h2) = split(hash);
        self.raw.contains(h1, h2)
    }

    #[inline]
    fn prefetch_hash(&self, hash: u128) {
        let (h1, h2) = split(hash);
        self.raw.prefetch_key(h1, h2);
    }
}

impl<S> MemoryUsage for BloomFilter<S> {
    fn memory_usage(&self) -> usize {
        self.raw.memory_usage()
    }
}

impl<S: PartialEq> PartialEq for BloomFilter<S> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw && self.hasher == other.hasher
    }
}

impl<S: fmt::Debug> fmt::Debug for BloomFilter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BloomFilter")
            .field("layout", &self.raw.layout())
            .field("bits", &self.raw.bits())
            .field("hashes", &self.raw.hashes())
            .field("hasher", &self.hasher)
            .finish_non_exhaustive()
    }
}

impl Codec for BloomFilter<Murmur3> {
    const KIND: Kind = Kind::BloomFilter;

    fn to_bytes(&self) -> Vec<u8> {
        BloomFilter::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        BloomFilter::from_bytes(bytes)
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(BloomFilter<Murmur3>);
