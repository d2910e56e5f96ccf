//! `lessram words`: build a DAWG from a word list and query it.

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
        /// Words to look up.
        #[arg(required = true, num_args = 1..)]
        words: Vec<String>,
    },
    /// Print every word starting with PREFIX, one a line, in byte order.
    Prefix {
        /// A DAWG saved by `lessram words build`.
        dawg: PathBuf,
        /// The prefix (empty prints every word).
        prefix: String,
    },
    /// Print every word within an edit distance of WORD (`WORD<TAB>DISTANCE`).
    Fuzzy {
        /// A DAWG saved by `lessram words build`.
        dawg: PathBuf,
        /// The word to match.
        word: String,
        /// Maximum Levenshtein distance, counted in characters.
        #[arg(short, long, default_value_t = 1)]
        distance: u32,
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
            writeln!(
                out,
                "{} words, {} bytes ({:.2} bytes a word) -> {}",
                dawg.len(),
                bytes,
                bytes as f64 / dawg.len().max(1) as f64,
                output.display()
            )?;
        }
        Command::Contains { dawg, words } => {
            let dawg = load(&dawg)?;
            for w in words {
                let found = if dawg.contains(&w) { "yes" } else { "no" };
                writeln!(out, "{w}\t{found}")?;
            }
        }
        Command::Prefix { dawg, prefix } => {
            let dawg = load(&dawg)?;
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
            distance,
        } => {
            let dawg = load(&dawg)?;
            for (w, d) in dawg.fuzzy(&word, distance) {
                out.write_all(&w)?;
                writeln!(out, "\t{d}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
