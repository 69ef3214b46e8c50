//! Parsers of packaging files the dependency analysis reads (docs/upgrade-breaks.md "Entry
//! points" and "npm lockfiles"):
//!
//! - entry points of `setup.py` (tree-sitter-python: the `entry_points=` argument of a
//!   `setup(...)` call, a dict literal or the name of a top-level dict assignment; each group a
//!   list or tuple of `"name = module:attr"` strings, or one string of such lines) and of
//!   `setup.cfg` (the INI section `[options.entry_points]`: `group =` then one `name = value`
//!   per line, continuation lines indented);
//! - the resolved versions of a `package-lock.json`: lockfile v2/v3 `packages`
//!   (`node_modules/<name>` at the top level) or v1 `dependencies`;
//! - npm version ranges (`1.2.3`, `^1.2.3`, `~1.2`, `>=1 <2`, `1.x`, `a || b`), enough to tell
//!   whether a resolved version satisfies a pin.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use tree_sitter::Node;

use super::dependencies::cmp_versions;

/// One entry point: `name = value` in `group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub group: String,
    pub name: String,
    /// `module.path:attr` (extras dropped, spaces removed).
    pub value: String,
    /// 1-based line of the entry in its file.
    pub line: u32,
}

impl EntryPoint {
    /// The dotted module the entry point loads (`module.path`).
    pub fn module(&self) -> &str {
        self.value.split(':').next().unwrap_or("")
    }
}

/// `name = module:attr [extra]` → (name, `module:attr`); `None` when it is not one.
pub fn parse_entry(text: &str) -> Option<(String, String)> {
    let (name, value) = text.split_once('=')?;
    let name = name.trim();
    let value = value.split('[').next().unwrap_or("");
    let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let module = value.split(':').next().unwrap_or("");
    let ok_module = !module.is_empty()
        && module
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    (!name.is_empty() && !name.contains(char::is_whitespace) && ok_module)
        .then(|| (name.to_string(), value))
}

fn line_of(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

/// The literal text of a string node (no interpolation, no concatenation).
fn string_value(node: Node<'_>, src: &[u8]) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut c = node.walk();
    let mut s = String::new();
    for part in node.named_children(&mut c) {
        match part.kind() {
            "string_content" => s.push_str(part.utf8_text(src).ok()?),
            "string_start" | "string_end" => {}
            "escape_sequence" => s.push_str(part.utf8_text(src).ok()?),
            _ => return None,
        }
    }
    Some(s)
}

/// Entry points of a `setup.py`.
pub fn setup_py_entry_points(src: &str) -> Vec<EntryPoint> {
    let Some(tree) = crate::settings::python::parse(src) else {
        return Vec::new();
    };
    let bytes = src.as_bytes();
    let root = tree.root_node();
    // Top-level `NAME = {...}` assignments, for `entry_points=NAME`.
    let mut named: BTreeMap<String, Node<'_>> = BTreeMap::new();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        let Some(a) = stmt.named_child(0).filter(|a| a.kind() == "assignment") else {
            continue;
        };
        if let (Some(l), Some(r)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) {
            if l.kind() == "identifier" && r.kind() == "dictionary" {
                if let Ok(name) = l.utf8_text(bytes) {
                    named.insert(name.to_string(), r);
                }
            }
        }
    }
    let mut out = Vec::new();
    // Every `setup(...)` / `setuptools.setup(...)` call, depth first (an explicit stack: no
    // recursion on untrusted nesting).
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == "call" && is_setup(node, bytes) {
            if let Some(args) = node.child_by_field_name("arguments") {
                let mut c = args.walk();
                for arg in args.named_children(&mut c) {
                    if arg.kind() != "keyword_argument" {
                        continue;
                    }
                    let key = arg.child_by_field_name("name");
                    let value = arg.child_by_field_name("value");
                    let (Some(key), Some(value)) = (key, value) else {
                        continue;
                    };
                    if key.utf8_text(bytes).ok() != Some("entry_points") {
                        continue;
                    }
                    let dict = match value.kind() {
                        "dictionary" => Some(value),
                        "identifier" => value
                            .utf8_text(bytes)
                            .ok()
                            .and_then(|n| named.get(n).copied()),
                        _ => None,
                    };
                    if let Some(dict) = dict {
                        groups_of(dict, bytes, &mut out);
                    }
                }
            }
        }
        let mut c = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

