//! (Being built: see the issue that owns this analysis.)

pub mod diffing;
pub mod mapping;
pub mod noise;
pub mod scan;
pub mod views;

use serde::{Deserialize, Serialize};

use crate::report::Finding;
use crate::{Context, Progress, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThemesSection {}

pub fn analyze(
    _ctx: &Context,
    _progress: &dyn Progress,
    _findings: &mut Vec<Finding>,
) -> Result<Option<ThemesSection>> {
    Ok(None)
}
