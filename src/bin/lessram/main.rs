//! `lessram`: count the distinct tokens of any corpus in one pass and kilobytes.
//!
//! `lessram count [FILE ...]` runs every estimator side by side (or the sample corpus when
//! given no input); `lessram merge` combines sketches saved by `count --save` on shards of a
//! corpus; `lessram estimate` prints the estimates of saved sketches. See `lessram --help`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod count;
mod estimate;
mod estimators;
mod merge;
mod progress;
mod show;
mod words;

/// Count distinct tokens in kilobytes: Morris, LogLog, SuperLogLog, HyperLogLog, UltraLogLog,
/// KMV and a scaling Bloom filter side by side with the exact count.
#[derive(Debug, Parser)]
#[command(name = "lessram", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand, each implemented in its own file.
#[derive(Debug, Subcommand)]
enum Command {
    /// Count distinct tokens of files, stdin, or the embedded sample.
    Count(count::Args),
    /// Merge sketches saved by `count --save` (all of one kind) into one.
    ///
    /// LogLogs, SuperLogLogs, HyperLogLogs and UltraLogLogs of different precisions merge at
    /// the lowest one, and KMVs of different k at the smallest, in any order; Morris counters
    /// need the same base. Scaling Bloom filters merge only when they have
    /// grown the same sub-filters: shards of different sizes are refused, since OR-ing a
    /// small chain into a large one would break the promised false-positive rate.
    ///
    /// Inputs may be in any format `count --save` writes (lsrm, DataSketches HLL, Redis
    /// HYLL); HyperLogLogs merge only with ones of the same hashing (and DataSketches' only
    /// at the same lg_k). --format writes the result in lsrm or, for a HyperLogLog of that
    /// engine's hashing, DataSketches' or Redis' format (an UltraLogLog of that hashing as
    /// its HyperLogLog).
    Merge(merge::Args),
    /// Print the estimates of sketches saved by `count --save` or `merge`.
    Estimate(estimate::Args),
    /// Build a DAWG word store from a word list; look words up, by prefix or fuzzily.
    Words(words::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Count(args) => count::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Estimate(args) => estimate::run(args),
        Command::Words(args) => words::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", show::one_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// Whether the error is stdout closed early (`lessram count | head -3`): not worth a message.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
