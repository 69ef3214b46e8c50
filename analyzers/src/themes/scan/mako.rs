//! Mako scanner: `${expr | filters}`, `% if/for/…` control lines, `<% %>` / `<%! %>` code,
//! `<%page args>`, `<%inherit>`, `<%namespace>`, `<%include args>`, `<%block>`, `<%def>`,
//! `<%call expr>`, custom `<%ns:tag attr="${…}"/>` tags; `##` comments, `<%doc>` and `<%text>`
//! are skipped. Local bindings (`<% x = … %>`, `% for x in …`, imports, def params, namespace
//! names) are excluded from the free names.

use super::python::{self, split_top};
use super::{line_of, newline_offsets, Collector, TemplateInfo};

pub fn scan(text: &str) -> TemplateInfo {
    let newlines = newline_offsets(text);
    let mut c = Collector::default();
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut at_line_start = true;
    while i < bytes.len() {
        if at_line_start {
            at_line_start = false;
            let line_end = text[i..].find('\n').map_or(text.len(), |p| i + p);
            let line = &text[i..line_end];
            let t = line.trim_start();
            if t.starts_with("##") {
                i = line_end;
                continue;
            }
            if let Some(stmt) = t.strip_prefix('%') {
                if !stmt.starts_with('%') {
                    let ln = line_of(&newlines, i);
                    c.names(python::statement(stmt), ln);
                    i = line_end;
                    continue;
                }
            }
        }
        let b = bytes[i];
        if b == b'\n' {
            at_line_start = true;
            i += 1;
            continue;
        }
        let rest = &text[i..];
        if rest.starts_with("<%doc>") {
            i = skip_past(text, i, "</%doc>");
        } else if rest.starts_with("<%text>") {
            i = skip_past(text, i, "</%text>");
        } else if rest.starts_with("<%!")
            || rest.starts_with("<%\n")
            || rest.starts_with("<% ")
            || rest.starts_with("<%\r")
            || rest.starts_with("<%\t")
        {
            let start = i + if rest.starts_with("<%!") { 3 } else { 2 };
            let end = text[start..].find("%>").map_or(text.len(), |p| start + p);
            code_block(&mut c, &text[start..end], line_of(&newlines, start));
            i = (end + 2).min(text.len());
        } else if rest.starts_with("</%") {
            i = skip_past(text, i, ">");
        } else if rest.starts_with("<%") {
            let end = tag_end(text, i);
            tag(
                &mut c,
                &text[i..end],
                line_of(&newlines, i),
                text,
                i,
                &newlines,
            );
            i = end;
        } else if rest.starts_with("${") {
            let end = brace_end(text, i + 1);
            // `end` is just past the closing `}` (or the end of an unterminated text)
            let inner_end = if text[..end].ends_with('}') {
                end - 1
            } else {
                end
            };
            if let Some(inner) = text.get(i + 2..inner_end.max(i + 2)) {
                expression(&mut c, inner, line_of(&newlines, i));
            }
            i = end;
        } else {
            // advance one UTF-8 character
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    c.finish()
}

/// Index just past the first `end` at or after `from`; the end of the text when absent.
fn skip_past(text: &str, from: usize, end: &str) -> usize {
    text[from..]
        .find(end)
        .map_or(text.len(), |p| from + p + end.len())
}

/// Index just past the `}` matching the `{` at `open`, respecting strings and nesting.
fn brace_end(text: &str, open: usize) -> usize {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (off, ch) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' => quote = Some(ch),
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + off + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Index just past the `>` closing the tag opened at `start`, respecting quoted attributes
/// (which may contain `>` inside `${…}`).
fn tag_end(text: &str, start: usize) -> usize {
    let mut quote: Option<char> = None;
    for (off, ch) in text[start..].char_indices() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '"' || ch == '\'' => quote = Some(ch),
            None if ch == '>' => return start + off + 1,
            None => {}
        }
    }
    text.len()
}

/// `${expr | filter, filter}`: the expression's names; filters are not context.
fn expression(c: &mut Collector, inner: &str, line: u32) {
    let parts = split_top(inner, '|');
    if let Some(e) = parts.first() {
        c.names(python::expr(e), line);
    }
}

/// A `<% … %>` or `<%! … %>` block: statements line by line.
fn code_block(c: &mut Collector, code: &str, first_line: u32) {
    for (k, line) in code.lines().enumerate() {
        let ln = first_line.saturating_add(u32::try_from(k).unwrap_or(0));
        c.names(python::statement(line), ln);
    }
}

/// Attributes `name="value"` of a tag (quotes single or double).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = tag.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '=' && i + 1 < chars.len() && (chars[i + 1] == '"' || chars[i + 1] == '\'') {
            let mut s = i;
            while s > 0 && (chars[s - 1].is_alphanumeric() || chars[s - 1] == '_') {
                s -= 1;
            }
            let name: String = chars[s..i].iter().collect();
            let q = chars[i + 1];
            let mut e = i + 2;
            while e < chars.len() && chars[e] != q {
                e += 1;
            }
            let value: String = chars[(i + 2).min(chars.len())..e.min(chars.len())]
                .iter()
                .collect();
            out.push((name, value));
            i = e + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A `<%name …>` tag.
fn tag(c: &mut Collector, tag: &str, line: u32, text: &str, start: usize, newlines: &[usize]) {
    let body = tag.trim_start_matches("<%");
    let name: String = body
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == ':' || *ch == '.')
        .collect();
    let attrs = attributes(tag);
    match name.as_str() {
        "page" => {
            if let Some(args) = attr(&attrs, "args") {
                for p in split_top(args, ',') {
                    let p = p.trim().trim_start_matches('*');
                    let (n, default) = match p.split_once('=') {
                        Some((n, d)) => (n.trim(), Some(d)),
                        None => (p, None),
                    };
                    if !n.is_empty() {
                        c.info.page_args.insert(n.to_string(), default.is_some());
                    }
                    if let Some(d) = default {
                        c.names(python::expr(d), line);
                    }
                }
            }
        }
        "inherit" => c.info.inherits = attr(&attrs, "file").map(str::to_string),
        "namespace" => {
            if let Some(n) = attr(&attrs, "name") {
                c.bind(n);
            }
            if let Some(target) = attr(&attrs, "file").or_else(|| attr(&attrs, "module")) {
                c.info.namespaces.insert(target.to_string());
            }
            if let Some(imports) = attr(&attrs, "import") {
                for n in imports.split(',') {
                    let n = n.trim();
                    if n != "*" && !n.is_empty() {
                        c.bind(n);
                    }
                }
            }
        }
        "include" => {
            if let Some(file) = attr(&attrs, "file") {
                include_target(c, file, line);
            }
            if let Some(args) = attr(&attrs, "args") {
                call_args(c, args, line);
            }
        }
        "block" => {
            if let Some(n) = attr(&attrs, "name") {
                c.info.blocks.insert(n.to_string());
            }
            if let Some(args) = attr(&attrs, "args") {
                let mut names = python::Names::default();
                python::params_into(args, &mut names);
                c.names(names, line);
            }
        }
        "def" => {
            if let Some(sig) = attr(&attrs, "name") {
                let (n, params) = sig.split_once('(').unwrap_or((sig, ""));
                c.info.defs.insert(n.trim().to_string());
                let mut names = python::Names::default();
                python::params_into(params.trim_end_matches(')'), &mut names);
                c.names(names, line);
            }
        }
        "call" => {
            if let Some(e) = attr(&attrs, "expr") {
                c.names(python::expr(e), line);
            }
        }
        _ => {
            // custom tags `<%static:css group='x'/>`: attribute values may hold expressions
            for (_, v) in &attrs {
                if v.contains("${") {
                    let inner_start = v.find("${").unwrap_or(0) + 2;
                    let inner = v[inner_start..].trim_end_matches('}');
                    expression(c, inner, line);
                }
            }
        }
    }
    // `${…}` inside attribute values of the tags above (e.g. `file="${x}"`).
    if name != "call" && !name.contains(':') {
        let mut pos = 0;
        while let Some(p) = tag[pos..].find("${") {
            let open = start + pos + p + 1;
            let end = brace_end(text, open).min(start + tag.len());
            let inner_from = (open + 1).min(end);
            let inner_to = if text[..end].ends_with('}') {
                end - 1
            } else {
                end
            };
            if let Some(inner) = text.get(inner_from..inner_to.max(inner_from)) {
                expression(c, inner, line_of(newlines, open));
            }
            pos = end - start;
            if pos >= tag.len() {
                break;
            }
        }
    }
}

