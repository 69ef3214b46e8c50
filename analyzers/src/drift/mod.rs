//! (Being built: drift against the base release.)

use serde::{Deserialize, Serialize};

use crate::report::Finding;
use crate::{Context, Progress, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Drift {
    pub files_changed: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
}

pub fn analyze(
    _ctx: &Context,
    _progress: &dyn Progress,
    _findings: &mut Vec<Finding>,
) -> Result<Drift> {
    Ok(Drift::default())
}
