//! Key-level comparison of two parsed config documents. Keys are dotted paths
//! (`DATABASES.default.PASSWORD`); a key whose name contains a `.` is quoted
//! (`MKTG_URLS["about.html"]`). Lists are compared whole: a list setting is one value.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Changed,
    Removed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Changed => "changed",
            Status::Removed => "removed",
        }
    }
}

/// One leaf that differs between the two sides.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyChange {
    pub key: String,
    pub status: Status,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", Value::String(key.to_string())),
    }
}

/// All leaves of `value` as (path, value). Lists are leaves (a list setting is one value, its
/// type kept); so are empty mappings.
pub fn leaves(value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn walk(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                walk(v, child_path(&path, k), out);
            }
        }
        _ => out.push((path, value.clone())),
    }
}

/// The secret places inside `value` found at `key`: `key` itself when it names a credential
/// and holds a string or number (or a string holds a URL password, a private JWK or a PEM
/// key), and every such member of a mapping or list below it (`JWT_ISSUERS[0].SECRET_KEY`).
pub fn secret_leaves(key: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    secret_walk(key, value, &mut out);
    out
}

fn secret_walk(key: &str, value: &Value, out: &mut Vec<String>) {
    use crate::secrets;
    let container = matches!(value, Value::Object(m) if !m.is_empty())
        || matches!(value, Value::Array(a) if !a.is_empty());
    if container && secrets::is_secret_key_path(key) {
        // `FERNET_KEYS: [..]`, `SOCIAL_AUTH_OAUTH_SECRETS: {..}`: the setting is the secret.
        out.push(key.to_string());
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                secret_walk(&child_path(key, k), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                secret_walk(&format!("{key}[{i}]"), v, out);
            }
        }
        Value::Null | Value::Bool(_) => {}
        Value::Number(_) => {
            if secrets::is_secret_key_path(key) {
                out.push(key.to_string());
            }
        }
        Value::String(s) => {
            if (!s.is_empty() && secrets::is_secret_key_path(key))
                || secrets::values::holds_credential(s)
            {
                out.push(key.to_string());
            }
        }
    }
}

/// Compare two documents leaf by leaf, in document order (new side first, then removals).
pub fn diff(old: Option<&Value>, new: Option<&Value>) -> Vec<KeyChange> {
    let old_leaves = old.map(leaves).unwrap_or_default();
    let new_leaves = new.map(leaves).unwrap_or_default();
    let old_map: std::collections::HashMap<&str, &Value> =
        old_leaves.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let new_keys: std::collections::HashSet<&str> =
        new_leaves.iter().map(|(k, _)| k.as_str()).collect();
    let mut out = Vec::new();
    for (k, v) in &new_leaves {
        match old_map.get(k.as_str()) {
            None => out.push(KeyChange {
                key: k.clone(),
                status: Status::Added,
                old: None,
                new: Some(v.clone()),
            }),
            Some(o) if *o != v => out.push(KeyChange {
                key: k.clone(),
                status: Status::Changed,
                old: Some((*o).clone()),
                new: Some(v.clone()),
            }),
            Some(_) => {}
        }
    }
    for (k, v) in &old_leaves {
        if !new_keys.contains(k.as_str()) {
            out.push(KeyChange {
                key: k.clone(),
                status: Status::Removed,
                old: Some(v.clone()),
                new: None,
            });
        }
    }
    out
}

/// The segments of a key path, for locating it in text: `A.b[0]["c.d"]` → `A`, `b`, `c.d`.
pub fn segments(key: &str) -> Vec<String> {
    crate::secrets::keys::split_path(key)
}

/// The 1-based line where `key` is written in `text` (best effort): each segment is searched as
/// a quoted key (`"X"`) or a YAML key (`X:`), after the previous segment's position.
pub fn locate(text: &str, key: &str) -> Option<u32> {
    let mut pos = 0usize;
    for seg in segments(key) {
        let quoted = format!("\"{seg}\"");
        let single = format!("'{seg}'");
        let yaml = format!("{seg}:");
        let hay = text.get(pos..)?;
        let found = [quoted.as_str(), single.as_str(), yaml.as_str()]
            .iter()
            .filter_map(|needle| find_key(hay, needle))
            .min()?;
        pos += found + 1;
    }
    let line = text.get(..pos)?.matches('\n').count() + 1;
    u32::try_from(line).ok()
}

/// Position of `needle` in `hay` where it starts a key (preceded by start, space, `{`, `,`,
/// newline or `- `).
fn find_key(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.find(needle) {
        let at = from + i;
        let before = hay[..at].chars().next_back();
        if matches!(before, None | Some(' ' | '\t' | '\n' | '{' | ',' | '-')) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

/// A value that says nothing: null, an empty string, list or map.
pub fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_nested_keys() {
        let old = json!({"A": 1, "D": {"P": "x", "Q": [1, 2]}, "GONE": true});
        let new = json!({"A": 2, "D": {"P": "x", "Q": [1, 3], "R": {}}, "NEW": null, "a.b": 1});
        let d = diff(Some(&old), Some(&new));
        let got: Vec<(String, Status)> = d.iter().map(|c| (c.key.clone(), c.status)).collect();
        assert_eq!(
            got,
            vec![
                ("A".into(), Status::Changed),
                ("D.Q".into(), Status::Changed),
                ("D.R".into(), Status::Added),
                ("NEW".into(), Status::Added),
                ("[\"a.b\"]".into(), Status::Added),
                ("GONE".into(), Status::Removed),
            ]
        );
    }

    #[test]
    fn locate_keys_in_text() {
        let json = "{\n  \"A\": 1,\n  \"DATABASES\": {\n    \"default\": {\n      \"PASSWORD\": \"x\"\n    }\n  }\n}\n";
        assert_eq!(locate(json, "DATABASES.default.PASSWORD"), Some(5));
        assert_eq!(locate(json, "A"), Some(2));
        assert_eq!(locate(json, "MISSING"), None);
        let yaml = "FEATURES:\n  ENABLE_X: true\nX_FEATURES: 1\n";
        assert_eq!(locate(yaml, "FEATURES.ENABLE_X"), Some(2));
        assert_eq!(locate(yaml, "X_FEATURES"), Some(3));
        assert_eq!(segments("A.b[0][\"c.d\"]"), vec!["A", "b", "c.d"]);
    }
}
