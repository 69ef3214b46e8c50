//! A small scanner for the Python found inside Mako templates (`${expr}`, `% if …:`, `<% … %>`):
//! which names an expression or statement uses and which it binds. Not a parser: it skips
//! strings, attributes (`a.b` uses only `a`), keyword arguments, and understands the statement
//! forms templates use (assignment, `for`, `import`, `def`, `with … as`, `except … as`).

/// Names used and bound by a piece of Python.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Names {
    pub uses: Vec<String>,
    pub binds: Vec<String>,
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case",
];

/// Python builtins: never context names.
const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "callable",
    "chr",
    "dict",
    "dir",
    "enumerate",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "hasattr",
    "hash",
    "id",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "object",
    "ord",
    "print",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "zip",
    "Exception",
    "ValueError",
    "KeyError",
    "TypeError",
    "AttributeError",
    "IndexError",
    "unicode",
    "basestring",
    "NotImplemented",
    "self",
];

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// A token of the tiny tokenizer: identifiers and single punctuation characters; strings and
/// numbers are folded into `Lit`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Punct(char),
    Lit,
}

/// Index just past the string literal starting at `i` (a quote character); tolerates an
/// unterminated string by returning the end.
pub fn skip_string(chars: &[char], i: usize) -> usize {
    let q = chars[i];
    let triple = i + 2 < chars.len() && chars[i + 1] == q && chars[i + 2] == q;
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < chars.len() {
        let c = chars[j];
        if c == '\\' {
            j += 2;
            continue;
        }
        if c == q {
            if !triple {
                return j + 1;
            }
            if j + 2 < chars.len() && chars[j + 1] == q && chars[j + 2] == q {
                return j + 3;
            }
        }
        j += 1;
    }
    chars.len()
}

fn tokenize(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            // comment to end of line
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\'' || c == '"' {
            i = skip_string(&chars, i);
            toks.push(Tok::Lit);
        } else if is_ident_start(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // string prefixes: r"", b'', f"", rb"" …
            if i < chars.len()
                && (chars[i] == '\'' || chars[i] == '"')
                && word.len() <= 2
                && word.chars().all(|c| "rRbBfFuU".contains(c))
            {
                i = skip_string(&chars, i);
                toks.push(Tok::Lit);
            } else {
                toks.push(Tok::Ident(word));
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && (is_ident_char(chars[i]) || chars[i] == '.') {
                i += 1;
            }
            toks.push(Tok::Lit);
        } else if c.is_whitespace() || c == '\\' {
            i += 1;
        } else {
            toks.push(Tok::Punct(c));
            i += 1;
        }
    }
    toks
}

/// Names an expression uses (and binds, through comprehensions and lambdas).
pub fn expr(src: &str) -> Names {
    let toks = tokenize(src);
    let mut out = Names::default();
    let mut depth: i32 = 0;
    // Inside `for … in` of a comprehension, or `lambda …:` parameters.
    let mut binding_until: Option<&str> = None;
    for (k, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Punct(c @ ('(' | '[' | '{')) => {
                let _ = c;
                depth += 1;
            }
            Tok::Punct(')' | ']' | '}') => depth -= 1,
            Tok::Punct(':') if binding_until == Some(":") => binding_until = None,
            Tok::Ident(word) => {
                if word == "in" && binding_until == Some("in") {
                    binding_until = None;
                    continue;
                }
                if word == "for" {
                    binding_until = Some("in");
                    continue;
                }
                if word == "lambda" {
                    binding_until = Some(":");
                    continue;
                }
                if is_keyword(word) {
                    continue;
                }
                if binding_until.is_some() {
                    out.binds.push(word.clone());
                    continue;
                }
                let prev = k.checked_sub(1).and_then(|p| toks.get(p));
                if prev == Some(&Tok::Punct('.')) {
                    continue; // attribute
                }
                let next = toks.get(k + 1);
                let next2 = toks.get(k + 2);
                let keyword_arg = depth > 0
                    && next == Some(&Tok::Punct('='))
                    && next2 != Some(&Tok::Punct('='))
                    && matches!(prev, Some(Tok::Punct('(' | ',')));
                if keyword_arg {
                    continue;
                }
                if is_builtin(word) {
                    continue;
                }
                out.uses.push(word.clone());
            }
            _ => {}
        }
    }
    // comprehension / lambda variables are local to the expression
    let binds = out.binds.clone();
    out.uses.retain(|u| !binds.contains(u));
    out
}

