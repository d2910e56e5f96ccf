//! `lessram count`: every estimator side by side on one pass over the input, counted by
//! `lessram::text`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lessram::MemoryUsage;
use lessram::interop::datasketches::Target;
use lessram::sample::SampleCorpus;
use lessram::text::{
    Counter, ExactCount, Format, Hashing, Sketch, SketchKind as Which, SketchParams, Source,
    TokenOptions,
};
use serde_json::{Value, json};

use crate::estimators::{self, MORRIS_SEED};
use crate::progress::Progress;
use crate::show::{group, params_text};

/// Uncompressed files totalling at most this many bytes get the exact count by default
/// (it keeps every distinct token: for English text about a third of the input's size).
pub(crate) const EXACT_AUTO_LIMIT: u64 = 128 << 20;

/// Count distinct tokens with every estimator side by side.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
With no FILE, counts standard input when it is a pipe, a socket or a redirected file (as
`wc` does: `cat big.txt | lessram count`), and otherwise (a terminal, /dev/null, closed)
the embedded sample corpus, a seeded Zipf-distributed synthetic text. --sample (or
--sample-tokens) always counts the sample.

The exact count is on for the sample and for uncompressed files totalling at most 128 MiB,
off for larger, compressed or piped input (--exact, or `exact` in --sketch, turns it on;
--no-exact off).

Sketches for --sketch: morris, loglog, superloglog, hll, ull (UltraLogLog), kmv, bloom, exact.

--hash lessram (the default) is lessram's MurmurHash3, seed 0, for every sketch. --hash
datasketches is Apache DataSketches' MurmurHash3, seed 9001, on the same batch path: hll is
then DataSketches' HLL sketch (lg_k = --precision, 4 to 18), ull an UltraLogLog whose
HyperLogLog is, kmv DataSketches' Theta sketch (--k must be 2^lg_k, lg_k 5 to 25: the trimmed
update_theta_sketch(lg_k)), the others hash with seed 9001. --hash redis is Redis' MurmurHash64A, token
by token: only hll (Redis' HyperLogLog, precision 14), ull (whose HyperLogLog is Redis') and
morris count with it, and hll alone is the default.

--save DIR writes one file per sketch: morris, loglog, superloglog, hyperloglog,
ultraloglog, kmv, scaling-bloom, each with its format's extension. --format lsrm (the
default) writes lessram's format (.lsrm); --format datasketches writes the HyperLogLog as
DataSketches' compact sketch (hyperloglog.dshll, HLL_8 unless --target says hll4 or hll6;
needs --hash datasketches) and the KMV as a compact Theta sketch (kmv.dstheta), --format
redis as a Redis HYLL string (hyperloglog.hyll; needs --hash redis); the other sketches stay
.lsrm (`merge --format` turns such an UltraLogLog into its HyperLogLog in the engine's
format). On several threads a DataSketches sketch is
merged from the threads' and saved out of order, as DataSketches marks a union; --threads 1
keeps DataSketches' HIP estimate.")]
pub(crate) struct Args {
    /// Files to read (`-` for stdin); `.gz` and `.zst` are decompressed.
    #[arg(conflicts_with = "sample")]
    files: Vec<PathBuf>,
    /// Count the embedded sample corpus, whatever stdin is.
    #[arg(long)]
    sample: bool,
    /// Tokens of the sample corpus (implies --sample).
    #[arg(long, value_name = "N", conflicts_with = "files")]
    sample_tokens: Option<u64>,
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
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    error_rate: f64,
    /// Initial capacity of the scaling Bloom filter.
    #[arg(long, default_value_t = 100_000)]
    capacity: usize,
    /// Base of the Morris counter.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    base: f64,
    /// Threads (default: all cores). HyperLogLog, UltraLogLog, LogLog, SuperLogLog, KMV and
    /// the exact count give identical results on any number; the scaling Bloom filter's
    /// count can differ slightly, since the order of insertion decides which items are false
    /// positives.
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// How tokens are hashed: lessram, datasketches or redis (see below).
    #[arg(long, value_name = "HASH", default_value = "lessram")]
    hash: Hashing,
    /// Write each sketch to this directory (see below).
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// The format --save writes the HyperLogLog (and the KMV, as Theta) in: lsrm,
    /// datasketches or redis.
    #[arg(long, value_name = "FORMAT", default_value = "lsrm", requires = "save")]
    format: Format,
    /// DataSketches' target type for --format datasketches: hll4, hll6 or hll8 (default).
    #[arg(long, value_name = "TYPE", requires = "save")]
    target: Option<Target>,
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

/// What is counted.
enum What {
    /// The sample corpus.
    Sample(Box<SampleCorpus>),
    /// Files and stdin, with their labels, sizes (of regular files) and whether any is
    /// compressed by name.
    Inputs {
        sources: Vec<Source>,
        labels: Vec<String>,
        size: Option<u64>,
        compressed: bool,
    },
}

/// Whether stdin holds input to count when no file is named: a pipe, a socket or a
/// redirected file, not a terminal, a device (`/dev/null`) or a closed descriptor (which
/// the standard library opens as `/dev/null`).
fn stdin_has_input() -> bool {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
            return false;
        };
        std::fs::File::from(fd).metadata().is_ok_and(|m| {
            let t = m.file_type();
            t.is_fifo() || t.is_socket() || t.is_file()
        })
    }
    #[cfg(not(unix))]
    true
}

