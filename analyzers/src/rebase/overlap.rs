//! Semantic overlaps: files the fork and upstream both changed since the merge ancestor that
//! git merges without a conflict. A clean merge is not a safe one: the fork's edit may sit in
//! the function upstream rewrote, or read a setting upstream renamed two lines further down.
//! Each overlap says how close the two sides' changes are (same function, within
//! [`NEAR_LINES`] lines, elsewhere in the file), who made them (the fork's commits and the
//! upstream commits that changed the file), and for settings modules which settings each side
//! touched. Overlaps and conflicts are grouped into features: files the same fork commits
//! changed together are reviewed together.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::blame::UpstreamHistory;
use super::diff3::{line_hunks, split_lines, Hunk};
use super::model::{CleanMerge, CommitRef, FileConflict};
use super::store::Store;
use crate::error::Result;
use crate::repo::Repo;

/// Changes at most this many ancestor lines apart are "near".
pub const NEAR_LINES: u32 = 10;

/// How close the fork's change is to upstream's in a cleanly merged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proximity {
    /// Both sides changed the same Python function or class body.
    SameFunction,
    /// Within [`NEAR_LINES`] lines of each other (in the ancestor's version).
    Near,
    /// Further apart.
    Elsewhere,
}

impl Proximity {
    pub fn as_str(self) -> &'static str {
        match self {
            Proximity::SameFunction => "same-function",
            Proximity::Near => "near",
            Proximity::Elsewhere => "elsewhere",
        }
    }
}

/// One file changed on both sides that merges cleanly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    /// The path in the merge result.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    pub proximity: Proximity,
    /// Lines between the nearest fork change and upstream change, in the ancestor's version.
    pub distance: u32,
    /// The function or class both sides changed (same-function overlaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The fork's first-parent commits since the base that changed the file.
    pub fork_commits: Vec<CommitRef>,
    /// Upstream's first-parent commits between the ancestor and the target that changed it.
    pub upstream_commits: Vec<CommitRef>,
    /// Settings modules: the settings each side's changed lines assign.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fork_settings: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream_settings: Vec<String>,
    /// Settings both sides touched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub both_settings: Vec<String>,
    /// Index into the section's `features`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<usize>,
}

/// Files the same fork commits changed together, among the overlaps and conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// The subject of the fork commit that touched most of the feature's files.
    pub name: String,
    pub files: Vec<String>,
    /// How many of `files` are semantic overlaps, and how many conflict.
    pub overlaps: usize,
    pub conflicts: usize,
    /// The fork commits that changed the files, oldest first.
    pub commits: Vec<CommitRef>,
}

/// A fork commit and the paths it touched (old and new paths of renames).
#[derive(Debug, Clone)]
pub struct Touch {
    pub commit: CommitRef,
    pub paths: Vec<String>,
}

impl Touch {
    /// The paths each fork commit touched, leaving out `imports`: merges of upstream (past
    /// upgrades), whose diff against the first parent is upstream's work, not the fork's.
    pub fn of(commits: &[super::store::ForkCommit], imports: &[String]) -> Vec<Touch> {
        commits
            .iter()
            .filter(|c| !(c.merge && imports.contains(&c.oid.to_string())))
            .map(|c| Touch {
                commit: CommitRef {
                    oid: c.oid.to_string(),
                    summary: c.summary.clone(),
                },
                paths: c
                    .changes
                    .iter()
                    .flat_map(|d| std::iter::once(d.path.clone()).chain(d.old_path.clone()))
                    .collect(),
            })
            .collect()
    }

    fn touches(&self, path: &str, other: Option<&str>) -> bool {
        self.paths
            .iter()
            .any(|p| p == path || Some(p.as_str()) == other)
    }
}

/// The overlaps of one merge prediction, with the features.
#[derive(Debug, Clone, Default)]
pub struct Overlaps {
    pub items: Vec<Overlap>,
    pub features: Vec<Feature>,
}

