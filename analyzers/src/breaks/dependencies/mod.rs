//! Packages the fork adds, pins, unpins or bumps, against the base and the target release's
//! requirements (rules FC901–FC906, FC909, docs/upgrade-breaks.md "Dependency pins"), and the
//! entry points the fork adds or edits in `setup.py` / `setup.cfg` (FC907, FC908, "Entry
//! points").
//!
//! Read: pip requirement files (`requirements/edx/*.txt`, `requirements/*.txt`, `requirements/*.in`,
//! `requirements/edx/*.in`; `requirements/constraints.txt` is the constraints file) and
//! `package.json` (`dependencies`, `devDependencies`) with the versions its sibling
//! `package-lock.json` resolves (lockfile v1, v2 or v3). A requirement line is `name[extras]<spec>`
//! with comments, options (`-r`, `-c`, `-e`, `--hash`) and environment markers dropped; names are
//! compared normalised (lower case, `_`/`.` as `-`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::packaging::{
    entry_points as parse_entry_points, lock_versions, npm_satisfies, EntryPoint,
};
use super::{fork_files, text_of, Against};
use crate::context::Context;
use crate::error::Result;
use crate::model::{Finding, Location, Replacement, RuleId};

mod entry_points;
mod npm;
mod requirements;

use entry_points::{entry_points, is_packaging_file};
use npm::npm;
#[doc(hidden)]
pub use npm::npm_deps_for_fuzzing;
pub use requirements::{
    cmp_versions, normalise, parse_requirement, satisfies, via_of, Requirement,
};
use requirements::{is_requirements_file, parse_file};

/// The `dependencies` section of the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DependenciesSection {
    /// The release ref the pins are judged against (`null`: no target in the repository).
    pub against: Option<String>,
    /// Every package line the fork changed, file then package order.
    pub packages: Vec<PackageChange>,
    /// Every entry point the fork adds or edits in a `setup.py` / `setup.cfg`, file then line
    /// order.
    #[serde(default)]
    pub entry_points: Vec<EntryPointChange>,
}

/// One entry point the fork adds or edits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryPointChange {
    pub path: String,
    pub line: u32,
    /// `lms.djangoapp`, `console_scripts`, …
    pub group: String,
    pub name: String,
    /// The fork's `module:attr`.
    pub value: String,
    /// `added` or `edited`.
    pub action: String,
    /// The base's value of the same group and name (`null` when the fork added it).
    pub base: Option<String>,
    /// The target's value of the same group and name (`null`: the target has none, or there is
    /// no target).
    pub target: Option<String>,
    /// `ok`, `plugin` (a fork-added plugin entry point), `removed-by-target`,
    /// `renamed-by-target`, `module-removed-by-target`, or `unknown` without a target; a plugin
    /// entry point broken by the target has both (`plugin, module-removed-by-target`).
    pub verdicts: Vec<String>,
}

/// One package line the fork added, pinned, unpinned or changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageChange {
    pub path: String,
    pub line: u32,
    /// `pip` or `npm`.
    pub ecosystem: String,
    /// Normalised name.
    pub package: String,
    /// `added`, `pinned`, `unpinned`, `bumped`, `downgraded`, `changed`.
    pub action: String,
    /// The base's spec in the same file (`==5.2.2`, `<5.3`, `` for a bare name).
    pub base: Option<String>,
    pub fork: String,
    /// The target's spec of the package (same file first, else any requirements file).
    pub target: Option<String>,
    /// The target's constraint on the package (`requirements/constraints.txt`).
    pub target_constraint: Option<String>,
    /// npm: the version the fork's package-lock.json resolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fork_resolved: Option<String>,
    /// npm: the version the target's package-lock.json resolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_resolved: Option<String>,
}

const CONSTRAINTS: &str = "requirements/constraints.txt";

/// Requirements file → package → (spec, 1-based line).
type Reqs = BTreeMap<String, BTreeMap<String, (String, u32)>>;

/// Every requirements file of a release tree, parsed.
fn tree_requirements(ctx: &Context, commit: git2::Oid) -> Result<Reqs> {
    let mut out = BTreeMap::new();
    // Only `requirements/` is read: a range of the sorted listing, not a pass over every file.
    let listing = ctx.listing(commit)?;
    for (path, oid) in listing.blobs_under("requirements/") {
        if !is_requirements_file(path) {
            continue;
        }
        if let Some(text) = text_of(&ctx.repo, oid)? {
            out.insert(path.to_string(), parse_file(&text));
        }
    }
    Ok(out)
}

