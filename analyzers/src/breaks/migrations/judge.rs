//! Each fork migration judged against the target release's graph (FC801–FC806).

use super::*;

/// What every fork migration is judged with: the run, the fork's migrations, the base's
/// migrations, the release judged against and the parsed-migration cache.
pub(super) struct Judge<'a, 'r> {
    pub(super) ctx: &'a Context,
    pub(super) fork: &'a [Fork],
    pub(super) base: &'a Index,
    pub(super) rev: &'a str,
    pub(super) parsed: Parsed<'r>,
}

impl Judge<'_, '_> {
    /// FC803 / FC804: dependencies on upstream migrations the target squashed or no longer has.
    pub(super) fn dependencies(
        &mut self,
        m: &Fork,
        target: &Index,
        findings: &mut Vec<Finding>,
        verdicts: &mut Vec<String>,
    ) -> Result<()> {
        let (ctx, base, rev, parsed) = (self.ctx, self.base, self.rev, &mut self.parsed);
        for (label, dep) in &m.declared.dependencies {
            let Some(base_app) = base.by_label(label, &m.dir) else {
                continue;
            };
            if !base_app.files.contains_key(dep) {
                continue; // not an upstream migration of the base (the fork's own, or `__first__`)
            }
            let Some(app) = target.by_dir(&base_app.dir) else {
                continue; // the whole app is gone: the deprecations analysis reports its imports
            };
            // A target migration that replaces it (a squash).
            let mut squash = None;
            for (name, oid) in &app.files {
                if parsed
                    .get(*oid)?
                    .replaces
                    .iter()
                    .any(|(a, r)| a == label && r == dep)
                {
                    squash = Some(name.clone());
                    break;
                }
            }
            let present = app.files.contains_key(dep);
            match (present, squash) {
                (_, Some(squash)) => {
                    verdicts.push("depends-on-squashed".into());
                    let gone = if present {
                        "still ships it beside the squash"
                    } else {
                        "has deleted it and resolves the dependency through the squash's `replaces`"
                    };
                    findings.push(
                        Finding::new(
                            ctx.rules.rule(RuleId::FC804),
                            &m.path,
                            format!(
                                "`{}.{}` depends on `{label}.{dep}`, which {rev} squashed into \
                             `{squash}` ({rev} {gone}); depend on `(\"{label}\", \"{squash}\")` \
                             before upstream drops the squash's `replaces`",
                                m.app, m.name
                            ),
                        )
                        .subject(format!("{}|{label}.{dep}", m.name))
                        .target_location(target_loc(&app.dir, &squash, rev, None))
                        .data("dependency", format!("{label}.{dep}"))
                        .data("replacement", squash.clone())
                        .build(),
                    );
                }
                (true, None) => {}
                (false, None) => {
                    verdicts.push("depends-on-removed".into());
                    let suffix = &dep[dep.len().min(5)..];
                    let renumbered = app
                        .files
                        .keys()
                        .find(|n| n.len() > 5 && &n[5..] == suffix)
                        .cloned();
                    let leaf = leaves(
                        label,
                        &app.files
                            .iter()
                            .map(|(n, o)| Ok((n.clone(), parsed.get(*o)?.clone())))
                            .collect::<Result<Vec<_>>>()?,
                    );
                    let (how, point_at) = match (&renumbered, leaf.first()) {
                        (Some(r), _) => (format!("renumbered as `{r}`"), Some(r.clone())),
                        (None, Some(l)) => (
                            format!("removed (squashed or deleted; the app's leaf is now `{l}`)"),
                            Some(l.clone()),
                        ),
                        (None, None) => ("removed".to_string(), None),
                    };
                    let fix = point_at
                        .as_ref()
                        .map(|p| format!("; depend on `(\"{label}\", \"{p}\")` instead"))
                        .unwrap_or_default();
                    let mut f = Finding::new(
                        ctx.rules.rule(RuleId::FC803),
                        &m.path,
                        format!(
                        "`{}.{}` depends on `{label}.{dep}`, which {rev} no longer has: {how}; \
                         Django stops with NodeNotFoundError{fix}",
                        m.app, m.name
                    ),
                    )
                    .subject(format!("{}|{label}.{dep}", m.name))
                    .data("dependency", format!("{label}.{dep}"));
                    if let Some(p) = &point_at {
                        f = f
                            .target_location(target_loc(&app.dir, p, rev, None))
                            .data("replacement", p.clone());
                    }
                    findings.push(f.build());
                }
            }
        }
        Ok(())
    }

