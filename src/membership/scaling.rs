//! The scaling (growable) Bloom filter of Almeida, Baquero, Preguiça & Hutchison (2007).

use std::fmt;

use crate::codec::{Codec, Decoder, Encoder, Kind};
use crate::error::{Error, Result};
use crate::hash::{Item, ItemHasher, Murmur3, check_same_hasher};
use crate::{Membership, MemoryUsage};

use super::BloomLayout;
use super::bits::{BlockMask, RawBloom, block_mask, split};
use super::sizing::check_params;

const NAME: &str = "ScalingBloomFilter";
/// Bytes a saved sub-filter takes at least (capacity, count, bits, hashes, word count).
const MIN_STAGE_BYTES: usize = 8 + 8 + 8 + 4 + 8;

/// How to set a new key's bits (see [`ScalingBloomFilter::new_key`]).
enum NewKey {
    /// The blocked layout's 8-word mask of the key's block.
    Mask(BlockMask),
    /// Probe by probe (the classic layout).
    Probes,
}

/// One sub-filter: its bits, the items it was built for and the items inserted into it.
#[derive(Clone, PartialEq)]
struct Stage {
    raw: RawBloom,
    capacity: u64,
    count: u64,
}

/// A Bloom filter that grows with its contents and keeps its false-positive promise at
/// every size.
///
/// It is a chain of [`BloomFilter`](crate::BloomFilter)-like sub-filters. When the newest
/// is full (it holds the items it was sized for), a new one `s` times larger (growth
/// factor, default 2) is added, built for a rate `r` times smaller (tightening ratio,
/// default 0.85). Sub-filter `i` is built for `P (1 - r) r^i`, so the rates sum to less
/// than `P (1 - r) / (1 - r) = P`: the chain's false-positive rate stays below the
/// promised `P` however far it grows. (Filters that build the first sub-filter for `P`
/// itself break the promise by 3-6x after 100x growth.)
///
/// Each item is hashed once; the newest (largest) sub-filter is queried first.
/// [`Self::len`] counts distinct insertions (inserts that returned `true`), exactly until a
/// [union](Self::union) of two filters that both hold items: the union's count is then only
/// known between bounds ([`Self::len_bounds`], [`Self::exact_len`]).
///
/// # Limits
///
/// Optional limits on the number of sub-filters ([`ScalingBloomBuilder::max_filters`]) and
/// on heap bytes ([`ScalingBloomBuilder::max_memory`]) stop the growth:
/// [`ScalingBloomFilter::try_insert`] then returns [`Error::LimitReached`] for a new
/// item. [`Membership::insert`] cannot return an error: at the limit it still inserts the
/// item into the newest sub-filter (so there are never false negatives), beyond that
/// sub-filter's capacity, and the false-positive rate rises above `P`
/// ([`Self::expected_fp_rate`] shows by how much). Use `try_insert` to stop at the limit.
///
/// # Example
///
/// ```
/// use lessram::{Membership, ScalingBloomFilter};
///
/// let mut f = ScalingBloomFilter::new(100, 0.01)?;
/// for i in 0..100_000u32 {
///     f.insert(&i);
/// }
/// assert!(f.filters() > 5);
/// assert!(f.contains(&99_999u32));
/// assert!(f.expected_fp_rate() < 0.01);
/// assert!(f.len() > 99_000);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct ScalingBloomFilter<S = Murmur3> {
    stages: Vec<Stage>,
    hasher: S,
    layout: BloomLayout,
    initial_capacity: u64,
    fp_rate: f64,
    growth: u32,
    tightening: f64,
    /// Probes per item, the same in every sub-filter so that one mask serves them all.
    hashes: u32,
    max_filters: Option<u64>,
    max_memory: Option<u64>,
    /// The sum of the sub-filters' counts.
    len: u64,
    /// Bounds on the distinct items held: both `len` until a union makes the count
    /// uncertain (see [`ScalingBloomFilter::len_bounds`]).
    low: u64,
    high: u64,
}

/// Builds a [`ScalingBloomFilter`] with non-default growth, tightening, limits, layout or
/// hasher.
///
/// # Example
///
/// ```
/// use lessram::{BloomLayout, Membership, ScalingBloomFilter};
///
/// let mut f = ScalingBloomFilter::builder(1_000, 0.001)
///     .growth_factor(4)
///     .tightening_ratio(0.9)
///     .layout(BloomLayout::Classic)
///     .max_memory(1 << 20)
///     .build()?;
/// f.insert("a");
/// assert_eq!(f.len(), 1);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ScalingBloomBuilder<S = Murmur3> {
    initial_capacity: usize,
    fp_rate: f64,
    growth: u32,
    tightening: f64,
    layout: BloomLayout,
    max_filters: Option<usize>,
    max_memory: Option<usize>,
    hasher: S,
}

