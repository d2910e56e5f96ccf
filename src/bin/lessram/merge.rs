//! `lessram merge`: combine sketches saved on shards of a corpus.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::estimators::load_file;

/// The arguments of `lessram merge` (its help is the doc of `Command::Merge`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Sketches saved by `lessram count --save` (or by `merge`).
    #[arg(required = true, num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Where to write the merged sketch.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let (first, rest) = args.inputs.split_first().context("no input to merge")?;
    let mut merged = load_file(first)?;
    for path in rest {
        let other = load_file(path)?;
        if other.name() != merged.name() {
            bail!(
                "cannot merge {} (a {}) into {} (a {}): different kinds",
                path.display(),
                other.name(),
                first.display(),
                merged.name()
            );
        }
        merged
            .merge(&other)
            .with_context(|| format!("merging {} into {}", path.display(), first.display()))?;
    }
    std::fs::write(&args.output, merged.to_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(())
}
