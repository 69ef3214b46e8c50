//! Analysis of one theme file (run on a rayon worker with its own [`Repo`]): mapping to the
//! original, comparison with the base (redundant / diverged, copied-from release), with the
//! target (stale cosmetic / structural, orphaned, context risks), suggestion, findings.

use git2::Oid;

use super::diffing::{divergence, is_binary, is_branding_only, is_i18n_only, Divergence};
use super::discover::{FileKind, Theme, ThemeFile};
use super::history::{closest_release, removed_before_base, PathHistory, ReleaseTag};
use super::mapping::{map_static, map_template, Mapping, TreeIndex};
use super::model::{ContextRisk, OverrideEntry, OverrideStatus, Staleness};
use super::noise::{classify, structural_details, ChangeClass};
use super::risks::{context_risks, Versions, ViewFile};
use super::scan::{scan, Lang};
use crate::error::Result;
use crate::model::{Finding, Location, RuleId};
use crate::repo::Repo;
use crate::rules::Rules;

mod same_name;
mod suggestion;

pub use same_name::SAME_NAME_SIMILARITY;
use same_name::{closest_same_name, static_same_name};
use suggestion::suggestion;
pub use suggestion::REWRITE_SIMILARITY;

/// Upstream commits listed per stale override.
pub const COMMIT_CAP: usize = 5;

/// Read-only data every worker shares.
pub struct Shared<'a> {
    pub base: Oid,
    /// `open-release/redwood.2`.
    pub base_rev: &'a str,
    /// `redwood` (or the rev when the base is not a named release).
    pub base_label: &'a str,
    pub target: Option<Oid>,
    pub target_label: &'a str,
    pub base_index: &'a TreeIndex,
    pub target_index: Option<&'a TreeIndex>,
    pub tags: &'a [ReleaseTag],
    /// Upstream's commits between base and target that changed each original.
    pub history: &'a PathHistory,
    pub views: &'a [ViewFile],
    pub rules: &'a Rules,
    pub themes: &'a [Theme],
    /// Per theme, the text of its fork-owned text files (templates, Sass, CSS, JS), joined: to
    /// tell whether the theme refers to one of its own assets.
    pub theme_text: &'a [String],
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The head path where a misplaced override would take effect.
fn takes_effect_at(path: String) -> Location {
    Location {
        path,
        line: None,
        rev: Some("head".into()),
        note: Some("where the override takes effect".into()),
    }
}

/// Which upstream file `file` overrides in the base tree.
pub fn mapping(base_index: &TreeIndex, file: &ThemeFile) -> Mapping {
    match file.kind {
        FileKind::Template => map_template(base_index, file.service, &file.rel),
        FileKind::Static => map_static(base_index, file.service, &file.rel),
    }
}

