//! Memory-efficient data structures for counting, membership and word storage.
//!
//! lessram is the chapter "Using less RAM" of *High Performance Python* done in Rust: count
//! the distinct items of a huge stream in kilobytes, test membership with a promised
//! false-positive rate, and hold millions of words in a fraction of a `HashSet<String>`.
//! Every structure hashes items the same way on every platform (see [`hash`]), saves to one
//! versioned, checksummed binary format (see [`codec`]), and reports its heap bytes
//! ([`MemoryUsage`]).
//!
//! # Features and the command-line tool
//!
//! No feature is on by default: library users never build the command's dependencies.
//!
//! * `serde`: `Serialize` and `Deserialize` for every structure, through its binary format
//!   (so a deserialized structure is validated exactly like one from `from_bytes`).
//! * `cli`: the `lessram` command, which counts the distinct tokens of files, `.gz`, `.zst`
//!   or stdin with every estimator side by side, saves and merges sketches, and builds and
//!   queries DAWGs. Install it with `cargo install lessram --features cli` (or
//!   `cargo install --path . --features cli` from a clone), then run `lessram count --help`.
//!
//! # The shared traits
//!
//! * [`DistinctCount`]: sketches that estimate how many distinct items they have seen and
//!   merge with one another.
//! * [`Membership`]: filters that answer "have I seen this?" with no false negatives.
//! * [`WordStore`]: exact sets of words with prefix search.
//! * [`MemoryUsage`]: heap bytes owned by a structure, counting capacity.
//! * [`Codec`]: `to_bytes` / `from_bytes` in lessram's binary format.
//!
//! # Counting distinct items
//!
//! [`HyperLogLog`] counts the distinct items of a stream in `0.75 * 2^p` bytes, exactly while
//! it is small (see [`counting`]):
//!
//! ```
//! use lessram::HyperLogLog;
//!
//! let mut hll = HyperLogLog::new(14)?; // 12 KiB once dense, 0.81% standard error
//! for i in 0..1_000_000u64 {
//!     hll.insert(&(i % 250_000));
//! }
//! assert!((hll.estimate() / 250_000.0 - 1.0).abs() < 0.03);
//! # Ok::<(), lessram::Error>(())
//! ```
//!
//! Beside it, [`counting`] holds the other approximate counters and distinct-count sketches: [`MorrisCounter`] and
//! [`MorrisArray`] (events in one byte each), [`Kmv`] (exact below `k`, with union,
//! intersection and Jaccard), and Durand and Flajolet's [`LogLog`] and [`SuperLogLog`] with
//! their proper constants.
//!
//! ```
//! use lessram::counting::SplitMix64;
//! use lessram::{DistinctCount, Kmv, MorrisCounter};
//!
//! let mut kmv = Kmv::new(4096)?;
//! for word in "to be or not to be".split_whitespace() {
//!     kmv.insert(word);
//! }
//! assert_eq!(kmv.estimate(), 4.0); // exact below k
//!
//! let mut rng = SplitMix64::new(1);
//! let mut events = MorrisCounter::new(1.1)?; // one byte, 22% error, counts to 3.6e11
//! for _ in 0..10_000 {
//!     events.increment(&mut rng);
//! }
//! assert!(events.estimate() > 1_000.0);
//! # Ok::<(), lessram::Error>(())
//! ```
//!
//! # Membership
//!
//! [`BloomFilter`] answers "have I seen this?" in about 10 bits per item at 1% false
//! positives; [`ScalingBloomFilter`] grows with its input and still keeps the promised rate.
//!
//! ```
//! use lessram::{BloomFilter, Membership};
//!
//! let mut f = BloomFilter::new(1_000_000, 0.01)?;
//! assert!(f.insert("apple") && !f.insert("apple"));
//! assert!(f.contains("apple") && !f.contains("pear"));
//! # Ok::<(), lessram::Error>(())
//! ```
//!
//! # Storing words
//!
//! [`Trie`] is a mutable word store with a count per word (13.2 heap bytes a word on the
//! 663,473-word English list as built, 9.9 after `shrink_to_fit`: about a third of a
//! collected `BTreeSet<String>`'s 35.6); freeze it into a [`Dawg`] or [`DawgMap`] (3.6
//! bytes a word there) to save, memory-map and search by prefix, range or edit distance
//! (see [`words`]; every figure is from `docs/footprint.md`):
//!
//! ```
//! use lessram::{Dawg, Trie};
//!
//! let trie: Trie = "the cat sat on the mat".split(' ').collect();
//! assert_eq!(trie.count("the"), 2);
//! let dawg = Dawg::from_trie(&trie);
//! assert_eq!(dawg.fuzzy("bat", 1).len(), 3); // cat, mat, sat
//! ```
//!
//! # Hashing once
//!
//! Items are hashed from their bytes by an [`ItemHasher`] ([`hash::Murmur3`] by default).
//! Callers that already hold a hash use the `insert_hash` / `contains_hash` entry points.
//!
//! ```
//! use lessram::hash::Murmur3;
//! use lessram::ItemHasher;
//!
//! let h = Murmur3::with_seed(0);
//! // The same 64 bits as Python's `mmh3.hash64(b"foo", signed=False)[0]`, on every platform:
//! assert_eq!(h.hash_item("foo"), 16316970633193145697);
//! assert_eq!(h.hash_item(b"foo"), h.hash_item(&b"foo".to_vec()));
//! ```
//!
//! # A corpus when you have none
//!
//! [`sample::SampleCorpus`] streams a seeded, Zipf-distributed synthetic text of word-like
//! tokens (what `lessram count` counts when given no file), the same on every platform:
//!
//! ```
//! use lessram::sample::SampleCorpus;
//!
//! let corpus = SampleCorpus::new(1_000);
//! let distinct: std::collections::HashSet<String> = corpus.tokens().collect();
//! assert!(distinct.len() < 1_000);
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod codec;
pub mod counting;
mod error;
mod format;
pub mod hash;
pub mod interop;
pub mod membership;
pub mod sample;
#[cfg(feature = "serde")]
pub(crate) mod serde_impls;
pub mod text;
pub mod words;

