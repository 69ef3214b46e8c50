//! `forkcheck triage`: every fork commit classified, ranked by the rebase effort it saves.

use std::fmt::Write as _;

use anyhow::Context as _;
use forkcheck_analyzers::triage::TriageSection;

use super::open;
use super::report::analyse;
use crate::args::{PlanFormat, TriageArgs};
use crate::output;
use crate::render::escape::{md_code, md_message, md_text, short_oid};

pub fn run(args: &TriageArgs) -> anyhow::Result<u8> {
    output::check(args.output.as_deref())?;
    let ctx = open::context(&args.repo)?;
    let report = analyse(&ctx, args.repo.quiet)?;
    let Some(triage) = &report.triage else {
        anyhow::bail!("the triage analysis did not run");
    };
    let style = output::style(args.output.as_deref());
    let text = match args.format {
        PlanFormat::Json => {
            let mut t = serde_json::to_string_pretty(triage).context("cannot serialize")?;
            t.push('\n');
            t
        }
        PlanFormat::Markdown => markdown(triage),
        PlanFormat::Terminal => {
            // The report's terminal section without the rebase part.
            let mut only = report.clone();
            only.rebase = None;
            let t = crate::render::section_rebase::render(&only, &style);
            t.trim_start().to_string()
        }
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(0)
}

fn markdown(t: &TriageSection) -> String {
    let mut out = String::from("# Triage\n\n| Commit | Class | Summary | Saves (h) | Action | Reasons |\n|---|---|---|---:|---|---|\n");
    for i in &t.items {
        let trailers: String = i
            .trailers
            .iter()
            .map(|tr| format!("<br>{}: {}", md_text(&tr.key), md_text(&tr.value)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {}{trailers} | {:.2}–{:.2} | {} | {} |",
            md_code(short_oid(&i.commit)),
            i.class.as_str(),
            md_text(&i.summary),
            i.saving.low,
            i.saving.high,
            md_message(&i.action),
            md_message(&i.reasons.join("; "))
        );
    }
    let _ = writeln!(
        out,
        "\nMoving every non-fork-specific commit out saves about **{}** per release.",
        t.total_saving.display()
    );
    out
}
