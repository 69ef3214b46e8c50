//! Progress bars (indicatif) on standard error, only when it is a terminal and `--quiet` is off.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use forkcheck_analyzers::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Draws one bar per analysis stage.
pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars when standard error is a terminal and not `quiet`; otherwise `None`.
    pub fn new(quiet: bool) -> Option<Bars> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        Some(Bars {
            current: Mutex::new(None),
        })
    }

    fn with_current(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        // A poisoned lock only means another thread panicked while drawing; keep going.
        let mut guard = match self.current.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard);
    }
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: Option<u64>) {
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        let template = if total.is_some() {
            "{spinner:.cyan} {msg:<10} [{bar:30.cyan/blue}] {pos}/{len} {elapsed}"
        } else {
            "{spinner:.cyan} {msg:<10} {pos} {elapsed}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.with_current(|cur| {
            if let Some(old) = cur.replace(bar) {
                old.finish_and_clear();
            }
        });
    }

    fn inc(&self, n: u64) {
        self.with_current(|cur| {
            if let Some(bar) = cur {
                bar.inc(n);
            }
        });
    }

    fn finish_stage(&self) {
        self.with_current(|cur| {
            if let Some(bar) = cur.take() {
                bar.finish_and_clear();
            }
        });
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.finish_stage();
    }
}