impl<S: ItemHasher> ScalingBloomBuilder<S> {
    /// Sets the growth factor `s`: each sub-filter holds `s` times more items than the
    /// previous one (2 by default, 2..=16).
    pub fn growth_factor(mut self, s: u32) -> Self {
        self.growth = s;
        self
    }

    /// Sets the tightening ratio `r`: each sub-filter's rate is `r` times the previous
    /// one's (0.85 by default; accepted from 0.7 to 0.95, as Almeida et al. recommend 0.8
    /// to 0.9). Closer to 1 makes later sub-filters cheaper and the first one dearer; below
    /// 0.7 later sub-filters, which keep the first one's probe count, grow steeply in bits
    /// per item, so `build` refuses it.
    pub fn tightening_ratio(mut self, r: f64) -> Self {
        self.tightening = r;
        self
    }

    /// Sets the layout of the sub-filters ([`BloomLayout::Blocked`] by default).
    pub fn layout(mut self, layout: BloomLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Stops growing at `n` sub-filters (no limit by default).
    pub fn max_filters(mut self, n: usize) -> Self {
        self.max_filters = Some(n);
        self
    }

    /// Stops growing before [`MemoryUsage::memory_usage`] would exceed `bytes` (no limit by
    /// default).
    pub fn max_memory(mut self, bytes: usize) -> Self {
        self.max_memory = Some(bytes);
        self
    }

    /// Sets the hasher ([`Murmur3`] with seed 0 by default).
    pub fn hasher<H: ItemHasher>(self, hasher: H) -> ScalingBloomBuilder<H> {
        ScalingBloomBuilder {
            initial_capacity: self.initial_capacity,
            fp_rate: self.fp_rate,
            growth: self.growth,
            tightening: self.tightening,
            layout: self.layout,
            max_filters: self.max_filters,
            max_memory: self.max_memory,
            hasher,
        }
    }

    /// The filter, with its first sub-filter allocated.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the initial capacity is 0, the rate is not inside
    /// (0, 1), the tightening ratio is not in 0.7..=0.95, the growth factor is not in 2..=16, a limit
    /// is 0, or the memory limit is below the first sub-filter's size.
    pub fn build(self) -> Result<ScalingBloomFilter<S>> {
        let initial = self.initial_capacity as u64;
        check_params(initial, self.fp_rate)?;
        check_shape(self.growth, self.tightening)?;
        if self.max_filters == Some(0) {
            return Err(Error::parameter("maximum sub-filters", 0, "1 or more"));
        }
        if self.max_memory == Some(0) {
            return Err(Error::parameter("memory limit", 0, "1 or more bytes"));
        }
        let mut f = ScalingBloomFilter {
            stages: Vec::new(),
            hasher: self.hasher,
            layout: self.layout,
            initial_capacity: initial,
            fp_rate: self.fp_rate,
            growth: self.growth,
            tightening: self.tightening,
            hashes: 0,
            max_filters: self.max_filters.map(|n| n as u64),
            max_memory: self.max_memory.map(|n| n as u64),
            len: 0,
            low: 0,
            high: 0,
        };
        f.grow().map_err(|e| match e {
            Error::LimitReached { limit, .. } => Error::parameter(
                "capacity",
                format!(
                    "{initial} at false-positive rate {}",
                    crate::error::float(self.fp_rate)
                ),
                format!("a first sub-filter within the {limit}"),
            ),
            e => e,
        })?;
        Ok(f)
    }
}

/// Smallest tightening ratio accepted (see `check_shape`).
const TIGHTENING_MIN: f64 = 0.7;
/// Largest tightening ratio accepted.
const TIGHTENING_MAX: f64 = 0.95;

fn check_shape(growth: u32, tightening: f64) -> Result<()> {
    if !(2..=16).contains(&growth) {
        return Err(Error::parameter("growth factor", growth, "2..=16"));
    }
    // Every sub-filter after the first keeps the first one's probe count, so its bits per
    // item grow like rate^(-1/k) as the rates shrink by `r` per step: near the usual
    // 0.8-0.9 that costs a few percent, but a small `r` would make each new sub-filter
    // explode in size (r = 0.1 measured 92,000 bits per item after a few growth steps, and
    // the blocked layout is steeper still: 508 bits per item at r = 0.5 after 10,000x
    // growth). Almeida et al. recommend 0.8-0.9; 0.7..=0.95 keeps the cost within about
    // 2.5x of the classic optimum at that growth (55 bits per item, blocked, r = 0.7).
    if !(TIGHTENING_MIN..=TIGHTENING_MAX).contains(&tightening) {
        return Err(Error::parameter(
            "tightening ratio",
            crate::error::float(tightening),
            format_args!("{TIGHTENING_MIN}..={TIGHTENING_MAX}"),
        ));
    }
    Ok(())
}

impl ScalingBloomFilter<Murmur3> {
    /// A filter whose first sub-filter holds `initial_capacity` items, promising a
    /// false-positive rate of at most `fp_rate` at every size (growth 2, tightening 0.85,
    /// blocked layout, [`Murmur3`] seed 0, no limits).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `initial_capacity` is 0 or `fp_rate` is not inside
    /// (0, 1).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::ScalingBloomFilter;
    ///
    /// let f = ScalingBloomFilter::new(1_000, 0.01)?;
    /// assert_eq!((f.filters(), f.len()), (1, 0));
    /// assert!(ScalingBloomFilter::new(0, 0.01).is_err());
    /// assert!(ScalingBloomFilter::new(10, 0.0).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn new(initial_capacity: usize, fp_rate: f64) -> Result<Self> {
        Self::builder(initial_capacity, fp_rate).build()
    }

