//! The estimators `count` runs side by side, chosen by name: the library's
//! [`lessram::text::Sketch`], built from the command line's parameters, and its
//! parameters for the table and the JSON output.

use anyhow::{Context, anyhow, bail};
use lessram::interop::datasketches::Target;
use lessram::text::{Filter, Format, Hashing, Sketch, SketchKind};
use serde_json::{Value, json};

/// Seed of the Morris counter's generator: runs are reproducible.
pub(crate) const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

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
        Sketch::DataSketchesUll(d) => precision_params(d.0.precision()),
        Sketch::RedisUll(d) => precision_params(d.0.precision()),
        Sketch::Kmv(d) => json!({"k": d.0.k()}),
        // Theta's k: the hashes kept below theta (the Kmv keeps theta too).
        Sketch::DataSketchesTheta(d) => json!({"k": d.0.k() - 1}),
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

/// Parses a `--sketch` name (`None` for `exact`).
pub(crate) fn parse(name: &str) -> anyhow::Result<Option<SketchKind>> {
    if name.trim().eq_ignore_ascii_case("exact") {
        return Ok(None);
    }
    name.parse().map(Some).map_err(|_| {
        let known: Vec<&str> = SketchKind::ALL.iter().map(|w| w.key()).collect();
        anyhow!(
            "unknown sketch {:?} (known: {}, exact)",
            name.trim(),
            known.join(", ")
        )
    })
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
    load(&bytes).with_context(|| match Format::describe_bytes(&bytes) {
        Some(f) => format!("{} ({f})", path.display()),
        None => format!("{}", path.display()),
    })
}

/// The sketch in `format` (DataSketches' compact form of `target` type), or why not, with the
/// `--hash` that would have made it possible.
pub(crate) fn write(sketch: &Sketch, format: Format, target: Target) -> anyhow::Result<Vec<u8>> {
    let bytes = match format {
        Format::DataSketches => sketch.to_datasketches(target, true),
        _ => sketch.write(format),
    };
    bytes.map_err(|e| match format.hashing() {
        Some(h) if matches!(sketch.name(), "HyperLogLog" | "UltraLogLog" | "Kmv") => {
            anyhow!("{e} (count with --hash {h} to save or merge into {format})")
        }
        _ => e.into(),
    })
}
