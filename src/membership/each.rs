//! Batches that overlap their cache misses: [`crate::Membership::contains_each`],
//! [`crate::Membership::insert_each`] and [`crate::Membership::insert_hashes`].

use std::fmt;
use std::iter::{Fuse, FusedIterator};

use crate::{Item, ItemHasher, Membership};

/// How many items [`Membership::contains_each`] and [`Membership::insert_each`] hash and
/// prefetch ahead of the one they answer or insert. Enough to keep several keys' misses in
/// flight, few enough that the lines prefetched are still in the cache when their turn
/// comes (a scaling filter prefetches one line per sub-filter). Chosen from 4, 8 and 16,
/// each timed with `cargo bench --bench membership_table` (`docs/performance.md`,
/// "Membership").
pub const LOOKAHEAD: usize = 8;

/// Items read ahead: the hashes of up to [`LOOKAHEAD`] items, oldest first, in a ring.
struct Ahead<I> {
    items: Fuse<I>,
    ring: [u128; LOOKAHEAD],
    next: usize,
    len: usize,
}

impl<'a, T: ?Sized + 'a, I: Iterator<Item = &'a T>> Ahead<I> {
    fn new(items: I) -> Self {
        Self {
            items: items.fuse(),
            ring: [0; LOOKAHEAD],
            next: 0,
            len: 0,
        }
    }

    /// Tops the ring up (all of it on the first call, one item on each after), hashing
    /// each item read with `read`, then takes the oldest hash out.
    #[inline]
    fn next_hash(&mut self, mut read: impl FnMut(&T) -> u128) -> Option<u128> {
        while self.len < LOOKAHEAD {
            let Some(item) = self.items.next() else { break };
            self.ring[(self.next + self.len) % LOOKAHEAD] = read(item);
            self.len += 1;
        }
        if self.len == 0 {
            return None;
        }
        let hash = self.ring[self.next];
        self.next = (self.next + 1) % LOOKAHEAD;
        self.len -= 1;
        Some(hash)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.items.size_hint();
        (
            lo.saturating_add(self.len),
            hi.and_then(|h| h.checked_add(self.len)),
        )
    }
}

/// The hash of `item`, whose memory in `filter` the processor is asked to start loading.
#[inline]
fn hash_and_prefetch<M: Membership, T: Item + ?Sized>(filter: &M, item: &T) -> u128 {
    let hash = filter.hasher().hash_item128(item);
    filter.prefetch_hash(hash);
    hash
}

/// The iterator of [`Membership::contains_each`]: whether each item may have been
/// inserted, in the order of the items.
pub struct ContainsEach<'a, M, I: IntoIterator> {
    filter: &'a M,
    ahead: Ahead<I::IntoIter>,
}

impl<'a, M, T, I> ContainsEach<'a, M, I>
where
    M: Membership,
    T: Item + ?Sized + 'a,
    I: IntoIterator<Item = &'a T>,
{
    pub(crate) fn new(filter: &'a M, items: I) -> Self {
        Self {
            filter,
            ahead: Ahead::new(items.into_iter()),
        }
    }
}

impl<'a, M, T, I> Iterator for ContainsEach<'a, M, I>
where
    M: Membership,
    T: Item + ?Sized + 'a,
    I: IntoIterator<Item = &'a T>,
{
    type Item = bool;

    #[inline]
    fn next(&mut self) -> Option<bool> {
        let filter = self.filter;
        let hash = self
            .ahead
            .next_hash(|item| hash_and_prefetch(filter, item))?;
        Some(filter.contains_hash(hash))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ahead.size_hint()
    }
}

impl<'a, M, T, I> FusedIterator for ContainsEach<'a, M, I>
where
    M: Membership,
    T: Item + ?Sized + 'a,
    I: IntoIterator<Item = &'a T>,
{
}

impl<M, I: IntoIterator> fmt::Debug for ContainsEach<'_, M, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainsEach")
            .field("pending", &self.ahead.len)
            .finish_non_exhaustive()
    }
}

/// [`Membership::insert_each`]: inserts every item in order, reading ahead; returns how
/// many inserts reported a new item.
pub(crate) fn insert_each<'a, M, T, I>(filter: &mut M, items: I) -> usize
where
    M: Membership,
    T: Item + ?Sized + 'a,
    I: IntoIterator<Item = &'a T>,
{
    let mut ahead = Ahead::new(items.into_iter());
    let mut new = 0;
    while let Some(hash) = ahead.next_hash(|item| hash_and_prefetch(&*filter, item)) {
        new += usize::from(filter.insert_hash(hash));
    }
    new
}

/// [`Membership::insert_hashes`]: inserts every hash in order, prefetching the memory of the
/// hash [`LOOKAHEAD`] places ahead; returns how many inserts reported a new item.
pub(crate) fn insert_hashes<M, I>(filter: &mut M, hashes: I) -> usize
where
    M: Membership,
    I: IntoIterator<Item = u128>,
{
    let mut hashes = hashes.into_iter().fuse();
    let mut ring = [0u128; LOOKAHEAD];
    let mut len = 0;
    for (slot, hash) in ring.iter_mut().zip(&mut hashes) {
        filter.prefetch_hash(hash);
        *slot = hash;
        len += 1;
    }
    let (mut next, mut new) = (0, 0);
    while len > 0 {
        let hash = ring[next];
        match hashes.next() {
            Some(ahead) => {
                filter.prefetch_hash(ahead);
                ring[next] = ahead;
            }
            None => len -= 1,
        }
        next = (next + 1) % LOOKAHEAD;
        new += usize::from(filter.insert_hash(hash));
    }
    new
}
