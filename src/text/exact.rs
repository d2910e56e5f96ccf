//! The exact count: every distinct token's bytes, in arenas behind hash tables, sharded by
//! the token's hash so that counting threads share one set and store each token once.

use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use hashbrown::HashTable;

use crate::MemoryUsage;
use crate::hash::murmur3_x64_128;

/// A token's shard is the top `SHARD_BITS` bits of its 64-bit hash.
const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
/// An entry of a shard's table holds the token's offset in the shard's arena (its low
/// `OFFSET_BITS` bits: 256 GiB a shard) and a fragment of its hash (the other
/// `FRAGMENT_BITS`), so that the table compares and grows without reading the arena but
/// for a true match.
const OFFSET_BITS: u32 = 38;
const FRAGMENT_BITS: u32 = 64 - OFFSET_BITS;
const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

/// The shard of `hash`.
fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARD_BITS)) as usize
}

/// The fragment of `hash` an entry keeps: the bits just below the shard's.
fn fragment(hash: u64) -> u64 {
    (hash >> (64 - SHARD_BITS - FRAGMENT_BITS)) & ((1 << FRAGMENT_BITS) - 1)
}

/// The hash a shard's table places an entry by, from its fragment alone (so growing reads
/// no token and hashes nothing): an odd multiplier carries every bit of the fragment to the
/// top seven the table's control bytes take, and keeps the low ones (its bucket) uniform.
/// Up to 2^19 buckets a shard (some 30 M tokens in all) the two are independent; past it
/// they are correlated and more probes read the arena, which slows the set but does not
/// change it.
fn table_hash(entry: u64) -> u64 {
    (entry >> OFFSET_BITS).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The token stored at `offset`.
fn token_at(arena: &[u8], offset: u64) -> &[u8] {
    let mut i = offset as usize;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let b = arena[i];
        i += 1;
        len |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    &arena[i..i + len]
}

/// One shard: a table of entries into an arena where each token is stored once, as a
/// LEB128 length and its bytes.
#[derive(Clone, Default)]
struct Shard {
    table: HashTable<u64>,
    arena: Vec<u8>,
}

impl Shard {
    /// Inserts `token`, of 64-bit hash `hash`.
    ///
    /// # Panics
    ///
    /// When the shard's arena passes 256 GiB (16 TiB of tokens in the set: the memory runs
    /// out long before).
    fn insert(&mut self, hash: u64, token: &[u8]) {
        let frag = fragment(hash);
        let arena = &mut self.arena;
        let entry = self.table.entry(
            table_hash(frag << OFFSET_BITS),
            |&e| e >> OFFSET_BITS == frag && token_at(arena, e & OFFSET_MASK) == token,
            |&e| table_hash(e),
        );
        if let hashbrown::hash_table::Entry::Vacant(v) = entry {
            let offset = arena.len() as u64;
            assert!(
                offset + token.len() as u64 + 10 <= OFFSET_MASK,
                "an exact-count shard holds at most 256 GiB"
            );
            let mut len = token.len();
            while len >= 0x80 {
                arena.push((len as u8) | 0x80);
                len >>= 7;
            }
            arena.push(len as u8);
            arena.extend_from_slice(token);
            v.insert(frag << OFFSET_BITS | offset);
        }
    }

    fn tokens(&self) -> impl Iterator<Item = &[u8]> {
        self.table
            .iter()
            .map(|&e| token_at(&self.arena, e & OFFSET_MASK))
    }

    fn memory_usage(&self) -> usize {
        self.table.allocation_size() + self.arena.capacity()
    }
}

/// An exact set of tokens (byte strings), keyed by the hash the sketches already have.
///
/// Each token is stored once, as a LEB128 length and its bytes, in one of 64 shards (by
/// the top bits of its hash): an arena of bytes behind a hash table of offsets. The set is
/// keyed by the low 64 bits of the token's MurmurHash3 with the set's seed (already
/// computed for the sketches), so a token is never hashed to be counted, and the tables
/// keep a fragment of each hash beside its offset, so growing one rehashes nothing.
/// [`Counter::exact`] keeps one beside the sketches, for their relative errors; its threads
/// share the shards (each behind a lock), so the set holds each token once whatever their
/// number, and is the same on any.
///
/// [`Counter::exact`]: super::Counter::exact
///
/// # Example
///
/// ```
/// use lessram::hash::murmur3_x64_128;
/// use lessram::text::ExactCount;
///
/// let mut set = ExactCount::new(0);
/// for word in ["to", "be", "or", "not", "to", "be"] {
///     set.insert(murmur3_x64_128(word.as_bytes(), 0) as u64, word.as_bytes());
/// }
/// assert_eq!(set.len(), 4);
/// ```
#[derive(Clone)]
pub struct ExactCount {
    shards: Box<[Shard]>,
    seed: u32,
}

impl Default for ExactCount {
    fn default() -> Self {
        Self::new(0)
    }
}

impl std::fmt::Debug for ExactCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExactCount")
            .field("len", &self.len())
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl ExactCount {
    /// An empty set whose keys are MurmurHash3 with `seed` (the seed the counter hashes
    /// with).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::ExactCount;
    /// assert!(ExactCount::new(9001).is_empty());
    /// ```
    #[must_use]
    pub fn new(seed: u32) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            seed,
        }
    }

    /// Inserts `token`, whose 64-bit MurmurHash3 with the set's seed is `hash` (the low 64
    /// bits of [`crate::hash::murmur3_x64_128`]). A wrong `hash` does not break the set, but
    /// the token may then be counted twice.
    ///
    /// # Panics
    ///
    /// When a shard passes 256 GiB of tokens (the set 16 TiB: memory runs out long before).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::murmur3_x64_128;
    /// use lessram::text::ExactCount;
    ///
    /// let mut set = ExactCount::new(0);
    /// set.insert(murmur3_x64_128(b"x", 0) as u64, b"x");
    /// set.insert(murmur3_x64_128(b"x", 0) as u64, b"x");
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn insert(&mut self, hash: u64, token: &[u8]) {
        self.shards[shard_of(hash)].insert(hash, token);
    }

    /// Adds every token of `other` (whatever its seed).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::murmur3_x64_128;
    /// use lessram::text::ExactCount;
    ///
    /// let (mut a, mut b) = (ExactCount::new(0), ExactCount::new(0));
    /// a.insert(murmur3_x64_128(b"x", 0) as u64, b"x");
    /// b.insert(murmur3_x64_128(b"y", 0) as u64, b"y");
    /// a.merge(&b);
    /// assert_eq!(a.len(), 2);
    /// ```
    pub fn merge(&mut self, other: &ExactCount) {
        for token in other.tokens() {
            self.insert(murmur3_x64_128(token, self.seed) as u64, token);
        }
    }

    /// The number of distinct tokens.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::ExactCount;
    /// assert_eq!(ExactCount::new(0).len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.table.len()).sum()
    }

    /// Whether no token is stored.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::ExactCount;
    /// assert!(ExactCount::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.table.is_empty())
    }

    /// Every distinct token, in no order.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::murmur3_x64_128;
    /// use lessram::text::ExactCount;
    ///
    /// let mut set = ExactCount::new(0);
    /// set.insert(murmur3_x64_128(b"x", 0) as u64, b"x");
    /// assert_eq!(set.tokens().collect::<Vec<_>>(), [b"x"]);
    /// ```
    pub fn tokens(&self) -> impl Iterator<Item = &[u8]> {
        self.shards.iter().flat_map(Shard::tokens)
    }
}