/// The spec of `package` in `file` of `tree`, else in the tree's first file listing it (`.txt`
/// before `.in`, constraints last).
fn find_spec<'a>(tree: &'a Reqs, file: &str, package: &str) -> Option<(&'a str, &'a str)> {
    if let Some((spec, _)) = tree.get(file).and_then(|f| f.get(package)) {
        return Some((file_key(tree, file), spec));
    }
    let mut files: Vec<&String> = tree.keys().filter(|p| p.as_str() != CONSTRAINTS).collect();
    files.sort_by_key(|p| (p.ends_with(".in"), p.as_str()));
    files
        .into_iter()
        .find_map(|p| tree[p].get(package).map(|(s, _)| (p.as_str(), s.as_str())))
}

fn file_key<'a>(tree: &'a Reqs, file: &str) -> &'a str {
    tree.get_key_value(file)
        .map(|(k, _)| k.as_str())
        .unwrap_or("")
}

fn extra_requirements(package: &str, spec: &str) -> Replacement {
    Replacement {
        yaml: None,
        ansible: Some(format!(
            "EDXAPP_EXTRA_REQUIREMENTS: [{{name: \"{package}{spec}\"}}]"
        )),
        tutor: Some(format!(
            "tutor config save --append OPENEDX_EXTRA_PIP_REQUIREMENTS=\"{package}{spec}\""
        )),
        note: Some(
            "install it beside edx-platform instead of editing its requirements; a Django app \
             plugin (lms.djangoapp / cms.djangoapp entry point) or an XBlock needs nothing else"
                .into(),
        ),
    }
}

fn action(base: Option<&str>, fork: &str) -> &'static str {
    let pin = |s: &str| s.strip_prefix("==").map(str::to_string);
    match base {
        None => "added",
        Some(b) => match (pin(b), pin(fork)) {
            (None, Some(_)) => "pinned",
            (Some(_), None) => "unpinned",
            (Some(b), Some(f)) => match cmp_versions(&f, &b) {
                Ordering::Greater => "bumped",
                Ordering::Less => "downgraded",
                Ordering::Equal => "changed",
            },
            (None, None) => "changed",
        },
    }
}

