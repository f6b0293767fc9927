//! The one progress factory: an indicatif bar on stderr, or nothing.
//!
//! In: whether to show progress and the total. Out: a [`Progress`] whose
//! `advance` the simulation is handed as a plain callback; the engine never
//! sees the bar itself.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of the draws.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar counting `total` draws, shown only when `show` (stderr is a terminal and not `--quiet`).
    pub fn draws(show: bool, total: u64) -> Self {
        if !show {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} simulating {bar:40} {human_pos}/{human_len} draws ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress { bar: Some(bar) }
    }

    /// Adds `n` draws done.
    pub fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
