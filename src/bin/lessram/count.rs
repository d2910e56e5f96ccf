//! `lessram count`: every estimator side by side on one pass over the input.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lessram::sample::SampleCorpus;
use serde_json::{Value, json};

use crate::estimators::{Estimator, Params, Reference, Which};
use crate::exact::ExactSet;
use crate::input::{Input, Serial, count_inputs, count_sample};
use crate::progress::Progress;
use crate::tokenize::{Options, Tally};

/// Uncompressed files totalling at most this many bytes get the exact count by default
/// (it keeps every distinct token: for English text about a third of the input's size).
pub(crate) const EXACT_AUTO_LIMIT: u64 = 128 << 20;

/// Count distinct tokens with every estimator side by side.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With no FILE, counts the embedded sample corpus (a seeded Zipf-distributed synthetic text).

The exact count is on for the sample and for uncompressed files totalling at most 128 MiB,
off for larger, compressed or piped input (--exact / --no-exact override).

Sketches for --sketch: morris, loglog, superloglog, hll, kmv, bloom, exact.")]
pub(crate) struct Args {
    /// Files to read (`-` for stdin); `.gz` and `.zst` are decompressed.
    files: Vec<PathBuf>,
    /// Tokens of the sample corpus counted when no FILE is given.
    #[arg(long, value_name = "N", default_value_t = SampleCorpus::DEFAULT_TOKENS)]
    sample_tokens: u64,
    /// Count distinct lines (the bytes before each newline) instead of words.
    #[arg(long)]
    lines: bool,
    /// Fold ASCII letters to lower case first.
    #[arg(long)]
    lowercase: bool,
    /// Estimators to run, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    sketch: Vec<String>,
    /// Also keep the exact count (every distinct token in memory).
    #[arg(long, overrides_with = "no_exact")]
    exact: bool,
    /// Do not keep the exact count.
    #[arg(long, overrides_with = "exact")]
    no_exact: bool,
    /// Precision p of LogLog, SuperLogLog and HyperLogLog: 2^p registers.
    #[arg(long, default_value_t = 14)]
    precision: u8,
    /// k of KMV: the number of minimum hash values kept.
    #[arg(long, default_value_t = 4096)]
    k: usize,
    /// False-positive rate the scaling Bloom filter promises.
    #[arg(long, default_value_t = 0.01)]
    error_rate: f64,
    /// Initial capacity of the scaling Bloom filter.
    #[arg(long, default_value_t = 100_000)]
    capacity: usize,
    /// Base of the Morris counter.
    #[arg(long, default_value_t = 2.0)]
    base: f64,
    /// Threads (default: all cores). HyperLogLog, LogLog, SuperLogLog, KMV and the exact
    /// count give identical results on any number; the scaling Bloom filter's count can
    /// differ slightly, since the order of insertion decides which items are false
    /// positives.
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// Write each sketch in lessram's binary format to this directory.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// One row of the result.
struct Row {
    estimator: String,
    params: Value,
    estimate: f64,
    relative_error: Option<f64>,
    memory: Option<usize>,
    seconds: f64,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let params = Params {
        precision: args.precision,
        k: args.k,
        error_rate: args.error_rate,
        capacity: args.capacity,
        base: args.base,
    };
    // Which estimators, in table order.
    let mut chosen: Vec<Which> = Vec::new();
    let mut exact_named = false;
    if args.sketch.is_empty() {
        chosen = Which::ALL.to_vec();
        exact_named = true;
    } else {
        for name in &args.sketch {
            match Which::parse(name)? {
                Some(w) if !chosen.contains(&w) => chosen.push(w),
                Some(_) => {}
                None => exact_named = true,
            }
        }
        chosen.sort_by_key(|w| Which::ALL.iter().position(|a| a == w));
    }
    // Check every parameter before reading anything.
    for w in &chosen {
        w.build(&params)?;
    }
    let threads = match args.threads {
        Some(0) => bail!("threads 0 out of range 1.."),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let opts = Options {
        lines: args.lines,
        lowercase: args.lowercase,
    };
    let inputs = args
        .files
        .iter()
        .map(|f| Input::check(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sample = args
        .files
        .is_empty()
        .then(|| SampleCorpus::new(args.sample_tokens));
    // The exact count: asked for, or by default on small uncompressed files.
    let small = inputs
        .iter()
        .try_fold(0u64, |sum, i| {
            if i.compressed_name {
                None
            } else {
                i.size.map(|s| sum + s)
            }
        })
        .is_some_and(|total| total <= EXACT_AUTO_LIMIT);
    let exact = if args.no_exact {
        false
    } else if args.exact {
        true
    } else {
        exact_named && (sample.is_some() || small)
    };
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // On several threads, the estimators that merge exactly run in every worker; the
    // others (Morris, scaling Bloom) on one thread of their own, fed every batch of hashes.
    let split = threads > 1;
    let (parallel, serial): (Vec<Which>, Vec<Which>) =
        chosen.iter().partition(|w| !split || w.mergeable());
    // Dropping repeats before hashing costs about what hashing them would; it pays off in
    // the inserts it saves only when those are dear (docs/performance.md, "lessram count").
    let drop_repeats = exact || chosen.contains(&Which::Bloom);
    let build = |set: &[Which]| -> anyhow::Result<Vec<_>> {
        set.iter().map(|w| w.build(&params)).collect()
    };
    let start = Instant::now();
    let (tally, serial_tally) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let serial_thread = if serial.is_empty() {
            None
        } else {
            Some(Serial::spawn(
                scope,
                Tally::new(build(&serial)?, None, false),
            ))
        };
        let sender = serial_thread.as_ref().map(|s| s.sender.clone());
        let make_tally = || -> anyhow::Result<Tally> {
            let mut t = Tally::new(
                build(&parallel)?,
                exact.then(ExactSet::default),
                drop_repeats,
            );
            t.forward.clone_from(&sender);
            Ok(t)
        };
        let counted = match &sample {
            Some(corpus) => {
                let progress = Progress::new(None, !args.quiet && corpus.len() >= 50_000_000);
                let t = count_sample(corpus, opts, threads, &make_tally, &progress);
                progress.finish();
                t
            }
            None => {
                let total = inputs
                    .iter()
                    .try_fold(0u64, |sum, i| i.size.map(|s| sum + s));
                let progress = Progress::new(total, !args.quiet);
                let t = count_inputs(&inputs, opts, exact, threads, &make_tally, &progress);
                progress.finish();
                t
            }
        };
        // Every sender must be gone before the serial thread can finish.
        drop(sender);
        let counted = counted.map(|mut t| {
            t.forward = None;
            t
        });
        let serial_tally = serial_thread.map(Serial::join);
        Ok((counted?, serial_tally))
    })?;
    let elapsed = start.elapsed();

    // Every estimator with its time, in table order.
    let mut found: Vec<(Which, Box<dyn Estimator>, Duration)> = Vec::new();
    let Tally {
        estimators,
        times,
        exact: exact_set,
        exact_time,
        scan_time,
        tokens,
        bytes,
        ..
    } = tally;
    found.extend(
        parallel
            .iter()
            .copied()
            .zip(estimators)
            .zip(times)
            .map(|((w, e), t)| (w, e, t)),
    );
    if let Some(st) = serial_tally {
        found.extend(
            serial
                .iter()
                .copied()
                .zip(st.estimators)
                .zip(st.times)
                .map(|((w, e), t)| (w, e, t)),
        );
    }
    found.sort_by_key(|(w, _, _)| Which::ALL.iter().position(|a| a == w));

    if let Some(dir) = &args.save {
        for (w, e, _) in &found {
            let path = dir.join(w.file_name());
            std::fs::write(&path, e.to_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }

    let distinct = exact_set.as_ref().map(|e| e.len() as u64);
    let mut rows: Vec<Row> = found
        .iter()
        .map(|(_, e, t)| {
            let reference = match e.reference() {
                Reference::Distinct => distinct,
                Reference::Total => Some(tokens),
            };
            let estimate = e.estimate();
            Row {
                estimator: e.name().to_string(),
                params: e.params(),
                estimate,
                relative_error: reference.map(|r| relative_error(estimate, r)),
                memory: Some(e.memory()),
                seconds: t.as_secs_f64(),
            }
        })
        .collect();
    if let Some(ex) = &exact_set {
        rows.push(Row {
            estimator: "exact".to_string(),
            params: json!({"set": "hash table + arena"}),
            estimate: ex.len() as f64,
            relative_error: Some(0.0),
            memory: Some(std::mem::size_of::<ExactSet>() + ex.memory_usage()),
            seconds: exact_time.as_secs_f64(),
        });
    }
    let input_label = match &sample {
        Some(c) => format!(
            "sample corpus ({} tokens, seed {}, Zipf exponent {} over {} words)",
            group(c.len()),
            c.seed(),
            c.exponent(),
            group(c.vocabulary())
        ),
        None => inputs
            .iter()
            .map(Input::label)
            .collect::<Vec<_>>()
            .join(" "),
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    if args.json {
        let value = json!({
            "input": input_label,
            "mode": if opts.lines { "lines" } else { "words" },
            "lowercase": opts.lowercase,
            "tokens": tokens,
            "bytes": bytes,
            "distinct": distinct,
            "threads": threads,
            "seconds": elapsed.as_secs_f64(),
            "scan_hash_seconds": scan_time.as_secs_f64(),
            "scan_hash_paths": crate::tokenize::vector_paths(opts),
            "estimators": rows.iter().map(|r| json!({
                "estimator": r.estimator,
                "parameters": r.params,
                "estimate": r.estimate,
                "relative_error": r.relative_error,
                "memory_bytes": r.memory,
                "seconds": r.seconds,
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{value}")?;
    } else {
        let totals = Totals {
            tokens,
            bytes,
            distinct,
            threads,
            elapsed,
            scan_time,
        };
        print_table(&mut out, &input_label, &totals, &rows, opts)?;
    }
    Ok(())
}

/// (estimate - truth) / truth; 0 when both are 0.
fn relative_error(estimate: f64, truth: u64) -> f64 {
    if truth == 0 {
        if estimate == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        (estimate - truth as f64) / truth as f64
    }
}

/// 1234567 -> "1,234,567".
pub(crate) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parameters as `k=v, k=v`.
pub(crate) fn params_text(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k} {s}"),
                other => format!("{k} {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The run's totals, for the table's header and footer.
struct Totals {
    tokens: u64,
    bytes: u64,
    distinct: Option<u64>,
    threads: usize,
    elapsed: Duration,
    scan_time: Duration,
}

fn print_table(
    out: &mut dyn Write,
    input: &str,
    totals: &Totals,
    rows: &[Row],
    opts: Options,
) -> std::io::Result<()> {
    let Totals {
        tokens,
        bytes,
        distinct,
        threads,
        elapsed,
        scan_time,
    } = *totals;
    let unit = if opts.lines { "lines" } else { "tokens" };
    writeln!(out, "input: {input}")?;
    writeln!(
        out,
        "{} {unit}, {} bytes, {}, {threads} thread{}, {:.2} s ({:.1} MB/s)",
        group(tokens),
        group(bytes),
        distinct.map_or_else(
            || "exact count off".to_string(),
            |d| format!("{} distinct", group(d))
        ),
        if threads == 1 { "" } else { "s" },
        elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6,
    )?;
    writeln!(out)?;
    let header = [
        "estimator",
        "parameters",
        "estimate",
        "rel. error",
        "memory (B)",
        "time (s)",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.estimator.clone(),
                params_text(&r.params),
                group(r.estimate.round().max(0.0) as u64),
                r.relative_error
                    .map_or_else(|| "-".to_string(), |e| format!("{:+.2}%", e * 100.0)),
                r.memory
                    .map_or_else(|| "-".to_string(), |m| group(m as u64)),
                format!("{:.3}", r.seconds),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: [&str; 6]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i < 2 {
                s.push_str(&format!("{c:<w$}  ", w = width[i]));
            } else {
                s.push_str(&format!("{c:>w$}  ", w = width[i]));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(header))?;
    for row in &cells {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    writeln!(
        out,
        "\nrel. error = (estimate - exact) / exact; Morris counts all {unit}, the others distinct ones.\n\
         memory = the structure plus its heap; time = its inserts (summed over threads); \
         scanning and hashing took {:.3} s ({}).",
        scan_time.as_secs_f64(),
        crate::tokenize::vector_paths(opts)
    )?;
    Ok(())
}