    /// A builder starting from `initial_capacity` and `fp_rate`, to set growth, tightening,
    /// limits, layout or hasher.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Error, Membership, ScalingBloomFilter};
    ///
    /// let mut f = ScalingBloomFilter::builder(10, 0.01).max_filters(2).build()?;
    /// for i in 0..30u32 {
    ///     f.insert(&i); // past 10 + 20 items the chain would need a third sub-filter
    /// }
    /// assert!(matches!(f.try_insert(&1_000u32), Err(Error::LimitReached { .. })));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn builder(initial_capacity: usize, fp_rate: f64) -> ScalingBloomBuilder<Murmur3> {
        ScalingBloomBuilder {
            initial_capacity,
            fp_rate,
            growth: 2,
            tightening: 0.85,
            layout: BloomLayout::default(),
            max_filters: None,
            max_memory: None,
            hasher: Murmur3::new(),
        }
    }

    /// Decodes a filter saved by [`ScalingBloomFilter::to_bytes`] with the default hasher.
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the frame, or [`Error::Corrupt`] when parameters, sub-filter shapes
    /// or bits are inconsistent.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut f = ScalingBloomFilter::new(10, 0.01)?;
    /// (0..100u32).for_each(|i| { f.insert(&i); });
    /// assert_eq!(ScalingBloomFilter::from_bytes(&f.to_bytes())?, f);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::ScalingBloomFilter)?;
        let hasher = dec.hasher()?;
        Self::decode(dec, hasher)
    }
}