/// Split `src` at top-level occurrences of `sep` (outside brackets and strings).
pub fn split_top(src: &str, sep: char) -> Vec<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let end = skip_string(&chars, i);
            cur.extend(&chars[i..end]);
            i = end;
            continue;
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        i += 1;
    }
    parts.push(cur);
    parts
}

/// Identifiers of an assignment / loop target like `a`, `a, b`, `(a, b)`; attribute or
/// subscript targets (`a.b`, `a[k]`) bind nothing and use their root.
fn targets(src: &str, out: &mut Names) {
    for part in split_top(
        src.trim().trim_start_matches('(').trim_end_matches(')'),
        ',',
    ) {
        let part = part.trim().trim_start_matches('*');
        let part = part.trim_start_matches('(').trim_end_matches(')').trim();
        if part.is_empty() {
            continue;
        }
        if part.chars().all(is_ident_char) && part.chars().next().is_some_and(is_ident_start) {
            out.binds.push(part.to_string());
        } else {
            out.uses.extend(expr(part).uses);
        }
    }
}

/// Position of the top-level assignment `=` in a statement (not `==`, `<=`, `>=`, `!=`, and not
/// inside brackets or strings), and whether it is augmented (`+=`).
fn assignment_eq(src: &str) -> Option<(usize, bool)> {
    let chars: Vec<char> = src.chars().collect();
    let mut depth = 0i32;
    let mut i = 0;
    let mut byte = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let end = skip_string(&chars, i);
            byte += chars[i..end].iter().map(|c| c.len_utf8()).sum::<usize>();
            i = end;
            continue;
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '=' if depth == 0 => {
                let prev = if i > 0 { chars[i - 1] } else { ' ' };
                let next = chars.get(i + 1).copied().unwrap_or(' ');
                if next != '=' && !"=<>!".contains(prev) {
                    let augmented = "+-*/%&|^@".contains(prev);
                    return Some((byte, augmented));
                }
                if next == '=' {
                    // skip the `==`
                    byte += 2;
                    i += 2;
                    continue;
                }
            }
            _ => {}
        }
        byte += c.len_utf8();
        i += 1;
    }
    None
}

/// Names used and bound by one Python statement (a `% …` control line or one line of a
/// `<% … %>` block).
pub fn statement(line: &str) -> Names {
    let s = line.trim();
    let s = s.strip_suffix(':').unwrap_or(s).trim();
    let mut out = Names::default();
    if s.is_empty() || s.starts_with('#') {
        return out;
    }
    let first = s.split(|c: char| !is_ident_char(c)).next().unwrap_or("");
    let rest = s[first.len()..].trim();
    match first {
        "import" => {
            for part in rest.split(',') {
                let part = part.trim();
                let name = match part.split_once(" as ") {
                    Some((_, alias)) => alias.trim(),
                    None => part.split('.').next().unwrap_or(""),
                };
                if !name.is_empty() {
                    out.binds.push(name.to_string());
                }
            }
        }
        "from" => {
            if let Some((_, names)) = rest.split_once(" import ") {
                for part in names
                    .trim()
                    .trim_matches(|c| c == '(' || c == ')')
                    .split(',')
                {
                    let part = part.trim();
                    let name = match part.split_once(" as ") {
                        Some((_, alias)) => alias.trim(),
                        None => part,
                    };
                    if !name.is_empty() && name != "*" {
                        out.binds.push(name.to_string());
                    }
                }
            }
        }
        "for" => {
            if let Some((t, iter)) = split_keyword(rest, "in") {
                targets(t, &mut out);
                out.uses.extend(expr(iter).uses);
            }
        }
        "def" => {
            let (name, params) = rest.split_once('(').unwrap_or((rest, ""));
            out.binds.push(name.trim().to_string());
            params_into(params.trim_end_matches(')'), &mut out);
        }
        "with" => {
            for item in split_top(rest, ',') {
                match split_keyword(&item, "as") {
                    Some((e, t)) => {
                        out.uses.extend(expr(e).uses);
                        targets(t, &mut out);
                    }
                    None => out.uses.extend(expr(&item).uses),
                }
            }
        }
        "except" => match split_keyword(rest, "as") {
            Some((e, t)) => {
                out.uses.extend(expr(e).uses);
                targets(t, &mut out);
            }
            None => out.uses.extend(expr(rest).uses),
        },
        "if" | "elif" | "while" | "return" | "assert" | "del" | "raise" | "yield" => {
            out.uses.extend(expr(rest).uses)
        }
        "else" | "try" | "finally" | "pass" | "break" | "continue" | "endif" | "endfor"
        | "endwhile" | "endtry" | "enddef" | "endwith" => {}
        _ => match assignment_eq(s) {
            Some((pos, augmented)) => {
                let (lhs, rhs) = (&s[..pos], &s[pos + 1..]);
                let lhs = lhs.trim_end_matches(|c: char| "+-*/%&|^@ ".contains(c));
                if augmented {
                    out.uses.extend(expr(lhs).uses);
                } else {
                    targets(lhs, &mut out);
                }
                let inner = expr(rhs);
                out.uses.extend(inner.uses);
                out.binds.extend(inner.binds);
            }
            None => {
                let inner = expr(s);
                out.uses.extend(inner.uses);
                out.binds.extend(inner.binds);
            }
        },
    }
    out
}