/// The overlaps among `clean` (non-identical clean merges the fork's commits touched), and the
/// features they and the fork-changed `conflicts` form.
pub fn find(
    repo: &Repo,
    store: &Store,
    history: &UpstreamHistory,
    clean: &[CleanMerge],
    conflicts: &[FileConflict],
    touches: &[Touch],
) -> Result<Overlaps> {
    let mut items = Vec::new();
    for m in clean.iter().filter(|m| !m.identical) {
        let Some(b) = &m.blobs else { continue };
        let other = b.renamed_from.as_deref();
        let fork_commits: Vec<CommitRef> = touches
            .iter()
            .filter(|t| t.touches(&m.path, other))
            .map(|t| t.commit.clone())
            .collect();
        if fork_commits.is_empty() {
            // The base release's own branch changed it, not the fork.
            continue;
        }
        let base = match b.base {
            Some(id) => store.read(repo, id)?.to_vec(),
            None => Vec::new(),
        };
        let up = store.read(repo, b.upstream)?;
        let fork = store.read(repo, b.fork)?;
        let near = measure(&base, &up, &fork, m.path.ends_with(".py"))?;
        let (mut fork_settings, mut upstream_settings, mut both_settings) =
            (Vec::new(), Vec::new(), Vec::new());
        if crate::triage::classify::is_settings(&m.path) {
            let fs = settings_touched(&base, &fork)?;
            let us = settings_touched(&base, &up)?;
            both_settings = fs.intersection(&us).cloned().collect();
            fork_settings = fs.into_iter().collect();
            upstream_settings = us.into_iter().collect();
        }
        items.push(Overlap {
            path: m.path.clone(),
            renamed_from: b.renamed_from.clone(),
            proximity: near.proximity,
            distance: near.distance,
            function: near.function,
            fork_commits,
            upstream_commits: history.changed_in(repo, &m.path)?,
            fork_settings,
            upstream_settings,
            both_settings,
            feature: None,
        });
    }
    let features = group(&mut items, conflicts, touches);
    Ok(Overlaps { items, features })
}

