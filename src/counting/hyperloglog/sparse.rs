//! The sparse representation: the distinct 64-bit hashes themselves.
//!
//! While a sketch has seen few distinct hashes it keeps them all, so its count is exact (the
//! number of distinct 64-bit hashes, which is the number of distinct items unless two items
//! collide in 64 bits: probability below `n^2 / 2^65`, below 2e-11 for any `n` the sparse
//! form holds). It holds at most `floor(3 * 2^p / 32)` hashes, so its `8 n` bytes never
//! exceed the dense form's `3 * 2^p / 4`; the next distinct hash converts the sketch to
//! dense registers, which are exactly those the hashes would have set.
//!
//! Layout: one `Vec<u64>` whose first `sorted` entries are sorted, followed by a short
//! unsorted tail. A lookup is a binary search plus a scan of the tail; when the tail reaches
//! its limit (about the square root of the capacity) it is sorted and merged into the
//! prefix in place, from the back, so a sketch of `n` hashes costs `O(n^1.5)` moves to fill
//! instead of the `O(n^2)` of keeping one sorted list, and needs no scratch allocation.

/// The largest tail: bounds the stack buffer used to merge it.
const TAIL_MAX: usize = 128;

/// Distinct hashes the sparse form holds at precision `p`: `8 * limit <= 3 * 2^p / 4`.
pub(crate) fn limit(p: u8) -> usize {
    (3usize << p) / 32
}

/// Tail length that triggers a merge into the sorted prefix.
fn tail_limit(limit: usize) -> usize {
    limit.isqrt().clamp(8, TAIL_MAX)
}

/// What an insert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// The hash was already there.
    Present,
    /// The hash was added.
    Added,
    /// The hash is new but the sparse form is full: convert to dense.
    Full,
}

#[derive(Clone, Default)]
pub(crate) struct Sparse {
    hashes: Vec<u64>,
    sorted: usize,
}

impl Sparse {
    /// Distinct hashes held.
    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.hashes.capacity() * std::mem::size_of::<u64>()
    }

    /// The hashes, in no particular order.
    pub(crate) fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The hashes in increasing order (a copy).
    pub(crate) fn sorted_hashes(&self) -> Vec<u64> {
        let mut v = self.hashes.clone();
        v[self.sorted..].sort_unstable();
        if self.sorted < v.len() {
            merge_tail(&mut v, self.sorted);
        }
        v
    }

    /// Builds a sparse set from strictly increasing hashes (checked by the caller).
    pub(crate) fn from_sorted(hashes: Vec<u64>) -> Self {
        debug_assert!(hashes.windows(2).all(|w| w[0] < w[1]));
        let sorted = hashes.len();
        Self { hashes, sorted }
    }

    #[inline]
    pub(crate) fn contains(&self, hash: u64) -> bool {
        let (prefix, tail) = self.hashes.split_at(self.sorted);
        tail.contains(&hash) || prefix.binary_search(&hash).is_ok()
    }

    /// Adds `hash` unless present or the set already holds `limit` hashes.
    #[inline]
    pub(crate) fn insert(&mut self, hash: u64, limit: usize) -> Inserted {
        if self.contains(hash) {
            return Inserted::Present;
        }
        let len = self.hashes.len();
        if len >= limit {
            return Inserted::Full;
        }
        if len == self.hashes.capacity() {
            // Grow by doubling, never past the limit, so the bytes stay within the dense
            // form's.
            let target = (2 * len).max(4).min(limit);
            self.hashes.reserve_exact(target - len);
        }
        self.hashes.push(hash);
        if self.hashes.len() - self.sorted >= tail_limit(limit) {
            merge_tail(&mut self.hashes, self.sorted);
            self.sorted = self.hashes.len();
        }
        Inserted::Added
    }

    /// Same set of hashes (whatever their order in memory).
    pub(crate) fn same_set(&self, other: &Sparse) -> bool {
        self.len() == other.len() && self.hashes.iter().all(|&h| other.contains(h))
    }
}

/// Sorts `v[sorted..]` (at most [`TAIL_MAX`] entries) and merges it into the sorted prefix
/// `v[..sorted]`, in place.
fn merge_tail(v: &mut [u64], sorted: usize) {
    let n = v.len();
    let t = n - sorted;
    debug_assert!(t <= TAIL_MAX);
    let mut buf = [0u64; TAIL_MAX];
    buf[..t].copy_from_slice(&v[sorted..]);
    buf[..t].sort_unstable();
    // Merge from the back: the write position never overtakes the prefix's read position.
    let (mut i, mut j, mut k) = (sorted, t, n);
    while j > 0 {
        k -= 1;
        if i > 0 && v[i - 1] > buf[j - 1] {
            v[k] = v[i - 1];
            i -= 1;
        } else {
            v[k] = buf[j - 1];
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn holds_distinct_hashes_up_to_its_limit_in_order() {
        for p in [4u8, 6, 10, 14] {
            let limit = limit(p);
            assert!(8 * limit <= 3 << p >> 2);
            let mut s = Sparse::default();
            let mut oracle = BTreeSet::new();
            let mut state = u64::from(p);
            let mut full = false;
            for _ in 0..4 * limit + 10 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Few distinct values, so duplicates are common.
                let h = (state >> 40) % (2 * limit as u64 + 3);
                match s.insert(h, limit) {
                    Inserted::Present => assert!(oracle.contains(&h)),
                    Inserted::Added => assert!(oracle.insert(h)),
                    Inserted::Full => {
                        assert!(!oracle.contains(&h) && oracle.len() == limit);
                        full = true;
                    }
                }
                assert!(s.heap_bytes() <= 3 << p >> 2, "p {p}");
            }
            assert!(full, "p {p}");
            assert_eq!(
                s.sorted_hashes(),
                oracle.iter().copied().collect::<Vec<_>>()
            );
            assert!(s.same_set(&Sparse::from_sorted(s.sorted_hashes())));
        }
    }
}
