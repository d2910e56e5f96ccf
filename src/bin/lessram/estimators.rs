//! The estimators `count` runs side by side, behind one object-safe trait for the table,
//! `--save`, `merge` and `estimate`; they count as `lessram::text` sinks.

use std::any::Any;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use lessram::codec::{Codec, Kind};
use lessram::counting::SplitMix64;
use lessram::text::{
    Counter, Distinct as DistinctSink, Filter, Morris as MorrisSink, Report, SinkHandle,
};
use lessram::{
    DistinctCount, HyperLogLog, Kmv, LogLog, MemoryUsage, MorrisCounter, ScalingBloomFilter,
    SuperLogLog,
};
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

impl Estimator for Morris {
    fn name(&self) -> &'static str {
        "MorrisCounter"
    }
    fn params(&self) -> Value {
        json!({"base": self.counter.base()})
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
        // The merged counter counts the other's estimated events on top of its own, a
        // fraction rounded at random so as to keep the mean.
        let events = b.estimate();
        let whole = events.floor();
        let up = ((self.rng.next_word() >> 11) as f64 / (1u64 << 53) as f64) < events - whole;
        self.counter
            .add(whole as u64 + u64::from(up), &mut self.rng);
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

    /// Adds a fresh sink with these parameters to `counter`.
    pub(crate) fn add_to(self, p: &Params, counter: &mut Counter) -> anyhow::Result<Handle> {
        Ok(match self {
            Which::Morris => Handle::Morris(counter.sink(MorrisSink::new(
                MorrisCounter::new(p.base)?,
                SplitMix64::new(MORRIS_SEED),
            ))),
            Which::LogLog => Handle::LogLog(counter.sink(DistinctSink(LogLog::new(p.precision)?))),
            Which::SuperLogLog => {
                Handle::SuperLogLog(counter.sink(DistinctSink(SuperLogLog::new(p.precision)?)))
            }
            Which::HyperLogLog => {
                Handle::HyperLogLog(counter.sink(DistinctSink(HyperLogLog::new(p.precision)?)))
            }
            Which::Kmv => Handle::Kmv(counter.sink(DistinctSink(Kmv::new(p.k)?))),
            Which::Bloom => Handle::Bloom(
                counter.sink(Filter(ScalingBloomFilter::new(p.capacity, p.error_rate)?)),
            ),
        })
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

/// A sink of a count, to take back from its report as an [`Estimator`].
pub(crate) enum Handle {
    Morris(SinkHandle<MorrisSink>),
    LogLog(SinkHandle<DistinctSink<LogLog>>),
    SuperLogLog(SinkHandle<DistinctSink<SuperLogLog>>),
    HyperLogLog(SinkHandle<DistinctSink<HyperLogLog>>),
    Kmv(SinkHandle<DistinctSink<Kmv>>),
    Bloom(SinkHandle<Filter<ScalingBloomFilter>>),
}

impl Handle {
    /// The estimator counted, and the time spent feeding it.
    pub(crate) fn take(self, report: &mut Report) -> (Box<dyn Estimator>, Duration) {
        match self {
            Handle::Morris(h) => {
                let t = report.time(&h);
                let m = report.take(h);
                let e: Box<dyn Estimator> = Box::new(Morris {
                    counter: m.counter,
                    rng: m.rng,
                });
                (e, t)
            }
            Handle::LogLog(h) => {
                let t = report.time(&h);
                (loglog(report.take(h).0), t)
            }
            Handle::SuperLogLog(h) => {
                let t = report.time(&h);
                (superloglog(report.take(h).0), t)
            }
            Handle::HyperLogLog(h) => {
                let t = report.time(&h);
                (hll(report.take(h).0), t)
            }
            Handle::Kmv(h) => {
                let t = report.time(&h);
                (kmv(report.take(h).0), t)
            }
            Handle::Bloom(h) => {
                let t = report.time(&h);
                let filter = report.take(h).0;
                (Box::new(Bloom { filter }), t)
            }
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