/// Parameters `a, b=1, *args, **kw`: binds the names, uses the defaults' names.
pub fn params_into(params: &str, out: &mut Names) {
    for p in split_top(params, ',') {
        let p = p.trim().trim_start_matches('*');
        let (name, default) = match p.split_once('=') {
            Some((n, d)) => (n.trim(), Some(d)),
            None => (p, None),
        };
        let name = name.split(':').next().unwrap_or("").trim();
        if !name.is_empty() {
            out.binds.push(name.to_string());
        }
        if let Some(d) = default {
            out.uses.extend(expr(d).uses);
        }
    }
}

/// Split `src` at the first top-level ` kw ` (word boundary).
fn split_keyword<'a>(src: &'a str, kw: &str) -> Option<(&'a str, &'a str)> {
    let pat = format!(" {kw} ");
    let padded = src.replace(['\t', '\n'], " ");
    let pos = padded.find(&pat)?;
    Some((&src[..pos], &src[pos + pat.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_use_roots_not_attributes_or_kwargs() {
        let n = expr("user.profile.name + format_date(when, fmt=settings.FMT) | h");
        assert_eq!(n.uses, vec!["user", "format_date", "when", "settings", "h"]);
        let n = expr("_(\"Hello {name}\").format(name=platform_name)");
        assert_eq!(n.uses, vec!["_", "platform_name"]);
        let n = expr("[c.id for c in courses if c.visible]");
        assert_eq!(n.uses, vec!["courses"]);
        assert_eq!(n.binds, vec!["c"]);
        let n = expr("a == b and f'x{y}' and not len(z)");
        assert_eq!(n.uses, vec!["a", "b", "z"]);
    }

    #[test]
    fn statements_bind_and_use() {
        let s = statement("for course in courses:");
        assert_eq!(
            (s.binds, s.uses),
            (vec!["course".into()], vec!["courses".into()])
        );
        let s = statement("title = page_title or settings.PLATFORM_NAME");
        assert_eq!(s.binds, vec!["title"]);
        assert_eq!(s.uses, vec!["page_title", "settings"]);
        let s = statement("from django.utils.translation import gettext as _, ngettext");
        assert_eq!(s.binds, vec!["_", "ngettext"]);
        let s = statement("import json");
        assert_eq!(s.binds, vec!["json"]);
        let s = statement("if x == 1 and show_banner:");
        assert_eq!(s.uses, vec!["x", "show_banner"]);
        let s = statement("counts[key] += 1");
        assert_eq!(s.uses, vec!["counts", "key"]);
        assert!(s.binds.is_empty());
        let s = statement("a, (b) = pair");
        assert_eq!(s.binds, vec!["a", "b"]);
        let s = statement("endif");
        assert_eq!(s, Names::default());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            "'unterminated",
            "((((",
            ")))",
            "= = =",
            "for",
            "lambda",
            "\"\"\"",
            "é = ü",
        ] {
            let _ = expr(src);
            let _ = statement(src);
        }
    }
}
