//! Counts a file's distinct words with a HyperLogLog of precision 14, through
//! `lessram::text`: the same estimate, bit for bit, as `lessram count --sketch hll FILE`.
//!
//! ```text
//! cargo run --release --example count_file -- [--threads N] FILE
//! ```
//!
//! The last line starts with the estimate.

use lessram::HyperLogLog;
use lessram::text::{Counter, Distinct, TokenOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut file = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" | "-t" => {
                let n = args.next().ok_or("--threads needs a number")?;
                threads = n.parse().map_err(|e| format!("--threads {n}: {e}"))?;
            }
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}").into()),
        }
    }
    let file = file.ok_or("usage: count_file [--threads N] FILE")?;

    let mut counter = Counter::new(TokenOptions::words()).threads(threads);
    let hll = counter.sink(Distinct(HyperLogLog::new(14)?));
    let mut report = counter.count_path(&file)?;
    let hll = report.take(hll).into_inner();

    println!(
        "{} tokens, {} bytes, {} threads, {:.3} s ({})",
        report.tokens,
        report.bytes,
        report.threads,
        report.elapsed.as_secs_f64(),
        report.paths.describe(report.opts)
    );
    println!(
        "{} distinct words (HyperLogLog, precision 14) in {file}",
        hll.estimate()
    );
    Ok(())
}
