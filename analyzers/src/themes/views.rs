//! The context a Django view passes to a template: the keys of the dict literal in
//! `render_to_response("x.html", {...})` / `render_to_string(...)` / `render(request, ...)`, of a
//! `context = {...}` dict, `context["k"] = …` assignments and `context.update({...})` /
//! `context.update(k=…)` in a view file that names the template. A scanner, not a parser.

use std::collections::BTreeMap;

use super::scan::python::skip_string;

/// Does the Python source name the template `rel` as a string literal?
pub fn references(source: &str, rel: &str) -> bool {
    source.contains(&format!("\"{rel}\"")) || source.contains(&format!("'{rel}'"))
}

/// Context keys (→ first line) of the views in `source` that render `rel`; `None` when the
/// file does not reference the template.
pub fn context_keys(source: &str, rel: &str) -> Option<BTreeMap<String, u32>> {
    if !references(source, rel) {
        return None;
    }
    let chars: Vec<char> = source.chars().collect();
    let mut keys = BTreeMap::new();
    let mut i = 0;
    let mut line = 1u32;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            let end = skip_string(&chars, i);
            line += count_newlines(&chars[i..end]);
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let after = skip_ws(&chars, i);
            match word.as_str() {
                "render_to_response" | "render_to_string" | "render"
                    if chars.get(after) == Some(&'(') =>
                {
                    // the first dict literal among the call's arguments
                    if let Some(open) = first_dict_in_call(&chars, after) {
                        dict_keys(&chars, open, line_at(&chars, open, i, line), &mut keys);
                    }
                }
                w if is_context_name(w) => {
                    let j = after;
                    if chars.get(j) == Some(&'=') && chars.get(j + 1) != Some(&'=') {
                        let v = skip_ws(&chars, j + 1);
                        if chars.get(v) == Some(&'{') {
                            dict_keys(&chars, v, line_at(&chars, v, i, line), &mut keys);
                        }
                    } else if chars.get(j) == Some(&'[') {
                        let k = skip_ws(&chars, j + 1);
                        if let Some(key) = string_at(&chars, k) {
                            keys.entry(key).or_insert(line);
                        }
                    } else if chars.get(j) == Some(&'.') {
                        let m: String = chars[j + 1..].iter().take(7).collect();
                        if m == "update(" {
                            let v = skip_ws(&chars, j + 8);
                            if chars.get(v) == Some(&'{') {
                                dict_keys(&chars, v, line_at(&chars, v, i, line), &mut keys);
                            } else {
                                kwargs_keys(&chars, j + 7, line, &mut keys);
                            }
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        i += 1;
    }
    Some(keys)
}

fn is_context_name(w: &str) -> bool {
    w == "context" || w == "ctx" || w.ends_with("_context")
}

fn count_newlines(chars: &[char]) -> u32 {
    u32::try_from(chars.iter().filter(|c| **c == '\n').count()).unwrap_or(0)
}

/// Line number at `pos`, knowing `line` is the line at `from` (≤ `pos`).
fn line_at(chars: &[char], pos: usize, from: usize, line: u32) -> u32 {
    line + count_newlines(&chars[from.min(pos)..pos])
}

fn skip_ws(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// The string literal starting at `i`, unquoted.
fn string_at(chars: &[char], i: usize) -> Option<String> {
    let q = *chars.get(i)?;
    if q != '\'' && q != '"' {
        return None;
    }
    let end = skip_string(chars, i);
    let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)]
        .iter()
        .collect();
    Some(inner)
}

/// Index of the first `{` at argument level inside the call whose `(` is at `open`.
fn first_dict_in_call(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            i = skip_string(chars, i);
            continue;
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            }
            '{' if depth == 1 => return Some(i),
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Top-level string keys of the dict literal whose `{` is at `open`.
fn dict_keys(chars: &[char], open: usize, mut line: u32, keys: &mut BTreeMap<String, u32>) {
    let mut depth = 0i32;
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            let end = skip_string(chars, i);
            if depth == 1 && chars.get(skip_ws(chars, end)) == Some(&':') {
                if let Some(k) = string_at(chars, i) {
                    keys.entry(k).or_insert(line);
                }
            }
            line += count_newlines(&chars[i..end]);
            i = end;
            continue;
        }
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// `update(k=v, …)`: the keyword names, the `(` at `open`.
fn kwargs_keys(chars: &[char], open: usize, line: u32, keys: &mut BTreeMap<String, u32>) {
    let mut depth = 0i32;
    let mut i = open;
    let mut at_arg_start = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            i = skip_string(chars, i);
            at_arg_start = false;
            continue;
        }
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                at_arg_start = depth == 1;
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            ',' if depth == 1 => at_arg_start = true,
            c if at_arg_start && (c.is_ascii_alphabetic() || c == '_') => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let j = skip_ws(chars, i);
                if chars.get(j) == Some(&'=') && chars.get(j + 1) != Some(&'=') {
                    keys.entry(chars[start..i].iter().collect()).or_insert(line);
                }
                at_arg_start = false;
                continue;
            }
            c if !c.is_whitespace() => at_arg_start = false,
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: &str = r#"from common.djangoapps.edxmako.shortcuts import render_to_response


def index(request):
    """Render the home page."""
    courses = get_courses(request.user)  # {"not": "a key"}
    context = {
        "courses": courses,
        "homepage_overlay_html": configuration_helpers.get_value("homepage_overlay_html"),
        'show_partners': True,
        "nested": {"inner": 1},
    }
    context["homepage_course_max"] = 12
    context.update({"programs_list": []})
    context.update(show_homepage_promo_video=False)
    return render_to_response("index.html", context)


def other(request):
    return render_to_response('index.html', {'extra_key': 1})
"#;

    #[test]
    fn finds_context_keys() {
        let keys = context_keys(VIEW, "index.html").expect("references index.html");
        let got: Vec<(&str, u32)> = keys.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            got,
            vec![
                ("courses", 8),
                ("extra_key", 20),
                ("homepage_course_max", 13),
                ("homepage_overlay_html", 9),
                ("nested", 11),
                ("programs_list", 14),
                ("show_homepage_promo_video", 15),
                ("show_partners", 10),
            ]
        );
        assert!(context_keys(VIEW, "dashboard.html").is_none());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            "'index.html' context = {",
            "'index.html' render(",
            "'index.html' context.update(",
            "'index.html' context['",
        ] {
            let _ = context_keys(src, "index.html");
        }
    }
}
