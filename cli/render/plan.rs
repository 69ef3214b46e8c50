//! `forkcheck plan`: the upgrade hop by hop, for the terminal, as Markdown and as JSON.

use std::fmt::Write as _;

use forkcheck_analyzers::plan::{Hop, Plan};

use super::escape::{md_code, md_text, term};
use super::style::Style;
use super::table::Grid;

pub fn json(plan: &Plan) -> anyhow::Result<String> {
    super::json::pretty(plan)
}

/// `-` for an empty list, else the entries, each rendered by `entry`, joined with `, `.
fn list(v: &[String], entry: impl Fn(&str) -> String) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.iter().map(|s| entry(s)).collect::<Vec<_>>().join(", ")
    }
}

fn outcomes(h: &Hop) -> String {
    let s = &h.summary;
    format!(
        "{} clean, {} conflict, {} deleted, {} empty",
        s.clean, s.conflict, s.target_deleted, s.empty
    )
}

/// The direct jump first (every item), then each hop with only what differs from it: a hop
/// lists the conflicts, deletions, stale items and dropped commits the direct jump does not
/// have, so an item shows once. With a single hop equal to the direct jump, only the jump.
fn rows(p: &Plan) -> Vec<(bool, Hop)> {
    let mut out = vec![(true, p.direct.clone())];
    let single = p.hops.len() == 1 && p.hops[0].to == p.direct.to;
    if single {
        return out;
    }
    let d = &p.direct;
    for h in &p.hops {
        let only = |v: &[String], direct: &[String]| -> Vec<String> {
            v.iter().filter(|x| !direct.contains(x)).cloned().collect()
        };
        let mut hop = h.clone();
        hop.conflicted_files = only(&h.conflicted_files, &d.conflicted_files);
        hop.target_deleted = only(&h.target_deleted, &d.target_deleted);
        hop.stale = only(&h.stale, &d.stale);
        hop.dropped = only(&h.dropped, &d.dropped);
        out.push((false, hop));
    }
    out
}

pub fn terminal(p: &Plan, style: &Style) -> String {
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
    let term_entry = |s: &str| term(s).into_owned();
    for (direct, h) in rows(p) {
        let title = style.bold(&format!("{} → {}", term(&h.from), term(&h.to)));
        let label = if direct {
            format!("{} ", style.dim("straight to the target:"))
        } else {
            format!("{} ", style.dim("hop:"))
        };
        let _ = writeln!(out, "\n  {label}{title}  {}", style.bold(&h.cost.display()));
        let mut grid = Grid::new();
        grid.row(vec!["commits".into(), outcomes(&h)]);
        let mut any = false;
        let mut section = |grid: &mut Grid, name: &str, v: &[String], one_a_line: bool| {
            if !direct && v.is_empty() {
                return;
            }
            any = true;
            if one_a_line {
                // One entry a line: the list is long on a real fork.
                let mut it = v.iter();
                grid.row(vec![
                    name.into(),
                    it.next().map_or_else(|| "-".into(), |s| term_entry(s)),
                ]);
                for s in it {
                    grid.row(vec![String::new(), term_entry(s)]);
                }
            } else {
                grid.row(vec![name.into(), list(v, term_entry)]);
            }
        };
        section(&mut grid, "conflicts", &h.conflicted_files, false);
        section(&mut grid, "deleted", &h.target_deleted, false);
        section(&mut grid, "stale", &h.stale, true);
        section(&mut grid, "drop", &h.dropped, false);
        // Migration clashes, pin conflicts and removed APIs that first bite at this hop.
        if !h.first_bites.is_empty() {
            section(&mut grid, "breaks", &h.first_bites, true);
        }
        if !direct && !any {
            grid.row(vec![
                "items".into(),
                "nothing beyond the direct jump's".into(),
            ]);
        } else if !direct {
            grid.row(vec![
                String::new(),
                style.dim("(only what the direct jump does not have)"),
            ]);
        }
        out.push_str(&grid.render(4, style));
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

pub fn markdown(p: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Upgrade plan: {} → {}\n",
        md_code(&p.base),
        md_code(&p.target)
    );
    let _ = writeln!(
        out,
        "The direct jump lists every item; each hop lists only what the direct jump does not have.\n"
    );
    let _ = writeln!(
        out,
        "| Hop | Effort | Commits | Conflicting files | Deleted under the fork | Stale | Drop |"
    );
    let _ = writeln!(out, "|---|---:|---|---|---|---|---|");
    for (direct, h) in rows(p) {
        let hop = format!("{} → {}", md_code(&h.from), md_code(&h.to));
        let name = if direct {
            format!("**direct** {hop}")
        } else {
            hop
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            h.cost.display(),
            outcomes(&h),
            list(&h.conflicted_files, md_code),
            list(&h.target_deleted, md_code),
            list(&h.stale, md_text),
            list(&h.dropped, md_text)
        );
    }
    for h in p.hops.iter().filter(|h| !h.first_bites.is_empty()) {
        let _ = writeln!(
            out,
            "\nFirst bites at {}: {}.",
            md_code(&h.to),
            list(&h.first_bites, md_text)
        );
    }
    let _ = writeln!(
        out,
        "\nHop by hop: **{}**; straight: **{}**. {}",
        p.total.display(),
        p.direct.cost.display(),
        md_text(&p.advice)
    );
    for w in &p.warnings {
        let _ = writeln!(out, "\n> **Warning:** {}", md_text(w));
    }
    out
}

/// What `plan.html.tera` gets.
#[derive(serde::Serialize)]
struct HtmlContext<'a> {
    plan: &'a Plan,
    warnings: &'a [String],
    rows: Vec<HtmlRow>,
    chart: Option<String>,
    version: &'static str,
}

