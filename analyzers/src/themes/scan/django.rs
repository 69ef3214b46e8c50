//! Django template scanner: `{{ var|filter:arg }}`, `{% tag … %}` (extends, include … with,
//! block, for … in, with, if/elif, url/trans/static … as v, blocktrans with …), `{# #}` and
//! `{% comment %}` skipped. Loop variables and `as`/`with` names are bound, not free.

use super::{line_of, newline_offsets, Collector, TemplateInfo};

const OPERATORS: &[&str] = &[
    "and", "or", "not", "in", "is", "reversed", "only", "with", "as",
];

pub fn scan(text: &str) -> TemplateInfo {
    let newlines = newline_offsets(text);
    let mut c = Collector::default();
    let mut i = 0usize;
    while i < text.len() {
        let Some(p) = text[i..].find('{') else { break };
        let at = i + p;
        let rest = &text[at..];
        if rest.starts_with("{#") {
            i = past(text, at, "#}");
        } else if rest.starts_with("{{") {
            let end = text[at + 2..].find("}}").map_or(text.len(), |q| at + 2 + q);
            variable_expr(&mut c, &text[at + 2..end], line_of(&newlines, at));
            i = (end + 2).min(text.len());
        } else if rest.starts_with("{%") {
            let end = text[at + 2..].find("%}").map_or(text.len(), |q| at + 2 + q);
            let body = text[at + 2..end].trim();
            let line = line_of(&newlines, at);
            i = (end + 2).min(text.len());
            let name = body.split_whitespace().next().unwrap_or("");
            match name {
                "comment" => i = past(text, i, "{% endcomment %}"),
                "verbatim" => i = past(text, i, "{% endverbatim %}"),
                _ => tag(&mut c, body, line),
            }
        } else {
            i = at + 1;
        }
    }
    c.finish()
}

fn past(text: &str, from: usize, end: &str) -> usize {
    text[from.min(text.len())..]
        .find(end)
        .map_or(text.len(), |p| from + p + end.len())
}

