//! Triage: every fork commit classified — already upstream (drop), upstream candidate,
//! configuration, theme, plugin candidate, fork specific — with its reasons, its trailers
//! (`Upstream: <url>`, `Forwarded: no`), and the rebase cost it saves per release when moved
//! out of the fork; ranked by that saving.

pub mod classify;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub use classify::TriageClass;

use crate::cost::{finding_weight, CostModel, HoursRange};
use crate::model::{Finding, Replacement};
use crate::rebase::diff3::{is_binary, line_hunks, split_lines};
use crate::rebase::store::ForkCommit;
use crate::rebase::{fork_commits, CommitReplay, Outcome, RebaseSection, Trailer};
use crate::{Context, Progress, Result};

/// A configuration replacement another analysis proposed for a file of the commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriageReplacement {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    pub replacement: Replacement,
}

/// One triaged fork commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriageItem {
    pub commit: String,
    pub summary: String,
    pub author: String,
    pub class: TriageClass,
    pub reasons: Vec<String>,
    pub files: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailers: Vec<Trailer>,
    /// How the commit replays onto the target (when there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Rebase effort saved per release once the commit leaves the fork.
    pub saving: HoursRange,
    /// What to do with it, in one sentence.
    pub action: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<TriageReplacement>,
}

/// The `triage` section of the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TriageSection {
    /// Ranked: largest saving first.
    pub items: Vec<TriageItem>,
    /// Commits per class.
    pub counts: BTreeMap<String, usize>,
    /// Saving per release if every non-fork-specific commit left the fork.
    pub total_saving: HoursRange,
}

fn action(class: TriageClass, c: &ForkCommit) -> String {
    let upstream = c
        .trailers
        .iter()
        .find(|t| t.key.eq_ignore_ascii_case("Upstream"))
        .map(|t| t.value.clone());
    match class {
        TriageClass::AlreadyUpstream => "drop the commit when rebasing".into(),
        TriageClass::UpstreamCandidate => match upstream {
            Some(url) => format!("follow {url}; drop the commit once it lands"),
            None => "open a pull request upstream, then drop the commit once it lands".into(),
        },
        TriageClass::Configuration => {
            "move the values to deployment configuration (YAML / Ansible / Tutor)".into()
        }
        TriageClass::Theme => {
            "move the change into the comprehensive theme or configuration".into()
        }
        TriageClass::PluginCandidate => {
            "package as a Django app plugin (openedx-filters / events for hooks into core views)"
                .into()
        }
        TriageClass::ForkSpecific => "keep; re-check at each release".into(),
        TriageClass::Reverted => {
            "squash it away with the commit it cancels (drop both when rebasing)".into()
        }
        TriageClass::UpstreamImport => {
            "take upstream's version at the upgrade (re-pull translations, re-vendor) instead of carrying the change"
                .into()
        }
    }
}

/// The organisation's name, from the fork authors' e-mail domains (`dev@acme.example` → acme).
fn organisation(commits: &[ForkCommit]) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for c in commits {
        let email = c
            .author
            .rsplit('<')
            .next()
            .unwrap_or_default()
            .trim_end_matches('>');
        let Some(domain) = email.split('@').nth(1) else {
            continue;
        };
        let label = domain
            .split('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let generic = [
            "gmail", "users", "outlook", "hotmail", "yahoo", "openedx", "edx", "github",
        ];
        if label.len() >= 3 && !generic.contains(&label.as_str()) {
            *counts.entry(label).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(l, _)| l)
}

/// The organisation markers ([`classify::Markers`]) of the lines the commit adds, read one file
/// at a time (binary files and files above `[limits] max_parse_bytes` skipped), stopping as
/// soon as nothing more can be found.
fn commit_markers(ctx: &Context, c: &ForkCommit, org: Option<&str>) -> Result<Vec<String>> {
    let mut markers = classify::Markers::new(org);
    for ch in &c.changes {
        if markers.complete() {
            break;
        }
        let Some(new) = ch.new else { continue };
        let Some(new_bytes) = ctx.repo.parse_bytes(new.oid)? else {
            continue;
        };
        if is_binary(&new_bytes) {
            continue;
        }
        let old_bytes = match ch.old {
            Some(o) => ctx.repo.parse_bytes(o.oid)?.unwrap_or_default(),
            None => Vec::new(),
        };
        let mut added = String::new();
        if old_bytes.is_empty() {
            added = String::from_utf8_lossy(&new_bytes).into_owned();
        } else {
            let lines = split_lines(&new_bytes);
            for h in line_hunks(&old_bytes, &new_bytes)? {
                for l in lines.get(h.n0..h.n1).unwrap_or(&[]) {
                    added.push_str(&String::from_utf8_lossy(l));
                }
            }
        }
        markers.scan(&added);
    }
    Ok(markers.reasons())
}

/// Django apps the commit creates (directories absent at the base).
fn new_apps(ctx: &Context, c: &ForkCommit) -> Result<Vec<String>> {
    let tree = ctx.repo.tree_of(ctx.base_oid)?;
    let mut apps: Vec<String> = c
        .changes
        .iter()
        .filter(|p| p.old.is_none())
        .filter_map(|p| classify::djangoapp_of(&p.path))
        .collect();
    apps.sort();
    apps.dedup();
    Ok(apps
        .into_iter()
        .filter(|a| tree.get_path(std::path::Path::new(a)).is_err())
        .collect())
}

pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
    rebase: Option<&RebaseSection>,
) -> Result<Option<TriageSection>> {
    analyze_commits(ctx, progress, findings, rebase, &fork_commits(ctx)?)
}

/// [`analyze`] with the fork's commits already read (shared with the rebase analysis).
pub fn analyze_commits(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
    rebase: Option<&RebaseSection>,
    commits: &[ForkCommit],
) -> Result<Option<TriageSection>> {
    progress.stage("triage", None);
    let model = CostModel::load(&ctx.config)?;
    let org = organisation(commits);
    let replays: HashMap<&str, &CommitReplay> = rebase
        .map(|r| r.commits.iter().map(|c| (c.oid.as_str(), c)).collect())
        .unwrap_or_default();
    // Findings by path, to find other analyses' findings on a commit's files.
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_path.entry(f.path.as_str()).or_default().push(i);
    }
    let mut items = Vec::new();
    for c in commits {
        let oid = c.oid.to_string();
        let replay = replays.get(oid.as_str()).copied();
        let apps = new_apps(ctx, c)?;
        let markers = || commit_markers(ctx, c, org.as_deref());
        let upgrade = rebase.and_then(|r| {
            r.calibration
                .upgrades
                .iter()
                .find(|u| u.kind == "merge" && u.merge.oid == oid)
                .map(|u| u.upstream.as_str())
        });
        let (class, mut reasons) = classify::classify(c, replay, markers, &apps, upgrade)?;
        for t in &c.trailers {
            if t.key.eq_ignore_ascii_case("Forwarded") && t.value.eq_ignore_ascii_case("no") {
                reasons.push("marked `Forwarded: no` (kept in the fork on purpose)".into());
            }
        }
        let files: Vec<String> = c.changes.iter().map(|p| p.path.clone()).collect();
        // Other analyses' findings on the commit's files: their replacements, and their cost.
        let mut indexes: Vec<usize> = files
            .iter()
            .filter_map(|f| by_path.get(f.as_str()))
            .flatten()
            .copied()
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        let related: Vec<&Finding> = indexes.iter().map(|&i| &findings[i]).collect();
        let replacements = related
            .iter()
            .filter_map(|f| {
                f.replacement.as_ref().map(|r| TriageReplacement {
                    path: f.path.clone(),
                    setting: f.setting.clone(),
                    replacement: r.clone(),
                })
            })
            .collect();
        // Per-release savings: what replaying the commit costs, and what its files' other
        // findings cost (a committed generated file once, however many keys it changes). A
        // commit that cancels out or imports upstream's content saves nothing by leaving.
        let mut saving = replay.map(|r| r.cost).unwrap_or_default();
        let mut config_files = std::collections::BTreeSet::new();
        for f in &related {
            if let Some(w) = finding_weight(f) {
                if w == crate::cost::Weight::PerGeneratedConfigEdit
                    && !config_files.insert(f.path.as_str())
                {
                    continue;
                }
                saving += model.of(w, 1);
            }
        }
        if matches!(class, TriageClass::Reverted | TriageClass::UpstreamImport) {
            saving = HoursRange::ZERO;
        }
        items.push(TriageItem {
            commit: oid,
            summary: c.summary.clone(),
            author: c.author.clone(),
            class,
            reasons,
            files,
            trailers: c.trailers.clone(),
            outcome: replay.map(|r| r.outcome),
            saving,
            action: if class == TriageClass::Reverted && replay.is_some_and(|r| r.reverts_part) {
                "drop it when rebasing and leave the path out of the commit it undoes".into()
            } else {
                action(class, c)
            },
            replacements,
        });
    }
    items.sort_by(|a, b| {
        b.saving
            .high
            .total_cmp(&a.saving.high)
            .then(b.saving.low.total_cmp(&a.saving.low))
    });
    let mut counts = BTreeMap::new();
    for i in &items {
        *counts.entry(i.class.as_str().to_string()).or_insert(0) += 1;
    }
    let total_saving = items
        .iter()
        .filter(|i| {
            !matches!(
                i.class,
                TriageClass::ForkSpecific | TriageClass::Reverted | TriageClass::UpstreamImport
            )
        })
        .map(|i| i.saving)
        .sum();
    for i in &items {
        let rule = ctx.rules.rule(i.class.rule());
        let path = i.files.first().cloned().unwrap_or_default();
        findings.push(
            Finding::new(
                rule,
                path,
                format!(
                    "commit {} \"{}\": {} — {} (saves {} per release)",
                    crate::repo::short_id(&i.commit),
                    i.summary,
                    i.class.as_str(),
                    i.reasons.join("; "),
                    i.saving.display()
                ),
            )
            .subject(i.commit.clone())
            .status(i.class.as_str())
            .data("commit", i.commit.clone())
            .build(),
        );
    }
    progress.finish_stage();
    Ok(Some(TriageSection {
        items,
        counts,
        total_saving,
    }))
}
