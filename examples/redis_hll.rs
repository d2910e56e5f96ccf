//! Builds a Redis HyperLogLog (the `HYLL` string `PFADD` makes) from the lines of a file,
//! and reads one back.
//!
//! ```text
//! cargo run --release --example redis_hll -- build LINES OUT [auto|dense|sparse]
//! cargo run --release --example redis_hll -- read HYLL
//! ```
//!
//! `build` adds every line of LINES (its bytes, without the newline) as `PFADD key line`
//! would and writes the string to OUT: `redis-cli -x SET key < OUT` makes it a key that
//! `PFCOUNT` counts. `read` prints `pfcount N cached C registers R`, where `N` is what
//! `PFCOUNT` answers, `C` the cached cardinality (`stale` when marked so) and `R` a digest
//! of the 16,384 registers (FNV-1a), so two strings can be compared register for register.

use lessram::interop::redis::{self, Encoding};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["build", lines, out, ref rest @ ..] => {
            let encoding = match rest {
                [] | ["auto"] => None,
                ["dense"] => Some(Encoding::Dense),
                ["sparse"] => Some(Encoding::Sparse),
                _ => return Err(format!("unknown encoding {rest:?}").into()),
            };
            let text = std::fs::read(lines).map_err(|e| format!("{lines}: {e}"))?;
            let mut hll = redis::new();
            for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                hll.insert(line);
            }
            let bytes = match encoding {
                None => redis::to_hyll(&hll)?,
                Some(e) => redis::to_hyll_as(&hll, e)?,
            };
            std::fs::write(out, bytes).map_err(|e| format!("{out}: {e}"))?;
        }
        ["read", file] => {
            let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
            let hll = redis::from_hyll(&bytes).map_err(|e| format!("{file}: {e}"))?;
            let cached = match redis::cached_cardinality(&bytes)? {
                Some(c) => c.to_string(),
                None => "stale".to_string(),
            };
            let digest = hll
                .registers()
                .iter()
                .fold(0xcbf2_9ce4_8422_2325u64, |h, &r| {
                    (h ^ u64::from(r)).wrapping_mul(0x0100_0000_01b3)
                });
            println!(
                "pfcount {} cached {cached} registers {digest:016x}",
                redis::pfcount(&hll)
            );
        }
        _ => {
            return Err(
                "usage: redis_hll build LINES OUT [auto|dense|sparse] | redis_hll read HYLL".into(),
            );
        }
    }
    Ok(())
}
