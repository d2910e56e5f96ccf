//! Sinks of the sketches other engines read: DataSketches' HLL and Theta (a KMV) and Redis'
//! HyperLogLog (and UltraLogLogs hashing as they do, whose HyperLogLog those engines read), fed by a
//! [`Counter`](super::Counter) hashing as that engine does ([`Hashing`](super::Hashing)).

use crate::error::Result;
use crate::hash::{HASH_ID_MURMUR3, ItemHasher, murmur3_x64_128};
use crate::interop::datasketches::{self, DataSketchesHasher, DataSketchesHyperLogLog};
use crate::interop::redis::{RedisHasher, RedisHyperLogLog};
use crate::interop::theta::{self, ThetaKmv};
use crate::{DistinctCount, UltraLogLog};

use super::sink::{Sink, downcast};

/// The batch's hashes as DataSketches' layout at `h`'s `lg_k` (the counter hashes with its
/// seed 9001): DataSketches ignores the empty string (an empty line), so its hash is left
/// out.
fn datasketches_hashes(h: DataSketchesHasher, hashes: &[u128]) -> impl Iterator<Item = u64> {
    let empty = murmur3_x64_128(b"", datasketches::SEED);
    hashes
        .iter()
        .filter(move |&&x| x != empty)
        .map(move |&x| h.hash_of_murmur3(x))
}

/// The batch's Redis hashes: the counter puts MurmurHash64A in the high 64 bits.
fn redis_hashes(hashes: &[u128]) -> impl Iterator<Item = u64> {
    hashes.iter().map(|&x| (x >> 64) as u64)
}

/// A [`DataSketchesHyperLogLog`] as a [`Sink`], for a counter with
/// [`Hashing::DataSketches`](super::Hashing::DataSketches) (MurmurHash3 seed 9001): each
/// 128-bit hash becomes DataSketches' coupon on the way in
/// ([`DataSketchesHasher::hash_of_murmur3`](datasketches::DataSketchesHasher::hash_of_murmur3)),
/// so the sketch is the one DataSketches builds from the same tokens, with no second hash.
/// An empty token (an empty line) is left out, as DataSketches ignores the empty string.
///
/// Forked on every thread and merged back like [`Distinct`](super::Distinct): the registers
/// are the same on any number of threads, but a dense sketch merged from several threads has
/// no HIP estimate (it is saved *out of order*, as DataSketches marks a union); on one thread
/// it keeps DataSketches' HIP accumulator.
///
/// # Example
///
/// ```
/// use lessram::interop::datasketches;
/// use lessram::text::{Counter, DataSketchesHll, Hashing, TokenOptions};
///
/// let mut counter = Counter::new(TokenOptions::words()).hashing(Hashing::DataSketches);
/// let hll = counter.sink(DataSketchesHll(datasketches::new(12)?));
/// let counted = counter.count_bytes(b"a rose is a rose")?.take(hll).0;
/// let mut direct = datasketches::new(12)?;
/// ["a", "rose", "is"].iter().for_each(|w| direct.insert(w));
/// assert_eq!(counted.registers(), direct.registers());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DataSketchesHll(pub DataSketchesHyperLogLog);

impl Sink for DataSketchesHll {
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        let h = *self.0.hasher();
        self.0.insert_hashes(datasketches_hashes(h, hashes));
    }

    fn fork(&self) -> Option<Box<dyn Sink>> {
        Some(Box::new(self.clone()))
    }

    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let other: Self = downcast(fork, "DataSketchesHll")?;
        self.0.merge(&other.0)
    }

    /// MurmurHash3 with DataSketches' seed: what the sketch is fed, not its own hasher's
    /// identity (which is DataSketches' coupon layout at its `lg_k`).
    fn hasher_identity(&self) -> Option<(u8, u64)> {
        Some((HASH_ID_MURMUR3, u64::from(datasketches::SEED)))
    }
}

/// A [`RedisHyperLogLog`] as a [`Sink`], for a counter with
/// [`Hashing::Redis`](super::Hashing::Redis): it takes Redis' MurmurHash64A of each token
/// from the high 64 bits of its hash, so the sketch is register for register the key
/// `PFADD` builds from the same tokens. Forked and merged back like
/// [`Distinct`](super::Distinct).
///
/// # Example
///
/// ```
/// use lessram::interop::redis;
/// use lessram::text::{Counter, Hashing, RedisHll, TokenOptions};
///
/// let mut counter = Counter::new(TokenOptions::words()).hashing(Hashing::Redis).threads(2);
/// let hll = counter.sink(RedisHll(redis::new()));
/// let counted = counter.count_bytes(b"a rose is a rose")?.take(hll).0;
/// let mut direct = redis::new();
/// ["a", "rose", "is"].iter().for_each(|w| direct.insert(w));
/// assert_eq!(counted.registers(), direct.registers());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RedisHll(pub RedisHyperLogLog);

impl Sink for RedisHll {
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        self.0.insert_hashes(redis_hashes(hashes));
    }

    fn fork(&self) -> Option<Box<dyn Sink>> {
        Some(Box::new(self.clone()))
    }

    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let other: Self = downcast(fork, "RedisHll")?;
        self.0.merge(&other.0)
    }

    fn hasher_identity(&self) -> Option<(u8, u64)> {
        Some((RedisHasher.hash_id(), RedisHasher.seed()))
    }
}

