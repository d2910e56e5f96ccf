//! The exact count: every distinct token's bytes, in one arena, behind a hash table.

use hashbrown::HashTable;

use crate::MemoryUsage;
use crate::hash::murmur3_x64_128;

/// An exact set of tokens (byte strings), keyed by the hash the sketches already have.
///
/// A table of offsets into one arena where each token is stored once as a LEB128 length and
/// its bytes. The table is keyed by the low 64 bits of the token's MurmurHash3 with the
/// set's seed (already computed for the sketches), so a token is never hashed twice to be
/// counted; only growing the table rehashes stored tokens. [`Counter::exact`] keeps one
/// beside the sketches, for their relative errors.
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
#[derive(Clone, Default)]
pub struct ExactCount {
    table: HashTable<u64>,
    arena: Vec<u8>,
    seed: u32,
}

impl std::fmt::Debug for ExactCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExactCount")
            .field("len", &self.len())
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
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
            seed,
            ..Self::default()
        }
    }

    /// Inserts `token`, whose 64-bit MurmurHash3 with the set's seed is `hash` (the low 64
    /// bits of [`crate::hash::murmur3_x64_128`]). A wrong `hash` does not break the set, but
    /// the token may then be counted twice.
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
        let (arena, seed) = (&mut self.arena, self.seed);
        let entry = self.table.entry(
            hash,
            |&off| token_at(arena, off) == token,
            |&off| murmur3_x64_128(token_at(arena, off), seed) as u64,
        );
        if let hashbrown::hash_table::Entry::Vacant(v) = entry {
            let offset = arena.len() as u64;
            let mut len = token.len();
            while len >= 0x80 {
                arena.push((len as u8) | 0x80);
                len >>= 7;
            }
            arena.push(len as u8);
            arena.extend_from_slice(token);
            v.insert(offset);
        }
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
        let arena = &self.arena;
        let seed = self.seed;
        self.table.reserve(other.len(), |&off| {
            murmur3_x64_128(token_at(arena, off), seed) as u64
        });
        for &off in &other.table {
            let token = token_at(&other.arena, off);
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
        self.table.len()
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
        self.table.is_empty()
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
        self.table.iter().map(|&off| token_at(&self.arena, off))
    }
}

impl MemoryUsage for ExactCount {
    /// Heap bytes: the table's allocation and the arena's capacity.
    fn memory_usage(&self) -> usize {
        self.table.allocation_size() + self.arena.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn agrees_with_a_hash_set() {
        for seed in [0, 9001] {
            let mut set = ExactCount::new(seed);
            let mut oracle = HashSet::new();
            let mut other = ExactCount::new(seed);
            for i in 0..50_000u32 {
                let token = format!("t{}", (i * 7919) % 20_011).repeat(1 + (i % 40) as usize);
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
}