#[derive(serde::Serialize)]
struct HtmlRow {
    direct: bool,
    hop: Hop,
}

/// A release's short name for a chart label (`open-release/redwood.2` → `redwood.2`, and
/// `release/teak.1`, the tag scheme from Teak on, → `teak.1`); the full names are in the table
/// under the chart.
fn short_release(name: &str) -> &str {
    name.strip_prefix("open-release/")
        .or_else(|| name.strip_prefix("release/"))
        .unwrap_or(name)
}

/// The plan's chart: the effort of each hop, then of the direct jump, as low–high ranges (only
/// the direct jump when it is the single hop).
pub fn chart(p: &Plan) -> Option<String> {
    let single = p.hops.len() == 1 && p.hops[0].to == p.direct.to;
    let mut rows: Vec<(String, f64, f64)> = Vec::new();
    if !single {
        rows.extend(p.hops.iter().map(|h| {
            (
                format!("{} → {}", short_release(&h.from), short_release(&h.to)),
                h.cost.low,
                h.cost.high,
            )
        }));
    }
    rows.push((
        format!("direct → {}", short_release(&p.direct.to)),
        p.direct.cost.low,
        p.direct.cost.high,
    ));
    super::charts::ranges(
        "Estimated upgrade effort per hop and straight to the target (hours)",
        &rows,
    )
}