pub use codec::Codec;
pub use counting::{
    HyperLogLog, Kmv, LogLog, MorrisArray, MorrisCounter, SuperLogLog, UltraLogLog,
};
pub use error::{Error, Result};
pub use hash::{FromSaved, Item, ItemHasher};
pub use membership::{
    BloomBuilder, BloomFilter, BloomLayout, ScalingBloomBuilder, ScalingBloomFilter,
};
pub use words::{Dawg, DawgMap, Trie};

/// Heap bytes a structure owns, counting capacity, not length.
///
/// This is what a heap profiler such as dhat shows as live bytes for the structure (not
/// `size_of::<Self>()`, which is the inline part); lessram's heap harness checks the two
/// agree for every structure.
///
/// # Example
///
/// ```
/// use lessram::MemoryUsage;
///
/// struct Registers(Vec<u8>);
/// impl MemoryUsage for Registers {
///     fn memory_usage(&self) -> usize {
///         self.0.capacity()
///     }
/// }
/// assert_eq!(Registers(Vec::with_capacity(4096)).memory_usage(), 4096);
/// ```
pub trait MemoryUsage {
    /// Heap bytes owned by `self`, counting spare capacity.
    fn memory_usage(&self) -> usize;
}

/// A sketch that estimates the number of distinct items inserted into it.
///
/// Inserting the same item twice changes nothing; sketches with the same parameters and
/// hasher merge into the sketch of the union of their streams.
///
/// # Example
///
/// A generic function over any distinct counter (here an exact one, to show the contract):
///
/// ```
/// use std::collections::HashSet;
/// use lessram::hash::Murmur3;
/// use lessram::{DistinctCount, Result};
///
/// struct Exact(HashSet<u64>, Murmur3);
/// impl DistinctCount for Exact {
///     type Hasher = Murmur3;
///     fn hasher(&self) -> &Murmur3 { &self.1 }
///     fn insert_hash(&mut self, hash: u64) { self.0.insert(hash); }
///     fn estimate(&self) -> f64 { self.0.len() as f64 }
///     fn merge(&mut self, other: &Self) -> Result<()> {
///         self.0.extend(&other.0);
///         Ok(())
///     }
/// }
///
/// fn count_words<C: DistinctCount>(c: &mut C, text: &str) -> f64 {
///     text.split_whitespace().for_each(|w| c.insert(w));
///     c.estimate()
/// }
/// let mut c = Exact(HashSet::new(), Murmur3::new());
/// assert_eq!(count_words(&mut c, "a rose is a rose"), 3.0);
/// ```
pub trait DistinctCount {
    /// The hasher items go through.
    type Hasher: ItemHasher;

