//! Reading lines: file kinds, tokens, the modules a Python line imports, the tag libraries a
//! template line loads, the names a module defines at top level.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    Python,
    Template,
}

pub(super) fn kind_of(path: &str) -> Option<FileKind> {
    if path.contains("/migrations/") {
        return None;
    }
    if path.ends_with(".py") {
        Some(FileKind::Python)
    } else if [".html", ".txt", ".underscore"]
        .iter()
        .any(|e| path.ends_with(e))
    {
        Some(FileKind::Template)
    } else {
        None
    }
}

pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Does `token` occur in `line` as a whole identifier?
pub(super) fn has_token(line: &str, token: &str) -> bool {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find(token) {
        let start = from + i;
        let end = start + token.len();
        let before = start == 0 || !is_ident(bytes[start - 1]);
        let after = end >= bytes.len() || !is_ident(bytes[end]);
        if before && after {
            return true;
        }
        from = end;
    }
    false
}

/// `.x` / `..x` of an import in the file `path`, as a dotted module (`lms/envs/a.py`, `.b` →
/// `lms.envs.b`); `None` when it climbs above the repository.
pub(super) fn resolve_relative(path: &str, module: &str) -> Option<String> {
    let package: Vec<&str> = path
        .rsplit_once('/')
        .map(|(d, _)| d.split('/').collect())
        .unwrap_or_default();
    let dots = module.chars().take_while(|c| *c == '.').count();
    let up = dots.checked_sub(1)?;
    if up > package.len() {
        return None;
    }
    let mut parts: Vec<&str> = package[..package.len() - up].to_vec();
    let rest = &module[dots..];
    if !rest.is_empty() {
        parts.push(rest);
    }
    Some(parts.join("."))
}

/// The dotted modules one Python line imports (`from a.b import c` → `a.b` and `a.b.c`;
/// `import a.b` → `a.b`), relative imports resolved against `path`'s package; also a dotted
/// name in a string literal (`DJANGO_SETTINGS_MODULE = "lms.envs.x"`).
pub(super) fn imported_modules(path: &str, line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let resolve = |m: &str| -> Option<String> {
        if m.starts_with('.') {
            resolve_relative(path, m)
        } else {
            Some(m.to_string())
        }
    };
    if let Some(rest) = line.strip_prefix("from ") {
        if let Some((m, names)) = rest.split_once(" import ") {
            if let Some(module) = resolve(m.trim()) {
                for n in names.trim().trim_start_matches('(').split(',') {
                    let n = n.split(" as ").next().unwrap_or("").trim();
                    let n = n.trim_end_matches([')', '\\']).trim();
                    if !n.is_empty() && n != "*" {
                        out.push(if module.is_empty() {
                            n.to_string()
                        } else {
                            format!("{module}.{n}")
                        });
                    }
                }
                if !module.is_empty() {
                    out.push(module);
                }
            }
        }
    } else if let Some(rest) = line.strip_prefix("import ") {
        for m in rest.split(',') {
            let m = m.split(" as ").next().unwrap_or("").trim();
            if !m.is_empty() {
                out.push(m.to_string());
            }
        }
    } else {
        // Dotted names in string literals.
        for quoted in line.split(['"', '\'']).skip(1).step_by(2) {
            if quoted.contains('.')
                && quoted
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                out.push(quoted.to_string());
            }
        }
    }
    out
}

/// The libraries a line's `{% load a b %}` / `{% load x y from lib %}` tags load.
pub(super) fn loaded_libraries(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("{% load") {
        let after = &rest[i + "{% load".len()..];
        let end = after.find("%}").unwrap_or(after.len());
        let words: Vec<&str> = after[..end].split_whitespace().collect();
        match words.iter().position(|w| *w == "from") {
            Some(p) => out.extend(words.get(p + 1).map(|w| w.to_string())),
            None => out.extend(words.iter().map(|w| w.to_string())),
        }
        rest = &after[end..];
    }
    out
}

/// Names a module defines at top level: `def`, `class`, assignments, and imported names.
pub(super) fn top_level_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let l = line.strip_prefix("async ").unwrap_or(line);
        if let Some(rest) = l.strip_prefix("def ").or_else(|| l.strip_prefix("class ")) {
            out.insert(ident(rest));
        } else if l.starts_with("from ") || l.starts_with("import ") {
            let names = l.split_once(" import ").map(|(_, n)| n).unwrap_or(&l[7..]);
            for n in names.split(',') {
                let n = n.trim().trim_start_matches('(');
                let n = n.split(" as ").last().unwrap_or(n).trim();
                let n = n.rsplit('.').next().unwrap_or(n);
                out.insert(ident(n));
            }
        } else {
            let name = ident(l);
            if !name.is_empty() && l[name.len()..].trim_start().starts_with(['=', ':']) {
                out.insert(name);
            }
        }
    }
    out.remove("");
    out
}