impl<S: ItemHasher> ScalingBloomFilter<S> {
    /// Like [`ScalingBloomFilter::new`], with another hasher.
    ///
    /// # Errors
    ///
    /// As [`ScalingBloomFilter::new`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut f = ScalingBloomFilter::with_hasher(10, 0.01, Murmur3::with_seed(3))?;
    /// assert!(f.insert("a"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn with_hasher(initial_capacity: usize, fp_rate: f64, hasher: S) -> Result<Self> {
        ScalingBloomFilter::builder(initial_capacity, fp_rate)
            .hasher(hasher)
            .build()
    }

    /// Number of distinct items inserted (inserts that returned `true`; an item that was a
    /// false positive when inserted is not counted).
    ///
    /// Exact while [`Self::exact_len`] is `Some`, that is unless a [union](Self::union) of
    /// two non-empty filters made the count uncertain. After such a union it is the sum of
    /// the sub-filters' estimated counts, which counts an item twice when the two filters
    /// held it in different sub-filters: use [`Self::len_bounds`] then.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut f = ScalingBloomFilter::new(100, 0.01)?;
    /// f.insert("a");
    /// f.insert("a");
    /// assert_eq!(f.len(), 1);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        usize::try_from(self.len).unwrap_or(usize::MAX)
    }

    /// The number of distinct items inserted, when it is known exactly: `None` after a
    /// [union](Self::union) that left it uncertain (see [`Self::len_bounds`]).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut a = ScalingBloomFilter::new(100, 0.01)?;
    /// let mut b = ScalingBloomFilter::new(100, 0.01)?;
    /// a.insert("x");
    /// assert_eq!(a.exact_len(), Some(1));
    /// a.union(&b)?; // b is empty: the count is still exact
    /// assert_eq!(a.exact_len(), Some(1));
    /// b.insert("y");
    /// a.union(&b)?;
    /// assert_eq!(a.exact_len(), None);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn exact_len(&self) -> Option<usize> {
        (self.low == self.high).then(|| self.len())
    }

    /// Bounds `(low, high)` on the number of distinct items the filter holds: both equal
    /// to [`Self::len`] while the count is exact; after a [union](Self::union), see there
    /// for how each bound is made. Inserting a new item raises both by one.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut a = ScalingBloomFilter::new(1_000, 0.01)?;
    /// let mut b = ScalingBloomFilter::new(1_000, 0.01)?;
    /// (0..50_000u32).for_each(|i| { a.insert(&i); });
    /// (20_000..70_000u32).for_each(|i| { b.insert(&i); });
    /// let n = a.len(); // a little under 50,000: false positives are not counted
    /// assert_eq!(a.len_bounds(), (n, n));
    /// a.union(&b)?;
    /// let (low, high) = a.len_bounds();
    /// assert!(low <= 70_000 && 70_000 <= high); // the union holds 70,000 items
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn len_bounds(&self) -> (usize, usize) {
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        (size(self.low), size(self.high))
    }

    /// Whether nothing was inserted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of sub-filters.
    #[must_use]
    pub fn filters(&self) -> usize {
        self.stages.len()
    }

    /// The promised false-positive rate `P`.
    #[must_use]
    pub fn fp_rate(&self) -> f64 {
        self.fp_rate
    }

    /// Items the first sub-filter holds.
    #[must_use]
    pub fn initial_capacity(&self) -> usize {
        usize::try_from(self.initial_capacity).unwrap_or(usize::MAX)
    }

    /// Items the chain holds before it next grows (the sum of the sub-filters' capacities).
    #[must_use]
    pub fn capacity(&self) -> usize {
        let c: u64 = self.stages.iter().map(|s| s.capacity).sum();
        usize::try_from(c).unwrap_or(usize::MAX)
    }

    /// The growth factor `s`.
    #[must_use]
    pub fn growth_factor(&self) -> u32 {
        self.growth
    }

    /// The tightening ratio `r`.
    #[must_use]
    pub fn tightening_ratio(&self) -> f64 {
        self.tightening
    }

    /// The layout of the sub-filters.
    #[must_use]
    pub fn layout(&self) -> BloomLayout {
        self.layout
    }

    /// The hasher.
    #[must_use]
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// The false-positive rate of a query for an absent item now: `1 - Π (1 - f_i)` over
    /// the sub-filters' current rates `f_i` (see
    /// [`BloomFilter::expected_fp_rate`](crate::BloomFilter::expected_fp_rate)).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut f = ScalingBloomFilter::new(100, 0.01)?;
    /// (0..10_000u32).for_each(|i| { f.insert(&i); });
    /// assert!(f.expected_fp_rate() < 0.01);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn expected_fp_rate(&self) -> f64 {
        1.0 - self
            .stages
            .iter()
            .map(|s| 1.0 - s.raw.expected_fp_rate())
            .product::<f64>()
    }

    /// Inserts an item, or fails with [`Error::LimitReached`] when the item is new, the
    /// newest sub-filter is full and a limit forbids growing.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] as above (the filter is unchanged).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::ScalingBloomFilter;
    ///
    /// let mut f = ScalingBloomFilter::builder(1, 0.01).max_filters(1).build()?;
    /// assert!(f.try_insert("a")?);
    /// assert!(!f.try_insert("a")?);
    /// assert!(f.try_insert("b").is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn try_insert<T: Item + ?Sized>(&mut self, item: &T) -> Result<bool> {
        self.try_insert_hash(self.hasher.hash_item128(item))
    }

    /// [`ScalingBloomFilter::try_insert`] for an item already hashed to 128 bits.
    ///
    /// # Errors
    ///
    /// As [`ScalingBloomFilter::try_insert`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::ScalingBloomFilter;
    ///
    /// let mut f = ScalingBloomFilter::new(10, 0.01)?;
    /// assert!(f.try_insert_hash(0x1234_5678_9abc_def0_1234_5678_9abc_def0)?);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn try_insert_hash(&mut self, hash: u128) -> Result<bool> {
        let (h1, h2) = split(hash);
        let Some(key) = self.new_key(h1, h2) else {
            return Ok(false);
        };
        if self.newest().count >= self.newest().capacity {
            self.grow()?;
        }
        self.insert_new(h1, h2, key);
        Ok(true)
    }

    fn newest(&self) -> &Stage {
        self.stages
            .last()
            .expect("a scaling filter has a sub-filter")
    }

    /// The insert's test: `None` if a sub-filter holds the key, else how to set its bits.
    ///
    /// Unlike a query, an insert has to test every sub-filter for a new key (most keys an
    /// insert sees, and at 100x growth there are 7 sub-filters), so for the blocked layout
    /// it does that in the way that overlaps their cache misses best: it asks for every
    /// sub-filter's block at once (a prefetch, so nothing waits on it), builds the key's
    /// 8-word block mask once (all sub-filters have the same probe count), and tests each
    /// block against the mask without a branch inside the block. Queries keep their early
    /// exit, which measured faster for them (`docs/performance.md`).
    #[inline]
    fn new_key(&self, h1: u64, h2: u64) -> Option<NewKey> {
        match self.layout {
            BloomLayout::Blocked => {
                self.stages.iter().for_each(|s| s.raw.prefetch(h1));
                let mask = block_mask(h1, h2, self.hashes);
                let held = self
                    .stages
                    .iter()
                    .rev()
                    .any(|s| s.raw.contains_mask(h1, &mask));
                (!held).then_some(NewKey::Mask(mask))
            }
            BloomLayout::Classic => (!self.contains_split(h1, h2)).then_some(NewKey::Probes),
        }
    }

    /// Sets a new key's bits in the newest sub-filter (its probe count is the one
    /// [`ScalingBloomFilter::new_key`] built the mask for: growth keeps it).
    #[inline]
    fn insert_new(&mut self, h1: u64, h2: u64, key: NewKey) {
        let hashes = self.hashes;
        let stage = self.stages.last_mut().expect("a sub-filter");
        debug_assert_eq!(stage.raw.hashes(), hashes, "the mask's probe count");
        match key {
            NewKey::Mask(mask) => stage.raw.insert_mask(h1, &mask),
            NewKey::Probes => {
                stage.raw.insert(h1, h2);
            }
        }
        stage.count += 1;
        self.len += 1;
        self.low = self.low.saturating_add(1);
        self.high = self.high.saturating_add(1);
    }

    #[inline]
    fn contains_split(&self, h1: u64, h2: u64) -> bool {
        // Newest first: it holds about half of the items. Each sub-filter is probed directly
        // with an early exit; for queries, the insert's way (`new_key`: every block
        // prefetched, one 8-word mask tested against each) measured slower on present
        // keys (which the newest sub-filter usually answers) and no faster on absent ones.
        self.stages.iter().rev().any(|s| s.raw.contains(h1, h2))
    }

    fn limit(&self, limit: String) -> Error {
        Error::LimitReached {
            structure: NAME,
            limit,
        }
    }

    /// Adds a sub-filter (the first one when the chain is empty).
    fn grow(&mut self) -> Result<()> {
        let i = self.stages.len();
        if let Some(max) = self.max_filters
            && i as u64 >= max
        {
            return Err(self.limit(format!("limit of {max} sub-filters")));
        }
        let capacity = match self.stages.last() {
            None => Some(self.initial_capacity),
            Some(s) => s.capacity.checked_mul(u64::from(self.growth)),
        }
        .ok_or_else(|| self.limit("largest capacity (2^64 items)".into()))?;
        let rate = self.stage_rate(i);
        let too_big = |_| self.limit(format!("largest size (2^48 bits) at {capacity} items"));
        // The first sub-filter picks the optimal probe count; later ones keep it and take
        // the bits they need at it (the rate is flat near the optimum: at 10,000x growth
        // the newest sub-filter pays about 2% more bits than with its own optimal count).
        let (bits, hashes) = if i == 0 {
            self.layout.size_for(capacity, rate).map_err(too_big)?
        } else {
            let bits = self
                .layout
                .bits_for(capacity, rate, self.hashes)
                .map_err(too_big)?;
            (bits, self.hashes)
        };
        if let Some(max) = self.max_memory {
            let bits_bytes: u64 = self
                .stages
                .iter()
                .map(|s| s.raw.memory_usage() as u64)
                .sum();
            let after =
                bits_bytes + RawBloom::bytes_for(bits) + ((i + 1) * size_of::<Stage>()) as u64;
            if after > max {
                return Err(self.limit(format!(
                    "memory limit of {max} bytes (the next sub-filter needs {after} in all)"
                )));
            }
        }
        let raw = RawBloom::new(self.layout, bits, hashes)?;
        // Exactly one more slot, so that memory_usage() is what the limit check predicted.
        self.stages.reserve_exact(1);
        self.stages.push(Stage {
            raw,
            capacity,
            count: 0,
        });
        self.hashes = hashes;
        Ok(())
    }

    /// The rate sub-filter `i` is built for: `P (1 - r) r^i`.
    fn stage_rate(&self, i: usize) -> f64 {
        let i = i32::try_from(i).unwrap_or(i32::MAX);
        self.fp_rate * (1.0 - self.tightening) * self.tightening.powi(i)
    }

    fn check_compatible(&self, other: &Self) -> Result<()> {
        let differ = |what, a: &dyn fmt::Display, b: &dyn fmt::Display| {
            Err(Error::incompatible(NAME, what, a, b))
        };
        if self.layout != other.layout {
            return differ("layout", &self.layout, &other.layout);
        }
        if self.initial_capacity != other.initial_capacity {
            return differ(
                "initial capacity",
                &self.initial_capacity,
                &other.initial_capacity,
            );
        }
        if self.fp_rate.to_bits() != other.fp_rate.to_bits() {
            return differ("false-positive rate", &self.fp_rate, &other.fp_rate);
        }
        if self.growth != other.growth {
            return differ("growth factor", &self.growth, &other.growth);
        }
        if self.tightening.to_bits() != other.tightening.to_bits() {
            return differ("tightening ratio", &self.tightening, &other.tightening);
        }
        if self.stages.len() != other.stages.len() {
            return differ(
                "number of sub-filters",
                &self.stages.len(),
                &other.stages.len(),
            );
        }
        for (a, b) in self.stages.iter().zip(&other.stages) {
            a.raw.check_shape(&b.raw, NAME)?;
        }
        check_same_hasher(NAME, &self.hasher, &other.hasher)?;
        Ok(())
    }

    /// Makes `self` the filter of the union of both sets: each sub-filter becomes the OR
    /// of the two. If both chains held many items the union's sub-filters may be past
    /// their capacity, and the false-positive rate above `P`: [`Self::expected_fp_rate`]
    /// tells.
    ///
    /// # The count of a union
    ///
    /// The union's count is **not known exactly** (unless one side is empty): an item both
    /// filters hold may sit in different sub-filters of the two (one filter saw it early,
    /// the other late), and the bits cannot tell. [`Self::exact_len`] becomes `None` and
    /// [`Self::len_bounds`] gives:
    ///
    /// - **low**: the larger of the two sides' low bounds (their exact counts for filters
    ///   never merged). Certain: the union holds every item of each side.
    /// - **high**: the sum over sub-filters of each OR-ed sub-filter's count estimated from
    ///   its set bits (`n = ln(zero fraction) / ln q`), plus `5 sqrt(n)`, and at most the
    ///   two sides' counts for that sub-filter summed; and at most the two sides' high
    ///   bounds summed. The sum over sub-filters is never below the union (each item of
    ///   the union is in one of them), and the bit estimate's standard deviation is at most
    ///   about `1.05 sqrt(n)` (blocked layout, from the Poisson spread of block loads; about
    ///   `0.3 sqrt(n)` for the classic layout), so the margin is over 4.5 deviations.
    ///
    /// The high bound counts twice an item held in different sub-filters by the two sides,
    /// so it is far above the union when the two streams share many items seen at
    /// different times; [`Self::len`] (the sum of the sub-filters' own estimates, without
    /// the margin) is high in the same way, which is why it is not the union's count.
    /// For the distinct count of a union of streams, merge a
    /// [`HyperLogLog`](crate::HyperLogLog) instead.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] unless both chains have the same parameters, the same number
    /// of sub-filters of the same shapes, and the same hash id and seed.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut a = ScalingBloomFilter::new(100, 0.01)?;
    /// let mut b = ScalingBloomFilter::new(100, 0.01)?;
    /// a.insert("x");
    /// b.insert("y");
    /// a.union(&b)?;
    /// assert!(a.contains("x") && a.contains("y"));
    /// assert_eq!(a.len_bounds(), (1, 2)); // "x" and "y" could be one item, as far as
    ///                                     // the bits and counts tell
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn union(&mut self, other: &Self) -> Result<()> {
        self.check_compatible(other)?;
        let low = self.low.max(other.low);
        let mut high = 0u64;
        for (a, b) in self.stages.iter_mut().zip(&other.stages) {
            let lo = a.count.max(b.count);
            let hi = a.count.saturating_add(b.count);
            a.raw.union(&b.raw);
            let est = a.raw.estimated_len();
            let (count, upper) = if est.is_finite() {
                // Rounded up and to the nearest: float to int saturates.
                let upper = (est + 5.0 * est.sqrt()).ceil() as u64;
                ((est.round() as u64).clamp(lo, hi), upper.min(hi))
            } else {
                (hi, hi)
            };
            a.count = count;
            high = high.saturating_add(upper.max(count));
        }
        self.len = self
            .stages
            .iter()
            .fold(0u64, |acc, s| acc.saturating_add(s.count));
        self.high = high.min(self.high.saturating_add(other.high)).max(self.len);
        self.low = low;
        Ok(())
    }

    /// Saves the filter in lessram's binary format (see `docs/format.md`).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::ScalingBloomFilter;
    ///
    /// let f = ScalingBloomFilter::new(100, 0.01)?;
    /// assert_eq!(&f.to_bytes()[..4], b"LSRM");
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::with_hasher(Kind::ScalingBloomFilter, &self.hasher);
        enc.params()
            .u64(self.initial_capacity)
            .f64(self.fp_rate)
            .u32(self.growth)
            .f64(self.tightening)
            .u8(self.layout.to_byte())
            .u64(self.max_filters.unwrap_or(0))
            .u64(self.max_memory.unwrap_or(0));
        let p = enc.payload();
        p.u64(self.stages.len() as u64);
        for s in &self.stages {
            p.u64(s.capacity).u64(s.count);
            s.raw.write(p);
        }
        if self.low != self.high {
            // Format version 2: the bounds of a count a union left uncertain. A filter
            // with an exact count stays a version 1 frame, readable by older releases.
            p.u64(self.low).u64(self.high);
            enc.set_version(2);
        }
        enc.finish()
    }

    /// Decodes a filter saved with the hasher `hasher` (same hash id and seed; for hashers
    /// other than Murmur3, the same [fingerprint](ItemHasher::fingerprint)).
    ///
    /// # Errors
    ///
    /// As [`ScalingBloomFilter::from_bytes`]; [`Error::WrongHasher`] if the frame's hash id
    /// or seed differ from `hasher`'s, [`Error::UnidentifiedHasher`] if it records none.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::ScalingBloomFilter;
    ///
    /// let f = ScalingBloomFilter::with_hasher(10, 0.1, Murmur3::with_seed(5))?;
    /// let bytes = f.to_bytes();
    /// assert_eq!(ScalingBloomFilter::from_bytes_with_hasher(&bytes, Murmur3::with_seed(5))?, f);
    /// assert!(ScalingBloomFilter::from_bytes_with_hasher(&bytes, Murmur3::new()).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes_with_hasher(bytes: &[u8], hasher: S) -> Result<Self> {
        let dec = Decoder::new(bytes, Kind::ScalingBloomFilter)?;
        dec.check_hasher(&hasher)?;
        Self::decode(dec, hasher)
    }

    fn decode(mut dec: Decoder<'_>, hasher: S) -> Result<Self> {
        let corrupt = |detail: String| Error::corrupt(NAME, detail);
        let version = dec.version();
        let params = dec.params();
        let initial_capacity = params.u64()?;
        let fp_rate = params.f64()?;
        let growth = params.u32()?;
        let tightening = params.f64()?;
        let layout = BloomLayout::from_byte(params.u8()?, NAME)?;
        let max_filters = Some(params.u64()?).filter(|n| *n != 0);
        let max_memory = Some(params.u64()?).filter(|n| *n != 0);
        check_params(initial_capacity, fp_rate)
            .and_then(|()| check_shape(growth, tightening))
            .map_err(|e| corrupt(e.to_string()))?;

        let payload = dec.payload();
        let n = payload.count(MIN_STAGE_BYTES)?;
        if n == 0 {
            return Err(corrupt("no sub-filters, expected at least one".into()));
        }
        if let Some(max) = max_filters
            && n as u64 > max
        {
            return Err(corrupt(format!(
                "{n} sub-filters, above the limit of {max}"
            )));
        }
        let mut stages = Vec::with_capacity(n);
        let mut expected_capacity = Some(initial_capacity);
        let mut len = 0u64;
        for i in 0..n {
            let capacity = payload.u64()?;
            let count = payload.u64()?;
            if Some(capacity) != expected_capacity {
                return Err(corrupt(format!(
                    "sub-filter {i} holds {capacity} items, expected {}",
                    expected_capacity.map_or("more than 2^64".into(), |c| c.to_string())
                )));
            }
            expected_capacity = capacity.checked_mul(u64::from(growth));
            len = len
                .checked_add(count)
                .ok_or_else(|| corrupt("item counts overflow".into()))?;
            let raw = RawBloom::read(payload, layout, NAME)?;
            stages.push(Stage {
                raw,
                capacity,
                count,
            });
        }
        let (low, high) = if version >= 2 {
            let (low, high) = (payload.u64()?, payload.u64()?);
            if !(low <= len && len <= high && low < high) {
                return Err(corrupt(format!(
                    "count bounds {low} ..= {high} around the sub-filters' {len}, expected low <= {len} <= high and low < high"
                )));
            }
            (low, high)
        } else {
            (len, len)
        };
        dec.finish()?;
        let hashes = stages[0].raw.hashes();
        if let Some(s) = stages.iter().find(|s| s.raw.hashes() != hashes) {
            return Err(corrupt(format!(
                "sub-filters with {} and {hashes} hashes, expected one count",
                s.raw.hashes()
            )));
        }
        let f = Self {
            stages,
            hasher,
            layout,
            initial_capacity,
            fp_rate,
            growth,
            tightening,
            hashes,
            max_filters,
            max_memory,
            len,
            low,
            high,
        };
        // Each sub-filter must be the size growth would have built for its capacity and
        // rate (within 1% and one probe, so that float rounding on another platform never
        // rejects a genuine file): a forged frame with tiny sub-filters would otherwise load
        // and silently break the false-positive promise.
        for (i, s) in f.stages.iter().enumerate() {
            let rate = f.stage_rate(i);
            let (bits, k) = if i == 0 {
                layout.size_for(s.capacity, rate)
            } else {
                layout
                    .bits_for(s.capacity, rate, hashes)
                    .map(|b| (b, hashes))
            }
            .map_err(|e| corrupt(format!("sub-filter {i}: {e}")))?;
            let found = s.raw.bits();
            let close =
                found as f64 >= bits as f64 * 0.99 && found as f64 <= bits as f64 * 1.01 + 512.0;
            if !close || s.raw.hashes().abs_diff(k) > 1 {
                return Err(corrupt(format!(
                    "sub-filter {i} has {found} bits and {} hashes, expected about {bits} bits and {k} hashes for {} items at rate {rate:e}",
                    s.raw.hashes(),
                    s.capacity
                )));
            }
        }
        if let Some(max) = max_memory
            && f.memory_usage() as u64 > max
        {
            return Err(corrupt(format!(
                "{} bytes of sub-filters, above the memory limit of {max}",
                f.memory_usage()
            )));
        }
        Ok(f)
    }
}

