//! `lessram merge`: combine sketches saved on shards of a corpus.

use std::path::PathBuf;

use anyhow::{Context, bail};
use lessram::interop::datasketches::Target;
use lessram::text::Format;

use crate::estimators::{load_file, write};

/// The arguments of `lessram merge` (its help is the doc of `Command::Merge`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Sketches saved by `lessram count --save` (or by `merge`), in any format.
    #[arg(required = true, num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Where to write the merged sketch.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// The format to write: lsrm, datasketches or redis (default: the first input's).
    #[arg(long, value_name = "FORMAT")]
    format: Option<Format>,
    /// DataSketches' target type when writing that format: hll4, hll6 or hll8 (default).
    #[arg(long, value_name = "TYPE", default_value = "hll8")]
    target: Target,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let (first, rest) = args.inputs.split_first().context("no input to merge")?;
    let (mut merged, first_format) = load_file(first)?;
    let first_is = format!("a {}, {}", merged.label(), merged.describe(first_format));
    for path in rest {
        let (other, format) = load_file(path)?;
        if other.label() != merged.label() {
            bail!(
                "cannot merge {} (a {}, {}) into {} ({first_is}): different kinds",
                path.display(),
                other.label(),
                other.describe(format),
                first.display(),
            );
        }
        merged
            .merge(&other)
            .with_context(|| format!("merging {} into {}", path.display(), first.display()))?;
    }
    let format = args.format.unwrap_or(first_format);
    let bytes = write(&merged, format, args.target).with_context(|| {
        format!(
            "cannot write {} as {}",
            args.output.display(),
            merged.describe(format)
        )
    })?;
    std::fs::write(&args.output, bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(())
}
