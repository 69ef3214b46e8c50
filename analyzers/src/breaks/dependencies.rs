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

/// One parsed requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub name: String,
    /// `==5.2.2`, `>=1,<2`, or empty.
    pub spec: String,
}

impl Requirement {
    /// The exact version of an `==` pin.
    pub fn pinned(&self) -> Option<&str> {
        let v = self.spec.strip_prefix("==")?;
        (!v.contains(',')).then_some(v.trim())
    }
}

/// Normalised package name (PEP 503, roughly).
pub fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Parse one line of a requirements file; `None` for comments, options and blank lines.
pub fn parse_requirement(line: &str) -> Option<Requirement> {
    let line = line.split(" #").next().unwrap_or(line);
    let line = line.split(';').next().unwrap_or(line).trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with('-') || line.contains("://") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() {
        return None;
    }
    let mut rest = line[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map(|(_, r)| r.trim()).unwrap_or("");
    }
    let spec: String = rest
        .split_whitespace()
        .take_while(|w| !w.starts_with("--"))
        .collect::<Vec<_>>()
        .join("");
    if !spec.is_empty() && !spec.starts_with(['=', '<', '>', '!', '~']) {
        return None;
    }
    Some(Requirement {
        name: normalise(name),
        spec,
    })
}

/// Package → (spec, 1-based line) of a requirements file.
fn parse_file(text: &str) -> BTreeMap<String, (String, u32)> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(r) = parse_requirement(line) {
            out.entry(r.name)
                .or_insert((r.spec, u32::try_from(i + 1).unwrap_or(u32::MAX)));
        }
    }
    out
}

/// pip-compile's `# via` annotations of a compiled requirements file: package → the packages
/// that require it (`-r file` / `-c file` entries left out).
pub fn via_of(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(r) = parse_requirement(line) {
            current = Some(r.name);
            continue;
        }
        // Annotations are indented comments under their requirement.
        let indented = line.starts_with([' ', '\t']);
        let Some(comment) = line.trim().strip_prefix('#').filter(|_| indented) else {
            current = None;
            continue;
        };
        let Some(pkg) = &current else { continue };
        let c = comment.trim();
        let entry = c.strip_prefix("via").map(str::trim).unwrap_or(c);
        if entry.is_empty() || entry.starts_with('-') {
            continue;
        }
        out.entry(pkg.clone()).or_default().push(normalise(entry));
    }
    out
}

/// Compare two versions part by part (numbers numerically; `5.2` = `5.2.0`).
pub fn cmp_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<String> {
        v.split(['.', '-', '+'])
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map(String::as_str).unwrap_or("0");
        let y = pb.get(i).map(String::as_str).unwrap_or("0");
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Does `version` satisfy every clause of `spec` (`<5.3`, `>=1,<2`, `==4.2.*`)? Unknown
/// operators count as satisfied.
pub fn satisfies(version: &str, spec: &str) -> bool {
    spec.split(',').filter(|c| !c.is_empty()).all(|clause| {
        let ops = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"];
        let Some(op) = ops.iter().find(|op| clause.starts_with(**op)) else {
            return true;
        };
        let v = clause[op.len()..].trim();
        if let Some(prefix) = v.strip_suffix(".*") {
            let matches = version == prefix || version.starts_with(&format!("{prefix}."));
            return if *op == "!=" { !matches } else { matches };
        }
        let o = cmp_versions(version, v);
        match *op {
            "==" | "===" => o == Ordering::Equal,
            "!=" => o != Ordering::Equal,
            "<=" => o != Ordering::Greater,
            ">=" | "~=" => o != Ordering::Less,
            "<" => o == Ordering::Less,
            ">" => o == Ordering::Greater,
            _ => true,
        }
    })
}

fn is_requirements_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("requirements/") else {
        return false;
    };
    let depth_ok =
        !rest.contains('/') || rest.strip_prefix("edx/").is_some_and(|r| !r.contains('/'));
    depth_ok && (rest.ends_with(".txt") || rest.ends_with(".in"))
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

/// `setup.py` / `setup.cfg` anywhere in the tree.
fn is_packaging_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "setup.py" | "setup.cfg")
}

