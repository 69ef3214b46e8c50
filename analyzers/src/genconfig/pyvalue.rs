//! JSON-like values written back as Python literals (for Python settings patches).

use serde_json::Value;

/// `{"A": true, "B": null}` → `{"A": True, "B": None}`.
pub fn to_python(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        // JSON string escapes are valid Python string escapes.
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(to_python).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), to_python(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_literals() {
        assert_eq!(
            to_python(&json!({"A": true, "B": [null, 1.5, "x\"y"], "C": false})),
            r#"{"A": True, "B": [None, 1.5, "x\"y"], "C": False}"#
        );
    }
}
