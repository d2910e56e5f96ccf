//! [`Sketch`]: one of the counting sinks, its kind chosen at run time (the estimators of
//! `lessram count`, `merge` and `estimate`).

use crate::codec::{Codec, Decoder, Kind, peek_kind};
use crate::counting::SplitMix64;
use crate::error::{Error, Result};
use crate::hash::{HASH_ID_MURMUR3, ItemHasher};
use crate::interop::datasketches::DataSketchesHyperLogLog;
use crate::interop::redis::{RedisHasher, RedisHyperLogLog};
use crate::interop::theta::{ThetaHasher, ThetaKmv, ThetaSketch};
use crate::{
    DistinctCount, HyperLogLog, Kmv, LogLog, MemoryUsage, MorrisCounter, ScalingBloomFilter,
    SuperLogLog, UltraLogLog,
};

use super::engines::{DataSketchesHll, DataSketchesTheta, DataSketchesUll, RedisHll, RedisUll};
use super::hashing::Hashing;
use super::sink::{Distinct, Filter, Morris, Sink};

/// A sketch of any kind `lessram count` runs, as the [`Sink`] that counts it: for code that
/// picks its estimators at run time, saves them, and loads, merges and reads back files of
/// any of these kinds.
///
/// Every kind counts distinct tokens but the Morris counter, which counts every token
/// ([`Sketch::counts_tokens`]); the scaling Bloom filter counts the inserts that were new.
///
/// # Example
///
/// ```
/// use lessram::text::{Counter, Distinct, Sketch, TokenOptions};
/// use lessram::HyperLogLog;
///
/// let mut counter = Counter::new(TokenOptions::words());
/// let hll = counter.sink(Sketch::HyperLogLog(Distinct(HyperLogLog::new(12)?)));
/// let mut report = counter.count_bytes(b"to be or not to be")?;
/// let sketch = report.take(hll);
/// assert_eq!((sketch.name(), sketch.estimate().round()), ("HyperLogLog", 4.0));
/// // Saved and loaded back, whatever its kind.
/// let loaded = Sketch::from_bytes(&sketch.to_bytes(), 0)?;
/// assert_eq!(loaded.estimate(), sketch.estimate());
/// # Ok::<(), lessram::Error>(())
/// ```
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Sketch {
    /// A Morris counter of every token.
    Morris(Morris),
    /// A LogLog.
    LogLog(Distinct<LogLog>),
    /// A SuperLogLog.
    SuperLogLog(Distinct<SuperLogLog>),
    /// A HyperLogLog.
    HyperLogLog(Distinct<HyperLogLog>),
    /// A HyperLogLog hashing as Apache DataSketches does (fed by a counter with
    /// [`Hashing::DataSketches`]).
    DataSketches(DataSketchesHll),
    /// A HyperLogLog hashing as Redis does (fed by a counter with [`Hashing::Redis`]).
    Redis(RedisHll),
    /// An UltraLogLog.
    UltraLogLog(Distinct<UltraLogLog>),
    /// An UltraLogLog hashing as Apache DataSketches does: its HyperLogLog is DataSketches'.
    DataSketchesUll(DataSketchesUll),
    /// An UltraLogLog hashing as Redis does: its HyperLogLog is Redis'.
    RedisUll(RedisUll),
    /// K minimum values.
    Kmv(Distinct<Kmv>),
    /// K minimum values hashing as Apache DataSketches' Theta sketch does: with
    /// `k = 2^lg_k + 1`, DataSketches' trimmed `update_theta_sketch(lg_k)`; read from a
    /// compact Theta sketch, the `Kmv` that holds it exactly
    /// ([`ThetaSketch::to_kmv`](crate::interop::theta::ThetaSketch::to_kmv)).
    DataSketchesTheta(DataSketchesTheta),
    /// A scaling Bloom filter, counting the inserts that were new.
    Bloom(Filter<ScalingBloomFilter>),
}

