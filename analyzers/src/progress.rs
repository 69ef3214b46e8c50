//! Progress reporting without printing: analyzers call these hooks; the CLI draws bars.

/// Receives progress events from analyzers. Implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// A new stage starts (`"drift"`, `"themes"`), with its total work units if known.
    fn stage(&self, _name: &str, _total: Option<u64>) {}
    /// `n` more units of the current stage are done.
    fn inc(&self, _n: u64) {}
    /// The current stage is done.
    fn finish_stage(&self) {}
}

/// Progress that goes nowhere (tests, `--quiet`, non-terminals).
pub struct NoProgress;

impl Progress for NoProgress {}
