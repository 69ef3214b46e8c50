//! `forkcheck releases`: the release refs found (grouped per release, newest first), the
//! detected base with its method and confidence, and the target.

use std::fmt::Write as _;

use forkcheck_analyzers::releases::{self, RefSource, ReleaseList};
use forkcheck_analyzers::report::{BaseInfo, BaseMethod, TargetInfo};
use serde::Serialize;

use super::open;
use crate::args::{ListFormat, ReleasesArgs};
use crate::output;
use crate::render::escape::{short_oid, term};
use crate::render::style::Style;
use crate::render::view;

/// The JSON shape of `forkcheck releases --format json`.
#[derive(Serialize)]
struct Listing<'a> {
    schema_version: u32,
    #[serde(flatten)]
    list: ReleaseList,
    base: &'a BaseInfo,
    target: Option<&'a TargetInfo>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    context_warnings: &'a [String],
}

pub fn run(args: &ReleasesArgs) -> anyhow::Result<u8> {
    let ctx = open::context(&args.repo)?;
    let list = releases::group(&ctx.releases);
    // Discovery warnings are already in the list; keep only the others.
    let others: Vec<String> = ctx
        .warnings
        .iter()
        .filter(|w| !list.warnings.contains(w))
        .cloned()
        .collect();
    let listing = Listing {
        schema_version: forkcheck_analyzers::report::SCHEMA_VERSION,
        list,
        base: &ctx.base,
        target: ctx.target.as_ref(),
        context_warnings: &others,
    };
    let text = match args.format {
        ListFormat::Json => {
            let mut t = serde_json::to_string_pretty(&listing)?;
            t.push('\n');
            t
        }
        ListFormat::Terminal => terminal(&listing, &Style::detect()),
    };
    output::write_stdout(&text)?;
    Ok(0)
}

fn terminal(l: &Listing<'_>, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold("Release refs"));
    if l.list.releases.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let width = l
        .list
        .releases
        .iter()
        .flat_map(|g| &g.refs)
        .map(|r| term(&r.rev).chars().count())
        .max()
        .unwrap_or(0);
    for group in &l.list.releases {
        for (i, r) in group.refs.iter().enumerate() {
            let title = if i == 0 { group.title.as_str() } else { "" };
            let source = match &r.source {
                RefSource::Tag => "tag".to_string(),
                RefSource::Branch => "branch".to_string(),
                RefSource::Remote(remote) => format!("remote branch ({})", term(remote)),
            };
            let oid = r.oid.to_string();
            let _ = writeln!(
                out,
                "  {} {:<width$}  {}  {}",
                style.bold(&format!("{:<12}", term(title))),
                term(&r.rev),
                short_oid(&oid),
                style.dim(&source),
            );
        }
    }
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
