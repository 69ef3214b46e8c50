//! What every analyzer receives: the open repository, the resolved base / head / target
//! commits, the configuration and the rules.

use git2::Oid;

use crate::config::Config;
use crate::repo::Repo;
use crate::report::{BaseInfo, TargetInfo};
use crate::rules::Rules;

pub struct Context {
    pub repo: Repo,
    pub config: Config,
    pub rules: Rules,
    pub head_rev: String,
    pub head: Oid,
    pub base: BaseInfo,
    pub base_oid: Oid,
    pub target: Option<TargetInfo>,
    pub target_oid: Option<Oid>,
    /// Non-fatal problems met while building the context (shown in the report).
    pub warnings: Vec<String>,
}
