//! `lessram estimate`: the estimates of saved sketches.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use serde_json::json;

use crate::count::{group, params_text};
use crate::estimators::load_file;

/// Print the estimate of each saved sketch.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Sketches saved by `lessram count --save` or `lessram merge`.
    #[arg(required = true, num_args = 1..)]
    files: Vec<PathBuf>,
    /// Print one JSON object per line instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let out = std::io::stdout();
    let mut out = out.lock();
    // The good files are printed, the bad ones reported together, and the exit fails.
    let mut bad = Vec::new();
    for path in &args.files {
        let s = match load_file(path) {
            Ok(s) => s,
            Err(e) => {
                bad.push(crate::one_line(&e));
                continue;
            }
        };
        let estimate = s.estimate();
        if args.json {
            let v = json!({
                "file": path.display().to_string(),
                "estimator": s.name(),
                "parameters": s.params(),
                "estimate": estimate,
                "memory_bytes": s.memory(),
            });
            writeln!(out, "{v}")?;
        } else {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                path.display(),
                s.name(),
                params_text(&s.params()),
                group(estimate.round().max(0.0) as u64)
            )?;
        }
    }
    out.flush()?;
    if !bad.is_empty() {
        bail!("{}", bad.join("; "));
    }
    Ok(())
}
