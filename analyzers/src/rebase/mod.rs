//! Rebase cost: conflict prediction (the fork's head merged onto the target in memory),
//! per-commit replay, already-upstream detection (stable patch-ids and content equality) and
//! the cost estimate. Nothing here writes to the repository.

pub mod conflicts;
pub mod diff3;
pub mod model;
pub mod patchid;
pub mod tree;

pub use model::*;

use crate::report::Finding;
use crate::{Context, Progress, Result};

pub fn analyze(
    _ctx: &Context,
    _progress: &dyn Progress,
    _findings: &mut Vec<Finding>,
) -> Result<Option<RebaseSection>> {
    Ok(None)
}
