//! Reading `<svc>/envs/common.py` as text: `STATICFILES_DIRS` (its assignments and path
//! expressions resolved), and the asset paths settings and templates name.

use super::*;

/// Extensions of files a setting may name as a static asset.
const ASSET_EXTENSIONS: &[&str] = &[
    "ico", "png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "woff", "woff2", "ttf",
];

/// Python source without `#` comments (outside string literals).
pub(super) fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

/// Top-level `NAME = expression` statements on one line, in file order.
pub(super) fn assignments(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| {
            let (name, value) = strip_comment(l).split_once('=')?;
            let name = name.trim();
            let value = value.trim();
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !value.starts_with('=');
            ok.then_some((name, value))
        })
        .collect()
}

/// Resolve a path expression of a settings module to a repository path: `X / "a" / 'b'`,
/// `os.path.join(X, "a")`, `X.dirname()` / `X.parent`, `path(__file__)…` (the module itself),
/// names assigned earlier in the file. `None` when it is anything else.
pub(super) fn resolve(
    expr: &str,
    vars: &HashMap<&str, String>,
    module: &str,
    depth: u8,
) -> Option<String> {
    let expr = expr.trim().trim_end_matches(',').trim();
    if depth > 8 || expr.is_empty() {
        return None;
    }
    if let Some(inner) = expr
        .strip_prefix("os.path.join(")
        .and_then(|x| x.strip_suffix(')'))
    {
        let parts: Vec<&str> = inner.split(',').collect();
        let head = resolve(parts.first()?, vars, module, depth + 1)?;
        let segs: Option<Vec<String>> = parts[1..].iter().map(|p| literal(p)).collect();
        return Some(join(head, &segs?));
    }
    if expr.contains(" / ") {
        let mut parts = expr.split(" / ");
        let head = resolve(parts.next()?, vars, module, depth + 1)?;
        let segs: Option<Vec<String>> = parts.map(literal).collect();
        return Some(join(head, &segs?));
    }
    // Method chains: `path(__file__).abspath().dirname().dirname()`, `REPO_ROOT.dirname()`.
    let mut steps: Vec<&str> = Vec::new();
    let mut base = expr;
    loop {
        if let Some(b) = base.strip_suffix(".dirname()") {
            steps.push("up");
            base = b;
        } else if let Some(b) = base.strip_suffix(".parent") {
            steps.push("up");
            base = b;
        } else if let Some(b) = base
            .strip_suffix(".abspath()")
            .or_else(|| base.strip_suffix(".resolve()"))
            .or_else(|| base.strip_suffix(".realpath()"))
        {
            base = b;
        } else {
            break;
        }
    }
    let mut path = if base == "path(__file__)" || base == "Path(__file__)" {
        module.to_string()
    } else if let Some(v) = vars.get(base) {
        v.clone()
    } else {
        return None;
    };
    for _ in steps {
        path = match path.rsplit_once('/') {
            Some((parent, _)) => parent.to_string(),
            None if !path.is_empty() => String::new(),
            None => return None,
        };
    }
    Some(path)
}

pub(super) fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))?;
    (!inner.contains(['"', '\'', '\\'])).then(|| inner.to_string())
}

pub(super) fn join(head: String, segs: &[String]) -> String {
    let mut out = head;
    for s in segs {
        for part in s.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(part);
        }
    }
    out
}

/// The roots of `STATICFILES_DIRS = [ … ]` in a settings module's text that resolve to
/// repository paths (entries with a URL prefix, `("book", …)`, are skipped), in order.
pub fn staticfiles_dirs(text: &str, svc: Service) -> Vec<String> {
    let module = format!("{}/envs/common.py", svc.as_str());
    let mut vars: HashMap<&str, String> = HashMap::new();
    let mut out = Vec::new();
    // Path names assigned in the module (`COMMON_ROOT = REPO_ROOT / "common"`), in file order.
    for (name, value) in assignments(text) {
        if let Some(p) = resolve(value, &vars, &module, 0) {
            vars.insert(name, p);
        }
    }
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("STATICFILES_DIRS") else {
            continue;
        };
        let Some(body) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let mut body = strip_comment(body).trim().to_string();
        if !(body.starts_with('[') || body.starts_with('(')) {
            continue;
        }
        let mut depth: i32 = 0;
        let mut collected = String::new();
        loop {
            for c in body.chars() {
                match c {
                    '[' | '(' => depth += 1,
                    ']' | ')' => depth -= 1,
                    _ => {}
                }
            }
            collected.push_str(&body);
            collected.push('\n');
            if depth <= 0 {
                break;
            }
            match lines.next() {
                Some(next) => body = strip_comment(next).trim().to_string(),
                None => break,
            }
        }
        out.clear();
        let inner = collected.trim().trim_start_matches(['[', '(']);
        let inner = inner.trim_end().trim_end_matches([']', ')']);
        for entry in split_top_level(inner) {
            if entry.trim_start().starts_with('(') {
                continue;
            }
            if let Some(p) = resolve(&entry, &vars, &module, 0).filter(|p| !p.is_empty()) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

pub(super) fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            '\n' => {
                cur.push(' ');
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect()
}

/// Quoted relative asset paths in `text` (`'images/favicon.ico'`), in order.
pub(super) fn asset_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q != b'\'' && q != b'"' {
            i += 1;
            continue;
        }
        let Some(len) = text[i + 1..].find(q as char) else {
            break;
        };
        let inner = &text[i + 1..i + 1 + len];
        if is_asset_path(inner) {
            out.push(inner.to_string());
        }
        i += len + 2;
    }
    out
}

pub(super) fn is_asset_path(s: &str) -> bool {
    let ok_chars = !s.is_empty()
        && s.len() < 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c));
    let relative = !s.starts_with('/') && !s.starts_with('.') && s.contains('/');
    let ext = s.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    ok_chars && relative && ext.is_some_and(|e| ASSET_EXTENSIONS.contains(&e.as_str()))
}

/// Relative asset paths a settings module names, with the top-level setting whose statement
/// holds each (`FAVICON_PATH = 'images/favicon.ico'`, `DEFAULT_ORG_LOGO_URL = Derived(lambda s:
/// s.STATIC_URL + 'images/logo.png')`): (setting, path). Comments do not count.
pub fn named_assets(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut setting: Option<&str> = None;
    for line in text.lines() {
        if !line.starts_with([' ', '\t', ')', ']', '}']) {
            setting = assignments(line).first().map(|(name, _)| *name);
        }
        let Some(name) = setting else { continue };
        for path in asset_strings(strip_comment(line)) {
            out.push((name.to_string(), path));
        }
    }
    out
}
