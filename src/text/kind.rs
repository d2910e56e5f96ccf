//! [`SketchKind`]: the kinds of [`Sketch`] `lessram count` runs, by name, and how each is
//! built from one set of parameters ([`SketchParams`]) for a [`Hashing`].

use crate::counting::SplitMix64;
use crate::error::{Error, Result};
use crate::hash::Murmur3;
use crate::interop::datasketches::{self, DataSketchesHasher};
use crate::interop::redis::{self, RedisHasher};
use crate::interop::theta;
use crate::{
    HyperLogLog, Kmv, LogLog, MorrisCounter, ScalingBloomFilter, SuperLogLog, UltraLogLog,
};

use super::engines::{DataSketchesHll, DataSketchesTheta, DataSketchesUll, RedisHll, RedisUll};
use super::hashing::Hashing;
use super::sink::{Distinct, Filter, Morris};
use super::sketch::Sketch;

/// The parameters every kind of [`Sketch`] is built from (each takes its own).
///
/// # Example
///
/// ```
/// use lessram::text::SketchParams;
/// let p = SketchParams { precision: 12, ..SketchParams::default() };
/// assert_eq!((p.precision, p.k), (12, 4096));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SketchParams {
    /// Precision of LogLog, SuperLogLog, HyperLogLog and UltraLogLog: `2^p` registers.
    pub precision: u8,
    /// KMV's `k`.
    pub k: usize,
    /// The scaling Bloom filter's false-positive rate.
    pub error_rate: f64,
    /// The scaling Bloom filter's initial capacity.
    pub capacity: usize,
    /// The Morris counter's base.
    pub base: f64,
    /// The seed of the Morris counter's generator.
    pub morris_seed: u64,
}

impl Default for SketchParams {
    /// `lessram count`'s defaults: precision 14, k 4096, 1% false positives from 100,000
    /// items, base 2.
    fn default() -> Self {
        Self {
            precision: 14,
            k: 4096,
            error_rate: 0.01,
            capacity: 100_000,
            base: 2.0,
            morris_seed: 0x6d6f_7272_6973,
        }
    }
}

/// A kind of [`Sketch`], in `lessram count`'s table order.
///
/// # Example
///
/// ```
/// use lessram::text::{Hashing, SketchKind, SketchParams};
///
/// let kind: SketchKind = "ull".parse()?;
/// let s = kind.build(&SketchParams::default(), Hashing::Lessram)?;
/// assert_eq!((s.name(), kind.file_stem()), ("UltraLogLog", "ultraloglog"));
/// assert!(SketchKind::Kmv.build(&SketchParams::default(), Hashing::Redis).is_err());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SketchKind {
    /// [`Sketch::Morris`].
    Morris,
    /// [`Sketch::LogLog`].
    LogLog,
    /// [`Sketch::SuperLogLog`].
    SuperLogLog,
    /// [`Sketch::HyperLogLog`], or DataSketches' or Redis' one by the hashing.
    HyperLogLog,
    /// [`Sketch::UltraLogLog`].
    UltraLogLog,
    /// [`Sketch::Kmv`].
    Kmv,
    /// [`Sketch::Bloom`].
    Bloom,
}

impl SketchKind {
    /// Every kind, in table order.
    pub const ALL: [SketchKind; 7] = [
        SketchKind::Morris,
        SketchKind::LogLog,
        SketchKind::SuperLogLog,
        SketchKind::HyperLogLog,
        SketchKind::UltraLogLog,
        SketchKind::Kmv,
        SketchKind::Bloom,
    ];