/// Entry-point groups through which a package plugs into the platform.
fn is_plugin_group(group: &str) -> bool {
    matches!(
        group,
        "lms.djangoapp" | "cms.djangoapp" | "xblock.v1" | "xblock_asides.v1"
    ) || group.starts_with("openedx.")
}

/// Entry points of both packaging files of a directory of a tree: (group, name) → (the file
/// declaring it, the entry).
fn tree_entry_points(
    ctx: &Context,
    commit: git2::Oid,
    dir: &str,
) -> Result<BTreeMap<(String, String), (String, EntryPoint)>> {
    let mut out = BTreeMap::new();
    for file in ["setup.py", "setup.cfg"] {
        let path = format!("{dir}{file}");
        if let Some(text) = ctx.repo.text_at(commit, &path)? {
            for e in parse_entry_points(&path, &text) {
                out.entry((e.group.clone(), e.name.clone()))
                    .or_insert((path.clone(), e));
            }
        }
    }
    Ok(out)
}

/// The file of a dotted module under `dir` of a tree (`a/b.py` or `a/b/__init__.py`).
fn module_file(
    ctx: &Context,
    commit: git2::Oid,
    dir: &str,
    module: &str,
) -> Result<Option<String>> {
    let rel = module.replace('.', "/");
    for p in [format!("{dir}{rel}.py"), format!("{dir}{rel}/__init__.py")] {
        if ctx.repo.blob_id_at(commit, &p)?.is_some() {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// FC907 / FC908: entry points the fork adds or edits in one packaging file.
fn entry_points(
    ctx: &Context,
    against: &Against,
    path: &str,
    new: git2::Oid,
    section: &mut DependenciesSection,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let Some(text) = text_of(&ctx.repo, new)? else {
        return Ok(());
    };
    let dir = match path.rsplit_once('/') {
        Some((d, _)) => format!("{d}/"),
        None => String::new(),
    };
    let head = parse_entry_points(path, &text);
    if head.is_empty() {
        return Ok(());
    }
    let base = tree_entry_points(ctx, ctx.base_oid, &dir)?;
    let target = against
        .oid
        .map(|oid| tree_entry_points(ctx, oid, &dir))
        .transpose()?;
    let rev = against.label();
    for e in head {
        let key = (e.group.clone(), e.name.clone());
        let base_e = base.get(&key).map(|(_, e)| e);
        if base_e.is_some_and(|b| b.value == e.value) {
            continue; // upstream's entry, untouched
        }
        let action = if base_e.is_some() { "edited" } else { "added" };
        let target_e = target.as_ref().and_then(|t| t.get(&key)).map(|(_, e)| e);
        let mut verdicts = Vec::new();
        let finding = |rule: RuleId, message: String| {
            Finding::new(ctx.rules.rule(rule), path, message)
                .line(e.line)
                .subject(format!("{}|{}", e.group, e.name))
                .key(format!("{}:{}", e.group, e.name))
                .data("group", e.group.clone())
                .data("entry_point", e.name.clone())
                .data("value", e.value.clone())
        };
        if action == "added" && is_plugin_group(&e.group) {
            verdicts.push("plugin".to_string());
            let package = e
                .module()
                .split('.')
                .find(|p| {
                    !matches!(
                        *p,
                        "lms" | "cms" | "djangoapps" | "openedx" | "common" | "core"
                    )
                })
                .unwrap_or(&e.name)
                .replace('_', "-");
            // The app (or plugin) package: the module without its `apps` / `plugin` leaf.
            let app_module = e
                .module()
                .strip_suffix(".apps")
                .or_else(|| e.module().strip_suffix(".plugin"))
                .unwrap_or(e.module());
            findings.push(
                finding(
                    RuleId::FC907,
                    format!(
                        "the fork registers `{} = {}` in {path}'s `{}` entry points: ship `{}` \
                         as its own package declaring this entry point, and install it with \
                         Tutor's OPENEDX_EXTRA_PIP_REQUIREMENTS or Ansible's \
                         EDXAPP_EXTRA_REQUIREMENTS instead of editing edx-platform's packaging",
                        e.name, e.value, e.group, app_module
                    ),
                )
                .replacement(Replacement {
                    yaml: None,
                    ansible: Some(format!(
                        "EDXAPP_EXTRA_REQUIREMENTS: [{{name: \"{package}\"}}]"
                    )),
                    tutor: Some(format!(
                        "tutor config save --append OPENEDX_EXTRA_PIP_REQUIREMENTS=\"{package}\""
                    )),
                    note: Some(format!(
                        "`{package}` stands for the package you make of {}: its setup.py or \
                         pyproject.toml declares the `{}` entry point `{}`",
                        app_module, e.group, e.name
                    )),
                })
                .build(),
            );
        }
        if let Some(target) = &target {
            let mut broken: Option<(String, Option<Location>)> = None;
            if target_e.is_none() {
                if let Some(b) = base_e {
                    // Upstream's entry, edited by the fork: the target renamed or removed it.
                    let renamed = target
                        .values()
                        .find(|(_, t)| t.group == e.group && t.value == b.value);
                    let loc = |file: &str, line: u32| Location {
                        path: file.to_string(),
                        line: Some(line),
                        rev: Some(rev.clone()),
                        note: None,
                    };
                    broken = Some(match renamed {
                        Some((file, t)) => {
                            verdicts.push("renamed-by-target".into());
                            (
                                format!(
                                    "{rev} renames upstream's `{}` entry point `{}` to `{}` \
                                     (same object, `{}`): the fork's edit of `{}` no longer \
                                     replaces upstream's entry, and after the merge both `{}` \
                                     (the fork's) and `{}` (upstream's) are registered; move the \
                                     fork's value to `{}`, or drop the fork's line",
                                    e.group,
                                    e.name,
                                    t.name,
                                    t.value,
                                    e.name,
                                    e.name,
                                    t.name,
                                    t.name
                                ),
                                Some(loc(file, t.line)),
                            )
                        }
                        None => {
                            verdicts.push("removed-by-target".into());
                            (
                                format!(
                                    "{rev} removes upstream's `{}` entry point `{}` that the \
                                     fork repoints to `{}`: upstream no longer registers \
                                     anything under that name; when the fork's code still needs \
                                     it, declare it in the fork's own package, else drop it",
                                    e.group, e.name, e.value
                                ),
                                None,
                            )
                        }
                    });
                }
            }
            // The module the entry loads: upstream's at the base, gone from the target.
            if broken.is_none() {
                let at_base = module_file(ctx, ctx.base_oid, &dir, e.module())?;
                let at_target = match against.oid {
                    Some(oid) => module_file(ctx, oid, &dir, e.module())?,
                    None => None,
                };
                if let (Some(file), None) = (at_base, at_target) {
                    verdicts.push("module-removed-by-target".into());
                    broken = Some((
                        format!(
                            "the fork's `{}` entry point `{} = {}` loads `{}` ({file} in the \
                             base), which {rev} deletes: ImportError when the platform loads \
                             its entry points; point it at a module the fork's own package \
                             ships, or drop it",
                            e.group,
                            e.name,
                            e.value,
                            e.module()
                        ),
                        None,
                    ));
                }
            }
            if let Some((message, loc)) = broken {
                let mut f = finding(RuleId::FC908, message);
                if let Some(loc) = loc {
                    f = f.target_location(loc);
                }
                findings.push(f.build());
            }
            if verdicts.is_empty() {
                verdicts.push("ok".into());
            }
        } else if verdicts.is_empty() {
            verdicts.push("unknown".into());
        }
        section.entry_points.push(EntryPointChange {
            path: path.to_string(),
            line: e.line,
            group: e.group.clone(),
            name: e.name.clone(),
            value: e.value.clone(),
            action: action.to_string(),
            base: base_e.map(|b| b.value.clone()),
            target: target_e.map(|t| t.value.clone()),
            verdicts,
        });
    }
    Ok(())
}

fn spec_loc(tree: &Reqs, file: &str, package: &str, rev: &str) -> Location {
    Location {
        path: file.to_string(),
        line: tree.get(file).and_then(|f| f.get(package)).map(|(_, l)| *l),
        rev: Some(rev.to_string()),
        note: None,
    }
}

/// [`npm_deps`] for the fuzz target.
#[doc(hidden)]
pub fn npm_deps_for_fuzzing(text: &str) -> usize {
    npm_deps(text).len()
}

/// `dependencies` and `devDependencies` of a package.json: name → (version, 1-based line).
fn npm_deps(text: &str) -> BTreeMap<String, (String, u32)> {
    let mut out = BTreeMap::new();
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return out;
    };
    for key in ["dependencies", "devDependencies"] {
        if let Some(serde_json::Value::Object(deps)) = root.get(key) {
            for (name, v) in deps {
                if let Some(v) = v.as_str() {
                    let needle = format!("\"{name}\"");
                    let line = text
                        .lines()
                        .position(|l| l.contains(&needle))
                        .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX))
                        .unwrap_or(1);
                    out.insert(name.clone(), (v.to_string(), line));
                }
            }
        }
    }
    out
}

