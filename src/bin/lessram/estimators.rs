//! The estimators `count` runs side by side, behind one object-safe trait.

use std::any::Any;

use anyhow::{Context, anyhow, bail};
use lessram::codec::{Codec, Kind};
use lessram::counting::SplitMix64;
use lessram::{
    DistinctCount, HyperLogLog, Kmv, LogLog, Membership, MemoryUsage, MorrisCounter,
    ScalingBloomFilter, SuperLogLog,
};
use rand_core::Rng;
use serde_json::{Value, json};

/// What an estimator's estimate is compared against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reference {
    /// The number of distinct tokens (the exact count).
    Distinct,
    /// The number of tokens, duplicates included (the Morris counter counts those).
    Total,
}

/// One estimator of the table, fed pre-hashed tokens.
pub(crate) trait Estimator: Send {
    /// The structure's name, as in the library ("HyperLogLog").
    fn name(&self) -> &'static str;
    /// Its parameters, for the table and the JSON output.
    fn params(&self) -> Value;
    /// Counts `tokens` tokens, given the 128-bit MurmurHash3 of each (repeats may have been
    /// dropped from `hashes`: every estimator but the Morris counter is a set, and the
    /// Morris counter counts `tokens`).
    fn insert_batch(&mut self, hashes: &[u128], tokens: u64);
    /// The estimate.
    fn estimate(&self) -> f64;
    /// Bytes used: the structure itself plus the heap it owns (`MemoryUsage`).
    fn memory(&self) -> usize;
    /// What the estimate estimates.
    fn reference(&self) -> Reference {
        Reference::Distinct
    }
    /// Merges an estimator of the same kind and parameters into this one.
    fn merge_box(&mut self, other: Box<dyn Estimator>) -> anyhow::Result<()>;
    /// The structure in lessram's binary format.
    fn to_bytes(&self) -> Vec<u8>;
    /// For downcasting in [`Estimator::merge_box`].
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// A distinct-count sketch of the library, fed the low 64 bits of each hash.
pub(crate) struct Distinct<D> {
    inner: D,
    name: &'static str,
    params: fn(&D) -> Value,
}

impl<D> Distinct<D>
where
    D: DistinctCount + MemoryUsage + Codec + Send + 'static,
{
    fn boxed(inner: D, name: &'static str, params: fn(&D) -> Value) -> Box<dyn Estimator> {
        Box::new(Self {
            inner,
            name,
            params,
        })
    }
}

impl<D> Estimator for Distinct<D>
where
    D: DistinctCount + MemoryUsage + Codec + Send + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }
    fn params(&self) -> Value {
        (self.params)(&self.inner)
    }
    fn insert_batch(&mut self, hashes: &[u128], _tokens: u64) {
        self.inner.insert_hashes(hashes.iter().map(|&h| h as u64));
    }
    fn estimate(&self) -> f64 {
        self.inner.estimate()
    }
    fn memory(&self) -> usize {
        std::mem::size_of::<D>() + self.inner.memory_usage()
    }
    fn merge_box(&mut self, other: Box<dyn Estimator>) -> anyhow::Result<()> {
        let other = other
            .into_any()
            .downcast::<Self>()
            .map_err(|_| anyhow!("cannot merge another kind into a {}", self.name))?;
        self.inner.merge(&other.inner)?;
        Ok(())
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Seed of the Morris counter's generator: runs are reproducible.
const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

/// The Morris counter, counting every token (duplicates included) in one byte.
struct Morris {
    counter: MorrisCounter,
    rng: SplitMix64,
}

impl Morris {
    fn boxed(counter: MorrisCounter) -> Box<dyn Estimator> {
        Box::new(Self {
            counter,
            rng: SplitMix64::new(MORRIS_SEED),
        })
    }
}

/// `counter` after `events` more events, drawn with `rng` without replaying them one by
/// one: the events until the exponent next rises are geometric with `p = a^-X`, and
/// memoryless, so skipping whole runs gives exactly the distribution of `events` increments.
fn add_events(
    counter: &MorrisCounter,
    events: f64,
    rng: &mut SplitMix64,
) -> anyhow::Result<MorrisCounter> {
    let base = counter.base();
    let mut x = counter.exponent();
    // A fractional count of events is rounded at random, keeping the mean.
    let unit = |r: u64| (r >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let whole = events.floor();
    let mut remaining = whole + f64::from(u8::from(unit(rng.next_u64()) < events - whole));
    while x < u8::MAX && remaining >= 1.0 {
        let p = base.powi(-i32::from(x));
        let wait = if p >= 1.0 {
            1.0
        } else {
            // 1 - U is in (0, 1]: its logarithm is finite; ln_1p keeps ln(1 - p) exact for
            // tiny p (a plain ln rounds it to 0 once p < 2^-53 and the counter stalls).
            ((1.0 - unit(rng.next_u64())).ln() / (-p).ln_1p()).floor() + 1.0
        };
        if wait > remaining {
            break;
        }
        remaining -= wait;
        x += 1;
    }
    Ok(MorrisCounter::from_exponent(base, x)?)
}

impl Estimator for Morris {
    fn name(&self) -> &'static str {
        "MorrisCounter"
    }
    fn params(&self) -> Value {
        json!({"base": self.counter.base()})
    }
    fn insert_batch(&mut self, _hashes: &[u128], tokens: u64) {
        for _ in 0..tokens {
            self.counter.increment(&mut self.rng);
        }
    }
    fn estimate(&self) -> f64 {
        self.counter.estimate()
    }
    fn memory(&self) -> usize {
        std::mem::size_of::<MorrisCounter>() + self.counter.memory_usage()
    }
    fn reference(&self) -> Reference {
        Reference::Total
    }
    fn merge_box(&mut self, other: Box<dyn Estimator>) -> anyhow::Result<()> {
        let other = other
            .into_any()
            .downcast::<Self>()
            .map_err(|_| anyhow!("cannot merge another kind into a MorrisCounter"))?;
        let (a, b) = (&self.counter, &other.counter);
        if a.base() != b.base() {
            return Err(
                lessram::Error::incompatible("MorrisCounter", "base", a.base(), b.base()).into(),
            );
        }
        // The merged counter counts the other's estimated events on top of its own.
        self.counter = add_events(a, b.estimate(), &mut self.rng)?;
        Ok(())
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.counter.to_bytes()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// The scaling Bloom filter: its count of inserts that were new estimates distinct tokens.
struct Bloom {
    filter: ScalingBloomFilter,
}

impl Estimator for Bloom {
    fn name(&self) -> &'static str {
        "ScalingBloomFilter"
    }
    fn params(&self) -> Value {
        json!({
            "error_rate": self.filter.fp_rate(),
            "initial_capacity": self.filter.initial_capacity(),
            "filters": self.filter.filters(),
        })
    }
    fn insert_batch(&mut self, hashes: &[u128], _tokens: u64) {
        for &h in hashes {
            self.filter.insert_hash(h);
        }
    }
    fn estimate(&self) -> f64 {
        self.filter.len() as f64
    }
    fn memory(&self) -> usize {
        std::mem::size_of::<ScalingBloomFilter>() + self.filter.memory_usage()
    }
    fn merge_box(&mut self, other: Box<dyn Estimator>) -> anyhow::Result<()> {
        let other = other
            .into_any()
            .downcast::<Self>()
            .map_err(|_| anyhow!("cannot merge another kind into a ScalingBloomFilter"))?;
        self.filter.union(&other.filter)?;
        Ok(())
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.filter.to_bytes()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Parameters given on the command line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    pub(crate) precision: u8,
    pub(crate) k: usize,
    pub(crate) error_rate: f64,
    pub(crate) capacity: usize,
    pub(crate) base: f64,
}

fn precision_params(p: u8) -> Value {
    json!({"precision": p, "registers": 1u64 << p})
}

fn hll(inner: HyperLogLog) -> Box<dyn Estimator> {
    Distinct::boxed(inner, "HyperLogLog", |d| precision_params(d.precision()))
}
fn loglog(inner: LogLog) -> Box<dyn Estimator> {
    Distinct::boxed(inner, "LogLog", |d| precision_params(d.precision()))
}
fn superloglog(inner: SuperLogLog) -> Box<dyn Estimator> {
    Distinct::boxed(inner, "SuperLogLog", |d| precision_params(d.precision()))
}
fn kmv(inner: Kmv) -> Box<dyn Estimator> {
    Distinct::boxed(inner, "Kmv", |d| json!({"k": d.k()}))
}

/// The estimators `count` can run, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    Morris,
    LogLog,
    SuperLogLog,
    HyperLogLog,
    Kmv,
    Bloom,
}

impl Which {
    /// Every estimator, in table order.
    pub(crate) const ALL: [Which; 6] = [
        Which::Morris,
        Which::LogLog,
        Which::SuperLogLog,
        Which::HyperLogLog,
        Which::Kmv,
        Which::Bloom,
    ];

    /// The name `--sketch` takes.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Which::Morris => "morris",
            Which::LogLog => "loglog",
            Which::SuperLogLog => "superloglog",
            Which::HyperLogLog => "hll",
            Which::Kmv => "kmv",
            Which::Bloom => "bloom",
        }
    }

    /// Parses a `--sketch` name (`None` for `exact`).
    pub(crate) fn parse(name: &str) -> anyhow::Result<Option<Which>> {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "exact" => return Ok(None),
            "hyperloglog" => return Ok(Some(Which::HyperLogLog)),
            "scalingbloom" | "scalingbloomfilter" => return Ok(Some(Which::Bloom)),
            _ => {}
        }
        Self::ALL
            .into_iter()
            .find(|w| w.key() == name)
            .map(Some)
            .ok_or_else(|| {
                let mut known: Vec<&str> = Self::ALL.iter().map(|w| w.key()).collect();
                known.push("exact");
                anyhow!("unknown sketch {name:?} (known: {})", known.join(", "))
            })
    }

    /// A fresh estimator with these parameters.
    pub(crate) fn build(self, p: &Params) -> anyhow::Result<Box<dyn Estimator>> {
        Ok(match self {
            Which::Morris => Morris::boxed(MorrisCounter::new(p.base)?),
            Which::LogLog => loglog(LogLog::new(p.precision)?),
            Which::SuperLogLog => superloglog(SuperLogLog::new(p.precision)?),
            Which::HyperLogLog => hll(HyperLogLog::new(p.precision)?),
            Which::Kmv => kmv(Kmv::new(p.k)?),
            Which::Bloom => Box::new(Bloom {
                filter: ScalingBloomFilter::new(p.capacity, p.error_rate)?,
            }),
        })
    }

    /// Whether per-thread copies merge into exactly the single-threaded result.
    pub(crate) fn mergeable(self) -> bool {
        !matches!(self, Which::Morris | Which::Bloom)
    }

    /// The file `--save` writes it to.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Which::Morris => "morris.lsrm",
            Which::LogLog => "loglog.lsrm",
            Which::SuperLogLog => "superloglog.lsrm",
            Which::HyperLogLog => "hyperloglog.lsrm",
            Which::Kmv => "kmv.lsrm",
            Which::Bloom => "scaling-bloom.lsrm",
        }
    }
}

/// Decodes a saved estimator of any kind `count --save` writes.
pub(crate) fn load(bytes: &[u8]) -> anyhow::Result<Box<dyn Estimator>> {
    Ok(match lessram::codec::peek_kind(bytes)? {
        Kind::MorrisCounter => Morris::boxed(MorrisCounter::from_bytes(bytes)?),
        Kind::LogLog => loglog(LogLog::from_bytes(bytes)?),
        Kind::SuperLogLog => superloglog(SuperLogLog::from_bytes(bytes)?),
        Kind::HyperLogLog => hll(HyperLogLog::from_bytes(bytes)?),
        Kind::Kmv => kmv(Kmv::from_bytes(bytes)?),
        Kind::ScalingBloomFilter => Box::new(Bloom {
            filter: ScalingBloomFilter::from_bytes(bytes)?,
        }),
        other => bail!("a saved {other} is not a sketch `lessram count` writes"),
    })
}

/// Reads and decodes a saved estimator, naming the file in errors.
pub(crate) fn load_file(path: &std::path::Path) -> anyhow::Result<Box<dyn Estimator>> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        bail!("{}: is a directory", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    load(&bytes).with_context(|| format!("{}", path.display()))
}
