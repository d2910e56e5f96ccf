//! `lessram words`: build a DAWG from a word list and query it.

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use lessram::Dawg;

/// Build a word store (DAWG) from a word list, then look words up in it.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Build a DAWG from a word list (one word a line, any order, repeats allowed).
    Build {
        /// The word list (`-` for stdin). Lines are bytes: any encoding works; a trailing
        /// `\r` is dropped and empty lines are skipped.
        wordlist: PathBuf,
        /// Where to save the DAWG.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Say for each word whether the DAWG holds it (`WORD<TAB>yes` or `WORD<TAB>no`).
    Contains {
        /// A DAWG saved by `lessram words build`.
        dawg: PathBuf,
        /// Words to look up, as bytes (any encoding); none or `-` reads them from stdin,
        /// one a line (a trailing `\r` dropped).
        words: Vec<OsString>,
    },
    /// Print every word starting with PREFIX, one a line, in byte order.
    Prefix {
        /// A DAWG saved by `lessram words build`.
        dawg: PathBuf,
        /// The prefix, as bytes (empty prints every word).
        prefix: OsString,
    },
    /// Print every word within an edit distance of WORD (`WORD<TAB>DISTANCE`).
    Fuzzy {
        /// A DAWG saved by `lessram words build`.
        dawg: PathBuf,
        /// The word to match, as bytes (distances count UTF-8 characters).
        word: OsString,
        /// Maximum Levenshtein distance, counted in characters (default 1); also
        /// `--distance N` / `-d N`, as the library's `fuzzy(word, N)`.
        #[arg(value_name = "DISTANCE", conflicts_with = "distance")]
        max_distance: Option<u32>,
        /// Maximum Levenshtein distance (the same as the positional DISTANCE).
        #[arg(short, long)]
        distance: Option<u32>,
    },
}

fn load(path: &PathBuf) -> anyhow::Result<Dawg> {
    Dawg::load(path).with_context(|| format!("cannot load the DAWG {}", path.display()))
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    match args.command {
        Command::Build { wordlist, output } => {
            let text = if wordlist.as_os_str() == "-" {
                let mut v = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut v)
                    .context("cannot read stdin")?;
                v
            } else {
                std::fs::read(&wordlist)
                    .with_context(|| format!("cannot read {}", wordlist.display()))?
            };
            let words = text
                .split(|&b| b == b'\n')
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                .filter(|l| !l.is_empty());
            let dawg = Dawg::from_words(words)?;
            dawg.save(&output)
                .with_context(|| format!("cannot write {}", output.display()))?;
            let bytes = dawg.as_bytes().len();
            let (n, path) = (dawg.len(), output.display());
            match n {
                0 => writeln!(out, "0 words, {bytes} bytes -> {path}")?,
                1 => writeln!(out, "1 word, {bytes} bytes -> {path}")?,
                _ => writeln!(
                    out,
                    "{n} words, {bytes} bytes ({:.2} bytes a word) -> {path}",
                    bytes as f64 / n as f64
                )?,
            }
        }
        Command::Contains { dawg, words } => {
            let dawg = load(&dawg)?;
            let mut answer = |w: &[u8]| -> std::io::Result<()> {
                let found = if dawg.contains(w) { "yes" } else { "no" };
                out.write_all(w)?;
                writeln!(out, "\t{found}")
            };
            if words.is_empty() || (words.len() == 1 && words[0] == "-") {
                let mut text = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut text)
                    .context("cannot read stdin")?;
                // As `build` reads a word list: empty lines are no words.
                let lines = text
                    .split(|&b| b == b'\n')
                    .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                    .filter(|l| !l.is_empty());
                for w in lines {
                    answer(w)?;
                }
            } else {
                for w in &words {
                    answer(&bytes(w)?)?;
                }
            }
        }
        Command::Prefix { dawg, prefix } => {
            let dawg = load(&dawg)?;
            let prefix = bytes(&prefix)?;
            let mut result = Ok(());
            dawg.for_each_prefixed(&prefix, |w| {
                if result.is_ok() {
                    result = out.write_all(w).and_then(|()| out.write_all(b"\n"));
                }
            });
            result?;
        }
        Command::Fuzzy {
            dawg,
            word,
            max_distance,
            distance,
        } => {
            let dawg = load(&dawg)?;
            let distance = max_distance.or(distance).unwrap_or(1);
            for (w, d) in dawg.fuzzy(bytes(&word)?, distance) {
                out.write_all(&w)?;
                writeln!(out, "\t{d}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// An argument's bytes: any bytes on Unix; elsewhere, UTF-8 only.
fn bytes(arg: &OsString) -> anyhow::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(arg.as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    match arg.to_str() {
        Some(s) => Ok(s.as_bytes().to_vec()),
        None => anyhow::bail!("{arg:?} is not UTF-8 (only Unix passes any bytes)"),
    }
}