/// Split a tag body into tokens, keeping quoted strings whole.
fn tokens(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for ch in body.chars() {
        match quote {
            Some(q) => {
                cur.push(ch);
                if ch == q {
                    quote = None;
                }
            }
            None if ch == '"' || ch == '\'' => {
                cur.push(ch);
                quote = Some(ch);
            }
            None if ch.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(ch),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_quoted(s: &str) -> bool {
    s.starts_with('"') || s.starts_with('\'') || s.starts_with("_(")
}

/// `var.attr|filter:arg|filter` — the root variable and variable filter arguments.
fn variable_expr(c: &mut Collector, expr: &str, line: u32) {
    let mut parts = expr.split('|');
    if let Some(first) = parts.next() {
        variable(c, first.trim(), line);
    }
    for filter in parts {
        if let Some((_, arg)) = filter.split_once(':') {
            variable(c, arg.trim(), line);
        }
    }
}

/// One variable reference: `a.b.0` uses `a`; literals and numbers use nothing.
fn variable(c: &mut Collector, v: &str, line: u32) {
    if v.is_empty() || is_quoted(v) {
        return;
    }
    let root = v.split('.').next().unwrap_or("");
    let valid = root
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
        && root
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    if valid && !matches!(root, "True" | "False" | "None") {
        c.use_name(root, line);
    }
}

/// Handle `k=v` (bind `k` when `binds`, use `v`) or a bare value token.
fn arg(c: &mut Collector, tok: &str, line: u32, binds: bool) {
    match tok.split_once('=') {
        Some((k, v)) if !k.is_empty() && !v.starts_with('=') => {
            if binds {
                c.bind(k);
            }
            variable_expr(c, v, line);
        }
        _ => variable_expr(c, tok, line),
    }
}

fn tag(c: &mut Collector, body: &str, line: u32) {
    let toks = tokens(body);
    let Some(name) = toks.first().map(String::as_str) else {
        return;
    };
    let args = &toks[1..];
    match name {
        "extends" => {
            if let Some(t) = args.first() {
                if is_quoted(t) {
                    c.info.inherits = Some(unquote(t));
                } else {
                    variable(c, t, line);
                }
            }
        }
        "include" => {
            if let Some(t) = args.first() {
                if is_quoted(t) {
                    c.info.includes.insert(unquote(t));
                } else {
                    variable(c, t, line);
                }
            }
            for t in args.iter().skip(1) {
                if !OPERATORS.contains(&t.as_str()) {
                    arg(c, t, line, false);
                }
            }
        }
        "block" => {
            if let Some(b) = args.first() {
                c.info.blocks.insert(b.clone());
            }
        }
        "for" => {
            let in_pos = args.iter().position(|t| t == "in");
            if let Some(p) = in_pos {
                for t in &args[..p] {
                    for n in t.split(',') {
                        if !n.is_empty() {
                            c.bind(n);
                        }
                    }
                }
                for t in &args[p + 1..] {
                    if t != "reversed" {
                        variable_expr(c, t, line);
                    }
                }
            }
        }
        "with" | "blocktrans" | "blocktranslate" => {
            let mut k = 0;
            while k < args.len() {
                let t = &args[k];
                if k + 2 < args.len() && args[k + 1] == "as" {
                    variable_expr(c, t, line);
                    c.bind(&args[k + 2]);
                    k += 3;
                    continue;
                }
                if t == "asvar" {
                    if let Some(v) = args.get(k + 1) {
                        c.bind(v);
                    }
                    k += 2;
                    continue;
                }
                if !matches!(t.as_str(), "with" | "count" | "trimmed" | "context") {
                    arg(c, t, line, true);
                }
                k += 1;
            }
        }
        "load" | "csrf_token" | "now" | "templatetag" | "lorem" | "debug" | "spaceless"
        | "autoescape" | "else" | "empty" => {}
        _ if name.starts_with("end") => {}
        _ => {
            // if/elif/url/trans/static/firstof/cycle/…: variables are uses; `as v` binds v.
            let mut k = 0;
            while k < args.len() {
                let t = &args[k];
                if t == "as" {
                    if let Some(v) = args.get(k + 1) {
                        c.bind(v);
                    }
                    k += 2;
                    continue;
                }
                let is_op =
                    OPERATORS.contains(&t.as_str()) || t.chars().all(|ch| "=!<>".contains(ch));
                if !is_op {
                    arg(c, t, line, false);
                }
                k += 1;
            }
        }
    }
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{% extends 'ace_common/edx_ace/common/base_body.html' %}
{% load i18n static %}
{# {{ commented_out }} #}
{% block content %}
<p>{% blocktrans with name=user_name %}Welcome, {{ name }}!{% endblocktrans %}</p>
{% if confirm_activation_link and not is_mobile %}
  <a href="{{ confirm_activation_link|safe }}">{% trans "Activate" as activate_label %}{{ activate_label }}</a>
{% endif %}
{% for item in items reversed %}{{ item.title|default:fallback_title }} {{ forloop.counter }}{% endfor %}
{% include "emails/footer.html" with site=site_name only %}
{% url 'dashboard' course_id as dash %}{{ dash }}
{% comment %}{{ hidden }}{% endcomment %}
{% endblock %}
"#;

    #[test]
    fn extracts_free_names_and_structure() {
        let info = scan(BODY);
        let free: Vec<(&str, u32)> = info.free.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            free,
            vec![
                ("confirm_activation_link", 6),
                ("course_id", 11),
                ("fallback_title", 9),
                ("is_mobile", 6),
                ("items", 9),
                ("site_name", 10),
                ("user_name", 5),
            ]
        );
        assert_eq!(
            info.inherits.as_deref(),
            Some("ace_common/edx_ace/common/base_body.html")
        );
        assert!(info.blocks.contains("content"));
        assert!(info.includes.contains("emails/footer.html"));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            "{{",
            "{%",
            "{% for %}",
            "{% with as %}",
            "{#",
            "{% extends %}",
            "{{ |:| }}",
        ] {
            let _ = scan(src);
        }
    }
}