    /// The hasher items go through.
    fn hasher(&self) -> &Self::Hasher;

    /// Inserts an item, hashing its bytes with [`DistinctCount::hasher`].
    #[inline]
    fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        let hash = self.hasher().hash_item(item);
        self.insert_hash(hash);
    }

    /// Inserts an item already hashed to 64 uniformly distributed bits.
    fn insert_hash(&mut self, hash: u64);

    /// Inserts many items already hashed, in order: the same result as calling
    /// [`DistinctCount::insert_hash`] on each, and faster where a sketch can skip work
    /// across a batch ([`HyperLogLog`] filters out, branch-free, the hashes that cannot
    /// change a register).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::{DistinctCount, HyperLogLog, ItemHasher};
    ///
    /// let hashes: Vec<u64> = (0..100_000u64).map(|i| Murmur3::new().hash_item(&i)).collect();
    /// let (mut batch, mut one_by_one) = (HyperLogLog::new(12)?, HyperLogLog::new(12)?);
    /// batch.insert_hashes(hashes.iter().copied());
    /// hashes.iter().for_each(|&h| one_by_one.insert_hash(h));
    /// assert_eq!(batch, one_by_one);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    fn insert_hashes<I: IntoIterator<Item = u64>>(&mut self, hashes: I) {
        hashes.into_iter().for_each(|h| self.insert_hash(h));
    }

    /// The estimated number of distinct items inserted.
    fn estimate(&self) -> f64;

    /// Merges `other` into `self`, so that `self` estimates the union of both streams.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when parameters, hash or seed differ (naming both sides).
    fn merge(&mut self, other: &Self) -> Result<()>;
}

/// A set-membership filter: no false negatives, a bounded rate of false positives.
///
/// # Example
///
/// ```
/// use std::collections::HashSet;
/// use lessram::hash::Murmur3;
/// use lessram::Membership;
///
/// struct Exact(HashSet<u128>, Murmur3);
/// impl Membership for Exact {
///     type Hasher = Murmur3;
///     fn hasher(&self) -> &Murmur3 { &self.1 }
///     fn insert_hash(&mut self, hash: u128) -> bool { self.0.insert(hash) }
///     fn contains_hash(&self, hash: u128) -> bool { self.0.contains(&hash) }
/// }
///
/// let mut f = Exact(HashSet::new(), Murmur3::new());
/// assert!(f.insert("apple"));
/// assert!(!f.insert("apple"));
/// assert!(f.contains("apple") && !f.contains("pear"));
/// ```
pub trait Membership {
    /// The hasher items go through.
    type Hasher: ItemHasher;

    /// The hasher items go through.
    fn hasher(&self) -> &Self::Hasher;

