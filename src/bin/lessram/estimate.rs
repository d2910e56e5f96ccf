//! `lessram estimate`: the estimates of saved sketches.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use lessram::text::Sketch;
use serde_json::{Value, json};

/// Why a merged scaling Bloom filter shows bounds instead of an estimate.
const MERGED_NOTE: &str = "count not known exactly after a merge";

use crate::estimators::{load_file, params};
use crate::show::{group, one_line, params_text};

/// Print the estimate of each saved sketch.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Sketches saved by `lessram count --save` or `lessram merge`, in any format (lsrm,
    /// DataSketches HLL, Redis HYLL: told apart by their first bytes).
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
        let (s, format) = match load_file(path) {
            Ok(s) => s,
            Err(e) => {
                bad.push(one_line(&e));
                continue;
            }
        };
        // A merged scaling Bloom filter's count is only known between bounds: its sum of
        // sub-filter counts counts twice the items the shards held in different
        // sub-filters, so it is not printed as an estimate.
        let bounds = s.bounds();
        let estimate = s.estimate();
        if args.json {
            let mut v = json!({
                "file": path.display().to_string(),
                "estimator": s.name(),
                "format": format.name(),
                "parameters": params(&s),
                "estimate": if bounds.is_some() { Value::Null } else { json!(estimate) },
                "memory_bytes": s.footprint(),
            });
            if let Sketch::DataSketches(d) = &s {
                // DataSketches' own estimate of an in-order sketch (`null` out of order).
                v["hip_estimate"] = json!(d.0.estimate_hip());
            }
            if let Some((low, high)) = bounds {
                v["bounds"] = json!([low, high]);
                v["note"] = json!(MERGED_NOTE);
            }
            writeln!(out, "{v}")?;
        } else {
            let figure = match bounds {
                Some((low, high)) => {
                    format!("between {} and {} ({MERGED_NOTE})", group(low), group(high))
                }
                None => group(estimate.round().max(0.0) as u64),
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{figure}",
                path.display(),
                s.name(),
                params_text(&params(&s)),
            )?;
        }
    }
    out.flush()?;
    if !bad.is_empty() {
        bail!("{}", bad.join("; "));
    }
    Ok(())
}
