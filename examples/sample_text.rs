//! Writes the sample corpus `lessram count` counts by default as text, for tools that need
//! a file (the `benches/count.sh` comparison with `wc` and `sort -u`).
//!
//! `cargo run --release --example sample_text -- [TOKENS] > sample.txt` (default 10,000,000).

use std::io::{self, Write};

use lessram::sample::SampleCorpus;

fn main() -> io::Result<()> {
    let tokens = match std::env::args().nth(1) {
        Some(n) => n
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?,
        None => SampleCorpus::DEFAULT_TOKENS,
    };
    let mut reader = SampleCorpus::new(tokens).reader();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    io::copy(&mut reader, &mut out)?;
    out.flush()
}
