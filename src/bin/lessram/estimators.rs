//! The estimators `count` runs side by side, chosen by name: the library's
//! [`lessram::text::Sketch`], built from the command line's parameters, and its
//! parameters for the table and the JSON output.

use anyhow::{Context, anyhow, bail};
use lessram::counting::SplitMix64;
use lessram::hash::Murmur3;
use lessram::interop::{datasketches, redis};
use lessram::text::{
    DataSketchesHll, Distinct, Filter, Format, Hashing, Morris, RedisHll, Sketch,
};
use lessram::{
    HyperLogLog, Kmv, LogLog, MorrisCounter, ScalingBloomFilter, SuperLogLog, UltraLogLog,
};
use serde_json::{Value, json};

/// Seed of the Morris counter's generator: runs are reproducible.
const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

fn precision_params(p: u8) -> Value {
    json!({"precision": p, "registers": 1u64 << p})
}

/// A sketch's parameters, for the table and the JSON output.
pub(crate) fn params(sketch: &Sketch) -> Value {
    let mut v = match sketch {
        Sketch::Morris(m) => json!({"base": m.counter.base()}),
        Sketch::LogLog(d) => precision_params(d.0.precision()),
        Sketch::SuperLogLog(d) => precision_params(d.0.precision()),
        Sketch::HyperLogLog(d) => precision_params(d.0.precision()),
        Sketch::DataSketches(d) => precision_params(d.0.precision()),
        Sketch::Redis(d) => precision_params(d.0.precision()),
        Sketch::UltraLogLog(d) => precision_params(d.0.precision()),
        Sketch::Kmv(d) => json!({"k": d.0.k()}),
        Sketch::Bloom(Filter(f)) => json!({
            "error_rate": f.fp_rate(),
            "initial_capacity": f.initial_capacity(),
            "filters": f.filters(),
        }),
    };
    if sketch.hashing() != Hashing::Lessram {
        v["hash"] = json!(sketch.hashing().name());
    }
    v
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
    UltraLogLog,
    Kmv,
    Bloom,
}

impl Which {
    /// Every estimator, in table order.
    pub(crate) const ALL: [Which; 7] = [
        Which::Morris,
        Which::LogLog,
        Which::SuperLogLog,
        Which::HyperLogLog,
        Which::UltraLogLog,
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
            Which::UltraLogLog => "ull",
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
            "ultraloglog" => return Ok(Some(Which::UltraLogLog)),
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

    /// A fresh sketch with these parameters, hashing as `hash` says: DataSketches' makes
    /// the HyperLogLog DataSketches' own and seeds the others' MurmurHash3 with 9001;
    /// Redis' counts only a HyperLogLog of precision 14 and a Morris counter.
    pub(crate) fn build(self, p: &Params, hash: Hashing) -> anyhow::Result<Sketch> {
        let h = Murmur3::with_seed(hash.seed());
        Ok(match (self, hash) {
            (Which::HyperLogLog, Hashing::DataSketches) => {
                Sketch::DataSketches(DataSketchesHll(datasketches::new(p.precision)?))
            }
            (Which::HyperLogLog, Hashing::Redis) if p.precision == redis::PRECISION => {
                Sketch::Redis(RedisHll(redis::new()))
            }
            (Which::HyperLogLog, Hashing::Redis) => bail!(
                "precision {} with --hash redis: Redis' HyperLogLog has precision 14",
                p.precision
            ),
            (w, Hashing::Redis) if w != Which::Morris => bail!(
                "--sketch {} cannot count with --hash redis: only hll (Redis' HyperLogLog) \
                 and morris can; drop it, or count with --hash lessram",
                w.key()
            ),
            (w, _) => w.build_lessram(p, h)?,
        })
    }

    /// A fresh sketch of lessram's own, hashing with `h`.
    fn build_lessram(self, p: &Params, h: Murmur3) -> anyhow::Result<Sketch> {
        Ok(match self {
            Which::Morris => Sketch::Morris(Morris::new(
                MorrisCounter::new(p.base)?,
                SplitMix64::new(MORRIS_SEED),
            )),
            Which::LogLog => Sketch::LogLog(Distinct(LogLog::with_hasher(p.precision, h)?)),
            Which::SuperLogLog => {
                Sketch::SuperLogLog(Distinct(SuperLogLog::with_hasher(p.precision, h)?))
            }
            Which::HyperLogLog => {
                Sketch::HyperLogLog(Distinct(HyperLogLog::with_hasher(p.precision, h)?))
            }
            Which::UltraLogLog => {
                Sketch::UltraLogLog(Distinct(UltraLogLog::with_hasher(p.precision, h)?))
            }
            Which::Kmv => Sketch::Kmv(Distinct(Kmv::with_hasher(p.k, h)?)),
            Which::Bloom => Sketch::Bloom(Filter(ScalingBloomFilter::with_hasher(
                p.capacity,
                p.error_rate,
                h,
            )?)),
        })
    }

    /// The file name `--save` writes it to, before the format's extension.
    pub(crate) fn file_stem(self) -> &'static str {
        match self {
            Which::Morris => "morris",
            Which::LogLog => "loglog",
            Which::SuperLogLog => "superloglog",
            Which::HyperLogLog => "hyperloglog",
            Which::UltraLogLog => "ultraloglog",
            Which::Kmv => "kmv",
            Which::Bloom => "scaling-bloom",
        }
    }
}

/// Decodes a saved sketch of any kind `count --save` writes, in any format.
pub(crate) fn load(bytes: &[u8]) -> anyhow::Result<(Sketch, Format)> {
    if Format::detect(bytes) == Some(Format::Lsrm) {
        let kind = lessram::codec::peek_kind(bytes)?;
        if !Sketch::KINDS.contains(&kind) {
            bail!("a saved {kind} is not a sketch `lessram count` writes");
        }
    }
    Ok(Sketch::read(bytes, MORRIS_SEED)?)
}

/// Reads and decodes a saved sketch, naming the file (and its format, when its first bytes
/// tell one) in errors.
pub(crate) fn load_file(path: &std::path::Path) -> anyhow::Result<(Sketch, Format)> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        bail!("{}: is a directory", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    load(&bytes).with_context(|| match Format::detect(&bytes) {
        Some(f) => format!("{} ({})", path.display(), f.describe()),
        None => format!("{}", path.display()),
    })
}

/// The sketch in `format`, or why not, with the `--hash` that would have made it possible.
pub(crate) fn write(sketch: &Sketch, format: Format) -> anyhow::Result<Vec<u8>> {
    sketch.write(format).map_err(|e| match format.hashing() {
        Some(h) if sketch.name() == "HyperLogLog" => {
            anyhow!("{e} (count with --hash {h} to save or merge into {format})")
        }
        _ => e.into(),
    })
}