/// Analyse one theme file: its inventory entry and findings.
pub fn analyze(
    repo: &Repo,
    sh: &Shared<'_>,
    file: &ThemeFile,
) -> Result<(OverrideEntry, Vec<Finding>)> {
    let theme = sh.themes.get(file.theme).ok_or_else(|| {
        crate::Error::Other(format!(
            "internal error: `{}` belongs to no discovered theme",
            file.path
        ))
    })?;
    let mapping = mapping(sh.base_index, file);
    let ovr_bytes = repo.blob_bytes(file.blob)?;
    let language = (file.kind == FileKind::Template && !is_binary(&ovr_bytes))
        .then(|| Lang::detect(&file.path, &text(&ovr_bytes)));
    let mut entry = OverrideEntry {
        theme: theme.name.clone(),
        service: file.service.as_str().to_string(),
        path: file.path.clone(),
        kind: file.kind.as_str().to_string(),
        language: language.map(|l| l.as_str().to_string()),
        status: String::new(),
        rule: String::new(),
        severity: crate::model::Severity::Info,
        original: None,
        should_live_at: None,
        divergence: None,
        copied_from: None,
        staleness: None,
        context_risks: Vec::new(),
        suggestion: None,
        advice: None,
    };
    let sub = match file.kind {
        FileKind::Template => "templates",
        FileKind::Static => "static",
    };
    let mapping = match mapping {
        Mapping::SameName(candidates) => {
            let pick = match file.kind {
                FileKind::Template => {
                    closest_same_name(repo, sh.base_index, &candidates, &ovr_bytes)?
                }
                FileKind::Static => static_same_name(repo, sh, file, &candidates, &ovr_bytes)?,
            };
            match pick {
                Some(pick) => {
                    let rule = sh.rules.rule(RuleId::FC409);
                    let should =
                        format!("{}/{}/{sub}/{}", theme.dir, file.service.as_str(), pick.rel);
                    entry.original = Some(pick.original.clone());
                    entry.should_live_at = Some(should.clone());
                    let what = match file.kind {
                        FileKind::Template => "template",
                        FileKind::Static => "asset",
                    };
                    let others = if pick.others.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; other upstream {what}s of that name: {}",
                            pick.others
                                .iter()
                                .map(|(p, sim)| format!("`{p}` ({sim:.2})"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    let ambiguous = if pick.ambiguous {
                        " (ambiguous: another candidate is about as similar, check which one \
                         the change was meant for)"
                    } else {
                        ""
                    };
                    let evidence = if pick.by_name {
                        "the only upstream asset of that name the service serves".to_string()
                    } else {
                        format!("similarity {:.2}", pick.similarity)
                    };
                    let f = Finding::new(
                        rule,
                        &file.path,
                        format!(
                            "overrides nothing: upstream has this {what} at `{}` ({evidence}), so \
                             the override only takes effect at `{should}`{ambiguous}{others}",
                            pick.original
                        ),
                    )
                    .status(OverrideStatus::Misplaced.as_str())
                    .original(&pick.original)
                    .data("similarity", pick.similarity)
                    .target_location(takes_effect_at(should))
                    .build();
                    return Ok((
                        finish(entry, OverrideStatus::Misplaced.as_str(), &f),
                        vec![f],
                    ));
                }
                None => Mapping::Addition,
            }
        }
        other => other,
    };
    let original = match mapping {
        Mapping::Requested(why) => {
            let rule = sh.rules.rule(RuleId::FC408);
            let f = Finding::new(
                rule,
                &file.path,
                format!(
                    "theme asset that takes effect: no upstream original for `{}` under the {svc} \
                     static roots, but {svc} serves this path ({why})",
                    file.rel,
                    svc = file.service.as_str()
                ),
            )
            .status(OverrideStatus::Addition.as_str())
            .data("served_because", why.as_str())
            .build();
            return Ok((
                finish(entry, OverrideStatus::Addition.as_str(), &f),
                vec![f],
            ));
        }
        Mapping::Addition | Mapping::SameName(_) => {
            if let Some((entry, f)) = dead(repo, sh, theme, file, entry.clone(), &ovr_bytes)? {
                return Ok((entry, vec![f]));
            }
            let rule = sh.rules.rule(RuleId::FC408);
            let what = if file.kind == FileKind::Template {
                "template"
            } else {
                "asset"
            };
            let f = Finding::new(
                rule,
                &file.path,
                format!(
                    "new theme {what}: no upstream original for `{}` under the {} {sub} roots",
                    file.rel,
                    file.service.as_str()
                ),
            )
            .status(OverrideStatus::Addition.as_str())
            .build();
            return Ok((
                finish(entry, OverrideStatus::Addition.as_str(), &f),
                vec![f],
            ));
        }
        Mapping::Misplaced {
            original,
            should_be,
        } => {
            let rule = sh.rules.rule(RuleId::FC406);
            let should = format!("{}/{}/{sub}/{}", theme.dir, should_be.as_str(), file.rel);
            entry.original = Some(original.clone());
            entry.should_live_at = Some(should.clone());
            let f = Finding::new(
                rule,
                &file.path,
                format!(
                    "overrides nothing: its original `{original}` is a {} file, so the override \
                     only takes effect at `{should}`",
                    should_be.as_str()
                ),
            )
            .status(OverrideStatus::Misplaced.as_str())
            .original(&original)
            .target_location(takes_effect_at(should))
            .build();
            return Ok((
                finish(entry, OverrideStatus::Misplaced.as_str(), &f),
                vec![f],
            ));
        }
        Mapping::Original(p) => p,
    };
    entry.original = Some(original.clone());
    let Some(base_blob) = sh.base_index.blob(&original) else {
        return Err(crate::Error::Other(format!(
            "internal error: `{original}` vanished from the base index"
        )));
    };
    let base_bytes = repo.blob_bytes(base_blob)?;
    let div = divergence(&base_bytes, &ovr_bytes)?;
    let redundant = base_blob == file.blob;
    entry.copied_from = closest_release(repo, sh.tags, &original, &ovr_bytes, sh.base_rev);
    let mut findings = Vec::new();

    // Against the target.
    let mut orphaned: Option<String> = None;
    let mut target_state: Option<(String, Oid)> = None;
    if let (Some(_), Some(tidx)) = (sh.target, sh.target_index) {
        match tidx.blob(&original) {
            Some(b) => target_state = Some((original.clone(), b)),
            None => {
                let remapped = match file.kind {
                    FileKind::Template => map_template(tidx, file.service, &file.rel),
                    FileKind::Static => map_static(tidx, file.service, &file.rel),
                };
                match remapped {
                    Mapping::Original(p) => {
                        if let Some(b) = tidx.blob(&p) {
                            target_state = Some((p, b));
                        }
                    }
                    _ => {
                        let moved = tidx
                            .blobs()
                            .filter(|(_, b)| *b == base_blob)
                            .map(|(p, _)| p.to_string())
                            .min();
                        let (commits, _) = sh.history.touching(&original, 1);
                        let mut why = match moved {
                            Some(m) => format!(
                                "`{original}` is gone in {}: its content moved to `{m}`, which \
                                 `{}` does not shadow",
                                sh.target_label, file.rel
                            ),
                            None => format!("`{original}` is removed in {}", sh.target_label),
                        };
                        if let Some(c) = commits.first() {
                            why.push_str(&format!(
                                " (upstream commit {}: {})",
                                &c.oid[..c.oid.len().min(10)],
                                c.summary
                            ));
                        }
                        orphaned = Some(why);
                    }
                }
            }
        }
    }

    if let Some(why) = orphaned {
        let rule = sh.rules.rule(RuleId::FC405);
        entry.divergence = Some(div.clone());
        let f = Finding::new(
            rule,
            &file.path,
            format!("orphaned override: {why}; after the upgrade this file takes no effect"),
        )
        .status(OverrideStatus::Orphaned.as_str())
        .original(&original)
        .build();
        findings.push(f);
        let status_finding = findings[0].clone();
        return Ok((
            finish(entry, OverrideStatus::Orphaned.as_str(), &status_finding),
            findings,
        ));
    }

    let stale = target_state
        .as_ref()
        .filter(|(_, tb)| *tb != base_blob)
        .map(|(tp, tb)| (tp.clone(), *tb));
    let mut target_bytes: Option<Vec<u8>> = None;
    if let (Some((tp, tb)), Some(_)) = (&stale, sh.target) {
        let tbytes = repo.blob_bytes(*tb)?;
        let delta = divergence(&base_bytes, &tbytes)?;
        let (change, details) = match language {
            Some(lang) if !delta.binary => {
                let (b, t) = (text(&base_bytes), text(&tbytes));
                let class = classify(lang, &b, &t);
                let details = if class == ChangeClass::Structural {
                    let d = structural_details(&scan(lang, &b), &scan(lang, &t));
                    if d.is_empty() {
                        vec![format!("markup changed in {} region(s)", delta.regions)]
                    } else {
                        d
                    }
                } else {
                    Vec::new()
                };
                (class, details)
            }
            _ if !delta.binary => {
                let class = classify(Lang::Plain, &text(&base_bytes), &text(&tbytes));
                (class, Vec::new())
            }
            _ => (ChangeClass::Structural, vec!["binary file replaced".into()]),
        };
        let (commits, total) = sh.history.touching(&original, COMMIT_CAP);
        entry.staleness = Some(Staleness {
            change,
            lines_added: delta.lines_added,
            lines_removed: delta.lines_removed,
            details,
            commits,
            commits_total: total,
            target_original: (tp != &original).then(|| tp.clone()),
        });
        target_bytes = Some(tbytes);
    }

    // Context risks: templates the fork changed, whose original changed upstream.
    if let (Some(lang), Some(tbytes), false) = (language, &target_bytes, redundant) {
        if matches!(lang, Lang::Mako | Lang::Django) {
            let (o, b, t) = (text(&ovr_bytes), text(&base_bytes), text(tbytes));
            let (oi, bi, ti) = (scan(lang, &o), scan(lang, &b), scan(lang, &t));
            let v = Versions {
                ovr: &oi,
                base: &bi,
                target: &ti,
                base_text: &b,
                target_text: &t,
            };
            entry.context_risks = context_risks(&v, sh.views, &file.rel);
        }
    }

    entry.divergence = Some(div.clone());
    if !redundant {
        if let Some((advice, text)) = suggestion(language, &div, &base_bytes, &ovr_bytes) {
            entry.advice = Some(advice.to_string());
            entry.suggestion = Some(text);
        }
    }
    let status_finding = if redundant {
        let rule = sh.rules.rule(RuleId::FC401);
        let extra = match &entry.staleness {
            Some(_) => format!(
                "; it also hides {}'s changes to the original",
                sh.target_label
            ),
            None => String::new(),
        };
        Finding::new(
            rule,
            &file.path,
            format!(
                "identical to {}'s `{original}`: delete the override{extra}",
                sh.base_label
            ),
        )
        .status(OverrideStatus::Redundant.as_str())
        .original(&original)
        .build()
    } else if let Some(st) = &entry.staleness {
        let (id, how) = match st.change {
            ChangeClass::Structural => (RuleId::FC403, "structurally"),
            ChangeClass::Cosmetic => (RuleId::FC404, "cosmetically only"),
        };
        let rule = sh.rules.rule(id);
        let details = if st.details.is_empty() {
            String::new()
        } else {
            format!(": {}", st.details.join(", "))
        };
        Finding::new(
            rule,
            &file.path,
            format!(
                "stale override: {} changes `{original}` {how} (+{} −{} lines{details}); the theme \
                 still serves {}'s version with the fork's changes",
                sh.target_label, st.lines_added, st.lines_removed, sh.base_label
            ),
        )
        .status(OverrideStatus::Stale.as_str())
        .original(&original)
        .data("change", st.change.as_str())
        .data("upstream_commits", st.commits_total)
        .build()
    } else {
        let rule = sh.rules.rule(RuleId::FC402);
        let how = if div.binary {
            "a different binary file".to_string()
        } else {
            format!(
                "+{} −{} lines in {} region{}, similarity {:.2}",
                div.lines_added,
                div.lines_removed,
                div.regions,
                if div.regions == 1 { "" } else { "s" },
                div.similarity
            )
        };
        Finding::new(
            rule,
            &file.path,
            match sh.target {
                Some(_) => format!(
                    "diverged from {}'s `{original}` ({how}); {} leaves the original unchanged",
                    sh.base_label, sh.target_label
                ),
                None => format!(
                    "diverged from {}'s `{original}` ({how}); no target release to check the \
                     original against",
                    sh.base_label
                ),
            },
        )
        .status(OverrideStatus::Diverged.as_str())
        .original(&original)
        .data("similarity", div.similarity)
        .build()
    };
    let status = status_finding.status.clone().unwrap_or_default();
    findings.push(status_finding.clone());
    for risk in &entry.context_risks {
        findings.push(risk_finding(sh, file, &original, risk)?);
    }
    Ok((finish(entry, &status, &status_finding), findings))
}

/// The upstream paths `file` would shadow (lookup order), in any release.
fn lookup_paths(file: &ThemeFile) -> Vec<String> {
    match file.kind {
        FileKind::Template => file
            .service
            .template_roots()
            .iter()
            .map(|root| format!("{root}/{}", file.rel))
            .collect(),
        FileKind::Static => vec![
            format!("{}/static/{}", file.service.as_str(), file.rel),
            format!("common/static/{}", file.rel),
        ],
    }
}

/// A theme file that overrides nothing at the base but overrode a file an earlier release had:
/// `dead` (FC410), with the release that removed the original and where its content went.
fn dead(
    repo: &Repo,
    sh: &Shared<'_>,
    theme: &Theme,
    file: &ThemeFile,
    mut entry: OverrideEntry,
    ovr: &[u8],
) -> Result<Option<(OverrideEntry, Finding)>> {
    let Some(gone) = removed_before_base(repo, sh.tags, &lookup_paths(file), sh.base_rev) else {
        return Ok(None);
    };
    // Where the content went: the same bytes anywhere in the base, else a base template of the
    // same file name similar to the removed one.
    let moved = match sh
        .base_index
        .blobs()
        .filter(|(_, b)| *b == gone.blob)
        .map(|(p, _)| p.to_string())
        .min()
    {
        Some(p) => Some((p, 1.0)),
        None if file.kind == FileKind::Template => {
            let old = repo.blob_bytes(gone.blob)?;
            let candidates = sh.base_index.same_name_elsewhere(file.service, &file.rel);
            closest_same_name(repo, sh.base_index, &candidates, &old)?
                .map(|pick| (pick.original, pick.similarity))
        }
        None => None,
    };
    let sub = match file.kind {
        FileKind::Template => "templates",
        FileKind::Static => "static",
    };
    let advice = match &moved {
        Some((p, sim)) => {
            let rel = p
                .split_once(&format!("/{sub}/"))
                .map_or(p.as_str(), |(_, r)| r);
            format!(
                "its content moved to `{p}` (similarity {sim:.2}): port the customisation to \
                 `{}/{}/{sub}/{rel}` and delete this file",
                theme.dir,
                file.service.as_str()
            )
        }
        None => "delete it".to_string(),
    };
    let rule = sh.rules.rule(RuleId::FC410);
    entry.original = Some(gone.path.clone());
    entry.copied_from = closest_release(repo, sh.tags, &gone.path, ovr, &gone.last_rev);
    let mut b = Finding::new(
        rule,
        &file.path,
        format!(
            "dead override: `{}` was last in {} and {} removed it, so this file overrides \
             nothing in {}; {advice}",
            gone.path, gone.last_release, gone.removed_in, sh.base_label
        ),
    )
    .status(OverrideStatus::Dead.as_str())
    .original(&gone.path)
    .data("last_release", gone.last_release.as_str())
    .data("removed_in", gone.removed_in.as_str());
    if let Some((p, _)) = &moved {
        b = b.data("moved_to", p.as_str());
    }
    let f = b.build();
    Ok(Some((finish(entry, OverrideStatus::Dead.as_str(), &f), f)))
}

fn finish(mut entry: OverrideEntry, status: &str, f: &Finding) -> OverrideEntry {
    entry.status = status.to_string();
    entry.rule = f.rule.clone();
    entry.severity = f.severity;
    entry
}

fn risk_finding(
    sh: &Shared<'_>,
    file: &ThemeFile,
    original: &str,
    risk: &ContextRisk,
) -> Result<Finding> {
    let rule = sh.rules.rule(RuleId::FC407);
    let t = sh.target_label;
    let view = risk
        .view
        .as_deref()
        .map(|v| format!(" (and the view `{v}` no longer passes it)"))
        .unwrap_or_default();
    let message = match risk.change.as_str() {
        "renamed" => format!(
            "{t} renames the context name `{}` to `{}` in `{original}`{view}; this override still reads `{}`",
            risk.name,
            risk.renamed_to.as_deref().unwrap_or("?"),
            risk.name
        ),
        "removed" => format!(
            "{t}'s `{original}` no longer reads `{}`{view}, but this override does",
            risk.name
        ),
        "added" => format!(
            "{t}'s `{original}` newly reads `{}`; this override does not",
            risk.name
        ),
        "page-arg" => format!(
            "{t}'s `{original}` declares a new `<%page>` argument `{}` that callers may pass; this override does not declare it",
            risk.name
        ),
        _ => format!(
            "the view `{}` no longer passes `{}` in {t}, but this override reads it",
            risk.view.as_deref().unwrap_or("?"),
            risk.name
        ),
    };
    let mut b = Finding::new(rule, &file.path, message)
        .status("context-change")
        .original(original)
        .key(&risk.name)
        .line_opt(risk.line)
        .data("change", risk.change.as_str());
    if let Some(to) = &risk.renamed_to {
        b = b.data("renamed_to", to.as_str());
    }
    if risk.target_line.is_some() {
        b = b.target_location(Location {
            path: original.to_string(),
            line: risk.target_line,
            rev: Some(t.to_string()),
            note: None,
        });
    }
    if let Some(v) = &risk.view {
        b = b.related(Location {
            path: v.clone(),
            line: None,
            rev: Some(t.to_string()),
            note: Some("view that renders the template".into()),
        });
    }
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::same_name::pick_same_name;
    use super::*;

    fn cand(path: &str, sim: f64) -> (String, String, f64) {
        let rel = path.split_once("/templates/").map_or(path, |(_, r)| r);
        (path.to_string(), rel.to_string(), sim)
    }

    #[test]
    fn same_name_pick_by_similarity() {
        let a = "lms/templates/courseware/navbar.html";
        let b = "lms/templates/header/navbar.html";
        // The most similar wins, whatever the path order.
        let p = pick_same_name(vec![cand(a, 0.4), cand(b, 0.9)]).expect("a pick");
        assert_eq!(
            (p.original.as_str(), p.rel.as_str()),
            (b, "header/navbar.html")
        );
        assert!(!p.ambiguous);
        assert_eq!(p.others, vec![(a.to_string(), 0.4)]);
        // Two about as similar: the first path, said to be ambiguous.
        let p = pick_same_name(vec![cand(a, 0.8), cand(b, 0.82)]).expect("a pick");
        assert_eq!(p.original, b);
        assert!(p.ambiguous);
        let p = pick_same_name(vec![cand(a, 0.8), cand(b, 0.8)]).expect("a pick");
        assert_eq!(p.original, a);
        assert!(p.ambiguous);
        // Nothing similar enough: no misplacement (a new template of the theme).
        assert!(pick_same_name(vec![cand(a, 0.1), cand(b, 0.29)]).is_none());
        assert!(pick_same_name(Vec::new()).is_none());
    }

    #[test]
    fn rewrite_and_translation_advice() {
        let base =
            "<%page expression_filter=\"h\"/>\n<main aria-label=\"Content\">\n<p>x</p>\n</main>\n";
        let i18n = base.replace("\"Content\"", "\"${_('Content')}\"");
        let div = divergence(base.as_bytes(), i18n.as_bytes()).expect("diff");
        let (kind, _) =
            suggestion(Some(Lang::Mako), &div, base.as_bytes(), i18n.as_bytes()).expect("advice");
        assert_eq!(kind, "i18n");
        let rewrite = "<div class=\"ours\">\n<ul><li>a</li></ul>\n</div>\n";
        let div = divergence(base.as_bytes(), rewrite.as_bytes()).expect("diff");
        assert!(div.similarity < REWRITE_SIMILARITY);
        let (kind, text) = suggestion(Some(Lang::Mako), &div, base.as_bytes(), rewrite.as_bytes())
            .expect("advice");
        assert_eq!(kind, "rewrite");
        assert!(!text.contains("<%inherit>"), "{text}");
    }
}
