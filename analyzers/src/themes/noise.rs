//! Is an upstream template change noise? A change is *cosmetic* when the two versions are equal
//! after removing whitespace, comments (`##`, `<%doc>`, `{# #}`, `{% comment %}`, `<!-- -->`),
//! i18n wrappers (`_()`, `${_(…)}`, `{% trans %}`, `{% blocktrans %}`) and static URL helpers
//! (`static.url()`, `{% static %}`); anything else is *structural*, described by what changed in
//! the template's structure (blocks, includes, inherits, namespaces, page args, context names).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::scan::{Lang, TemplateInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeClass {
    Cosmetic,
    Structural,
}

impl ChangeClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::Cosmetic => "cosmetic",
            ChangeClass::Structural => "structural",
        }
    }
}

/// Classify the change `before` → `after` of a template in `lang`.
pub fn classify(lang: Lang, before: &str, after: &str) -> ChangeClass {
    if lang == Lang::Underscore {
        // Underscore has no server-side context; only whitespace and comments are noise.
        return if squash(&strip_html_comments(before)) == squash(&strip_html_comments(after)) {
            ChangeClass::Cosmetic
        } else {
            ChangeClass::Structural
        };
    }
    if normalize(lang, before) == normalize(lang, after) {
        ChangeClass::Cosmetic
    } else {
        ChangeClass::Structural
    }
}

