//! `forkcheck plan --to RELEASE`: the upgrade hop by hop, with each hop's cost and what it
//! brings, and the cost of jumping straight to the target.

use std::fmt::Write as _;

use anyhow::Context as _;
use forkcheck_analyzers::plan::{Hop, Plan};
use forkcheck_analyzers::{Analysis, NoProgress, Progress};

use super::open;
use crate::args::{PlanArgs, PlanFormat};
use crate::output;
use crate::progress::Bars;
use crate::render::escape::{md_code, md_text, term};
use crate::render::style::Style;

pub fn run(args: &PlanArgs) -> anyhow::Result<u8> {
    output::check(args.output.as_deref())?;
    let mut opts = open::options(&args.repo);
    opts.only = Some(vec![Analysis::Drift]);
    let ctx = forkcheck_analyzers::Context::open(&opts)
        .with_context(|| format!("cannot analyse `{}`", args.repo.repo.display()))?;
    let bars = Bars::new(args.repo.quiet);
    let progress: &dyn Progress = match &bars {
        Some(b) => b,
        None => &NoProgress,
    };
    let mut drift_findings = Vec::new();
    let drift = forkcheck_analyzers::drift::analyze(&ctx, progress, &mut drift_findings)
        .context("cannot measure the fork's drift")?;
    let plan =
        forkcheck_analyzers::plan::plan(&ctx, progress, drift.lines_added + drift.lines_removed)
            .with_context(|| {
                format!("cannot plan the upgrade of `{}`", args.repo.repo.display())
            })?;
    drop(bars);
    let Some(plan) = plan else {
        anyhow::bail!(
            "no upgrade target after {}: pass `--to RELEASE` (see `forkcheck releases`)",
            term(&ctx.base.rev)
        );
    };
    let text = match args.format {
        PlanFormat::Json => {
            let mut t = serde_json::to_string_pretty(&plan)?;
            t.push('\n');
            t
        }
        PlanFormat::Markdown => markdown(&plan),
        PlanFormat::Terminal => terminal(&plan, &output::style(args.output.as_deref())),
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(0)
}

/// A list for the terminal: escaped entries joined with `, `, or `-`.
fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.iter().map(|s| term(s)).collect::<Vec<_>>().join(", ")
    }
}

fn outcomes(h: &Hop) -> String {
    let s = &h.summary;
    format!(
        "{} clean, {} conflict, {} deleted, {} empty",
        s.clean, s.conflict, s.target_deleted, s.empty
    )
}

fn terminal(p: &Plan, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "Upgrade plan: {} → {}",
            term(&p.base),
            term(&p.target)
        ))
    );
    let rows: Vec<(&str, &Hop)> = p
        .hops
        .iter()
        .map(|h| ("hop", h))
        .chain(std::iter::once(("direct", &p.direct)))
        .collect();
    for (kind, h) in rows {
        let title = format!("{} → {}", term(&h.from), term(&h.to));
        let label = if kind == "direct" {
            style.dim("straight to the target:")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "\n  {label}{}{}  {}",
            if label.is_empty() { "" } else { " " },
            style.bold(&title),
            style.bold(&h.cost.display())
        );
        let _ = writeln!(out, "    commits     {}", outcomes(h));
        let _ = writeln!(out, "    conflicts   {}", list(&h.conflicted_files));
        let _ = writeln!(out, "    deleted     {}", list(&h.target_deleted));
        // One stale entry a line: the list is long on a real fork.
        let stale = if h.stale.is_empty() {
            "-".to_string()
        } else {
            h.stale
                .iter()
                .map(|s| term(s))
                .collect::<Vec<_>>()
                .join("\n                ")
        };
        let _ = writeln!(out, "    stale       {stale}");
        let _ = writeln!(out, "    drop        {}", list(&h.dropped));
    }
    let _ = writeln!(
        out,
        "\n  Hop by hop: {}   Straight: {}",
        style.bold(&p.total.display()),
        style.bold(&p.direct.cost.display())
    );
    let _ = writeln!(out, "  {}", term(&p.advice));
    for w in &p.warnings {
        let _ = writeln!(out, "  {} {}", style.yellow("warning:"), term(w));
    }
    out
}

/// A list for a Markdown table cell: each entry rendered by `entry`, joined with `, `, or `-`.
fn md_list(v: &[String], entry: fn(&str) -> String) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.iter().map(|s| entry(s)).collect::<Vec<_>>().join(", ")
    }
}

fn markdown(p: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Upgrade plan: {} → {}\n",
        md_code(&p.base),
        md_code(&p.target)
    );
    let _ = writeln!(
        out,
        "| Hop | Effort (h) | Commits | Conflicting files | Deleted under the fork | Stale | Drop |"
    );
    let _ = writeln!(out, "|---|---:|---|---|---|---|---|");
    let rows = p.hops.iter().chain(std::iter::once(&p.direct));
    for (i, h) in rows.enumerate() {
        let hop = format!("{} → {}", md_code(&h.from), md_code(&h.to));
        let name = if i == p.hops.len() {
            format!("**direct** {hop}")
        } else {
            hop
        };
        let _ = writeln!(
            out,
            "| {name} | {:.1}–{:.1} | {} | {} | {} | {} | {} |",
            h.cost.low,
            h.cost.high,
            outcomes(h),
            md_list(&h.conflicted_files, md_code),
            md_list(&h.target_deleted, md_code),
            md_list(&h.stale, md_text),
            md_list(&h.dropped, md_text)
        );
    }
    let _ = writeln!(
        out,
        "\nHop by hop: **{}**; straight: **{}**. {}",
        p.total.display(),
        p.direct.cost.display(),
        md_text(&p.advice)
    );
    out
}
