//! Context risks of an override: names the override reads that the target's original no longer
//! reads (renamed when the same upstream change introduced a new name in their place), names
//! the target's original newly reads that the override lacks, new `<%page>` args, and keys the
//! upstream view stopped passing.

use std::collections::{BTreeMap, BTreeSet};

use crate::changes::diff::line_hunks;

use super::model::ContextRisk;
use super::scan::{find_word_line, TemplateInfo};
use super::views;

/// A Python file changed between base and target (candidate view), both versions.
#[derive(Debug, Clone)]
pub struct ViewFile {
    pub path: String,
    pub base: String,
    pub target: String,
}

/// Inputs for one override: the three scans and texts.
pub struct Versions<'a> {
    pub ovr: &'a TemplateInfo,
    pub base: &'a TemplateInfo,
    pub target: &'a TemplateInfo,
    pub base_text: &'a str,
    pub target_text: &'a str,
}

/// Pair removed and added names that the base→target line diff replaced in the same region.
fn renames(
    v: &Versions<'_>,
    removed: &BTreeSet<&String>,
    added: &BTreeSet<&String>,
) -> BTreeMap<String, String> {
    // A failing line diff (it does not fail on text) leaves the names unpaired.
    let hunks = line_hunks(v.base_text.as_bytes(), v.target_text.as_bytes()).unwrap_or_default();
    let mut pairs = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for r in removed {
        let Some(&lb) = v.base.free.get(*r) else {
            continue;
        };
        let lb = lb.saturating_sub(1) as usize;
        // Regions where the target replaced base lines by other lines.
        for h in hunks.iter().filter(|h| h.o0 < h.o1 && h.n0 < h.n1) {
            let (old_index, old_len, new_index, new_len) = (h.o0, h.o1 - h.o0, h.n0, h.n1 - h.n0);
            {
                if !(old_index..old_index + old_len).contains(&lb) {
                    continue;
                }
                let candidate = added.iter().find(|a| {
                    !used.contains(a.as_str())
                        && v.target.free.get(a.as_str()).is_some_and(|&lt| {
                            (new_index..new_index + new_len)
                                .contains(&(lt.saturating_sub(1) as usize))
                        })
                });
                if let Some(a) = candidate {
                    used.insert((*a).clone());
                    pairs.insert((*r).clone(), (*a).clone());
                }
            }
        }
    }
    pairs
}

/// The risks of one override (see the module docs). `rel` is the template's path relative to
/// its root, used to find views that render it.
pub fn context_risks(v: &Versions<'_>, view_files: &[ViewFile], rel: &str) -> Vec<ContextRisk> {
    let base_names: BTreeSet<&String> = v.base.free.keys().collect();
    let target_names: BTreeSet<&String> = v.target.free.keys().collect();
    let removed: BTreeSet<&String> = base_names.difference(&target_names).copied().collect();
    let added: BTreeSet<&String> = target_names.difference(&base_names).copied().collect();
    let pairs = renames(v, &removed, &added);
    let mut risks: Vec<ContextRisk> = Vec::new();
    let mut reported_added: BTreeSet<String> = BTreeSet::new();
    for r in &removed {
        let Some(&line) = v.ovr.free.get(*r) else {
            continue;
        };
        match pairs.get(*r) {
            Some(a) => {
                reported_added.insert(a.clone());
                risks.push(ContextRisk {
                    name: (*r).clone(),
                    change: "renamed".into(),
                    renamed_to: Some(a.clone()),
                    line: Some(line),
                    target_line: v.target.free.get(a).copied(),
                    view: None,
                });
            }
            None => risks.push(ContextRisk {
                name: (*r).clone(),
                change: "removed".into(),
                renamed_to: None,
                line: Some(line),
                target_line: None,
                view: None,
            }),
        }
    }
    for a in &added {
        if reported_added.contains(*a) || v.ovr.free.contains_key(*a) {
            continue;
        }
        risks.push(ContextRisk {
            name: (*a).clone(),
            change: "added".into(),
            renamed_to: None,
            line: None,
            target_line: v.target.free.get(*a).copied(),
            view: None,
        });
    }
    for arg in v.target.page_args.keys() {
        if v.base.page_args.contains_key(arg) || v.ovr.page_args.contains_key(arg) {
            continue;
        }
        risks.push(ContextRisk {
            name: arg.clone(),
            change: "page-arg".into(),
            renamed_to: None,
            line: None,
            target_line: find_word_line(v.target_text, arg),
            view: None,
        });
    }
    for vf in view_files {
        let (Some(before), Some(after)) = (
            views::context_keys(&vf.base, rel),
            views::context_keys(&vf.target, rel),
        ) else {
            continue;
        };
        for key in before.keys().filter(|k| !after.contains_key(*k)) {
            if let Some(risk) = risks.iter_mut().find(|r| &r.name == key) {
                risk.view.get_or_insert_with(|| vf.path.clone());
                continue;
            }
            if let Some(&line) = v.ovr.free.get(key) {
                risks.push(ContextRisk {
                    name: key.clone(),
                    change: "view-removed".into(),
                    renamed_to: None,
                    line: Some(line),
                    target_line: None,
                    view: Some(vf.path.clone()),
                });
            }
        }
    }
    risks.sort_by(|a, b| (a.line, &a.name).cmp(&(b.line, &b.name)));
    risks
}

#[cfg(test)]
mod tests {
    use super::super::scan::{scan, Lang};
    use super::*;

    #[test]
    fn rename_is_one_risk_with_both_lines_and_the_view() {
        let base = "<%inherit file=\"main.html\"/>\n<section>\n${homepage_overlay_html}\n</section>\n% for c in courses:\n${c}\n% endfor\n";
        let target = "<%inherit file=\"main.html\"/>\n<section>\n${homepage_overlay_content}\n</section>\n% for c in courses:\n${c}\n% endfor\n${show_banner}\n";
        let ovr = "<%inherit file=\"main.html\"/>\n<h1>Acme</h1>\n<section class=\"acme\">\n${homepage_overlay_html}\n</section>\n";
        let (b, t, o) = (
            scan(Lang::Mako, base),
            scan(Lang::Mako, target),
            scan(Lang::Mako, ovr),
        );
        let v = Versions {
            ovr: &o,
            base: &b,
            target: &t,
            base_text: base,
            target_text: target,
        };
        let view = ViewFile {
            path: "lms/djangoapps/branding/views.py".into(),
            base: "context = {'homepage_overlay_html': x}\nrender_to_response('index.html', context)\n".into(),
            target: "context = {'homepage_overlay_content': x}\nrender_to_response('index.html', context)\n".into(),
        };
        let risks = context_risks(&v, &[view], "index.html");
        assert_eq!(risks.len(), 2, "{risks:?}");
        assert_eq!(risks[0].change, "added");
        assert_eq!(risks[0].name, "show_banner");
        assert_eq!(risks[0].target_line, Some(8));
        let r = &risks[1];
        assert_eq!(
            (
                r.name.as_str(),
                r.change.as_str(),
                r.renamed_to.as_deref(),
                r.line,
                r.target_line
            ),
            (
                "homepage_overlay_html",
                "renamed",
                Some("homepage_overlay_content"),
                Some(4),
                Some(3)
            )
        );
        assert_eq!(r.view.as_deref(), Some("lms/djangoapps/branding/views.py"));
    }
}