impl MemoryUsage for ExactCount {
    /// Heap bytes: the shards, their tables' allocations and their arenas' capacities.
    fn memory_usage(&self) -> usize {
        std::mem::size_of_val(&*self.shards)
            + self.shards.iter().map(Shard::memory_usage).sum::<usize>()
    }
}

/// A shard behind its lock, alone on its cache lines (two cores locking neighbours do not
/// pass one line back and forth).
#[repr(align(128))]
struct Locked(Mutex<Shard>);

/// An [`ExactCount`] that counting threads fill together: each shard behind its own lock.
pub(crate) struct SharedExact {
    shards: Box<[Locked]>,
    seed: u32,
}

/// A thread's buffers for [`SharedExact::insert_batch`], allocated once.
#[derive(Default)]
pub(crate) struct Grouping {
    /// The batch's tokens, by shard.
    order: Vec<u32>,
    /// Where each shard's tokens start in `order` (and, after, end).
    starts: Vec<u32>,
    /// Shards that were busy, to insert into once the others are done.
    busy: Vec<usize>,
}

impl SharedExact {
    pub(crate) fn new(seed: u32) -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Locked(Mutex::new(Shard::default())))
                .collect(),
            seed,
        }
    }

    /// The shard `i`, locked (a thread that panicked holding it left it whole: a table
    /// insert does not unwind halfway, and the count fails with that thread anyway).
    fn lock(&self, i: usize) -> MutexGuard<'_, Shard> {
        self.shards[i]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Inserts one token, of 64-bit hash `hash`.
    pub(crate) fn insert(&self, hash: u64, token: &[u8]) {
        self.lock(shard_of(hash)).insert(hash, token);
    }

    /// Inserts the tokens `block[marks[2i]..marks[2i + 1]]` of hashes `hashes[i]`: grouped
    /// by shard, each shard locked once, the busy ones left for last.
    pub(crate) fn insert_batch(
        &self,
        block: &[u8],
        hashes: &[u128],
        marks: &[u32],
        g: &mut Grouping,
    ) {
        let n = hashes.len().min(marks.len() / 2);
        g.starts.clear();
        g.starts.resize(SHARDS + 1, 0);
        for &h in &hashes[..n] {
            g.starts[shard_of(h as u64) + 1] += 1;
        }
        for s in 1..=SHARDS {
            g.starts[s] += g.starts[s - 1];
        }
        g.order.clear();
        g.order.resize(n, 0);
        // `starts[s]` walks from the start of shard `s`'s tokens to their end, which is
        // where shard `s + 1`'s start: after, shard `s` spans `starts[s - 1]..starts[s]`.
        for (i, &h) in hashes[..n].iter().enumerate() {
            let s = shard_of(h as u64);
            g.order[g.starts[s] as usize] = i as u32;
            g.starts[s] += 1;
        }
        let span = |g: &Grouping, s: usize| {
            let start = if s == 0 { 0 } else { g.starts[s - 1] as usize };
            start..g.starts[s] as usize
        };
        let insert = |shard: &mut Shard, g: &Grouping, s: usize| {
            for &i in &g.order[span(g, s)] {
                let i = i as usize;
                let token = &block[marks[2 * i] as usize..marks[2 * i + 1] as usize];
                shard.insert(hashes[i] as u64, token);
            }
        };
        g.busy.clear();
        for s in 0..SHARDS {
            if span(g, s).is_empty() {
                continue;
            }
            match self.shards[s].0.try_lock() {
                Ok(mut shard) => insert(&mut shard, g, s),
                Err(TryLockError::Poisoned(e)) => insert(&mut e.into_inner(), g, s),
                Err(TryLockError::WouldBlock) => g.busy.push(s),
            }
        }
        let busy = std::mem::take(&mut g.busy);
        for &s in &busy {
            insert(&mut self.lock(s), g, s);
        }
        g.busy = busy;
    }

    /// The set, once every thread is done with it.
    pub(crate) fn into_inner(self) -> ExactCount {
        ExactCount {
            shards: self
                .shards
                .into_vec()
                .into_iter()
                .map(|l| l.0.into_inner().unwrap_or_else(PoisonError::into_inner))
                .collect(),
            seed: self.seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Tokens with repeats, of lengths 2 to some 250 (LEB128 lengths of one and two bytes).
    fn token(i: u32) -> String {
        format!("t{}", (i * 7919) % 20_011).repeat(1 + (i % 40) as usize)
    }

    #[test]
    fn agrees_with_a_hash_set() {
        for seed in [0, 9001] {
            let mut set = ExactCount::new(seed);
            let mut oracle = HashSet::new();
            let mut other = ExactCount::new(seed);
            for i in 0..50_000u32 {
                let token = token(i);
                let h = murmur3_x64_128(token.as_bytes(), seed) as u64;
                if i % 2 == 0 {
                    set.insert(h, token.as_bytes());
                } else {
                    other.insert(h, token.as_bytes());
                }
                oracle.insert(token);
            }
            set.merge(&other);
            assert_eq!(set.len(), oracle.len());
            let tokens: HashSet<Vec<u8>> = set.tokens().map(<[u8]>::to_vec).collect();
            assert_eq!(tokens.len(), oracle.len());
            assert!(oracle.iter().all(|t| tokens.contains(t.as_bytes())));
            assert!(set.memory_usage() > 0);
        }
    }

    #[test]
    fn tokens_that_share_a_fragment_stay_apart() {
        // Hashes made to agree on shard and fragment (and so on the table's hash): only the
        // bytes tell the tokens apart.
        let mut set = ExactCount::new(0);
        let hash = 0x1234_5678_9abc_def0;
        for t in [&b"a"[..], b"b", b"", b"ab", b"a"] {
            set.insert(hash, t);
        }
        assert_eq!(set.len(), 4);
    }

    #[test]
    fn batches_from_threads_make_the_same_set() {
        // Four threads insert overlapping batches of one text, in any interleaving: the
        // shared set holds each token once, as one thread inserting everything does.
        let seed = 7;
        let mut text = Vec::new();
        let mut marks = Vec::new();
        let mut hashes = Vec::new();
        for i in 0..40_000u32 {
            let t = token(i % 30_000);
            marks.push(text.len() as u32);
            text.extend_from_slice(t.as_bytes());
            marks.push(text.len() as u32);
            hashes.push(murmur3_x64_128(t.as_bytes(), seed));
            text.push(b' ');
        }
        let oracle: HashSet<&[u8]> = marks
            .chunks_exact(2)
            .map(|m| &text[m[0] as usize..m[1] as usize])
            .collect();
        let shared = SharedExact::new(seed);
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (shared, text, marks, hashes) = (&shared, &text, &marks, &hashes);
                scope.spawn(move || {
                    let mut g = Grouping::default();
                    // Thread t takes batches of 1000 from its own start, wrapping around
                    // (so some batches twice).
                    for b in 0..60 {
                        let first = (b * 1000 + t * 7000) % 40_000;
                        let hs = &hashes[first..first + 1000];
                        let ms = &marks[2 * first..2 * (first + 1000)];
                        shared.insert_batch(text, hs, ms, &mut g);
                    }
                });
            }
        });
        let set = shared.into_inner();
        assert_eq!(set.len(), oracle.len());
        let got: HashSet<&[u8]> = set.tokens().collect();
        assert_eq!(got, oracle);
    }
}