impl<S: ItemHasher> Membership for ScalingBloomFilter<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Inserts an item; `true` if no sub-filter contained it. At a growth or memory limit
    /// the item still goes into the newest sub-filter, past its capacity (see the type's
    /// "Limits" section); use [`ScalingBloomFilter::try_insert`] to get an error instead.
    #[inline]
    fn insert_hash(&mut self, hash: u128) -> bool {
        let (h1, h2) = split(hash);
        let Some(key) = self.new_key(h1, h2) else {
            return false;
        };
        if self.newest().count >= self.newest().capacity {
            // At a limit: overfill the newest sub-filter rather than lose the item.
            let _ = self.grow();
        }
        self.insert_new(h1, h2, key);
        true
    }

    #[inline]
    fn contains_hash(&self, hash: u128) -> bool {
        let (h1, h2) = split(hash);
        self.contains_split(h1, h2)
    }

    /// Prefetches the line each sub-filter reads first for this hash.
    #[inline]
    fn prefetch_hash(&self, hash: u128) {
        let (h1, h2) = split(hash);
        self.stages.iter().for_each(|s| s.raw.prefetch_key(h1, h2));
    }
}

impl<S> MemoryUsage for ScalingBloomFilter<S> {
    fn memory_usage(&self) -> usize {
        self.stages.capacity() * size_of::<Stage>()
            + self
                .stages
                .iter()
                .map(|s| s.raw.memory_usage())
                .sum::<usize>()
    }
}

