//! The exact count: every distinct token's bytes, in one arena, behind a hash table.

use hashbrown::HashTable;
use lessram::hash::murmur3_x64_128;

/// A set of byte strings: a table of offsets into one arena where each token is stored once
/// as a LEB128 length and its bytes. The table is keyed by the token's MurmurHash3 (already
/// computed for the sketches), so a token is never hashed twice; only growing the table
/// rehashes stored tokens.
#[derive(Default)]
pub(crate) struct ExactSet {
    table: HashTable<u64>,
    arena: Vec<u8>,
}

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

fn rehash(arena: &[u8], offset: u64) -> u64 {
    murmur3_x64_128(token_at(arena, offset), 0) as u64
}

impl ExactSet {
    /// Inserts `token` whose 64-bit MurmurHash3 (seed 0) is `hash`.
    pub(crate) fn insert(&mut self, hash: u64, token: &[u8]) {
        let arena = &mut self.arena;
        let entry = self.table.entry(
            hash,
            |&off| token_at(arena, off) == token,
            |&off| rehash(arena, off),
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

    /// Adds every token of `other`.
    pub(crate) fn merge(&mut self, other: &ExactSet) {
        self.table
            .reserve(other.len(), |&off| rehash(&self.arena, off));
        for &off in &other.table {
            let token = token_at(&other.arena, off);
            self.insert(murmur3_x64_128(token, 0) as u64, token);
        }
    }

    /// Distinct tokens.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// Every distinct token, in no order.
    #[cfg(test)]
    pub(crate) fn tokens(&self) -> impl Iterator<Item = &[u8]> {
        self.table.iter().map(|&off| token_at(&self.arena, off))
    }

    /// Heap bytes: the table's allocation and the arena's capacity.
    pub(crate) fn memory_usage(&self) -> usize {
        self.table.allocation_size() + self.arena.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn agrees_with_a_hash_set() {
        let mut set = ExactSet::default();
        let mut oracle = HashSet::new();
        let mut other = ExactSet::default();
        for i in 0..50_000u32 {
            let token = format!("t{}", (i * 7919) % 20_011).repeat(1 + (i % 40) as usize);
            let h = murmur3_x64_128(token.as_bytes(), 0) as u64;
            if i % 2 == 0 {
                set.insert(h, token.as_bytes());
            } else {
                other.insert(h, token.as_bytes());
            }
            oracle.insert(token);
        }
        set.merge(&other);
        assert_eq!(set.len(), oracle.len());
        assert!(set.memory_usage() > 0);
    }
}
