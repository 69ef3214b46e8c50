//! `package.json` dependencies against the releases' (with `package-lock.json` versions).

use super::*;

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

pub(super) fn npm(
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