/// `file="x.html"` records an include; `file="${expr}"` is a dynamic include (its names are
/// handled with the other attribute expressions).
fn include_target(c: &mut Collector, file: &str, _line: u32) {
    if !file.contains("${") {
        c.info.includes.insert(file.to_string());
    }
}

/// `args="a=expr, b=expr"` of an include: the values' names are uses.
fn call_args(c: &mut Collector, args: &str, line: u32) {
    for part in split_top(args, ',') {
        let value = match part.split_once('=') {
            Some((_, v)) if !v.starts_with('=') => v.to_string(),
            _ => part,
        };
        c.names(python::expr(&value), line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<%page expression_filter="h" args="online_help_token, use_cookie_banner=False"/>
<%inherit file="main.html" />
<%namespace name='static' file='static_content.html'/>
<%!
from django.utils.translation import gettext as _
from openedx.core.djangolib.markup import HTML
%>
## a comment that mentions ${ignored_name}
<%doc>
  ${also_ignored}
</%doc>
<%block name="pagetitle">${_("Home")}</%block>
<%
  max_courses = homepage_course_max or 12
%>
<section class="home">
  ${HTML(homepage_overlay_html)}
  % if show_homepage_promo_video:
    <a href="${static.url('images/x.png')}">${promo_label | h}</a>
  % endif
  % for course in courses[:max_courses]:
    <%include file="course.html" args="course=course, mode=display_mode"/>
  % endfor
  <%def name="course_row(c, extra=default_extra)">${c.name}</%def>
  ${course_row(first_course)}
  <%static:css group='style-home'/>
  ${online_help_token} ${user.username}
</section>
"#;

    #[test]
    fn extracts_free_names_and_structure() {
        let info = scan(INDEX);
        let free: Vec<(&str, u32)> = info.free.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            free,
            vec![
                ("courses", 21),
                ("default_extra", 24),
                ("display_mode", 22),
                ("first_course", 25),
                ("homepage_course_max", 14),
                ("homepage_overlay_html", 17),
                ("promo_label", 19),
                ("show_homepage_promo_video", 18),
            ]
        );
        assert_eq!(info.inherits.as_deref(), Some("main.html"));
        assert!(info.blocks.contains("pagetitle"));
        assert!(info.defs.contains("course_row"));
        assert!(info.includes.contains("course.html"));
        assert!(info.namespaces.contains("static_content.html"));
        assert_eq!(info.page_args.get("use_cookie_banner"), Some(&true));
        assert_eq!(info.page_args.get("online_help_token"), Some(&false));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            "${",
            "<%",
            "<%page args=\"",
            "% for",
            "<%def name=\"(\">",
            "${'}",
            "é${ü}",
        ] {
            let _ = scan(src);
        }
    }
}
