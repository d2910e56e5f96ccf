//! Builds an Apache DataSketches HLL sketch (the bytes `hll_sketch.serialize_compact()` and
//! Spark's `hll_sketch_agg` give) from the lines of a file, reads one back, merges two.
//!
//! ```text
//! cargo run --release --example datasketches_hll -- build LG_K LINES OUT TYPE FORM [ints]
//! cargo run --release --example datasketches_hll -- read SKETCH
//! cargo run --release --example datasketches_hll -- rewrite SKETCH OUT TYPE FORM
//! cargo run --release --example datasketches_hll -- merge A B OUT TYPE FORM
//! ```
//!
//! `build` adds every non-empty line of LINES as `sketch.update(line)` would (its UTF-8
//! bytes; with `ints`, the line as a 64-bit integer, `sketch.update(int(line))`) and writes
//! the sketch to OUT. TYPE is `HLL_4`, `HLL_6` or `HLL_8`, FORM `compact` or `updatable`.
//! `read` prints `mode M lg_k K type T compact C ooo O sparse S estimate E hip H registers R`,
//! where `E` is lessram's estimate, `H` its HIP estimate (`none` when out of order) and `R` a
//! digest of the registers (FNV-1a), so two sketches can be compared register for register.
//! `rewrite` reads a sketch and writes it again; `merge` writes the union of two.

use lessram::interop::datasketches::{self, Target, header};

fn target(name: &str) -> Result<Target, String> {
    match name {
        "HLL_4" => Ok(Target::Hll4),
        "HLL_6" => Ok(Target::Hll6),
        "HLL_8" => Ok(Target::Hll8),
        _ => Err(format!("unknown target type {name}: HLL_4, HLL_6 or HLL_8")),
    }
}

fn compact(form: &str) -> Result<bool, String> {
    match form {
        "compact" => Ok(true),
        "updatable" => Ok(false),
        _ => Err(format!("unknown form {form}: compact or updatable")),
    }
}

fn read(file: &str) -> Result<datasketches::DataSketchesHyperLogLog, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    datasketches::from_bytes(&bytes).map_err(|e| format!("{file}: {e}"))
}

fn write(
    hll: &datasketches::DataSketchesHyperLogLog,
    out: &str,
    t: &str,
    form: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = datasketches::to_bytes(hll, target(t)?, compact(form)?)?;
    std::fs::write(out, bytes).map_err(|e| format!("{out}: {e}"))?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["build", lg_k, lines, out, t, form, ref rest @ ..] => {
            let ints = match rest {
                [] => false,
                ["ints"] => true,
                _ => return Err(format!("unknown option {rest:?}").into()),
            };
            let mut hll = datasketches::new(lg_k.parse()?)?;
            let text = std::fs::read_to_string(lines).map_err(|e| format!("{lines}: {e}"))?;
            for line in text.lines().filter(|l| !l.is_empty()) {
                if ints {
                    hll.insert(&line.parse::<i64>().map_err(|e| format!("{line}: {e}"))?);
                } else {
                    hll.insert(line);
                }
            }
            write(&hll, out, t, form)?;
        }
        ["read", file] => {
            let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
            let h = header(&bytes)?;
            let hll = read(file)?;
            let digest = hll
                .registers()
                .iter()
                .fold(0xcbf2_9ce4_8422_2325u64, |d, &r| {
                    (d ^ u64::from(r)).wrapping_mul(0x0100_0000_01b3)
                });
            let hip = hll
                .estimate_hip()
                .map_or_else(|| "none".to_string(), |h| format!("{h:?}"));
            println!(
                "mode {:?} lg_k {} type {:?} compact {} ooo {} sparse {} estimate {:?} hip {hip} registers {digest:016x}",
                h.mode,
                h.lg_k,
                h.target,
                u8::from(h.compact),
                u8::from(h.out_of_order),
                u8::from(hll.is_sparse()),
                hll.estimate(),
            );
        }
        ["rewrite", file, out, t, form] => write(&read(file)?, out, t, form)?,
        ["merge", a, b, out, t, form] => {
            let mut hll = read(a)?;
            hll.merge(&read(b)?)?;
            write(&hll, out, t, form)?;
        }
        _ => {
            return Err("usage: datasketches_hll build LG_K LINES OUT TYPE FORM [ints] | read SKETCH | rewrite SKETCH OUT TYPE FORM | merge A B OUT TYPE FORM".into());
        }
    }
    Ok(())
}
