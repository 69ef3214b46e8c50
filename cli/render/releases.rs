//! `forkcheck releases`: the release refs found (grouped per release, newest first), the
//! detected base with its method and confidence, and the target; for the terminal and as JSON.

use std::fmt::Write as _;

use forkcheck_analyzers::releases::{RefSource, ReleaseList};
use forkcheck_analyzers::report::{BaseInfo, BaseMethod, TargetInfo};
use serde::Serialize;

use super::escape::{short_oid, term};
use super::style::Style;
use super::table::Grid;
use super::view;

/// What `forkcheck releases` shows; also the shape of `--format json`.
#[derive(Serialize)]
pub struct Listing<'a> {
    pub schema_version: u32,
    #[serde(flatten)]
    pub list: ReleaseList,
    pub base: &'a BaseInfo,
    pub target: Option<&'a TargetInfo>,
    /// Warnings of the run other than the discovery warnings already in `list`.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub context_warnings: &'a [String],
}

pub fn json(listing: &Listing<'_>) -> anyhow::Result<String> {
    super::json::pretty(listing)
}

pub fn terminal(l: &Listing<'_>, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold("Release refs"));
    if l.list.releases.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let mut grid = Grid::new();
    for group in &l.list.releases {
        for (i, r) in group.refs.iter().enumerate() {
            let title = if i == 0 { group.title.as_str() } else { "" };
            let source = match &r.source {
                RefSource::Tag => "tag".to_string(),
                RefSource::Branch => "branch".to_string(),
                RefSource::Remote(remote) => format!("remote branch ({})", term(remote)),
            };
            let oid = r.oid.to_string();
            grid.row(vec![
                style.bold(&term(title)),
                term(&r.rev).into_owned(),
                short_oid(&oid).to_string(),
                style.dim(&source),
            ]);
        }
    }
    out.push_str(&grid.render(2, style));
    let b = l.base;
    let method = match b.method {
        BaseMethod::History => "by history",
        BaseMethod::Content => "by content",
        BaseMethod::Explicit => "given with --base",
    };
    let _ = writeln!(
        out,
        "\n{}  {} {} ({})  {method}, confidence {}{}",
        style.bold("base  "),
        style.green(&term(b.release.as_deref().unwrap_or("-"))),
        term(&b.rev),
        term(short_oid(&b.oid)),
        view::percent(b.confidence),
        b.distance
            .map(|d| format!(", {d} fork commit{}", if d == 1 { "" } else { "s" }))
            .unwrap_or_default()
    );
    if !b.detail.is_empty() {
        let _ = writeln!(out, "        {}", style.dim(&term(&b.detail)));
    }
    match l.target {
        Some(t) => {
            let _ = writeln!(
                out,
                "{}  {} {} ({})",
                style.bold("target"),
                style.green(&term(t.release.as_deref().unwrap_or("-"))),
                term(&t.rev),
                term(short_oid(&t.oid))
            );
        }
        None => {
            let _ = writeln!(out, "{}  none", style.bold("target"));
        }
    }
    for w in l.list.warnings.iter().chain(l.context_warnings) {
        let _ = writeln!(out, "{} {}", style.yellow("warning:"), term(w));
    }
    out
}
