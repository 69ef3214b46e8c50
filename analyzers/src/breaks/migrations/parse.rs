//! A migration file read with tree-sitter: its app label, dependencies and `replaces`.

use super::*;

/// `("app", "name")`.
pub type Key = (String, String);

/// What a migration file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    pub dependencies: Vec<Key>,
    pub replaces: Vec<Key>,
}

/// `(app dir, migration name)` of a migration path: `a/b/migrations/0001_x.py`.
pub fn migration_path(path: &str) -> Option<(&str, &str)> {
    let (dir, file) = path.rsplit_once('/')?;
    let app_dir = dir.strip_suffix("/migrations")?;
    let name = file.strip_suffix(".py")?;
    let bytes = name.as_bytes();
    let numbered = bytes.len() > 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'_';
    (numbered && !app_dir.is_empty()).then_some((app_dir, name))
}

/// Django's default label of an app: its directory's name.
pub(super) fn dir_label(app_dir: &str) -> &str {
    app_dir.rsplit('/').next().unwrap_or(app_dir)
}

/// The `label = "…"` an `apps.py` gives its `AppConfig` (an assignment indented in a class body,
/// with a string literal that is a valid label); `None` when it sets none.
pub fn app_label(apps_py: &str) -> Option<String> {
    for line in apps_py.lines() {
        if !line.starts_with([' ', '\t']) {
            continue;
        }
        let Some(rest) = line.trim_start().strip_prefix("label") else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim();
        let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let inner = &rest[1..];
        let Some(end) = inner.find(quote) else {
            continue;
        };
        let label = &inner[..end];
        let valid = !label.is_empty()
            && !label.starts_with(|c: char| c.is_ascii_digit())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            return Some(label.to_string());
        }
    }
    None
}

/// Parse a migration module's `dependencies` and `replaces` (class attributes of `Migration`,
/// or anywhere an assignment to those names holds a list of 2-string tuples).
pub fn declared(src: &str) -> Declared {
    let tree = crate::settings::python::parse(src);
    let mut out = Declared::default();
    let Some(tree) = tree else { return out };
    let bytes = src.as_bytes();
    let mut cursor = tree.root_node().walk();
    loop {
        let node = cursor.node();
        if node.kind() == "assignment" {
            let left = node.child_by_field_name("left");
            let right = node.child_by_field_name("right");
            if let (Some(left), Some(right)) = (left, right) {
                let name = left.utf8_text(bytes).unwrap_or("");
                let slot = match name {
                    "dependencies" => Some(&mut out.dependencies),
                    "replaces" => Some(&mut out.replaces),
                    _ => None,
                };
                if let Some(slot) = slot {
                    if matches!(right.kind(), "list" | "tuple") {
                        slot.extend(pairs(right, bytes));
                    }
                }
            }
        }
        // Function bodies hold no declarations; everything else is searched.
        let descend = node.kind() != "function_definition" && cursor.goto_first_child();
        if descend {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

pub(super) fn pairs(list: Node<'_>, src: &[u8]) -> Vec<Key> {
    let mut out = Vec::new();
    let mut c = list.walk();
    for item in list.named_children(&mut c) {
        if !matches!(item.kind(), "tuple" | "list") {
            continue;
        }
        let mut c2 = item.walk();
        let strings: Vec<String> = item
            .named_children(&mut c2)
            .filter(|n| n.kind() == "string")
            .filter_map(|n| string_value(n, src))
            .collect();
        if strings.len() == 2 && item.named_child_count() == 2 {
            out.push((strings[0].clone(), strings[1].clone()));
        }
    }
    out
}

pub(super) fn string_value(node: Node<'_>, src: &[u8]) -> Option<String> {
    let mut c = node.walk();
    let mut s = String::new();
    for part in node.named_children(&mut c) {
        match part.kind() {
            "string_content" => s.push_str(part.utf8_text(src).ok()?),
            "string_start" | "string_end" => {}
            _ => return None, // interpolation: not a literal
        }
    }
    Some(s)
}