/// `$e` with `$s` bound to the sketch's structure, whatever its kind.
macro_rules! each {
    ($sketch:expr, $s:ident => $e:expr) => {
        match $sketch {
            Sketch::Morris(Morris { counter: $s, .. }) => $e,
            Sketch::LogLog(Distinct($s)) => $e,
            Sketch::SuperLogLog(Distinct($s)) => $e,
            Sketch::HyperLogLog(Distinct($s)) => $e,
            Sketch::DataSketches(DataSketchesHll($s)) => $e,
            Sketch::Redis(RedisHll($s)) => $e,
            Sketch::UltraLogLog(Distinct($s)) => $e,
            Sketch::DataSketchesUll(DataSketchesUll($s)) => $e,
            Sketch::RedisUll(RedisUll($s)) => $e,
            Sketch::Kmv(Distinct($s)) => $e,
            Sketch::DataSketchesTheta(DataSketchesTheta($s)) => $e,
            Sketch::Bloom(Filter($s)) => $e,
        }
    };
}

/// `$e` with `$s` bound to the sketch's sink.
macro_rules! each_sink {
    ($sketch:expr, $s:ident => $e:expr) => {
        match $sketch {
            Sketch::Morris($s) => $e,
            Sketch::LogLog($s) => $e,
            Sketch::SuperLogLog($s) => $e,
            Sketch::HyperLogLog($s) => $e,
            Sketch::DataSketches($s) => $e,
            Sketch::Redis($s) => $e,
            Sketch::UltraLogLog($s) => $e,
            Sketch::DataSketchesUll($s) => $e,
            Sketch::RedisUll($s) => $e,
            Sketch::Kmv($s) => $e,
            Sketch::DataSketchesTheta($s) => $e,
            Sketch::Bloom($s) => $e,
        }
    };
}

impl Sketch {
    /// The kinds of saved structure [`Sketch::from_bytes`] decodes.
    pub const KINDS: [Kind; 7] = [
        Kind::MorrisCounter,
        Kind::LogLog,
        Kind::SuperLogLog,
        Kind::HyperLogLog,
        Kind::UltraLogLog,
        Kind::Kmv,
        Kind::ScalingBloomFilter,
    ];