    /// Inserts an item; returns `true` if it was (probably) not there before.
    #[inline]
    fn insert<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        let hash = self.hasher().hash_item128(item);
        self.insert_hash(hash)
    }

    /// Whether the item may have been inserted (`false` is certain).
    #[inline]
    fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hash(self.hasher().hash_item128(item))
    }

    /// Inserts an item already hashed to 128 uniformly distributed bits.
    fn insert_hash(&mut self, hash: u128) -> bool;

    /// Queries with a hash made as for [`Membership::insert_hash`].
    fn contains_hash(&self, hash: u128) -> bool;

    /// Starts loading the memory a query or insert of `hash` will read, without waiting
    /// for it: a hint, with no effect on any result. The default does nothing;
    /// [`BloomFilter`] and [`ScalingBloomFilter`] prefetch the cache lines the hash maps to
    /// (on x86-64; elsewhere they do nothing too).
    #[inline]
    fn prefetch_hash(&self, hash: u128) {
        let _ = hash;
    }

    /// Queries many items: yields [`Membership::contains`] of each, in order.
    ///
    /// A filter much larger than the processor's caches costs a cache miss per query, and
    /// one query at a time leaves the processor waiting for it. This iterator hashes
    /// [`membership::LOOKAHEAD`] items ahead of the one it answers and prefetches their
    /// memory ([`Membership::prefetch_hash`]), so the misses of several queries overlap.
    /// `docs/performance.md` ("Membership") measures what that gains.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut seen = ScalingBloomFilter::new(1_000, 0.01)?;
    /// for word in ["apple", "pear", "plum"] {
    ///     seen.insert(word);
    /// }
    /// let queries = ["pear", "fig", "apple"];
    /// let found: Vec<bool> = seen.contains_each(queries).collect();
    /// assert_eq!(found, [true, false, true]);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    fn contains_each<'a, T, I>(&'a self, items: I) -> membership::ContainsEach<'a, Self, I>
    where
        Self: Sized,
        T: Item + ?Sized + 'a,
        I: IntoIterator<Item = &'a T>,
    {
        membership::ContainsEach::new(self, items)
    }

    /// Inserts many items, in order, as [`Membership::insert`] on each would, reading
    /// [`membership::LOOKAHEAD`] items ahead and prefetching their memory as
    /// [`Membership::contains_each`] does. Returns how many inserts reported a new item.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{Membership, ScalingBloomFilter};
    ///
    /// let mut seen = ScalingBloomFilter::new(1_000, 0.01)?;
    /// let words = "a rose is a rose is a rose".split_whitespace();
    /// assert_eq!(seen.insert_each(words), 3);
    /// assert!(seen.contains("rose"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    fn insert_each<'a, T, I>(&mut self, items: I) -> usize
    where
        Self: Sized,
        T: Item + ?Sized + 'a,
        I: IntoIterator<Item = &'a T>,
    {
        membership::insert_each(self, items)
    }

    /// Inserts many items already hashed (as for [`Membership::insert_hash`]), in order,
    /// as `insert_hash` on each would, prefetching the memory of the hash
    /// [`membership::LOOKAHEAD`] places ahead as [`Membership::insert_each`] does. Returns
    /// how many inserts reported a new item.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{ItemHasher, Membership, ScalingBloomFilter};
    ///
    /// let mut seen = ScalingBloomFilter::new(1_000, 0.01)?;
    /// let hasher = *seen.hasher();
    /// let hashes: Vec<u128> = ["a", "rose", "a"].iter().map(|w| hasher.hash_item128(*w)).collect();
    /// assert_eq!(seen.insert_hashes(hashes), 2);
    /// assert!(seen.contains("rose"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    fn insert_hashes<I>(&mut self, hashes: I) -> usize
    where
        Self: Sized,
        I: IntoIterator<Item = u128>,
    {
        membership::insert_hashes(self, hashes)
    }
}

/// An exact set of words (byte strings) with prefix search.
///
/// # Example
///
/// ```
/// use std::collections::BTreeSet;
/// use lessram::WordStore;
///
/// struct Sorted(BTreeSet<Vec<u8>>);
/// impl WordStore for Sorted {
///     fn contains(&self, word: &[u8]) -> bool { self.0.contains(word) }
///     fn len(&self) -> usize { self.0.len() }
///     fn for_each_with_prefix<F: FnMut(&[u8])>(&self, prefix: &[u8], mut f: F) {
///         self.0.range(prefix.to_vec()..).take_while(|w| w.starts_with(prefix)).for_each(|w| f(w));
///     }
/// }
///
/// let s = Sorted(["car", "cart", "dog"].iter().map(|w| w.as_bytes().to_vec()).collect());
/// assert!(s.contains(b"cart") && !s.contains(b"ca"));
/// assert_eq!(s.words_with_prefix(b"car"), [b"car".to_vec(), b"cart".to_vec()]);
/// ```
pub trait WordStore {
    /// Whether `word` is stored (exactly).
    fn contains(&self, word: &[u8]) -> bool;

    /// Number of distinct words stored.
    fn len(&self) -> usize;

    /// Whether no word is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with every stored word that starts with `prefix`, in byte order.
    fn for_each_with_prefix<F: FnMut(&[u8])>(&self, prefix: &[u8], f: F);

    /// Every stored word that starts with `prefix`, in byte order.
    fn words_with_prefix(&self, prefix: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.for_each_with_prefix(prefix, |w| out.push(w.to_vec()));
        out
    }
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
