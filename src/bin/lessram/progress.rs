//! The progress bar: on stderr, only when stderr is a terminal and the input is large.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this are counted without a progress bar (they take well under a
/// second).
pub(crate) const LARGE_INPUT: u64 = 64 << 20;

/// Bytes read and tokens counted, drawn on stderr when it is a terminal.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    tokens: AtomicU64,
    start: Instant,
}

impl Progress {
    /// A bar for `total` bytes (`None` when unknown: stdin, compressed input), shown only if
    /// `enabled`, stderr is a terminal and the input is large or of unknown size.
    pub(crate) fn new(total: Option<u64>, enabled: bool) -> Self {
        let large = total.is_none_or(|t| t >= LARGE_INPUT);
        let bar = (enabled && large && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let template = if total.is_some() {
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}"
            } else {
                "{spinner} {bytes} {binary_bytes_per_sec} {msg} {elapsed}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            tokens: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    /// Records `n` more bytes read.
    pub(crate) fn bytes(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Records `n` more tokens counted.
    pub(crate) fn tokens(&self, n: u64) {
        if let Some(bar) = &self.bar {
            let total = self.tokens.fetch_add(n, Ordering::Relaxed) + n;
            let secs = self.start.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{:.1} M tokens/s", total as f64 / secs / 1e6));
        }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