    /// The structure's name, as in the library (`"HyperLogLog"`).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Filter, Sketch};
    /// use lessram::ScalingBloomFilter;
    /// let s = Sketch::Bloom(Filter(ScalingBloomFilter::new(100, 0.01)?));
    /// assert_eq!(s.name(), "ScalingBloomFilter");
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Sketch::Morris(_) => "MorrisCounter",
            Sketch::LogLog(_) => "LogLog",
            Sketch::SuperLogLog(_) => "SuperLogLog",
            Sketch::HyperLogLog(_) | Sketch::DataSketches(_) | Sketch::Redis(_) => "HyperLogLog",
            Sketch::UltraLogLog(_) | Sketch::DataSketchesUll(_) | Sketch::RedisUll(_) => {
                "UltraLogLog"
            }
            Sketch::Kmv(_) | Sketch::DataSketchesTheta(_) => "Kmv",
            Sketch::Bloom(_) => "ScalingBloomFilter",
        }
    }

    /// The estimate: of the tokens for the Morris counter, of the distinct tokens for the
    /// others (the scaling Bloom filter's count of inserts that were new; for Redis'
    /// HyperLogLog, what `PFCOUNT` answers, [`redis::pfcount`](crate::interop::redis::pfcount),
    /// the same before and after a trip through Redis' format). Not an estimate when
    /// [`Sketch::bounds`] gives bounds.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Morris, Sketch};
    /// use lessram::MorrisCounter;
    /// use lessram::counting::SplitMix64;
    /// let m = Morris::new(MorrisCounter::from_exponent(2.0, 3)?, SplitMix64::new(1));
    /// assert_eq!(Sketch::Morris(m).estimate(), 7.0);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate(&self) -> f64 {
        match self {
            Sketch::Morris(m) => m.counter.estimate(),
            Sketch::Bloom(f) => f.0.len() as f64,
            Sketch::LogLog(d) => d.0.estimate(),
            Sketch::SuperLogLog(d) => d.0.estimate(),
            Sketch::HyperLogLog(d) => d.0.estimate(),
            Sketch::DataSketches(d) => d.0.estimate(),
            // What PFCOUNT answers: Redis keeps registers only, so that is the estimate its
            // format carries (lessram's exact count while sparse would change on the way).
            Sketch::Redis(d) => crate::interop::redis::pfcount(&d.0) as f64,
            Sketch::UltraLogLog(d) => d.0.estimate(),
            Sketch::DataSketchesUll(d) => d.0.estimate(),
            Sketch::RedisUll(d) => d.0.estimate(),
            Sketch::Kmv(d) => d.0.estimate(),
            // DataSketches' `get_estimate()` of the same hashes and theta.
            Sketch::DataSketchesTheta(d) => d.0.estimate(),
        }
    }

    /// How the sketch hashes items: [`Hashing::DataSketches`] for DataSketches' HLL and for
    /// a sketch other than a HyperLogLog whose MurmurHash3 has DataSketches' seed 9001 (as
    /// [`SketchKind::build`](super::SketchKind::build) makes them), [`Hashing::Redis`] for
    /// Redis' HLL, else [`Hashing::Lessram`] (a Morris counter hashes nothing).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::redis;
    /// use lessram::text::{Distinct, Hashing, RedisHll, Sketch};
    /// use lessram::Kmv;
    ///
    /// assert_eq!(Sketch::Redis(RedisHll(redis::new())).hashing(), Hashing::Redis);
    /// assert_eq!(Sketch::Kmv(Distinct(Kmv::new(8)?)).hashing(), Hashing::Lessram);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn hashing(&self) -> Hashing {
        match self {
            Sketch::DataSketches(_) | Sketch::DataSketchesUll(_) | Sketch::DataSketchesTheta(_) => {
                Hashing::DataSketches
            }
            Sketch::Redis(_) | Sketch::RedisUll(_) => Hashing::Redis,
            // lessram's own HyperLogLog, whatever its seed: not DataSketches' registers.
            Sketch::HyperLogLog(_) => Hashing::Lessram,
            s => match s.hasher_identity() {
                Some((HASH_ID_MURMUR3, seed))
                    if seed == u64::from(Hashing::DataSketches.seed()) =>
                {
                    Hashing::DataSketches
                }
                _ => Hashing::Lessram,
            },
        }
    }

    /// The sketch's name with its hashing when that is not lessram's: `"HyperLogLog"`,
    /// `"HyperLogLog (datasketches hashing)"`.
    #[must_use]
    pub fn label(&self) -> String {
        match self.hashing() {
            Hashing::Lessram => self.name().to_string(),
            h => format!("{} ({h} hashing)", self.name()),
        }
    }

    /// Bounds on the count when it has no estimate: a scaling Bloom filter after a merge,
    /// whose sum of sub-filter counts counts twice the items the shards held in different
    /// sub-filters (see [`ScalingBloomFilter::len_bounds`]); `None` otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Filter, Sketch};
    /// use lessram::{Membership, ScalingBloomFilter};
    /// let mut f = ScalingBloomFilter::new(100, 0.01)?;
    /// f.insert("a");
    /// let mut s = Sketch::Bloom(Filter(f.clone()));
    /// assert_eq!(s.bounds(), None);
    /// s.merge(&Sketch::Bloom(Filter(f)))?;
    /// assert!(s.bounds().is_some());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn bounds(&self) -> Option<(u64, u64)> {
        match self {
            Sketch::Bloom(f) if f.0.exact_len().is_none() => {
                let (low, high) = f.0.len_bounds();
                Some((low as u64, high as u64))
            }
            _ => None,
        }
    }

    /// Whether the estimate is of every token, repeats included (else of distinct ones).
    #[must_use]
    pub fn counts_tokens(&self) -> bool {
        matches!(self, Sketch::Morris(_))
    }

    /// Bytes the structure takes: its own size plus the heap it owns
    /// ([`MemoryUsage::memory_usage`], which counts the heap only).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Distinct, Sketch};
    /// use lessram::{HyperLogLog, MemoryUsage};
    /// let s = Sketch::HyperLogLog(Distinct(HyperLogLog::new(10)?));
    /// assert_eq!(s.footprint(), size_of::<HyperLogLog>() + s.memory_usage());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn footprint(&self) -> usize {
        each!(self, s => std::mem::size_of_val(s) + s.memory_usage())
    }

    /// The structure in lessram's binary format (a Morris counter without its generator).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        each!(self, s => s.to_bytes())
    }

    /// Decodes a saved structure of any of the [`Sketch::KINDS`]; a Morris counter gets a
    /// [`SplitMix64`] seeded with `seed` to draw its increments and merges from.
    ///
    /// # Errors
    ///
    /// What the structure's own `from_bytes` gives; [`Error::InvalidInput`] for a saved
    /// structure of another kind (a `Dawg`, a `BloomFilter`).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::Sketch;
    /// use lessram::{BloomFilter, Kmv};
    /// let s = Sketch::from_bytes(&Kmv::new(64)?.to_bytes(), 0)?;
    /// assert_eq!(s.name(), "Kmv");
    /// assert!(Sketch::from_bytes(&BloomFilter::new(10, 0.01)?.to_bytes(), 0).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8], seed: u64) -> Result<Self> {
        Ok(match peek_kind(bytes)? {
            Kind::MorrisCounter => Sketch::Morris(Morris::new(
                MorrisCounter::from_bytes(bytes)?,
                SplitMix64::new(seed),
            )),
            Kind::LogLog => Sketch::LogLog(Distinct(LogLog::from_bytes(bytes)?)),
            Kind::SuperLogLog => Sketch::SuperLogLog(Distinct(SuperLogLog::from_bytes(bytes)?)),
            Kind::HyperLogLog => {
                // lessram's, DataSketches' or Redis' hashing, told by the frame's hash fields.
                let frame = Decoder::new(bytes, Kind::HyperLogLog)?;
                let found = (frame.hash_id(), frame.seed());
                if found.0 == HASH_ID_MURMUR3 {
                    Sketch::HyperLogLog(Distinct(HyperLogLog::from_bytes(bytes)?))
                } else if found == (RedisHasher.hash_id(), RedisHasher.seed()) {
                    Sketch::Redis(RedisHll(RedisHyperLogLog::from_bytes(bytes)?))
                } else {
                    Sketch::DataSketches(DataSketchesHll(DataSketchesHyperLogLog::from_bytes(
                        bytes,
                    )?))
                }
            }
            Kind::UltraLogLog => {
                let frame = Decoder::new(bytes, Kind::UltraLogLog)?;
                let found = (frame.hash_id(), frame.seed());
                if found.0 == HASH_ID_MURMUR3 {
                    Sketch::UltraLogLog(Distinct(UltraLogLog::from_bytes(bytes)?))
                } else if found == (RedisHasher.hash_id(), RedisHasher.seed()) {
                    Sketch::RedisUll(RedisUll(Codec::from_bytes(bytes)?))
                } else {
                    Sketch::DataSketchesUll(DataSketchesUll(Codec::from_bytes(bytes)?))
                }
            }
            Kind::Kmv => {
                let frame = Decoder::new(bytes, Kind::Kmv)?;
                let theta = (ThetaHasher.hash_id(), ThetaHasher.seed());
                if (frame.hash_id(), frame.seed()) == theta {
                    Sketch::DataSketchesTheta(DataSketchesTheta(Codec::from_bytes(bytes)?))
                } else {
                    Sketch::Kmv(Distinct(Kmv::from_bytes(bytes)?))
                }
            }
            Kind::ScalingBloomFilter => {
                Sketch::Bloom(Filter(ScalingBloomFilter::from_bytes(bytes)?))
            }
            other => {
                let detail = format!("a saved {other} is not one of Sketch::KINDS");
                return Err(Error::invalid_input("Sketch", detail));
            }
        })
    }

    /// Merges a sketch of the same kind into this one (precisions and KMV's `k` may differ:
    /// the result takes the coarser): as the structure's own `merge` (a scaling Bloom filter's `union`, a Morris counter's
    /// [`MorrisCounter::merge`], drawing from this sketch's generator).
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] for sketches of different kinds, and what the structure's
    /// merge gives (a different hasher or Morris base); the sketch does not change.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Distinct, Sketch};
    /// use lessram::{DistinctCount, Kmv};
    /// let (mut a, mut b) = (Kmv::new(64)?, Kmv::new(64)?);
    /// a.insert("x");
    /// b.insert("y");
    /// let mut s = Sketch::Kmv(Distinct(a));
    /// s.merge(&Sketch::Kmv(Distinct(b)))?;
    /// assert_eq!(s.estimate(), 2.0);
    /// assert!(s.merge(&Sketch::Kmv(Distinct(Kmv::new(32)?))).is_ok()); // at the smaller k
    /// assert!(s.merge(&Sketch::LogLog(Distinct(lessram::LogLog::new(8)?))).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Sketch) -> Result<()> {
        match (self, other) {
            (Sketch::Morris(a), Sketch::Morris(b)) => a.counter.merge(&b.counter, &mut a.rng),
            (Sketch::LogLog(a), Sketch::LogLog(b)) => a.0.merge(&b.0),
            (Sketch::SuperLogLog(a), Sketch::SuperLogLog(b)) => a.0.merge(&b.0),
            (Sketch::HyperLogLog(a), Sketch::HyperLogLog(b)) => a.0.merge(&b.0),
            // Each lg_k is its own hasher (DataSketches' union folds by other bits than
            // lessram's merge): name the lg_k, not the hashers' fingerprints.
            (Sketch::DataSketches(a), Sketch::DataSketches(b))
                if a.0.precision() != b.0.precision() =>
            {
                Err(Error::incompatible(
                    "DataSketches HLL",
                    "lg_k",
                    a.0.precision(),
                    b.0.precision(),
                ))
            }
            (Sketch::DataSketches(a), Sketch::DataSketches(b)) => a.0.merge(&b.0),
            (Sketch::Redis(a), Sketch::Redis(b)) => a.0.merge(&b.0),
            (Sketch::UltraLogLog(a), Sketch::UltraLogLog(b)) => a.0.merge(&b.0),
            (Sketch::DataSketchesUll(a), Sketch::DataSketchesUll(b))
                if a.0.precision() != b.0.precision() =>
            {
                Err(Error::incompatible(
                    "DataSketches UltraLogLog",
                    "lg_k",
                    a.0.precision(),
                    b.0.precision(),
                ))
            }
            (Sketch::DataSketchesUll(a), Sketch::DataSketchesUll(b)) => a.0.merge(&b.0),
            (Sketch::RedisUll(a), Sketch::RedisUll(b)) => a.0.merge(&b.0),
            (Sketch::Kmv(a), Sketch::Kmv(b)) => a.0.merge(&b.0),
            (Sketch::DataSketchesTheta(a), Sketch::DataSketchesTheta(b)) => {
                a.0 = theta_union(&a.0, &b.0)?;
                Ok(())
            }
            (Sketch::Bloom(a), Sketch::Bloom(b)) => a.0.union(&b.0),
            (a, b) if a.name() == b.name() => Err(Error::incompatible(
                "Sketch",
                "hashing",
                a.hashing(),
                b.hashing(),
            )),
            (a, b) => Err(Error::incompatible("Sketch", "kind", a.name(), b.name())),
        }
    }
}