/// Union the overlap and conflict files each fork commit touched together; one feature per
/// connected group, largest first.
fn group(items: &mut [Overlap], conflicts: &[FileConflict], touches: &[Touch]) -> Vec<Feature> {
    // (path, other path, is overlap)
    let mut files: Vec<(String, Option<String>, bool)> = items
        .iter()
        .map(|o| (o.path.clone(), o.renamed_from.clone(), true))
        .collect();
    for c in conflicts.iter().filter(|c| c.fork_changed) {
        if !files.iter().any(|f| f.0 == c.path) {
            files.push((c.path.clone(), c.renamed_from.clone(), false));
        }
    }
    let mut parent: Vec<usize> = (0..files.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let touched: Vec<Vec<usize>> = touches
        .iter()
        .map(|t| {
            files
                .iter()
                .enumerate()
                .filter(|(_, f)| t.touches(&f.0, f.1.as_deref()))
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    for set in &touched {
        for w in set.windows(2) {
            let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            if a != b {
                parent[b] = a;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..files.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut features: Vec<(Vec<usize>, Feature)> = groups
        .into_values()
        .map(|members| {
            // The commit touching most of the group's files names it (the earliest on ties).
            let mut best: Option<(usize, &Touch)> = None;
            let mut commits = Vec::new();
            for (t, set) in touches.iter().zip(&touched) {
                let n = set.iter().filter(|i| members.contains(i)).count();
                if n == 0 {
                    continue;
                }
                commits.push(t.commit.clone());
                if best.is_none_or(|(m, _)| n > m) {
                    best = Some((n, t));
                }
            }
            let mut paths: Vec<String> = members.iter().map(|&i| files[i].0.clone()).collect();
            paths.sort();
            let overlaps = members.iter().filter(|&&i| files[i].2).count();
            let feature = Feature {
                name: best
                    .map(|(_, t)| t.commit.summary.clone())
                    .unwrap_or_default(),
                files: paths,
                overlaps,
                conflicts: members.len() - overlaps,
                commits,
            };
            (members, feature)
        })
        .collect();
    features.sort_by(|a, b| {
        b.1.files
            .len()
            .cmp(&a.1.files.len())
            .then_with(|| a.1.files.cmp(&b.1.files))
    });
    for (n, (members, _)) in features.iter().enumerate() {
        for &i in members {
            if let Some(o) = items.iter_mut().find(|o| o.path == files[i].0) {
                o.feature = Some(n);
            }
        }
    }
    features.into_iter().map(|(_, f)| f).collect()
}

struct Nearness {
    proximity: Proximity,
    distance: u32,
    function: Option<String>,
}

/// How close the fork's changes come to upstream's, in the ancestor's lines.
fn measure(base: &[u8], up: &[u8], fork: &[u8], python: bool) -> Result<Nearness> {
    let hu = line_hunks(base, up)?;
    let hf = line_hunks(base, fork)?;
    let lines = split_lines(base);
    let mut best: Option<u32> = None;
    let mut same: Option<(u32, String)> = None;
    for a in &hu {
        for b in &hf {
            let gap = gap(a, b);
            best = Some(best.map_or(gap, |g| g.min(gap)));
            if python {
                if let (Some(fa), Some(fb)) = (enclosing(&lines, a), enclosing(&lines, b)) {
                    if fa == fb && same.as_ref().is_none_or(|(g, _)| gap < *g) {
                        same = Some((gap, fa.1));
                    }
                }
            }
        }
    }
    let distance = best.unwrap_or(0);
    Ok(match same {
        Some((gap, name)) => Nearness {
            proximity: Proximity::SameFunction,
            distance: gap,
            function: Some(name),
        },
        None => Nearness {
            proximity: if best.is_some() && distance <= NEAR_LINES {
                Proximity::Near
            } else {
                Proximity::Elsewhere
            },
            distance,
            function: None,
        },
    })
}

/// Ancestor lines strictly between two changes (0 when they touch or overlap).
fn gap(a: &Hunk, b: &Hunk) -> u32 {
    // Disjoint ranges leave the gap on one side; overlapping ones saturate to 0 on both.
    let g = b.o0.saturating_sub(a.o1).max(a.o0.saturating_sub(b.o1));
    u32::try_from(g).unwrap_or(u32::MAX)
}

fn indent(line: &[u8]) -> Option<usize> {
    let n = line
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let rest = &line[n..];
    (!rest.iter().all(|b| b.is_ascii_whitespace())).then_some(n)
}

/// The innermost Python `def`/`class` whose body holds the hunk's first ancestor line (or the
/// line before an insertion): (header line, name).
fn enclosing(lines: &[&[u8]], h: &Hunk) -> Option<(usize, String)> {
    let probe = if h.o1 > h.o0 {
        h.o0
    } else {
        h.o0.checked_sub(1)?
    };
    let mut min_indent = usize::MAX;
    for j in (0..=probe.min(lines.len().checked_sub(1)?)).rev() {
        let line = lines[j];
        let Some(ind) = indent(line) else { continue };
        if ind < min_indent || j == probe {
            let text = String::from_utf8_lossy(&line[ind..]);
            let text = text.trim_start_matches("async ");
            for kw in ["def ", "class "] {
                if let Some(rest) = text.strip_prefix(kw) {
                    if j == probe || ind < min_indent {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        return Some((j, name));
                    }
                }
            }
            if ind == 0 && j != probe {
                return None;
            }
        }
        min_indent = min_indent.min(ind);
    }
    None
}

/// The settings a side's changed lines (removed from the ancestor and added) assign, as
/// `NAME` or `DICT['KEY']` for a key inside a top-level dict literal.
pub fn settings_touched(base: &[u8], side: &[u8]) -> Result<BTreeSet<String>> {
    let hunks = line_hunks(base, side)?;
    let bl = split_lines(base);
    let sl = split_lines(side);
    let mut out = BTreeSet::new();
    for h in hunks {
        for i in h.o0..h.o1.min(bl.len()) {
            out.extend(setting_at(&bl, i));
        }
        for i in h.n0..h.n1.min(sl.len()) {
            out.extend(setting_at(&sl, i));
        }
    }
    Ok(out)
}

/// An upper-case name at the start of `text` followed by an assignment (`=`, `+=`, `[`, `.`).
fn assigned_name(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let rest = text[name.len()..].trim_start();
    if rest.starts_with("+=") || rest.starts_with('.') {
        return Some(name);
    }
    if let Some(r) = rest.strip_prefix('[') {
        let key: String = r
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| *c != '\'' && *c != '"' && *c != ']')
            .collect();
        return Some(format!("{name}['{key}']"));
    }
    (rest.starts_with('=') && !rest.starts_with("==")).then_some(name)
}

fn setting_at(lines: &[&[u8]], i: usize) -> Option<String> {
    let line = String::from_utf8_lossy(lines[i]);
    let ind = indent(lines[i])?;
    let text = line.trim();
    if text.starts_with('#') {
        return None;
    }
    if ind == 0 {
        return assigned_name(text);
    }
    // Inside a multi-line value: the top-level statement it belongs to.
    let owner = (0..i).rev().find_map(|j| {
        let l = lines[j];
        (indent(l) == Some(0)).then(|| String::from_utf8_lossy(l).trim().to_string())
    })?;
    let owner_name = assigned_name(&owner)?;
    if owner.trim_end().ends_with('{') {
        let key: Option<String> = text
            .strip_prefix(['\'', '"'])
            .map(|r| r.chars().take_while(|c| *c != '\'' && *c != '"').collect());
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            return Some(format!("{owner_name}['{key}']"));
        }
    }
    Some(owner_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "import os\n\n\ndef a(x):\n    y = 1\n    z = 2\n    w = 3\n    return y\n\n\ndef b():\n    return 2\n";

    #[test]
    fn same_function_near_and_elsewhere() {
        let up = BASE.replace("    y = 1\n", "    y = 10\n");
        let fork = BASE.replace("    w = 3\n", "    w = 30\n");
        let n = measure(BASE.as_bytes(), up.as_bytes(), fork.as_bytes(), true).unwrap();
        assert_eq!(n.proximity, Proximity::SameFunction);
        assert_eq!(n.function.as_deref(), Some("a"));
        assert_eq!(n.distance, 1);
        let fork = BASE.replace("    return 2\n", "    return 3\n");
        let n = measure(BASE.as_bytes(), up.as_bytes(), fork.as_bytes(), true).unwrap();
        assert_eq!((n.proximity, n.distance), (Proximity::Near, 6));
        let n = measure(BASE.as_bytes(), up.as_bytes(), fork.as_bytes(), false).unwrap();
        assert_eq!(n.proximity, Proximity::Near);
        // Module level, 25 lines apart.
        let long = format!("{BASE}{}X = 1\n", "# pad\n".repeat(20));
        let up = long.replace("import os\n", "import sys\n");
        let fork = long.replace("X = 1\n", "X = 2\n");
        let n = measure(long.as_bytes(), up.as_bytes(), fork.as_bytes(), true).unwrap();
        assert_eq!((n.proximity, n.distance), (Proximity::Elsewhere, 31));
    }

    #[test]
    fn settings_of_changed_lines() {
        let base = "A = 1\nFEATURES = {\n    'X': False,\n    'Y': True,\n}\nB = [\n    1,\n]\n";
        let side = base
            .replace("'X': False", "'X': True")
            .replace("    1,\n", "    2,\n")
            .replace("A = 1\n", "A = 1\nFEATURES['Z'] = 1\n");
        let s = settings_touched(base.as_bytes(), side.as_bytes()).unwrap();
        let got: Vec<&str> = s.iter().map(|x| x.as_str()).collect();
        assert_eq!(got, ["B", "FEATURES['X']", "FEATURES['Z']"]);
    }
}
