//! `lessram estimate`: the estimates of saved sketches.

use std::io::Write;
use std::path::PathBuf;

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
    // Decode them all first, so that a bad file prints nothing but its error.
    let sketches = args
        .files
        .iter()
        .map(|f| load_file(f).map(|s| (f, s)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let out = std::io::stdout();
    let mut out = out.lock();
    for (path, s) in sketches {
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
    Ok(())
}