fn npm(
    ctx: &Context,
    against: &Against,
    path: &str,
    old: Option<git2::Oid>,
    new: git2::Oid,
    section: &mut DependenciesSection,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let repo = &ctx.repo;
    let Some(head) = text_of(repo, new)?.map(|t| npm_deps(&t)) else {
        return Ok(());
    };
    let base = match old {
        Some(o) => text_of(repo, o)?.map(|t| npm_deps(&t)).unwrap_or_default(),
        None => BTreeMap::new(),
    };
    let target = match against.oid {
        Some(oid) => Some(
            repo.text_at(oid, path)?
                .map(|t| npm_deps(&t))
                .unwrap_or_default(),
        ),
        None => None,
    };
    let lock_path = match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/package-lock.json"),
        None => "package-lock.json".to_string(),
    };
    let fork_lock = repo
        .text_at(ctx.head, &lock_path)?
        .map(|t| lock_versions(&t))
        .unwrap_or_default();
    let target_lock = match against.oid {
        Some(oid) => repo
            .text_at(oid, &lock_path)?
            .map(|t| lock_versions(&t))
            .unwrap_or_default(),
        None => BTreeMap::new(),
    };
    let rev = against.label();
    for (name, (version, line)) in &head {
        let base_v = base.get(name).map(|(v, _)| v.as_str());
        if base_v == Some(version.as_str()) {
            continue;
        }
        let target_v = target.as_ref().and_then(|t| t.get(name));
        let target_resolved = target_lock.get(name);
        section.packages.push(PackageChange {
            path: path.to_string(),
            line: *line,
            ecosystem: "npm".into(),
            package: name.clone(),
            action: if base_v.is_none() { "added" } else { "changed" }.into(),
            base: base_v.map(str::to_string),
            fork: version.clone(),
            target: target_v.map(|(v, _)| v.clone()),
            target_constraint: None,
            fork_resolved: fork_lock.get(name).cloned(),
            target_resolved: target_resolved.cloned(),
        });
        let target_differs = target_v.is_some_and(|(tv, _)| tv != version);
        if let (false, Some(resolved)) = (target_differs, target_resolved) {
            if npm_satisfies(resolved, version) == Some(false) {
                findings.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC909),
                        path,
                        format!(
                            "package.json: the fork pins `{name}` to `{version}`; {rev}'s \
                             {lock_path} resolves {name} {resolved}: at the upgrade run \
                             `npm install {name}@{resolved}` (it updates package.json and \
                             {lock_path}), or keep the fork's version with an `overrides` entry \
                             (`\"overrides\": {{\"{name}\": \"{version}\"}}`) and test {rev}'s \
                             front end with it"
                        ),
                    )
                    .line(*line)
                    .subject(name.clone())
                    .key(name.clone())
                    .target_location(Location {
                        path: lock_path.clone(),
                        line: None,
                        rev: Some(rev.clone()),
                        note: None,
                    })
                    .data("package", name.clone())
                    .data("fork", version.clone())
                    .data("target_resolved", resolved.clone())
                    .build(),
                );
            }
        }
        if let Some((tv, tline)) = target_v {
            if tv != version {
                findings.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC906),
                        path,
                        format!(
                            "package.json: the fork sets `{name}` to `{version}`; {rev} has \
                             `{tv}`: at the upgrade run `npm install {name}@{tv}` (it updates \
                             package-lock.json) unless the fork's front end needs its version"
                        ),
                    )
                    .line(*line)
                    .subject(name.clone())
                    .key(name.clone())
                    .target_location(Location {
                        path: path.to_string(),
                        line: Some(*tline),
                        rev: Some(rev.clone()),
                        note: None,
                    })
                    .data("package", name.clone())
                    .data("fork", version.clone())
                    .data("target", tv.clone())
                    .build(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines() {
        let r = |l: &str| parse_requirement(l).map(|r| (r.name, r.spec));
        assert_eq!(
            r("Django==4.2.16"),
            Some(("django".into(), "==4.2.16".into()))
        );
        assert_eq!(
            r("lxml[html_clean]==5.2.2  # via -r x"),
            Some(("lxml".into(), "==5.2.2".into()))
        );
        assert_eq!(r("lxml<5.3"), Some(("lxml".into(), "<5.3".into())));
        assert_eq!(
            r("python_dateutil"),
            Some(("python-dateutil".into(), "".into()))
        );
        assert_eq!(r("    # via -r requirements/edx/kernel.in"), None);
        assert_eq!(r("-r base.txt"), None);
        assert_eq!(r("-e git+https://github.com/x/y.git#egg=y"), None);
        assert_eq!(
            r("pytz==2024.1 ; python_version >= \"3.8\""),
            Some(("pytz".into(), "==2024.1".into()))
        );
    }

    #[test]
    fn via_annotations() {
        let text = "lxml==5.2.2\n    # via\n    #   -r requirements/edx/kernel.in\n    #   xmlsec\n    #   edx_i18n_tools\nrequests==2.32.3\n    # via -r requirements/edx/kernel.in\nsix==1.16\n    # via python-dateutil\n# comment\n";
        let v = via_of(text);
        assert_eq!(v["lxml"], ["xmlsec", "edx-i18n-tools"]);
        assert!(!v.contains_key("requests"));
        assert_eq!(v["six"], ["python-dateutil"]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn versions_and_specs() {
        assert_eq!(cmp_versions("2.32.3", "2.31.0"), Ordering::Greater);
        assert_eq!(cmp_versions("5.2", "5.2.0"), Ordering::Equal);
        assert_eq!(cmp_versions("1.10", "1.9"), Ordering::Greater);
        assert!(satisfies("5.2.2", "<5.3"));
        assert!(!satisfies("5.3.0", "<5.3"));
        assert!(satisfies("4.2.16", ">=4.2,<5.0"));
        assert!(!satisfies("5.0.1", ">=4.2,<5.0"));
        assert!(satisfies("4.2.7", "==4.2.*"));
    }
}