/// The union of two Theta `Kmv`s as DataSketches' `theta_union(lg_k)` gives it, at the size
/// of the larger input in estimation mode: the smaller `theta` and every hash below it
/// ([`ThetaSketch::merge`]), trimmed to that input's `k - 1` hashes (so two sketches of
/// one `lg_k` give the `Kmv` merge, `theta_union(lg_k)`'s result). Inputs in exact mode
/// set no size (one read from bytes does not say its `lg_k`): two of them stay exact.
fn theta_union(a: &ThetaKmv, b: &ThetaKmv) -> Result<ThetaKmv> {
    let mut union = ThetaSketch::from_kmv(a)?;
    union.merge(&ThetaSketch::from_kmv(b)?);
    let n = union.hashes().len();
    let full = |s: &ThetaKmv| (s.hashes().len() == s.k()).then_some(s.k());
    match full(a).max(full(b)) {
        // Both exact: so is the union, in a Kmv as large as the larger input's (or more).
        None => union.to_kmv(a.k().max(b.k()).max(n + 1)),
        // Trimmed to k - 1 hashes below the k-th.
        Some(k) if n >= k => Kmv::from_minima(k, ThetaHasher, union.hashes()[..k].to_vec()),
        Some(_) => union.to_kmv(n + 1),
    }
}