    /// The name `lessram count --sketch` takes: `morris`, `loglog`, `superloglog`, `hll`,
    /// `ull`, `kmv`, `bloom`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            SketchKind::Morris => "morris",
            SketchKind::LogLog => "loglog",
            SketchKind::SuperLogLog => "superloglog",
            SketchKind::HyperLogLog => "hll",
            SketchKind::UltraLogLog => "ull",
            SketchKind::Kmv => "kmv",
            SketchKind::Bloom => "bloom",
        }
    }

    /// The file `lessram count --save` writes it to, before the format's extension.
    #[must_use]
    pub fn file_stem(self) -> &'static str {
        match self {
            SketchKind::Morris => "morris",
            SketchKind::LogLog => "loglog",
            SketchKind::SuperLogLog => "superloglog",
            SketchKind::HyperLogLog => "hyperloglog",
            SketchKind::UltraLogLog => "ultraloglog",
            SketchKind::Kmv => "kmv",
            SketchKind::Bloom => "scaling-bloom",
        }
    }

    /// An empty sketch of this kind from `p`, hashing as `hashing` says:
    /// [`Hashing::DataSketches`] makes the HyperLogLog DataSketches' own
    /// ([`DataSketchesHll`], `lg_k` = the precision) and the UltraLogLog one whose HyperLogLog
    /// is ([`DataSketchesUll`]), the KMV DataSketches' Theta sketch ([`DataSketchesTheta`]:
    /// `p.k` must be a power of two `2^lg_k`, `lg_k` 5 to 25, and the `Kmv` keeps `k + 1`
    /// minima, DataSketches' trimmed `update_theta_sketch(lg_k)`), and seeds the others'
    /// MurmurHash3 with 9001;
    /// [`Hashing::Redis`] builds only Redis' HyperLogLog ([`RedisHll`], precision 14), an
    /// UltraLogLog whose HyperLogLog is Redis' ([`RedisUll`]) and a Morris counter (which
    /// hashes nothing).
    ///
    /// # Errors
    ///
    /// The structure's own parameter errors; [`Error::InvalidInput`] for a kind Redis'
    /// hashing cannot feed, or a precision other than 14 with it, and for a KMV's `k` with
    /// DataSketches' hashing that is not a power of two from 32 to `2^25`.
    pub fn build(self, p: &SketchParams, hashing: Hashing) -> Result<Sketch> {
        let h = Murmur3::with_seed(hashing.seed());
        Ok(match (self, hashing) {
            (SketchKind::HyperLogLog, Hashing::DataSketches) => {
                Sketch::DataSketches(DataSketchesHll(datasketches::new(p.precision)?))
            }
            (SketchKind::HyperLogLog, Hashing::Redis) if p.precision == redis::PRECISION => {
                Sketch::Redis(RedisHll(redis::new()))
            }
            (SketchKind::UltraLogLog, Hashing::DataSketches) => {
                let h = DataSketchesHasher::new(p.precision)?;
                Sketch::DataSketchesUll(DataSketchesUll(UltraLogLog::with_hasher(p.precision, h)?))
            }
            (SketchKind::UltraLogLog, Hashing::Redis) if p.precision == redis::PRECISION => {
                Sketch::RedisUll(RedisUll(UltraLogLog::with_hasher(
                    p.precision,
                    RedisHasher,
                )?))
            }
            (SketchKind::HyperLogLog | SketchKind::UltraLogLog, Hashing::Redis) => {
                return Err(Error::invalid_input(
                    "Sketch",
                    format!(
                        "precision {} with Redis' hashing: Redis' HyperLogLog has precision 14",
                        p.precision
                    ),
                ));
            }
            (SketchKind::Morris, _) => Sketch::Morris(Morris::new(
                MorrisCounter::new(p.base)?,
                SplitMix64::new(p.morris_seed),
            )),
            (kind, Hashing::Redis) => {
                return Err(Error::invalid_input(
                    "Sketch",
                    format!(
                        "{} cannot count with Redis' hashing: only hll (Redis' HyperLogLog), \
                         ull (whose HyperLogLog is Redis') and morris can",
                        kind.key()
                    ),
                ));
            }
            (SketchKind::LogLog, _) => {
                Sketch::LogLog(Distinct(LogLog::with_hasher(p.precision, h)?))
            }
            (SketchKind::SuperLogLog, _) => {
                Sketch::SuperLogLog(Distinct(SuperLogLog::with_hasher(p.precision, h)?))
            }
            (SketchKind::HyperLogLog, _) => {
                Sketch::HyperLogLog(Distinct(HyperLogLog::with_hasher(p.precision, h)?))
            }
            (SketchKind::UltraLogLog, _) => {
                Sketch::UltraLogLog(Distinct(UltraLogLog::with_hasher(p.precision, h)?))
            }
            (SketchKind::Kmv, Hashing::DataSketches) => {
                Sketch::DataSketchesTheta(DataSketchesTheta(theta::new(theta_lg_k(p.k)?)?))
            }
            (SketchKind::Kmv, _) => Sketch::Kmv(Distinct(Kmv::with_hasher(p.k, h)?)),
            (SketchKind::Bloom, _) => Sketch::Bloom(Filter(ScalingBloomFilter::with_hasher(
                p.capacity,
                p.error_rate,
                h,
            )?)),
        })
    }
}

/// The `lg_k` of a Theta sketch keeping `k = 2^lg_k` hashes, or why `k` is none.
fn theta_lg_k(k: usize) -> Result<u8> {
    let (low, high) = (1usize << theta::MIN_LG_K, 1usize << theta::MAX_LG_K);
    if k.is_power_of_two() && (low..=high).contains(&k) {
        return Ok(k.trailing_zeros() as u8);
    }
    Err(Error::invalid_input(
        "Sketch",
        format!(
            "k {k} with DataSketches' hashing: a Theta sketch of lg_k keeps 2^lg_k hashes, so k \
             must be a power of two from {low} (lg_k {}) to {high} (lg_k {}), e.g. 4096 \
             (lg_k 12, DataSketches' default)",
            theta::MIN_LG_K,
            theta::MAX_LG_K
        ),
    ))
}

impl std::str::FromStr for SketchKind {
    type Err = Error;

    /// Parses a [`SketchKind::key`] (ignoring case and spaces around it), or one of the long
    /// names `hyperloglog`, `ultraloglog`, `scalingbloom`, `scalingbloomfilter`.
    fn from_str(name: &str) -> Result<Self> {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "hyperloglog" => return Ok(SketchKind::HyperLogLog),
            "ultraloglog" => return Ok(SketchKind::UltraLogLog),
            "scalingbloom" | "scalingbloomfilter" => return Ok(SketchKind::Bloom),
            _ => {}
        }
        Self::ALL
            .into_iter()
            .find(|w| w.key() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|w| w.key()).collect();
                Error::invalid_input(
                    "Sketch",
                    format!("unknown sketch {name:?} (known: {})", known.join(", ")),
                )
            })
    }
}
