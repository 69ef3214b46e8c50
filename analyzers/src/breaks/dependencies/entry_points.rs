//! Entry points the fork adds or edits in `setup.py` / `setup.cfg` (FC907, FC908).

use super::*;

/// `setup.py` / `setup.cfg` anywhere in the tree.
pub(super) fn is_packaging_file(path: &str) -> bool {
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
pub(super) fn entry_points(
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