fn is_setup(call: Node<'_>, src: &[u8]) -> bool {
    let Some(f) = call.child_by_field_name("function") else {
        return false;
    };
    match f.kind() {
        "identifier" => f.utf8_text(src).ok() == Some("setup"),
        "attribute" => {
            f.child_by_field_name("attribute")
                .and_then(|a| a.utf8_text(src).ok())
                == Some("setup")
        }
        _ => false,
    }
}

fn groups_of(dict: Node<'_>, src: &[u8], out: &mut Vec<EntryPoint>) {
    let mut c = dict.walk();
    for pair in dict.named_children(&mut c) {
        if pair.kind() != "pair" {
            continue;
        }
        let (Some(k), Some(v)) = (
            pair.child_by_field_name("key"),
            pair.child_by_field_name("value"),
        ) else {
            continue;
        };
        let Some(group) = string_value(k, src) else {
            continue;
        };
        let group = group.trim().to_string();
        let mut push = |text: &str, line: u32| {
            if let Some((name, value)) = parse_entry(text) {
                out.push(EntryPoint {
                    group: group.clone(),
                    name,
                    value,
                    line,
                });
            }
        };
        match v.kind() {
            "list" | "tuple" | "set" => {
                let mut c2 = v.walk();
                for item in v.named_children(&mut c2) {
                    if let Some(s) = string_value(item, src) {
                        push(&s, line_of(item));
                    }
                }
            }
            "string" => {
                if let Some(s) = string_value(v, src) {
                    let first = line_of(v);
                    for (i, l) in s.lines().enumerate() {
                        let line = first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
                        push(l, line);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Entry points of a `setup.cfg` (`[options.entry_points]`).
pub fn setup_cfg_entry_points(src: &str) -> Vec<EntryPoint> {
    let mut out = Vec::new();
    let mut in_section = false;
    let mut group: Option<String> = None;
    for (i, raw) in src.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if trimmed.starts_with('[') {
            in_section = trimmed.trim_start_matches('[').trim_end_matches(']').trim()
                == "options.entry_points";
            group = None;
            continue;
        }
        if !in_section {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented {
            // A continuation line: one entry of the current group.
            if let Some(g) = &group {
                if let Some((name, value)) = parse_entry(trimmed) {
                    out.push(EntryPoint {
                        group: g.clone(),
                        name,
                        value,
                        line: line_no,
                    });
                }
            }
            continue;
        }
        // `group =` (entries follow) or `group = name = value` (one entry on the same line).
        let Some((g, rest)) = trimmed.split_once(['=', ':']) else {
            group = None;
            continue;
        };
        let g = g.trim().to_string();
        group = (!g.is_empty()).then_some(g.clone());
        if let Some((name, value)) = parse_entry(rest.trim()) {
            out.push(EntryPoint {
                group: g,
                name,
                value,
                line: line_no,
            });
        }
    }
    out
}

/// Entry points of a packaging file, by its name (`setup.py` or `setup.cfg`).
pub fn entry_points(path: &str, src: &str) -> Vec<EntryPoint> {
    if path.ends_with("setup.cfg") {
        setup_cfg_entry_points(src)
    } else {
        setup_py_entry_points(src)
    }
}

/// Resolved top-level versions of a `package-lock.json`: name → version.
pub fn lock_versions(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return out;
    };
    if let Some(serde_json::Value::Object(packages)) = root.get("packages") {
        for (key, v) in packages {
            let Some(name) = key.strip_prefix("node_modules/") else {
                continue;
            };
            if name.is_empty() || name.contains("/node_modules/") {
                continue; // the root package, or a nested copy
            }
            if let Some(version) = v.get("version").and_then(|v| v.as_str()) {
                out.insert(name.to_string(), version.to_string());
            }
        }
    }
    if out.is_empty() {
        if let Some(serde_json::Value::Object(deps)) = root.get("dependencies") {
            for (name, v) in deps {
                if let Some(version) = v.get("version").and_then(|v| v.as_str()) {
                    out.insert(name.clone(), version.to_string());
                }
            }
        }
    }
    out
}

/// `1.2.3` of a plain version (`v1.2.3`, `=1.2.3`); `None` for anything else.
fn exact(v: &str) -> Option<&str> {
    let v = v.trim().trim_start_matches('=').trim_start_matches('v');
    let ok = !v.is_empty()
        && v.split(['.', '-', '+'])
            .next()
            .is_some_and(|m| m.parse::<u64>().is_ok())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    ok.then_some(v)
}

fn num(parts: &[&str], i: usize) -> Option<u64> {
    parts.get(i).and_then(|p| p.parse().ok())
}

/// Does `version` satisfy the npm range `spec`? `None` when the range is not understood (a URL,
/// a tag, a workspace path): the caller then judges nothing.
pub fn npm_satisfies(version: &str, spec: &str) -> Option<bool> {
    let version = exact(version)?;
    let spec = spec.trim();
    if spec.is_empty() || spec == "*" || spec == "latest" {
        return Some(true);
    }
    let mut any = false;
    for alt in spec.split("||") {
        let mut all = true;
        let words: Vec<&str> = alt.split_whitespace().collect();
        if words.is_empty() {
            return None;
        }
        for w in words {
            all &= clause(version, w)?;
        }
        any |= all;
    }
    Some(any)
}

fn clause(version: &str, c: &str) -> Option<bool> {
    for op in [">=", "<=", ">", "<"] {
        if let Some(v) = c.strip_prefix(op) {
            let o = cmp_versions(version, exact(v)?);
            return Some(match op {
                ">=" => o != Ordering::Less,
                "<=" => o != Ordering::Greater,
                ">" => o == Ordering::Greater,
                _ => o == Ordering::Less,
            });
        }
    }
    let vp: Vec<&str> = version.split(['.', '-', '+']).collect();
    if let Some(v) = c.strip_prefix('^') {
        let b = exact(v)?;
        let bp: Vec<&str> = b.split('.').collect();
        let (maj, min) = (num(&bp, 0)?, num(&bp, 1).unwrap_or(0));
        let same = if maj == 0 {
            num(&vp, 0) == Some(0) && num(&vp, 1) == Some(min)
        } else {
            num(&vp, 0) == Some(maj)
        };
        return Some(same && cmp_versions(version, b) != Ordering::Less);
    }
    if let Some(v) = c.strip_prefix('~') {
        let b = exact(v)?;
        let bp: Vec<&str> = b.split('.').collect();
        let same = num(&vp, 0) == num(&bp, 0) && (bp.len() < 2 || num(&vp, 1) == num(&bp, 1));
        return Some(same && cmp_versions(version, b) != Ordering::Less);
    }
    // x-ranges: `1.x`, `1.2.*`, `1`.
    let parts: Vec<&str> = c.trim_start_matches(['=', 'v']).split('.').collect();
    if parts.len() < 3 || parts.iter().any(|p| matches!(*p, "x" | "X" | "*")) {
        for (i, p) in parts.iter().enumerate() {
            if matches!(*p, "x" | "X" | "*") {
                break;
            }
            let want: u64 = p.parse().ok()?;
            if num(&vp, i) != Some(want) {
                return Some(false);
            }
        }
        return Some(true);
    }
    Some(cmp_versions(version, exact(c)?) == Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_py_entry_points_from_a_literal_and_a_name() {
        let src = r#"from setuptools import setup

EP = {
    "console_scripts": ["tool = pkg.cli:main"],
}

setup(
    name="x",
    entry_points={
        "lms.djangoapp": [
            "acme = lms.djangoapps.acme.apps:AcmeConfig",
            'bad entry',
        ],
        "openedx.course_tab": ("wiki = lms.djangoapps.course_wiki.tab:WikiTab [extra]",),
        "xblock.v1": """
            poll = acme_poll.poll:PollBlock
        """,
    },
)
setuptools.setup(entry_points=EP)
"#;
        let eps = setup_py_entry_points(src);
        let got: Vec<(&str, &str, &str, u32)> = eps
            .iter()
            .map(|e| (e.group.as_str(), e.name.as_str(), e.value.as_str(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "lms.djangoapp",
                    "acme",
                    "lms.djangoapps.acme.apps:AcmeConfig",
                    11
                ),
                (
                    "openedx.course_tab",
                    "wiki",
                    "lms.djangoapps.course_wiki.tab:WikiTab",
                    14
                ),
                ("xblock.v1", "poll", "acme_poll.poll:PollBlock", 16),
                ("console_scripts", "tool", "pkg.cli:main", 4),
            ]
        );
        assert_eq!(eps[0].module(), "lms.djangoapps.acme.apps");
        assert!(setup_py_entry_points("setup(entry_points=[").is_empty());
    }

    #[test]
    fn setup_cfg_entries() {
        let src = "[metadata]\nname = x\n\n[options.entry_points]\n# comment\nconsole_scripts =\n    acme-badges = lms.djangoapps.badges.handlers:main\n    other = a.b:c\nlms.djangoapp = acme = acme.apps:Config\n[options]\nfoo =\n    not = an.entry:point\n";
        let got: Vec<(String, String, String, u32)> = setup_cfg_entry_points(src)
            .into_iter()
            .map(|e| (e.group, e.name, e.value, e.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "console_scripts".into(),
                    "acme-badges".into(),
                    "lms.djangoapps.badges.handlers:main".into(),
                    7
                ),
                ("console_scripts".into(), "other".into(), "a.b:c".into(), 8),
                (
                    "lms.djangoapp".into(),
                    "acme".into(),
                    "acme.apps:Config".into(),
                    9
                ),
            ]
        );
    }

    #[test]
    fn lockfile_versions_v1_and_v3() {
        let v1 =
            r#"{"lockfileVersion": 1, "dependencies": {"jquery": {"version": "3.6.1"}, "x": {}}}"#;
        assert_eq!(
            lock_versions(v1).into_iter().collect::<Vec<_>>(),
            [("jquery".to_string(), "3.6.1".to_string())]
        );
        let v3 = r#"{"lockfileVersion": 3, "packages": {"": {"version": "0.1.0"},
            "node_modules/moment": {"version": "2.30.1"},
            "node_modules/@scope/pkg": {"version": "1.0.0"},
            "node_modules/a/node_modules/moment": {"version": "1.0.0"}}}"#;
        let got = lock_versions(v3);
        assert_eq!(got["moment"], "2.30.1");
        assert_eq!(got["@scope/pkg"], "1.0.0");
        assert_eq!(got.len(), 2);
        assert!(lock_versions("not json").is_empty());
        // v2 carries both: `packages` is the truth, `dependencies` the v1 copy for old npm.
        let v2 = r#"{"lockfileVersion": 2,
            "packages": {"node_modules/jquery": {"version": "3.7.1"},
                         "node_modules/fork-dep": {"resolved": "git+ssh://x/y.git#abc"}},
            "dependencies": {"jquery": {"version": "3.6.0"}}}"#;
        let got = lock_versions(v2);
        assert_eq!(
            got.into_iter().collect::<Vec<_>>(),
            [("jquery".to_string(), "3.7.1".to_string())]
        );
    }

    #[test]
    fn npm_ranges() {
        let s = |v: &str, r: &str| npm_satisfies(v, r);
        assert_eq!(s("2.29.4", "2.29.4"), Some(true));
        assert_eq!(s("2.30.1", "2.29.4"), Some(false));
        assert_eq!(s("2.30.1", "^2.29.4"), Some(true));
        assert_eq!(s("3.0.0", "^2.29.4"), Some(false));
        assert_eq!(s("0.3.1", "^0.2.0"), Some(false));
        assert_eq!(s("2.29.9", "~2.29.4"), Some(true));
        assert_eq!(s("2.30.0", "~2.29.4"), Some(false));
        assert_eq!(s("1.5.0", ">=1.2 <2"), Some(true));
        assert_eq!(s("2.0.0", ">=1.2 <2"), Some(false));
        assert_eq!(s("1.4.0", "1.x"), Some(true));
        assert_eq!(s("2.4.0", "1.x || 2.4.x"), Some(true));
        assert_eq!(s("1.0.0", "github:a/b"), None);
        assert_eq!(s("1.0.0", "*"), Some(true));
    }
}