impl MemoryUsage for Sketch {
    /// The structure's heap bytes.
    fn memory_usage(&self) -> usize {
        each!(self, s => s.memory_usage())
    }
}

impl Sink for Sketch {
    fn insert_hashes(&mut self, hashes: &[u128], tokens: u64) {
        each_sink!(self, s => s.insert_hashes(hashes, tokens));
    }
    fn fork(&self) -> Option<Box<dyn Sink>> {
        each_sink!(self, s => s.fork())
    }
    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> Result<()> {
        each_sink!(self, s => s.merge_fork(fork))
    }
    fn repeats_cost(&self) -> bool {
        each_sink!(self, s => s.repeats_cost())
    }
    fn reads_hashes(&self) -> bool {
        each_sink!(self, s => s.reads_hashes())
    }
    fn hasher_identity(&self) -> Option<(u8, u64)> {
        each_sink!(self, s => s.hasher_identity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Counter, TokenOptions};

    fn every_kind() -> Vec<Sketch> {
        vec![
            Sketch::Morris(Morris::new(
                MorrisCounter::new(2.0).unwrap(),
                SplitMix64::new(3),
            )),
            Sketch::LogLog(Distinct(LogLog::new(8).unwrap())),
            Sketch::SuperLogLog(Distinct(SuperLogLog::new(8).unwrap())),
            Sketch::HyperLogLog(Distinct(HyperLogLog::new(8).unwrap())),
            Sketch::UltraLogLog(Distinct(UltraLogLog::new(8).unwrap())),
            Sketch::Kmv(Distinct(Kmv::new(64).unwrap())),
            Sketch::Bloom(Filter(ScalingBloomFilter::new(100, 0.01).unwrap())),
        ]
    }

    /// The sink after counting `text` on two threads.
    fn bare<S: Sink>(sink: S, text: &[u8]) -> S {
        let mut counter = Counter::new(TokenOptions::words()).threads(2);
        let h = counter.sink(sink);
        counter.count_bytes(text).unwrap().take(h)
    }

    #[test]
    fn every_kind_counts_saves_loads_and_merges_as_its_structure() {
        let text = b"a b c d e f g h a b c d x y z";
        for (kind, sketch) in Sketch::KINDS.into_iter().zip(every_kind()) {
            // Counted through the enum, on two threads: the estimate of the bare sink.
            let mut counter = Counter::new(TokenOptions::words()).threads(2);
            let h = counter.sink(sketch.clone());
            let counted = counter.count_bytes(text).unwrap().take(h);
            assert_eq!(counted.name(), sketch.name());
            let name = counted.name();
            let want = match sketch {
                Sketch::Morris(m) => bare(m, text).counter.estimate(),
                Sketch::LogLog(d) => bare(d, text).0.estimate(),
                Sketch::SuperLogLog(d) => bare(d, text).0.estimate(),
                Sketch::HyperLogLog(d) => bare(d, text).0.estimate(),
                Sketch::UltraLogLog(d) => bare(d, text).0.estimate(),
                Sketch::Kmv(d) => bare(d, text).0.estimate(),
                Sketch::Bloom(f) => bare(f, text).0.len() as f64,
                _ => unreachable!("not in every_kind"),
            };
            assert_eq!(counted.estimate(), want, "{name}");
            assert_eq!(counted.counts_tokens(), kind == Kind::MorrisCounter);
            assert_eq!(peek_kind(&counted.to_bytes()).unwrap(), kind, "{name}");
            let loaded = Sketch::from_bytes(&counted.to_bytes(), 1).unwrap();
            assert_eq!(loaded.to_bytes(), counted.to_bytes(), "{name}");
            assert!(counted.footprint() >= counted.memory_usage(), "{name}");
            // A merge with a copy of itself keeps the distinct count.
            let mut merged = loaded.clone();
            merged.merge(&counted).unwrap();
            if kind == Kind::MorrisCounter {
                assert!(merged.estimate() >= counted.estimate(), "{name}");
            } else if kind == Kind::ScalingBloomFilter {
                assert!(merged.bounds().is_some(), "{name}");
            } else {
                assert_eq!(merged.estimate(), counted.estimate(), "{name}");
            }
        }
    }

    /// Theta `Kmv`s of one `k` merge as `Kmv::merge` does (DataSketches' `theta_union` of
    /// their `lg_k`), in exact mode, estimation mode or one of each; two exact ones read from
    /// bytes (`k = n + 1`) stay exact however many hashes their union holds.
    #[test]
    fn theta_union_of_one_k_is_the_kmv_merge_and_exact_ones_stay_exact() {
        use crate::DistinctCount;
        use crate::interop::theta;
        for (na, nb, overlap) in [
            (10, 20, 5),
            (10, 5_000, 3),
            (3_000, 5_000, 1_000),
            (0, 40, 0),
        ] {
            let (mut a, mut b) = (theta::new(10).unwrap(), theta::new(10).unwrap());
            (0..na).for_each(|i: i64| a.insert(&i));
            (na - overlap..na - overlap + nb).for_each(|i: i64| b.insert(&i));
            let mut want = a.clone();
            want.merge(&b).unwrap();
            assert_eq!(theta_union(&a, &b).unwrap(), want, "{na} {nb}");
            assert_eq!(theta_union(&b, &a).unwrap(), want, "{na} {nb}");
        }
        let (mut a, mut b) = (theta::new(5).unwrap(), theta::new(5).unwrap());
        (0..30i64).for_each(|i| a.insert(&i));
        (30..60i64).for_each(|i| b.insert(&i));
        let read = |k: &ThetaKmv| {
            let s = ThetaSketch::from_kmv(k).unwrap();
            s.to_kmv(s.hashes().len() + 1).unwrap()
        };
        let union = theta_union(&read(&a), &read(&b)).unwrap();
        assert_eq!((union.hashes().len(), union.estimate()), (60, 60.0));
    }

    #[test]
    fn other_kinds_are_refused() {
        let mut sketches = every_kind();
        let first = sketches.remove(0);
        for mut s in sketches {
            let before = s.to_bytes();
            let err = s.merge(&first).unwrap_err();
            assert!(matches!(err, Error::Incompatible { .. }), "{err}");
            assert_eq!(s.to_bytes(), before);
        }
        let dawg = crate::Dawg::from_words(["a", "b"]).unwrap();
        let err = Sketch::from_bytes(dawg.as_bytes(), 0).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    }
}