/// The plan as one self-contained HTML page (the report's style sheet and Content-Security-
/// Policy, autoescaped; a table of contents and scrolling tables as in the report).
pub fn html(p: &Plan) -> anyhow::Result<String> {
    let ctx = HtmlContext {
        plan: p,
        warnings: &p.warnings,
        rows: rows(p)
            .into_iter()
            .map(|(direct, hop)| HtmlRow { direct, hop })
            .collect(),
        chart: chart(p),
        version: env!("CARGO_PKG_VERSION"),
    };
    let page = super::templates::render_page("plan.html.tera", &ctx)?;
    Ok(super::html::finish(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(from: &str, to: &str) -> serde_json::Value {
        serde_json::json!({
            "from": from, "to": to, "from_oid": "a", "to_oid": "b",
            "cost": {"low": 1.0, "high": 4.0},
            "summary": {"commits": 3, "clean": 2, "conflict": 1, "target_deleted": 0,
                        "empty": 0, "already_upstream": 0, "conflicted_files": 1,
                        "conflict_hunks": 1},
            "conflicted_files": ["lms/envs/common.py"],
            "target_deleted": [],
            "stale": ["a|b.html (theme-override-stale)", "lms/envs/common.py (x)"],
            "dropped": ["fix <b>@me</b>"],
            "findings": [],
        })
    }

    fn sample() -> Plan {
        serde_json::from_value(serde_json::json!({
            "schema_version": 1,
            "base": "open-release/redwood.2",
            "target": "open-release/sumac.2\u{1b}[2J",
            "hops": [hop("open-release/redwood.2", "open-release/sumac.2")],
            "total": {"low": 1.0, "high": 4.0},
            "direct": hop("open-release/redwood.2", "open-release/sumac.2"),
            "advice": "One hop.",
            "warnings": ["shallow"],
        }))
        .unwrap()
    }

    #[test]
    fn terminal_lists_each_hop_and_escapes() {
        let out = terminal(&sample(), &Style::plain());
        assert!(out.contains("sumac.2\\x1b[2J"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(out.contains("    conflicts  lms/envs/common.py\n"), "{out}");
        // Stale entries one a line, aligned under the first.
        assert!(
            out.contains("    stale      a|b.html (theme-override-stale)\n               lms/envs/common.py (x)\n"),
            "{out}"
        );
        assert!(out.contains("straight to the target:"), "{out}");
        assert!(out.contains("warning: shallow"), "{out}");
    }

    #[test]
    fn hops_list_only_what_the_direct_jump_lacks() {
        let mut p = sample();
        let mut teak = hop("open-release/sumac.2", "release/teak.2");
        teak["conflicted_files"] = serde_json::json!(["lms/envs/common.py", "lms/urls.py"]);
        let mut direct = hop("open-release/redwood.2", "release/teak.2");
        direct["conflicted_files"] = serde_json::json!(["lms/envs/common.py"]);
        p.hops.push(serde_json::from_value(teak).unwrap());
        p.direct = serde_json::from_value(direct).unwrap();
        let out = terminal(&p, &Style::plain());
        // The stale items appear once, under the direct jump.
        assert_eq!(
            out.matches("a|b.html (theme-override-stale)").count(),
            1,
            "{out}"
        );
        // The second hop names only its extra conflict.
        assert!(out.contains("    conflicts  lms/urls.py\n"), "{out}");
        assert_eq!(out.matches("lms/envs/common.py\n").count(), 1, "{out}");
        assert!(out.contains("nothing beyond the direct jump's"), "{out}");
    }

    #[test]
    fn markdown_cells_are_inert() {
        let out = markdown(&sample());
        assert!(out.contains("a\\|b.html"), "{out}");
        assert!(out.contains("&lt;b&gt;@\u{200D}me"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(out.contains("**direct**"), "{out}");
        assert!(out.contains("> **Warning:** shallow"), "{out}");
    }

    #[test]
    fn html_is_escaped_self_contained_and_charts_each_hop() {
        let mut p = sample();
        let mut teak = hop("open-release/sumac.2", "release/teak.2");
        teak["dropped"] = serde_json::json!(["<script>alert(1)</script>"]);
        teak["cost"] = serde_json::json!({"low": 2.0, "high": 8.0});
        p.hops.push(serde_json::from_value(teak).unwrap());
        p.direct = serde_json::from_value(hop("open-release/redwood.2", "release/teak.2")).unwrap();
        let out = html(&p).unwrap();
        assert!(!out.contains("<script"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
            "{out}"
        );
        assert!(out.contains("fix &lt;b&gt;@me&lt;&#x2F;b&gt;"), "{out}");
        assert!(out.contains("default-src 'none'"));
        for external in ["src=", "href=\"http", "<link", "@import", "url("] {
            assert!(!out.contains(external), "external asset: {external}");
        }
        // Two hops and the direct jump, with short release names and the range on hover.
        let svg = chart(&p).unwrap();
        assert_eq!(svg.matches("<g>").count(), 3, "{svg}");
        assert!(svg.contains(">sumac.2 → teak.2</text>"), "{svg}");
        assert!(svg.contains(">direct → teak.2</text>"), "{svg}");
        assert!(
            svg.contains("<title>sumac.2 → teak.2: 2–8 h</title>"),
            "{svg}"
        );
        assert!(out.contains(&svg));
        // Table of contents, scrolling tables, the warning.
        assert!(out.contains("<li><a href=\"#cost-per-hop\">Cost per hop</a></li>"));
        assert!(out.contains("<div class=\"table-wrap\"><table>"));
        assert!(out.contains("<strong>Warning:</strong> shallow"));
        // A single hop that is the direct jump: one bar.
        assert_eq!(chart(&sample()).unwrap().matches("<g>").count(), 1);
    }
}
