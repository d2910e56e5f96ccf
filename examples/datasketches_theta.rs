//! Builds an Apache DataSketches compact Theta sketch (the bytes of
//! `update_theta_sketch(lg_k)`, trimmed, `.compact().serialize()`) from the lines of a file
//! with a lessram `Kmv`, reads one back, rewrites one, merges two.
//!
//! ```text
//! cargo run --release --example datasketches_theta -- build LG_K LINES OUT FORM [ints|floats]
//! cargo run --release --example datasketches_theta -- read SKETCH
//! cargo run --release --example datasketches_theta -- rewrite SKETCH OUT FORM
//! cargo run --release --example datasketches_theta -- via-kmv SKETCH OUT FORM
//! cargo run --release --example datasketches_theta -- merge LG_K A B OUT FORM
//! cargo run --release --example datasketches_theta -- union A B OUT FORM
//! ```
//!
//! `build` adds every non-empty line of LINES as `sketch.update(line)` would (its UTF-8
//! bytes; with `ints`, the line as a 64-bit integer, `update(int(line))`; with `floats`, as a
//! float, `update(float(line))`) to `theta::new(LG_K)` (a `Kmv` of `k = 2^LG_K + 1`) and
//! writes it to OUT. FORM is `plain` (serial version 3) or `compressed` (version 4).
//! `read` prints `version V ordered O empty E retained N theta T estimate E hashes H`, with
//! `E` lessram's estimate and `H` a digest of the sorted retained hashes (FNV-1a).
//! `rewrite` reads a sketch and writes it again as a `ThetaSketch`; `via-kmv` goes through
//! the `Kmv` it converts to (`k = retained + 1`); `merge` writes the `Kmv` union of two, each
//! read as a `Kmv` of `k = 2^LG_K + 1` (its own `retained + 1` in estimation mode); `union`
//! the `ThetaSketch` union of two (any Theta sketches, untrimmed).

use lessram::DistinctCount;
use lessram::interop::theta::{self, ThetaKmv, ThetaSketch, header};

fn compressed(form: &str) -> Result<bool, String> {
    match form {
        "plain" => Ok(false),
        "compressed" => Ok(true),
        _ => Err(format!("unknown form {form}: plain or compressed")),
    }
}

fn read(file: &str) -> Result<ThetaSketch, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    theta::from_bytes(&bytes).map_err(|e| format!("{file}: {e}"))
}

/// The `Kmv` of a sketch: `k = retained + 1` in estimation mode; in exact mode that too, or
/// `2^lg_k + 1` when `lg_k` is given (the `k` of `theta::new(lg_k)`).
fn kmv_of(file: &str, lg_k: Option<u8>) -> Result<ThetaKmv, String> {
    let s = read(file)?;
    let k = match lg_k {
        Some(lg_k) if !s.is_estimation_mode() => (1 << lg_k) + 1,
        _ => (s.hashes().len() + 1).max(2),
    };
    s.to_kmv(k).map_err(|e| format!("{file}: {e}"))
}

fn write(out: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(out, bytes).map_err(|e| format!("{out}: {e}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["build", lg_k, lines, out, form, ref rest @ ..] => {
            let mut kmv = theta::new(lg_k.parse()?)?;
            let text = std::fs::read_to_string(lines).map_err(|e| format!("{lines}: {e}"))?;
            for line in text.lines().filter(|l| !l.is_empty()) {
                match rest {
                    [] => kmv.insert(line),
                    ["ints"] => {
                        kmv.insert(&line.parse::<i64>().map_err(|e| format!("{line}: {e}"))?)
                    }
                    ["floats"] => {
                        let x = line.parse::<f64>().map_err(|e| format!("{line}: {e}"))?;
                        kmv.insert(&theta::double_bytes(x));
                    }
                    _ => return Err(format!("unknown option {rest:?}").into()),
                }
            }
            write(out, &theta::to_bytes(&kmv, compressed(form)?)?)?;
        }
        ["read", file] => {
            let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
            let h = header(&bytes)?;
            let s = read(file)?;
            let digest = s.hashes().iter().fold(0xcbf2_9ce4_8422_2325u64, |d, &x| {
                (d ^ x).wrapping_mul(0x0100_0000_01b3)
            });
            println!(
                "version {} ordered {} empty {} retained {} theta {} estimate {:?} hashes {digest:016x}",
                h.serial_version,
                u8::from(h.ordered),
                u8::from(s.is_empty()),
                s.hashes().len(),
                s.theta(),
                s.estimate(),
            );
        }
        ["rewrite", file, out, form] => write(out, &read(file)?.to_bytes(compressed(form)?))?,
        ["via-kmv", file, out, form] => {
            let kmv = kmv_of(file, None)?;
            write(out, &theta::to_bytes(&kmv, compressed(form)?)?)?;
        }
        ["merge", lg_k, a, b, out, form] => {
            let lg_k = Some(lg_k.parse()?);
            let mut kmv = kmv_of(a, lg_k)?;
            kmv.merge(&kmv_of(b, lg_k)?)?;
            write(out, &theta::to_bytes(&kmv, compressed(form)?)?)?;
        }
        ["union", a, b, out, form] => {
            let mut s = read(a)?;
            s.merge(&read(b)?);
            write(out, &s.to_bytes(compressed(form)?))?;
        }
        _ => {
            return Err("usage: datasketches_theta build LG_K LINES OUT FORM [ints|floats] | read SKETCH | rewrite SKETCH OUT FORM | via-kmv SKETCH OUT FORM | merge LG_K A B OUT FORM | union A B OUT FORM".into());
        }
    }
    Ok(())
}
