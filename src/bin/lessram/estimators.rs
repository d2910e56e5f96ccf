//! The estimators `count` runs side by side, chosen by name: the library's
//! [`lessram::text::Sketch`], built from the command line's parameters, and its
//! parameters for the table and the JSON output.

use anyhow::{Context, anyhow, bail};
use lessram::counting::SplitMix64;
use lessram::text::{Distinct, Filter, Morris, Sketch};
use lessram::{HyperLogLog, Kmv, LogLog, MorrisCounter, ScalingBloomFilter, SuperLogLog};
use serde_json::{Value, json};

/// Seed of the Morris counter's generator: runs are reproducible.
const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

fn precision_params(p: u8) -> Value {
    json!({"precision": p, "registers": 1u64 << p})
}

/// A sketch's parameters, for the table and the JSON output.
pub(crate) fn params(sketch: &Sketch) -> Value {
    match sketch {
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
    let kind = lessram::codec::peek_kind(bytes)?;
    if !Sketch::KINDS.contains(&kind) {
        bail!("a saved {kind} is not a sketch `lessram count` writes");
    }
    Ok(Sketch::from_bytes(bytes, MORRIS_SEED)?)
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
