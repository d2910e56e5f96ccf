//! The estimators `count` runs side by side: one enum of the library's sinks, for the
//! count (it is a `lessram::text::Sink` itself), the table, `--save`, `merge` and
//! `estimate`.

use anyhow::{Context, anyhow, bail};
use lessram::codec::Kind;
use lessram::counting::SplitMix64;
use lessram::text::{Distinct, Filter, Morris, Sink};
use lessram::{
    DistinctCount, HyperLogLog, Kmv, LogLog, MemoryUsage, MorrisCounter, ScalingBloomFilter,
    SuperLogLog,
};
use serde_json::{Value, json};

/// One estimator of the table, as the sink that counts it (six at most in a run: their
/// sizes do not matter).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Sketch {
    Morris(Morris),
    LogLog(Distinct<LogLog>),
    SuperLogLog(Distinct<SuperLogLog>),
    HyperLogLog(Distinct<HyperLogLog>),
    Kmv(Distinct<Kmv>),
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
            Sketch::Kmv(Distinct($s)) => $e,
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
            Sketch::Kmv($s) => $e,
            Sketch::Bloom($s) => $e,
        }
    };
}

/// Seed of the Morris counter's generator: runs are reproducible.
const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

fn precision_params(p: u8) -> Value {
    json!({"precision": p, "registers": 1u64 << p})
}

impl Sketch {
    /// The structure's name, as in the library ("HyperLogLog").
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Sketch::Morris(_) => "MorrisCounter",
            Sketch::LogLog(_) => "LogLog",
            Sketch::SuperLogLog(_) => "SuperLogLog",
            Sketch::HyperLogLog(_) => "HyperLogLog",
            Sketch::Kmv(_) => "Kmv",
            Sketch::Bloom(_) => "ScalingBloomFilter",
        }
    }

    /// Its parameters, for the table and the JSON output.
    pub(crate) fn params(&self) -> Value {
        match self {
            Sketch::Morris(m) => json!({"base": m.counter.base()}),
            Sketch::LogLog(d) => precision_params(d.0.precision()),
            Sketch::SuperLogLog(d) => precision_params(d.0.precision()),
            Sketch::HyperLogLog(d) => precision_params(d.0.precision()),
            Sketch::Kmv(d) => json!({"k": d.0.k()}),
            Sketch::Bloom(Filter(f)) => json!({
                "error_rate": f.fp_rate(),
                "initial_capacity": f.initial_capacity(),
                "filters": f.filters(),
            }),
        }
    }

    /// Bounds on the count when it has no estimate: a scaling Bloom filter after a merge
    /// (its count is then only known between these, see `ScalingBloomFilter::len_bounds`).
    pub(crate) fn bounds(&self) -> Option<(u64, u64)> {
        match self {
            Sketch::Bloom(f) if f.0.exact_len().is_none() => {
                let (low, high) = f.0.len_bounds();
                Some((low as u64, high as u64))
            }
            _ => None,
        }
    }

    /// The estimate: of the tokens for the Morris counter, of the distinct tokens for the
    /// others (the scaling Bloom filter's count of inserts that were new). Not an
    /// estimate when [`Sketch::bounds`] gives bounds.
    pub(crate) fn estimate(&self) -> f64 {
        match self {
            Sketch::Morris(m) => m.counter.estimate(),
            Sketch::Bloom(f) => f.0.len() as f64,
            Sketch::LogLog(d) => d.0.estimate(),
            Sketch::SuperLogLog(d) => d.0.estimate(),
            Sketch::HyperLogLog(d) => d.0.estimate(),
            Sketch::Kmv(d) => d.0.estimate(),
        }
    }

    /// Bytes used: the structure itself plus the heap it owns (`MemoryUsage`).
    pub(crate) fn memory(&self) -> usize {
        each!(self, s => std::mem::size_of_val(s) + s.memory_usage())
    }

    /// Whether the estimate is of every token, repeats included (else of distinct ones).
    pub(crate) fn counts_tokens(&self) -> bool {
        matches!(self, Sketch::Morris(_))
    }

    /// The structure in lessram's binary format.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        each!(self, s => s.to_bytes())
    }

    /// Merges a sketch of the same kind into this one (precisions and KMV's k may differ:
    /// the result takes the coarser).
    pub(crate) fn merge(&mut self, other: Sketch) -> anyhow::Result<()> {
        match (self, other) {
            (Sketch::Morris(a), Sketch::Morris(b)) => {
                let (x, y) = (&a.counter, &b.counter);
                if x.base() != y.base() {
                    let e =
                        lessram::Error::incompatible("MorrisCounter", "base", x.base(), y.base());
                    return Err(e.into());
                }
                // The merged counter counts the other's estimated events on top of its
                // own, a fraction rounded at random so as to keep the mean.
                let events = y.estimate();
                let whole = events.floor();
                let up = ((a.rng.next_word() >> 11) as f64 / (1u64 << 53) as f64) < events - whole;
                a.counter.add(whole as u64 + u64::from(up), &mut a.rng);
            }
            (Sketch::LogLog(a), Sketch::LogLog(b)) => a.0.merge(&b.0)?,
            (Sketch::SuperLogLog(a), Sketch::SuperLogLog(b)) => a.0.merge(&b.0)?,
            (Sketch::HyperLogLog(a), Sketch::HyperLogLog(b)) => a.0.merge(&b.0)?,
            (Sketch::Kmv(a), Sketch::Kmv(b)) => a.0.merge(&b.0)?,
            (Sketch::Bloom(a), Sketch::Bloom(b)) => a.0.union(&b.0)?,
            (a, b) => bail!("cannot merge a {} into a {}", b.name(), a.name()),
        }
        Ok(())
    }
}