/// Checks the inputs named (they exist and are not directories) before anything is read.
fn inputs(files: &[PathBuf]) -> anyhow::Result<What> {
    let (mut sources, mut labels) = (Vec::new(), Vec::new());
    let mut size = Some(0u64);
    let mut compressed = false;
    for f in files {
        if f.as_os_str() == "-" {
            sources.push(Source::reader("-", std::io::stdin()));
            labels.push("-".to_string());
            size = None;
            continue;
        }
        let meta = std::fs::metadata(f).with_context(|| f.display().to_string())?;
        if meta.is_dir() {
            bail!("{}: is a directory, not a file", f.display());
        }
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        compressed |= matches!(ext, "gz" | "zst");
        size = size
            .zip(meta.is_file().then_some(meta.len()))
            .map(|(a, b)| a + b);
        sources.push(Source::path(f));
        labels.push(f.display().to_string());
    }
    Ok(What::Inputs {
        sources,
        labels,
        size,
        compressed,
    })
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let params = SketchParams {
        precision: args.precision,
        k: args.k,
        error_rate: args.error_rate,
        capacity: args.capacity,
        base: args.base,
        morris_seed: MORRIS_SEED,
    };
    // Which estimators, in table order.
    let mut chosen: Vec<Which> = Vec::new();
    let mut exact_named = false;
    for name in &args.sketch {
        match estimators::parse(name)? {
            Some(w) if !chosen.contains(&w) => chosen.push(w),
            Some(_) => {}
            None => exact_named = true,
        }
    }
    if args.sketch.is_empty() {
        chosen = match args.hash {
            Hashing::Redis => vec![Which::HyperLogLog],
            _ => Which::ALL.to_vec(),
        };
    }
    if args.target.is_some() && args.format != Format::DataSketches {
        bail!("--target is DataSketches' target type: give it with --format datasketches");
    }
    if let Some(h) = args.format.hashing() {
        if h != args.hash {
            bail!(
                "--format {} needs the tokens hashed as {} hashes them: add --hash {h}",
                args.format,
                args.format.describe()
            );
        }
        let kmv = args.format == Format::DataSketches && chosen.contains(&Which::Kmv);
        if !chosen.contains(&Which::HyperLogLog) && !kmv {
            let what = if args.format == Format::DataSketches {
                "the HyperLogLog and the KMV: add hll or kmv"
            } else {
                "the HyperLogLog: add hll"
            };
            bail!("--format {} writes {what} to --sketch", args.format);
        }
    }
    chosen.sort_by_key(|w| Which::ALL.iter().position(|a| a == w));
    if exact_named && args.no_exact {
        bail!("--sketch names exact and --no-exact turns it off: drop one");
    }
    let threads = match args.threads {
        Some(n) if n == 0 || n > Counter::MAX_THREADS => {
            bail!("threads {n} out of range 1..={}", Counter::MAX_THREADS)
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let opts = if args.lines {
        TokenOptions::lines()
    } else {
        TokenOptions::words()
    }
    .lowercase(args.lowercase);
    // Check every parameter before reading anything (the capacity by its own name: the
    // library's filter calls it the expected items).
    if args.capacity == 0 && chosen.contains(&Which::Bloom) {
        bail!("capacity 0 out of range 1 or more");
    }
    let mut counter = Counter::new(opts).threads(threads).hashing(args.hash);
    let handles = chosen
        .iter()
        .map(|w| {
            let s = w.build(&params, args.hash);
            let s = s.with_context(|| format!("--sketch {} with --hash {}", w.key(), args.hash))?;
            Ok((*w, counter.sink(s)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sample = args.sample || args.sample_tokens.is_some();
    let what = if !args.files.is_empty() {
        inputs(&args.files)?
    } else if !sample && stdin_has_input() {
        inputs(&[PathBuf::from("-")])?
    } else {
        What::Sample(Box::new(SampleCorpus::new(
            args.sample_tokens.unwrap_or(SampleCorpus::DEFAULT_TOKENS),
        )))
    };
    // The exact count: asked for, or by default on the sample and small uncompressed files.
    let small = match &what {
        What::Sample(_) => true,
        What::Inputs {
            size, compressed, ..
        } => !compressed && size.is_some_and(|s| s <= EXACT_AUTO_LIMIT),
    };
    let exact = if args.no_exact {
        false
    } else {
        args.exact || exact_named || (args.sketch.is_empty() && small)
    };
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let counter = counter.exact(exact);
    // Nanoseconds the counting threads spent generating the sample, summed over threads.
    let generating = Arc::new(AtomicU64::new(0));
    let is_sample = matches!(what, What::Sample(_));
    let (mut report, input_label) = match what {
        What::Sample(corpus) => {
            let progress = Progress::new(None, !args.quiet && corpus.len() >= 50_000_000);
            let sources = corpus
                .readers(threads as u64)
                .map(|inner| {
                    let nanos = Arc::clone(&generating);
                    Source::reader("sample", Timed { inner, nanos })
                })
                .collect();
            let report = counter.progress(progress.callback()).count_parts(sources);
            progress.finish();
            let label = format!(
                "sample corpus ({} tokens, seed {}, Zipf exponent {} over {} words)",
                group(corpus.len()),
                corpus.seed(),
                corpus.exponent(),
                group(corpus.vocabulary())
            );
            (report?, label)
        }
        What::Inputs {
            sources,
            labels,
            size,
            ..
        } => {
            let progress = Progress::new(size, !args.quiet);
            let report = counter.progress(progress.callback()).count_sources(sources);
            progress.finish();
            (report?, labels.join(" "))
        }
    };

    // Every estimator with its time, in table order.
    let found: Vec<(Which, Sketch, Duration)> = handles
        .into_iter()
        .map(|(w, h)| {
            let t = report.time(&h);
            (w, report.take(h), t)
        })
        .collect();

    if let Some(dir) = &args.save {
        for (w, e, _) in &found {
            let theta = *w == Which::Kmv && args.format == Format::DataSketches;
            let format = if *w == Which::HyperLogLog || theta {
                args.format
            } else {
                Format::Lsrm
            };
            let path = dir.join(format!("{}.{}", w.file_stem(), e.extension(format)));
            let bytes = estimators::write(e, format, args.target.unwrap_or(Target::Hll8))?;
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
    }

    let tokens = report.tokens;
    let distinct = report.distinct();
    let mut rows: Vec<Row> = found
        .iter()
        .map(|(_, e, t)| {
            let reference = if e.counts_tokens() {
                Some(tokens)
            } else {
                distinct
            };
            let estimate = e.estimate();
            Row {
                estimator: e.name().to_string(),
                params: estimators::params(e),
                estimate,
                relative_error: reference.map(|r| relative_error(estimate, r)),
                memory: Some(e.footprint()),
                seconds: t.as_secs_f64(),
            }
        })
        .collect();
    if let Some(ex) = report.exact() {
        rows.push(Row {
            estimator: "exact".to_string(),
            params: json!({"set": "hash table + arena"}),
            estimate: ex.len() as f64,
            relative_error: Some(0.0),
            memory: Some(std::mem::size_of::<ExactCount>() + ex.memory_usage()),
            seconds: report.exact_time.as_secs_f64(),
        });
    }
    let paths = report.paths.describe(opts);
    // The sample is generated by the counting threads as they read it: its share of the
    // wall time is the threads' summed generating time over the number of threads.
    let sample_time = is_sample.then(|| {
        Duration::from_nanos(generating.load(Ordering::Relaxed) / threads.max(1) as u64)
            .min(report.elapsed)
    });
    let out = std::io::stdout();
    let mut out = out.lock();
    if args.json {
        let value = json!({
            "input": input_label,
            "mode": if opts.lines { "lines" } else { "words" },
            "lowercase": opts.lowercase,
            "tokens": tokens,
            "bytes": report.bytes,
            "distinct": distinct,
            "threads": threads,
            "seconds": report.elapsed.as_secs_f64(),
            "sample_seconds": sample_time.map(|t| t.as_secs_f64()),
            "scan_hash_seconds": report.scan_time.as_secs_f64(),
            "scan_hash_paths": paths,
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
            bytes: report.bytes,
            distinct,
            threads,
            elapsed: report.elapsed,
            sample_time,
            scan_time: report.scan_time,
            paths,
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

/// The run's totals, for the table's header and footer.
struct Totals {
    tokens: u64,
    bytes: u64,
    distinct: Option<u64>,
    threads: usize,
    elapsed: Duration,
    /// Of `elapsed`, the time spent generating the sample corpus (when it is the input).
    sample_time: Option<Duration>,
    scan_time: Duration,
    paths: &'static str,
}

/// A reader that adds the time spent in its `read` calls to a shared total: the sample
/// corpus is generated as it is read, and its generation is not the count's speed.
struct Timed<R> {
    inner: R,
    nanos: Arc<AtomicU64>,
}

impl<R: Read> Read for Timed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = Instant::now();
        let n = self.inner.read(buf);
        let spent = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(spent, Ordering::Relaxed);
        n
    }
}

fn print_table(
    out: &mut dyn Write,
    input: &str,
    totals: &Totals,
    rows: &[Row],
    opts: TokenOptions,
) -> std::io::Result<()> {
    let Totals {
        tokens,
        bytes,
        distinct,
        threads,
        elapsed,
        sample_time,
        scan_time,
        paths,
    } = *totals;
    let unit = match (opts.lines, tokens == 1) {
        (true, true) => "line",
        (true, false) => "lines",
        (false, true) => "token",
        (false, false) => "tokens",
    };
    let units = if opts.lines { "lines" } else { "tokens" };
    writeln!(out, "input: {input}")?;
    // With the sample, the time and speed are the count's, and generating it is apart.
    let counting = elapsed.saturating_sub(sample_time.unwrap_or_default());
    let generated = sample_time.map_or_else(String::new, |t| {
        format!(
            ", after {:.2} s generating the sample; {:.2} s in all",
            t.as_secs_f64(),
            elapsed.as_secs_f64()
        )
    });
    writeln!(
        out,
        "{} {unit}, {} byte{}, {}, {threads} thread{}, counted in {:.2} s ({:.1} MB/s){generated}",
        group(tokens),
        group(bytes),
        if bytes == 1 { "" } else { "s" },
        distinct.map_or_else(
            || "exact count off".to_string(),
            |d| format!("{} distinct", group(d))
        ),
        if threads == 1 { "" } else { "s" },
        counting.as_secs_f64(),
        bytes as f64 / counting.as_secs_f64().max(1e-9) / 1e6,
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
    writeln!(out)?;
    if rows.iter().any(|r| r.relative_error.is_some()) {
        writeln!(
            out,
            "rel. error = (estimate - exact) / exact; Morris counts all {units}, the others \
             distinct ones."
        )?;
    }
    writeln!(
        out,
        "memory = the structure plus its heap; time = its inserts (summed over threads); \
         scanning and hashing took {:.3} s ({paths}).",
        scan_time.as_secs_f64(),
    )?;
    Ok(())
}