impl<S: PartialEq> PartialEq for ScalingBloomFilter<S> {
    fn eq(&self, other: &Self) -> bool {
        self.stages == other.stages
            && self.hasher == other.hasher
            && self.layout == other.layout
            && self.initial_capacity == other.initial_capacity
            && self.fp_rate.to_bits() == other.fp_rate.to_bits()
            && self.growth == other.growth
            && self.tightening.to_bits() == other.tightening.to_bits()
            && self.max_filters == other.max_filters
            && self.max_memory == other.max_memory
            && self.len == other.len
            && self.low == other.low
            && self.high == other.high
    }
}

impl<S: fmt::Debug> fmt::Debug for ScalingBloomFilter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(NAME)
            .field("len", &self.len)
            .field("len_bounds", &(self.low, self.high))
            .field("filters", &self.stages.len())
            .field("fp_rate", &self.fp_rate)
            .field("initial_capacity", &self.initial_capacity)
            .field("growth", &self.growth)
            .field("tightening", &self.tightening)
            .field("layout", &self.layout)
            .field("max_filters", &self.max_filters)
            .field("max_memory", &self.max_memory)
            .field("hasher", &self.hasher)
            .finish_non_exhaustive()
    }
}

impl Codec for ScalingBloomFilter<Murmur3> {
    const KIND: Kind = Kind::ScalingBloomFilter;

    fn to_bytes(&self) -> Vec<u8> {
        ScalingBloomFilter::to_bytes(self)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        ScalingBloomFilter::from_bytes(bytes)
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(ScalingBloomFilter<Murmur3>);