    /// FC801 / FC802 / FC805 for a fork migration in an upstream app whose target has the app.
    pub(super) fn in_app(
        &mut self,
        m: &Fork,
        app: &App,
        findings: &mut Vec<Finding>,
        verdicts: &mut Vec<String>,
    ) -> Result<()> {
        let (ctx, fork, base, rev, parsed) =
            (self.ctx, self.fork, self.base, self.rev, &mut self.parsed);
        let base_app = base.by_dir(&m.dir);
        let in_base = |name: &str| base_app.is_some_and(|a| a.files.contains_key(name));
        // Same name in the target.
        if let Some(oid) = app.files.get(&m.name) {
            if *oid == m.blob {
                verdicts.push("already-upstream".into());
                findings.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC805),
                        &m.path,
                        format!(
                        "`{}.{}` is in {rev} with the same content: drop the fork's copy at the \
                         upgrade (databases already record it as applied)",
                        m.app, m.name
                    ),
                    )
                    .subject(&m.name)
                    .target_location(target_loc(&app.dir, &m.name, rev, None))
                    .data("upstream", m.name.clone())
                    .build(),
                );
            } else {
                verdicts.push("number-clash".into());
                findings.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC802),
                        &m.path,
                        format!(
                        "{rev} ships `{}.{}` with other content: databases that ran the fork's \
                         version record it as applied and never run upstream's; rename the \
                         fork's migration, and on those databases run upstream's changes by hand \
                         or `migrate {} {} --fake` after checking the schema",
                        m.app, m.name, m.app, m.name
                    ),
                    )
                    .subject(&m.name)
                    .target_location(target_loc(&app.dir, &m.name, rev, None))
                    .data("upstream", m.name.clone())
                    .build(),
                );
            }
            return Ok(());
        }
        // Same content under another name, added by the target.
        if let Some((name, _)) = app.files.iter().find(|(n, o)| **o == m.blob && !in_base(n)) {
            verdicts.push("already-upstream".into());
            findings.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC805),
                    &m.path,
                    format!(
                        "`{}.{}` is in {rev} as `{name}` with the same content: drop the fork's \
                     file and, on databases that ran it, `./manage.py {} migrate {} {name} \
                     --fake` once",
                        m.app,
                        m.name,
                        service_of(&m.path),
                        m.app
                    ),
                )
                .subject(&m.name)
                .target_location(target_loc(&app.dir, name, rev, None))
                .data("upstream", name.clone())
                .build(),
            );
            return Ok(());
        }
        // The app's graph in the target with the fork's migrations of the app carried over (those
        // the target ships already count once).
        let mut nodes: Vec<(String, Declared)> = Vec::new();
        for (name, oid) in &app.files {
            nodes.push((name.clone(), parsed.get(*oid)?.clone()));
        }
        for f in fork.iter().filter(|f| f.dir == m.dir && !f.edited) {
            let shipped = app.files.contains_key(&f.name)
                || app.files.iter().any(|(n, o)| *o == f.blob && !in_base(n));
            if !shipped {
                nodes.push((f.name.clone(), f.declared.clone()));
            }
        }
        let leaf = leaves(&app.label, &nodes);
        if leaf.len() > 1 && leaf.contains(&m.name) {
            verdicts.push("leaf-clash".into());
            let others: Vec<&String> = leaf.iter().filter(|l| **l != m.name).collect();
            let names = others
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut f = Finding::new(
                ctx.rules.rule(RuleId::FC801),
                &m.path,
                format!(
                "at {rev} app `{}` has {} leaf migrations: the fork's `{}` and {rev}'s {names}; \
                 `migrate` stops with \"Conflicting migrations detected\" until you run \
                 `./manage.py {} makemigrations --merge {}` and commit the merge migration",
                m.app,
                leaf.len(),
                m.name,
                service_of(&m.path),
                m.app
            ),
            )
            .subject(&m.name)
            .data("leaves", serde_json::Value::from(leaf.to_vec()));
            if let Some(first) = others.first() {
                f = f.target_location(target_loc(&app.dir, first, rev, None));
            }
            for o in others.iter().skip(1) {
                f = f.related(target_loc(&app.dir, o, rev, None));
            }
            findings.push(f.build());
        }
        // Same number as a migration the target has under another name.
        let number = &m.name[..4];
        let clash: Vec<&String> = app
            .files
            .keys()
            .filter(|n| n.starts_with(number) && **n != m.name && !in_base(n))
            .collect();
        if let Some(first) = clash.first() {
            verdicts.push("number-clash".into());
            findings.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC802),
                    &m.path,
                    format!(
                        "`{}.{}` has the number {number} that {rev} gives `{first}`: renumber the \
                     fork's migration after {rev}'s last one of the app (and fix the \
                     dependencies on it)",
                        m.app, m.name
                    ),
                )
                .subject(format!("{}|{first}", m.name))
                .target_location(target_loc(&app.dir, first, rev, None))
                .data("upstream", (*first).clone())
                .build(),
            );
        }
        Ok(())
    }
}