/// The text with noise removed (see the module docs); whitespace is dropped entirely.
pub fn normalize(lang: Lang, text: &str) -> String {
    let mut t = strip_html_comments(text);
    if lang != Lang::Django {
        t = remove_between(&t, "<%doc>", "</%doc>");
        t = t
            .lines()
            .filter(|l| !l.trim_start().starts_with("##"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    if lang != Lang::Mako {
        t = remove_between(&t, "{#", "#}");
        t = remove_between(&t, "{% comment %}", "{% endcomment %}");
        t = django_i18n(&t);
    }
    t = unwrap_calls(&t, &["_", "gettext", "ugettext", "Text", "static.url"]);
    t = unwrap_literal_expressions(&t);
    squash(&t)
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn strip_html_comments(text: &str) -> String {
    remove_between(text, "<!--", "-->")
}

/// Remove every `open … close` span (an unterminated one runs to the end).
fn remove_between(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find(open) {
        out.push_str(&rest[..p]);
        rest = &rest[p + open.len()..];
        match rest.find(close) {
            Some(q) => rest = &rest[q + close.len()..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// `NAME("lit")` / `NAME('lit')` → `"lit"` for the given call names (not attribute calls of
/// other objects: `x._("a")` is left alone unless `x._` is listed).
fn unwrap_calls(text: &str, names: &[&str]) -> String {
    let mut t = text.to_string();
    for name in names {
        let pat = format!("{name}(");
        let mut out = String::with_capacity(t.len());
        let mut rest = t.as_str();
        while let Some(p) = rest.find(&pat) {
            let before = rest[..p].chars().next_back();
            let boundary =
                !matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == '.');
            let after = &rest[p + pat.len()..];
            let lit = boundary.then(|| leading_literal(after)).flatten();
            match lit {
                Some(len) if after[len..].trim_start().starts_with(')') => {
                    out.push_str(&rest[..p]);
                    out.push_str(&after[..len]);
                    let close = after[len..].find(')').map_or(after.len(), |q| len + q + 1);
                    rest = &after[close..];
                }
                _ => {
                    out.push_str(&rest[..p + pat.len()]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        t = out;
    }
    t
}

/// Byte length of a quoted string literal at the start of `s` (after spaces), if any.
fn leading_literal(s: &str) -> Option<usize> {
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    let q = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut escaped = false;
    for (i, c) in trimmed.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == q {
            return Some(lead + i + 1);
        }
    }
    None
}

/// `${"text"}` → `text`: an expression that is just a literal renders as the literal.
fn unwrap_literal_expressions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        match leading_literal(after) {
            Some(len) if after[len..].trim_start().starts_with('}') => {
                let lit = after[..len].trim();
                out.push_str(&lit[1..lit.len().saturating_sub(1).max(1)]);
                let close = after[len..].find('}').map_or(after.len(), |q| len + q + 1);
                rest = &after[close..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Django i18n and static tags → their text: `{% trans "x" %}` → `x`, `{% static 'x' %}` → `x`,
/// `{% blocktrans %}`/`{% endblocktrans %}` and `{% load … %}` dropped.
fn django_i18n(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find("{%") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        let Some(end) = after.find("%}") else {
            out.push_str(&rest[p..]);
            rest = "";
            break;
        };
        let body = after[..end].trim();
        let mut words = body.splitn(2, char::is_whitespace);
        let tag = words.next().unwrap_or("");
        let arg = words.next().unwrap_or("").trim();
        match tag {
            "trans" | "translate" | "static" if !arg.contains(" as ") => {
                out.push_str(arg.trim_matches(|c| c == '"' || c == '\''));
            }
            "blocktrans" | "blocktranslate" | "endblocktrans" | "endblocktranslate" | "load"
                if !arg.contains('=') => {}
            _ => out.push_str(&rest[p..p + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// What changed in the template's structure, one phrase per change (empty when nothing did).
pub fn structural_details(before: &TemplateInfo, after: &TemplateInfo) -> Vec<String> {
    let mut out = Vec::new();
    set_diff(&mut out, "block", &before.blocks, &after.blocks);
    set_diff(&mut out, "def", &before.defs, &after.defs);
    set_diff(&mut out, "include", &before.includes, &after.includes);
    set_diff(&mut out, "namespace", &before.namespaces, &after.namespaces);
    if before.inherits != after.inherits {
        out.push(format!(
            "inherits {} instead of {}",
            after
                .inherits
                .as_deref()
                .map_or("nothing".into(), |s| format!("`{s}`")),
            before
                .inherits
                .as_deref()
                .map_or("nothing".into(), |s| format!("`{s}`")),
        ));
    }
    let keys = |m: &BTreeMap<String, bool>| m.keys().cloned().collect::<BTreeSet<_>>();
    set_diff(
        &mut out,
        "page arg",
        &keys(&before.page_args),
        &keys(&after.page_args),
    );
    let names = |m: &BTreeMap<String, u32>| m.keys().cloned().collect::<BTreeSet<_>>();
    set_diff(
        &mut out,
        "context name",
        &names(&before.free),
        &names(&after.free),
    );
    out
}

fn set_diff(
    out: &mut Vec<String>,
    what: &str,
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
) {
    for added in after.difference(before) {
        out.push(format!("{what} `{added}` added"));
    }
    for removed in before.difference(after) {
        out.push(format!("{what} `{removed}` removed"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;

    #[test]
    fn cosmetic_mako_changes() {
        let before = "<h1>Courses</h1>\n<a href=\"/static/x.png\">x</a>\n% if courses:\n  ${len(courses)}\n% endif\n";
        let after = "## list of courses\n<h1>${_(\"Courses\")}</h1>\n<a href=\"${static.url('/static/x.png')}\">x</a>\n%   if courses:\n      ${len(courses)}\n% endif\n<%doc>notes</%doc>\n";
        assert_eq!(classify(Lang::Mako, before, after), ChangeClass::Cosmetic);
    }

    #[test]
    fn structural_mako_changes() {
        let before = "<%inherit file=\"main.html\"/>\n${homepage_overlay_html}\n";
        let after = "<%inherit file=\"main.html\"/>\n${homepage_overlay_content}\n";
        assert_eq!(classify(Lang::Mako, before, after), ChangeClass::Structural);
        let details = structural_details(&scan(Lang::Mako, before), &scan(Lang::Mako, after));
        assert_eq!(
            details,
            vec![
                "context name `homepage_overlay_content` added",
                "context name `homepage_overlay_html` removed"
            ]
        );
        let after = "<%inherit file=\"main.html\"/>\n<%include file=\"navbar-banner.html\"/>\n<%block name=\"navbar_banner\"></%block>\n${homepage_overlay_html}\n";
        let details = structural_details(&scan(Lang::Mako, before), &scan(Lang::Mako, after));
        assert_eq!(
            details,
            vec![
                "block `navbar_banner` added",
                "include `navbar-banner.html` added"
            ]
        );
    }

    #[test]
    fn cosmetic_django_changes() {
        let before = "{% load i18n %}<p>Activate</p>{# old #}";
        let after = "{% load i18n static %}\n<p>{% trans \"Activate\" %}</p>\n{% comment %}why{% endcomment %}";
        assert_eq!(classify(Lang::Django, before, after), ChangeClass::Cosmetic);
        let after = "<p>{% trans \"Activate\" %} {{ name }}</p>";
        assert_eq!(
            classify(Lang::Django, before, after),
            ChangeClass::Structural
        );
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in ["${\"", "_(\"", "{% trans", "<%doc>", "${'a'", "_('é')"] {
            let _ = normalize(Lang::Mako, s);
            let _ = normalize(Lang::Django, s);
        }
    }
}