/// An [`UltraLogLog`] hashing as DataSketches does, as a [`Sink`]: fed like
/// [`DataSketchesHll`], so [`UltraLogLog::to_hyperloglog`] gives the registers of DataSketches'
/// HLL sketch of the same tokens (which DataSketches' bytes can then carry).
///
/// # Example
///
/// ```
/// use lessram::interop::datasketches::{self, DataSketchesHasher};
/// use lessram::text::{Counter, DataSketchesUll, Hashing, TokenOptions};
/// use lessram::UltraLogLog;
///
/// let mut counter = Counter::new(TokenOptions::words()).hashing(Hashing::DataSketches);
/// let ull = UltraLogLog::with_hasher(12, DataSketchesHasher::new(12)?)?;
/// let ull = counter.sink(DataSketchesUll(ull));
/// let ull = counter.count_bytes(b"a rose is a rose")?.take(ull).0;
/// let mut hll = datasketches::new(12)?;
/// ["a", "rose", "is"].iter().for_each(|w| hll.insert(w));
/// assert_eq!(ull.to_hyperloglog().registers(), hll.registers());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DataSketchesUll(pub UltraLogLog<DataSketchesHasher>);

impl Sink for DataSketchesUll {
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        let h = *self.0.hasher();
        self.0.insert_hashes(datasketches_hashes(h, hashes));
    }

    fn fork(&self) -> Option<Box<dyn Sink>> {
        Some(Box::new(self.clone()))
    }

    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let other: Self = downcast(fork, "DataSketchesUll")?;
        self.0.merge(&other.0)
    }

    fn hasher_identity(&self) -> Option<(u8, u64)> {
        Some((HASH_ID_MURMUR3, u64::from(datasketches::SEED)))
    }
}

/// An [`UltraLogLog`] hashing as Redis does (precision 14), as a [`Sink`]: fed like
/// [`RedisHll`], so [`UltraLogLog::to_hyperloglog`] gives the registers of the key `PFADD`
/// builds from the same tokens.
///
/// # Example
///
/// ```
/// use lessram::interop::redis::{self, RedisHasher};
/// use lessram::text::{Counter, Hashing, RedisUll, TokenOptions};
/// use lessram::UltraLogLog;
///
/// let mut counter = Counter::new(TokenOptions::words()).hashing(Hashing::Redis);
/// let ull = counter.sink(RedisUll(UltraLogLog::with_hasher(14, RedisHasher)?));
/// let ull = counter.count_bytes(b"a rose is a rose")?.take(ull).0;
/// let mut hll = redis::new();
/// ["a", "rose", "is"].iter().for_each(|w| hll.insert(w));
/// assert_eq!(ull.to_hyperloglog().registers(), hll.registers());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RedisUll(pub UltraLogLog<RedisHasher>);

impl Sink for RedisUll {
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        self.0.insert_hashes(redis_hashes(hashes));
    }

    fn fork(&self) -> Option<Box<dyn Sink>> {
        Some(Box::new(self.clone()))
    }

    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let other: Self = downcast(fork, "RedisUll")?;
        self.0.merge(&other.0)
    }

    fn hasher_identity(&self) -> Option<(u8, u64)> {
        Some((RedisHasher.hash_id(), RedisHasher.seed()))
    }
}

/// A [`Kmv`](crate::Kmv) hashing as DataSketches' Theta sketch does, as a [`Sink`], for a
/// counter with [`Hashing::DataSketches`](super::Hashing::DataSketches): Theta's hash of a
/// token is the first 64-bit half of its MurmurHash3 with seed 9001 shifted right by one
/// ([`theta_hash`](crate::interop::theta::theta_hash)), so each batch hash becomes it with no
/// second hash. The empty token and the hashes DataSketches screens out (0 and
/// [`MAX_THETA`](crate::interop::theta::MAX_THETA)) are left out, so a `Kmv` of `k = 2^lg_k + 1`
/// ([`theta::new`](crate::interop::theta::new)) is DataSketches' trimmed
/// `update_theta_sketch(lg_k)` of the same tokens, on any number of threads.
///
/// # Example
///
/// ```
/// use lessram::interop::theta;
/// use lessram::text::{Counter, DataSketchesTheta, Hashing, TokenOptions};
/// use lessram::DistinctCount;
///
/// let mut counter = Counter::new(TokenOptions::words()).hashing(Hashing::DataSketches);
/// let kmv = counter.sink(DataSketchesTheta(theta::new(5)?));
/// let counted = counter.count_bytes(b"a rose is a rose")?.take(kmv).0;
/// let mut direct = theta::new(5)?;
/// ["a", "rose", "is"].iter().for_each(|w| direct.insert(w));
/// assert_eq!(counted, direct);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DataSketchesTheta(pub ThetaKmv);

impl Sink for DataSketchesTheta {
    #[inline]
    fn insert_hashes(&mut self, hashes: &[u128], _tokens: u64) {
        let empty = theta::theta_hash(b"");
        self.0.insert_hashes(
            hashes
                .iter()
                .map(|&x| (x as u64) >> 1)
                .filter(|&h| h != empty && h != 0 && h != theta::MAX_THETA),
        );
    }

    fn fork(&self) -> Option<Box<dyn Sink>> {
        Some(Box::new(self.clone()))
    }

    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        let other: Self = downcast(fork, "DataSketchesTheta")?;
        self.0.merge(&other.0)
    }

    /// MurmurHash3 with DataSketches' seed: what the sketch is fed.
    fn hasher_identity(&self) -> Option<(u8, u64)> {
        Some((HASH_ID_MURMUR3, u64::from(datasketches::SEED)))
    }
}
