//! The FC6xx findings made from a rebase section.

use super::model::*;
use crate::error::Result;
use crate::model::{Finding, RuleId};
use crate::repo::short_id as short;
use crate::rules::Rules;

fn names(commits: &[CommitRef]) -> String {
    commits
        .iter()
        .map(|c| format!("{} \"{}\"", short(&c.oid), c.summary))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Findings for conflicts, edits to deleted files, replay conflicts, upstream matches and
/// residues. `target`: the target's name for messages.
pub fn rebase_findings(rules: &Rules, s: &RebaseSection, target: &str) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let fc601 = rules.rule(RuleId::FC601);
    let fc602 = rules.rule(RuleId::FC602);
    for c in s.conflicts.iter().filter(|c| c.fork_changed) {
        if c.kind == ConflictKind::ModifyDelete && c.deleted_by == Some(MergeSide::Upstream) {
            let by = c
                .deleted_in
                .as_ref()
                .map(|d| format!(" in {} \"{}\"", short(&d.oid), d.summary))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    fc602,
                    &c.path,
                    format!("the fork edits `{}`, which {target} deleted{by}", c.path),
                )
                .status("modify-delete")
                .data("deleted_in", c.deleted_in.as_ref().map(|d| d.oid.clone()))
                .build(),
            );
            continue;
        }
        let commits: Vec<CommitRef> = c
            .hunks
            .iter()
            .flat_map(|h| h.upstream_commits.iter().cloned())
            .fold(Vec::new(), |mut v, x| {
                if !v.contains(&x) {
                    v.push(x);
                }
                v
            });
        let lines = c
            .hunks
            .iter()
            .map(|h| {
                if h.lines.fork.is_empty() {
                    format!("at line {}", h.lines.fork.start)
                } else if h.lines.fork.start == h.lines.fork.end {
                    format!("line {}", h.lines.fork.start)
                } else {
                    format!("lines {}–{}", h.lines.fork.start, h.lines.fork.end)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut msg = format!(
            "`{}` will conflict with {target} ({} conflict",
            c.path,
            c.kind.as_str()
        );
        if !lines.is_empty() {
            msg.push_str(&format!(", fork {lines}"));
        }
        msg.push(')');
        if !commits.is_empty() {
            msg.push_str(&format!("; upstream: {}", names(&commits)));
        }
        out.push(
            Finding::new(fc601, &c.path, msg)
                .line_opt(c.hunks.first().map(|h| h.lines.fork.start))
                .status(c.kind.as_str())
                .data("hunks", c.hunks.len())
                .data(
                    "upstream_commits",
                    commits.iter().map(|c| c.oid.clone()).collect::<Vec<_>>(),
                )
                .build(),
        );
    }
    let fc606 = rules.rule(RuleId::FC606);
    for o in &s.overlaps {
        let how = match (&o.proximity, &o.function) {
            (super::overlap::Proximity::SameFunction, Some(f)) => format!(
                "both sides changed `{f}` ({} line{} apart)",
                o.distance,
                if o.distance == 1 { "" } else { "s" }
            ),
            (super::overlap::Proximity::Near, _) => format!(
                "the changes are {} line{} apart",
                o.distance,
                if o.distance == 1 { "" } else { "s" }
            ),
            _ => format!("the changes are {} lines apart", o.distance),
        };
        let mut msg = format!(
            "`{}` was changed by the fork and by {target}; it merges cleanly but {how}; fork: {}",
            o.path,
            names(&o.fork_commits)
        );
        if !o.upstream_commits.is_empty() {
            msg.push_str(&format!("; upstream: {}", names(&o.upstream_commits)));
        }
        if !o.both_settings.is_empty() {
            msg.push_str(&format!(
                "; settings both sides touched: {}",
                o.both_settings.join(", ")
            ));
        } else if !o.fork_settings.is_empty() && !o.upstream_settings.is_empty() {
            msg.push_str(&format!(
                "; settings: fork {}, upstream {}",
                o.fork_settings.join(", "),
                o.upstream_settings.join(", ")
            ));
        }
        out.push(
            Finding::new(fc606, &o.path, msg)
                .status(o.proximity.as_str())
                .data("distance", o.distance)
                .data("function", o.function.clone())
                .data(
                    "fork_commits",
                    o.fork_commits
                        .iter()
                        .map(|c| c.oid.clone())
                        .collect::<Vec<_>>(),
                )
                .data(
                    "upstream_commits",
                    o.upstream_commits
                        .iter()
                        .map(|c| c.oid.clone())
                        .collect::<Vec<_>>(),
                )
                .data("both_settings", o.both_settings.clone())
                .build(),
        );
    }
    let fc603 = rules.rule(RuleId::FC603);
    let fc604 = rules.rule(RuleId::FC604);
    let fc605 = rules.rule(RuleId::FC605);
    for c in &s.commits {
        let first = c.files.first().cloned().unwrap_or_default();
        if c.outcome == Outcome::Conflict {
            let files: Vec<&str> = c.conflicts.iter().map(|f| f.path.as_str()).collect();
            out.push(
                Finding::new(
                    fc603,
                    files.first().copied().unwrap_or(&first),
                    format!(
                        "commit {} \"{}\" conflicts when replayed onto {target}: {}",
                        short(&c.oid),
                        c.summary,
                        files.join(", ")
                    ),
                )
                .subject(c.oid.clone())
                .data("commit", c.oid.clone())
                .build(),
            );
        }
        if let Some(m) = &c.upstream {
            let how = match (&m.method, &m.commit) {
                (MatchMethod::PatchId, Some(u)) => format!(
                    "same patch-id as {} \"{}\" ({})",
                    short(&u.oid),
                    u.summary,
                    m.found_in
                ),
                _ => format!("every file it touches is identical in {target}"),
            };
            out.push(
                Finding::new(
                    fc604,
                    &first,
                    format!(
                        "commit {} \"{}\" is already upstream: {how}",
                        short(&c.oid),
                        c.summary
                    ),
                )
                .subject(c.oid.clone())
                .status(match m.method {
                    MatchMethod::PatchId => "patch-id",
                    MatchMethod::Content => "content",
                })
                .data("commit", c.oid.clone())
                .build(),
            );
            if !c.residue.is_empty() {
                out.push(
                    Finding::new(
                        fc605,
                        &first,
                        format!(
                            "commit {} \"{}\" is upstream, yet replaying it onto {target} still changes {}",
                            short(&c.oid),
                            c.summary,
                            c.residue.join(", ")
                        ),
                    )
                    .subject(c.oid.clone())
                    .data("commit", c.oid.clone())
                    .build(),
                );
            }
        }
    }
    Ok(out)
}
