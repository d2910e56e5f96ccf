//! Counts a shard of a corpus into the bytes Spark SQL's `hll_sketch_agg` writes (Apache
//! DataSketches' HLL sketch), reads sketches Spark wrote, merges shards.
//!
//! ```text
//! cargo run --release --example spark_hll -- count LG_K OUT [--type T] [--updatable] [--ints] [FILE...]
//! cargo run --release --example spark_hll -- read SKETCH...
//! cargo run --release --example spark_hll -- merge OUT [--type T] [--updatable] SKETCH...
//! ```
//!
//! `count` adds every non-empty line of the FILEs (standard input without any) as one item,
//! as Spark's `hll_sketch_agg(col, LG_K)` adds a string column's value (its UTF-8 bytes;
//! with `--ints`, the line as a 64-bit integer: a `bigint` or `int` column), and writes the
//! sketch to OUT: target type T (`HLL_4`, the default, `HLL_6` or `HLL_8`, which Spark writes),
//! compact unless `--updatable` (Spark writes updatable; it reads both). Spark reads OUT as a
//! `binary` column: `hll_sketch_estimate`, `hll_union`, `hll_union_agg`.
//!
//! `read` prints, a line a sketch, `file F mode M lg_k K type T compact C ooo O sparse S
//! coupons N estimate E hip H registers R`: `N` the coupons of a LIST or SET (else 0), `E`
//! lessram's estimate, `H` its HIP estimate (DataSketches' own estimate of an in-order
//! sketch; `none` when out of order) and `R` a digest of the registers (FNV-1a of the slot
//! values), so two sketches can be compared slot for slot; `file F error MESSAGE` for a
//! sketch lessram refuses (and the exit status says so).
//!
//! `merge` writes the union of the sketches (out of order once a dense one is merged in,
//! as Spark's `hll_union` marks its result).

use lessram::interop::datasketches::{self, DataSketchesHyperLogLog, Mode, Target, header};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Target type and form, from `--type T` and `--updatable` among `args`; the other
/// arguments, in order.
struct Options {
    target: Target,
    compact: bool,
    ints: bool,
    rest: Vec<String>,
}

fn options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        target: Target::Hll4,
        compact: true,
        ints: false,
        rest: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--type" => {
                o.target = match it.next().map(String::as_str) {
                    Some("HLL_4") => Target::Hll4,
                    Some("HLL_6") => Target::Hll6,
                    Some("HLL_8") => Target::Hll8,
                    t => return Err(format!("--type {t:?}: HLL_4, HLL_6 or HLL_8").into()),
                }
            }
            "--updatable" => o.compact = false,
            "--ints" => o.ints = true,
            _ => o.rest.push(a.clone()),
        }
    }
    Ok(o)
}

fn read(file: &str) -> Result<(Vec<u8>, DataSketchesHyperLogLog)> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let hll = datasketches::from_bytes(&bytes).map_err(|e| format!("{file}: {e}"))?;
    Ok((bytes, hll))
}

fn write(hll: &DataSketchesHyperLogLog, out: &str, o: &Options) -> Result<()> {
    let bytes = datasketches::to_bytes(hll, o.target, o.compact)?;
    std::fs::write(out, bytes).map_err(|e| format!("{out}: {e}"))?;
    Ok(())
}

fn add_lines(hll: &mut DataSketchesHyperLogLog, text: &str, ints: bool) -> Result<()> {
    // Spark skips nulls and DataSketches the empty string: an empty line is no item.
    for line in text.lines().filter(|l| !l.is_empty()) {
        if ints {
            hll.insert(&line.parse::<i64>().map_err(|e| format!("{line}: {e}"))?);
        } else {
            hll.insert(line);
        }
    }
    Ok(())
}

fn count(args: &[String]) -> Result<()> {
    let o = options(args)?;
    let [lg_k, out, files @ ..] = &o.rest[..] else {
        return Err("count LG_K OUT [--type T] [--updatable] [--ints] [FILE...]".into());
    };
    let mut hll = datasketches::new(lg_k.parse()?)?;
    if files.is_empty() {
        add_lines(
            &mut hll,
            &std::io::read_to_string(std::io::stdin())?,
            o.ints,
        )?;
    }
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        add_lines(&mut hll, &text, o.ints)?;
    }
    write(&hll, out, &o)
}

fn show(file: &str) -> Result<()> {
    let (bytes, hll) = read(file)?;
    let h = header(&bytes)?;
    let digest = hll
        .registers()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |d, &r| {
            (d ^ u64::from(r)).wrapping_mul(0x0100_0000_01b3)
        });
    let hip = hll
        .estimate_hip()
        .map_or_else(|| "none".to_string(), |e| format!("{e:?}"));
    let coupons = match h.mode {
        Mode::List => usize::from(bytes[6]),
        Mode::Set => u32::from_le_bytes(bytes[8..12].try_into()?) as usize,
        Mode::Hll => 0,
    };
    println!(
        "file {file} mode {:?} lg_k {} type {:?} compact {} ooo {} sparse {} coupons {coupons} estimate {:?} hip {hip} registers {digest:016x}",
        h.mode,
        h.lg_k,
        h.target,
        u8::from(h.compact),
        u8::from(h.out_of_order),
        u8::from(hll.is_sparse()),
        hll.estimate(),
    );
    Ok(())
}

fn merge(args: &[String]) -> Result<()> {
    let o = options(args)?;
    let [out, first, more @ ..] = &o.rest[..] else {
        return Err("merge OUT [--type T] [--updatable] SKETCH...".into());
    };
    let mut hll = read(first)?.1;
    for file in more {
        hll.merge(&read(file)?.1)
            .map_err(|e| format!("{file}: {e}"))?;
    }
    write(&hll, out, &o)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((cmd, rest)) if cmd == "count" => count(rest),
        Some((cmd, rest)) if cmd == "read" && !rest.is_empty() => {
            // One line a sketch, an error line for one lessram refuses, and the status of
            // the first error.
            let mut first = Ok(());
            for file in rest {
                if let Err(e) = show(file) {
                    println!("file {file} error {e}");
                    first = first.and(Err(e));
                }
            }
            first
        }
        Some((cmd, rest)) if cmd == "merge" => merge(rest),
        _ => Err("usage: spark_hll count LG_K OUT [--type T] [--updatable] [--ints] [FILE...] | read SKETCH... | merge OUT [--type T] [--updatable] SKETCH...".into()),
    }
}
