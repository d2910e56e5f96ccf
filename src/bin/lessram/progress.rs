//! The progress bar: on stderr, only when stderr is a terminal and the input is large, fed
//! by the library's progress callback.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this are counted without a progress bar (they take well under a
/// second).
pub(crate) const LARGE_INPUT: u64 = 64 << 20;

/// Bytes read, drawn on stderr when it is a terminal.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `total` bytes (`None` when unknown: stdin, the sample), shown only if
    /// `enabled`, stderr is a terminal and the input is large or of unknown size.
    pub(crate) fn new(total: Option<u64>, enabled: bool) -> Self {
        let large = total.is_none_or(|t| t >= LARGE_INPUT);
        let bar = (enabled && large && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let template = if total.is_some() {
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
            } else {
                "{spinner} {bytes} {binary_bytes_per_sec} {elapsed}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Self { bar }
    }

    /// The callback for [`lessram::text::Counter::progress`]: bytes read so far.
    pub(crate) fn callback(&self) -> impl Fn(u64, Option<u64>) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |done, _total| {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