impl Sink for Sketch {
    fn insert_hashes(&mut self, hashes: &[u128], tokens: u64) {
        each_sink!(self, s => s.insert_hashes(hashes, tokens));
    }
    fn fork(&self) -> Option<Box<dyn Sink>> {
        each_sink!(self, s => s.fork())
    }
    fn merge_fork(&mut self, fork: Box<dyn Sink>) -> lessram::Result<()> {
        each_sink!(self, s => s.merge_fork(fork))
    }
    fn repeats_cost(&self) -> bool {
        each_sink!(self, s => s.repeats_cost())
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

    /// A fresh sketch with these parameters.
    pub(crate) fn build(self, p: &Params) -> anyhow::Result<Sketch> {
        Ok(match self {
            Which::Morris => Sketch::Morris(Morris::new(
                MorrisCounter::new(p.base)?,
                SplitMix64::new(MORRIS_SEED),
            )),
            Which::LogLog => Sketch::LogLog(Distinct(LogLog::new(p.precision)?)),
            Which::SuperLogLog => Sketch::SuperLogLog(Distinct(SuperLogLog::new(p.precision)?)),
            Which::HyperLogLog => Sketch::HyperLogLog(Distinct(HyperLogLog::new(p.precision)?)),
            Which::Kmv => Sketch::Kmv(Distinct(Kmv::new(p.k)?)),
            Which::Bloom => {
                Sketch::Bloom(Filter(ScalingBloomFilter::new(p.capacity, p.error_rate)?))
            }
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

/// Decodes a saved sketch of any kind `count --save` writes.
pub(crate) fn load(bytes: &[u8]) -> anyhow::Result<Sketch> {
    let morris = |counter| Morris::new(counter, SplitMix64::new(MORRIS_SEED));
    Ok(match lessram::codec::peek_kind(bytes)? {
        Kind::MorrisCounter => Sketch::Morris(morris(MorrisCounter::from_bytes(bytes)?)),
        Kind::LogLog => Sketch::LogLog(Distinct(LogLog::from_bytes(bytes)?)),
        Kind::SuperLogLog => Sketch::SuperLogLog(Distinct(SuperLogLog::from_bytes(bytes)?)),
        Kind::HyperLogLog => Sketch::HyperLogLog(Distinct(HyperLogLog::from_bytes(bytes)?)),
        Kind::Kmv => Sketch::Kmv(Distinct(Kmv::from_bytes(bytes)?)),
        Kind::ScalingBloomFilter => Sketch::Bloom(Filter(ScalingBloomFilter::from_bytes(bytes)?)),
        other => bail!("a saved {other} is not a sketch `lessram count` writes"),
    })
}

/// Reads and decodes a saved sketch, naming the file in errors.
pub(crate) fn load_file(path: &std::path::Path) -> anyhow::Result<Sketch> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        bail!("{}: is a directory", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    load(&bytes).with_context(|| format!("{}", path.display()))
}