/// Run the dependency checks against `against` (see the module documentation).
pub fn analyze(
    ctx: &Context,
    against: &Against,
    findings: &mut Vec<Finding>,
) -> Result<Option<DependenciesSection>> {
    let changed: Vec<_> = fork_files(ctx)?
        .into_iter()
        .filter(|(p, _, _)| is_requirements_file(p) || p == "package.json" || is_packaging_file(p))
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    let repo = &ctx.repo;
    let base_tree = tree_requirements(ctx, ctx.base_oid)?;
    let target_tree = against
        .oid
        .map(|oid| tree_requirements(ctx, oid))
        .transpose()?;
    let rev = against.label();
    let mut vias: std::collections::HashMap<String, BTreeMap<String, Vec<String>>> =
        Default::default();
    let mut section = DependenciesSection {
        against: against.rev.clone(),
        packages: Vec::new(),
        entry_points: Vec::new(),
    };
    for (path, old, new) in changed {
        if path == "package.json" {
            npm(ctx, against, &path, old, new, &mut section, findings)?;
            continue;
        }
        if is_packaging_file(&path) {
            entry_points(ctx, against, &path, new, &mut section, findings)?;
            continue;
        }
        let Some(head_text) = text_of(repo, new)? else {
            continue;
        };
        let head = parse_file(&head_text);
        let base = match old {
            Some(o) => text_of(repo, o)?
                .map(|t| parse_file(&t))
                .unwrap_or_default(),
            None => BTreeMap::new(),
        };
        for (package, (spec, line)) in &head {
            let base_spec = base.get(package).map(|(s, _)| s.as_str());
            if base_spec == Some(spec.as_str()) {
                continue;
            }
            let act = action(base_spec, spec);
            let in_base_anywhere = find_spec(&base_tree, &path, package).is_some();
            let target_spec = target_tree
                .as_ref()
                .and_then(|t| find_spec(t, &path, package));
            let constraint = target_tree
                .as_ref()
                .and_then(|t| t.get(CONSTRAINTS))
                .and_then(|c| c.get(package))
                .map(|(s, _)| s.clone())
                .filter(|_| path != CONSTRAINTS);
            section.packages.push(PackageChange {
                path: path.clone(),
                line: *line,
                ecosystem: "pip".into(),
                package: package.clone(),
                action: act.into(),
                base: base_spec.map(str::to_string),
                fork: spec.clone(),
                target: target_spec.map(|(_, s)| s.to_string()),
                target_constraint: constraint.clone(),
                fork_resolved: None,
                target_resolved: None,
            });
            let fork_pin = spec.strip_prefix("==").filter(|v| !v.contains(','));
            let finding = |rule: RuleId, message: String| {
                Finding::new(ctx.rules.rule(rule), &path, message)
                    .line(*line)
                    .subject(package.clone())
                    .key(package.clone())
                    .data("package", package.clone())
                    .data("fork", spec.clone())
            };
            let Some(target_tree) = &target_tree else {
                if !in_base_anywhere && act == "added" {
                    findings.push(
                        finding(
                            RuleId::FC905,
                            format!(
                                "the fork adds `{package}{spec}` to {path}: install it with \
                                 Tutor's OPENEDX_EXTRA_PIP_REQUIREMENTS or Ansible's \
                                 EDXAPP_EXTRA_REQUIREMENTS instead"
                            ),
                        )
                        .replacement(extra_requirements(package, spec))
                        .build(),
                    );
                }
                continue;
            };
            // FC904: outside the target's constraint.
            if let (Some(v), Some(c)) = (fork_pin, &constraint) {
                if !satisfies(v, c) {
                    findings.push(
                        finding(
                            RuleId::FC904,
                            format!(
                                "the fork pins `{package}=={v}`, but {rev}'s {CONSTRAINTS} \
                                 requires `{package}{c}`: `pip install` cannot resolve; pick a \
                                 version inside `{c}`"
                            ),
                        )
                        .target_location(Location {
                            path: CONSTRAINTS.into(),
                            line: target_tree
                                .get(CONSTRAINTS)
                                .and_then(|f| f.get(package))
                                .map(|(_, l)| *l),
                            rev: Some(rev.clone()),
                            note: None,
                        })
                        .data("target_constraint", c.clone())
                        .build(),
                    );
                    continue;
                }
            }
            match (in_base_anywhere, target_spec) {
                // A package the fork added.
                (false, Some((tfile, tspec))) => findings.push(
                    finding(
                        RuleId::FC903,
                        format!(
                            "the fork adds `{package}{spec}`; {rev} requires it anyway \
                             (`{package}{tspec}` in {tfile}): drop the fork's line at the upgrade"
                        ),
                    )
                    .target_location(spec_loc(target_tree, tfile, package, &rev))
                    .data("target", tspec.to_string())
                    .build(),
                ),
                (false, None) => findings.push(
                    finding(
                        RuleId::FC905,
                        format!(
                            "the fork adds `{package}{spec}` to {path}, which {rev} does not \
                             install: install it with Tutor's OPENEDX_EXTRA_PIP_REQUIREMENTS or \
                             Ansible's EDXAPP_EXTRA_REQUIREMENTS instead"
                        ),
                    )
                    .replacement(extra_requirements(package, spec))
                    .build(),
                ),
                // Upstream's package, changed by the fork.
                (true, None) => findings.push(
                    finding(
                        RuleId::FC902,
                        format!(
                            "the fork {act} `{package}` (`{spec}`), which {rev} no longer \
                             installs: the fork must carry it itself (extra requirements), or \
                             drop the code that needs it"
                        ),
                    )
                    .replacement(extra_requirements(package, spec))
                    .build(),
                ),
                (true, Some((tfile, tspec))) => {
                    if tspec == spec {
                        continue;
                    }
                    // Who needs the target's version, when its compiled file says so.
                    let needed_by = match against.oid {
                        Some(oid) => {
                            if !vias.contains_key(tfile) {
                                let v = repo
                                    .text_at(oid, tfile)?
                                    .map(|t| via_of(&t))
                                    .unwrap_or_default();
                                vias.insert(tfile.to_string(), v);
                            }
                            vias[tfile].get(package).cloned().unwrap_or_default()
                        }
                        None => Vec::new(),
                    };
                    let tpin = tspec.strip_prefix("==");
                    let how = match (fork_pin, tpin) {
                        (Some(f), Some(t)) if cmp_versions(t, f) == Ordering::Greater => {
                            let by = if needed_by.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    ", which its {} need{} (pip-compile's `# via`)",
                                    needed_by.join(", "),
                                    if needed_by.len() == 1 { "s" } else { "" }
                                )
                            };
                            format!("{rev} upgrades it past the fork's pin to {t}{by}")
                        }
                        (Some(_), Some(t)) => format!("{rev} pins {t}"),
                        _ => format!("{rev} requires `{package}{tspec}`"),
                    };
                    findings.push(
                        finding(
                            RuleId::FC901,
                            format!(
                                "the fork {act} `{package}` to `{spec}`; {how} ({tfile}): take \
                                 {rev}'s version at the upgrade, or test {rev} with the fork's"
                            ),
                        )
                        .target_location(spec_loc(target_tree, tfile, package, &rev))
                        .data("target", tspec.to_string())
                        .build(),
                    );
                }
            }
        }
    }
    Ok(Some(section))
}

fn spec_loc(tree: &Reqs, file: &str, package: &str, rev: &str) -> Location {
    Location {
        path: file.to_string(),
        line: tree.get(file).and_then(|f| f.get(package)).map(|(_, l)| *l),
        rev: Some(rev.to_string()),
        note: None,
    }
}
