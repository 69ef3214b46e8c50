//! Evaluate Python literals (tree-sitter nodes) into JSON-like values, like `ast.literal_eval`
//! plus constant folding of `+ - * //` on numbers and `+` on strings/lists (settings modules write
//! `60 * 60 * 24 * 14`). Anything else (names, calls such as `_("…")`, f-strings) is not a
//! literal: `None`.

use serde_json::{Map, Number, Value};
use tree_sitter::Node;

/// Deepest nesting evaluated (defensive; tree-sitter itself nests arbitrarily).
const MAX_DEPTH: usize = 64;

pub fn eval(node: Node<'_>, src: &[u8]) -> Option<Value> {
    eval_depth(node, src, 0)
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

fn eval_depth(node: Node<'_>, src: &[u8], depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH || node.has_error() {
        return None;
    }
    let d = depth + 1;
    match node.kind() {
        "string" => string_literal(text(node, src)).map(Value::String),
        "concatenated_string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                match eval_depth(part, src, d)? {
                    Value::String(s) => out.push_str(&s),
                    _ => return None,
                }
            }
            Some(Value::String(out))
        }
        "integer" => parse_int(text(node, src)).map(Value::from),
        "float" => text(node, src)
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "none" => Some(Value::Null),
        "parenthesized_expression" => node.named_child(0).and_then(|n| eval_depth(n, src, d)),
        "list" | "tuple" | "set" => {
            let mut items = Vec::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                if child.kind() == "comment" {
                    continue;
                }
                items.push(eval_depth(child, src, d)?);
            }
            Some(Value::Array(items))
        }
        "dictionary" => {
            let mut map = Map::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "comment" => continue,
                    "pair" => {
                        let key = child.child_by_field_name("key")?;
                        let value = child.child_by_field_name("value")?;
                        let key = match eval_depth(key, src, d)? {
                            Value::String(s) => s,
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            _ => return None,
                        };
                        map.insert(key, eval_depth(value, src, d)?);
                    }
                    _ => return None,
                }
            }
            Some(Value::Object(map))
        }
        "unary_operator" => {
            let op = text(node.child_by_field_name("operator")?, src);
            let arg = eval_depth(node.child_by_field_name("argument")?, src, d)?;
            match (op, arg) {
                ("-", Value::Number(n)) => {
                    if let Some(i) = n.as_i64() {
                        i.checked_neg().map(Value::from)
                    } else {
                        n.as_f64()
                            .and_then(|f| Number::from_f64(-f))
                            .map(Value::Number)
                    }
                }
                ("+", v @ Value::Number(_)) => Some(v),
                _ => None,
            }
        }
        "binary_operator" => {
            let op = text(node.child_by_field_name("operator")?, src);
            let l = eval_depth(node.child_by_field_name("left")?, src, d)?;
            let r = eval_depth(node.child_by_field_name("right")?, src, d)?;
            binary(op, l, r)
        }
        _ => None,
    }
}

fn binary(op: &str, l: Value, r: Value) -> Option<Value> {
    match (l, r) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                let v = match op {
                    "+" => a.checked_add(b),
                    "-" => a.checked_sub(b),
                    "*" => a.checked_mul(b),
                    "//" if b != 0 => Some(a.div_euclid(b)),
                    _ => None,
                }?;
                Some(Value::from(v))
            } else {
                let (a, b) = (a.as_f64()?, b.as_f64()?);
                let v = match op {
                    "+" => a + b,
                    "-" => a - b,
                    "*" => a * b,
                    "/" if b != 0.0 => a / b,
                    _ => return None,
                };
                Number::from_f64(v).map(Value::Number)
            }
        }
        (Value::String(a), Value::String(b)) if op == "+" => Some(Value::String(a + &b)),
        (Value::Array(mut a), Value::Array(b)) if op == "+" => {
            a.extend(b);
            Some(Value::Array(a))
        }
        _ => None,
    }
}

fn parse_int(t: &str) -> Option<i64> {
    let t = t.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else {
        lower.parse().ok()
    }
}

/// Decode one Python string literal (with prefix and quotes). f-strings and bytes: `None`.
pub fn string_literal(t: &str) -> Option<String> {
    let quote_at = t.find(['\'', '"'])?;
    let prefix = t[..quote_at].to_ascii_lowercase();
    if prefix.contains('f') || prefix.contains('b') || prefix.contains('t') {
        return None;
    }
    let raw = prefix.contains('r');
    let body = &t[quote_at..];
    let q = if body.starts_with("\"\"\"") || body.starts_with("'''") {
        &body[..3]
    } else {
        &body[..1]
    };
    let inner = body.strip_prefix(q)?.strip_suffix(q)?;
    if raw {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {}
            Some('x') => {
                let h: String = chars.by_ref().take(2).collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
            }
            Some('u') => {
                let h: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval_src(expr: &str) -> Option<Value> {
        let src = format!("X = {expr}\n");
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(&src, None).unwrap();
        let stmt = tree.root_node().named_child(0).unwrap();
        let assign = stmt.named_child(0).unwrap();
        let right = assign.child_by_field_name("right").unwrap();
        eval(right, src.as_bytes())
    }

    #[test]
    fn literals() {
        assert_eq!(eval_src("'a\\nb'"), Some(json!("a\nb")));
        assert_eq!(eval_src("r'a\\nb'"), Some(json!("a\\nb")));
        assert_eq!(eval_src("\"a\" 'b'"), Some(json!("ab")));
        assert_eq!(eval_src("60 * 60 * 24 * 14"), Some(json!(1209600)));
        assert_eq!(eval_src("-1"), Some(json!(-1)));
        assert_eq!(eval_src("1.5"), Some(json!(1.5)));
        assert_eq!(eval_src("0x10"), Some(json!(16)));
        assert_eq!(
            eval_src("{'A': True, \"B\": [None, (1, 2)], 'C': {}}"),
            Some(json!({"A": true, "B": [null, [1, 2]], "C": {}}))
        );
        assert_eq!(eval_src("['a'] + ['b']"), Some(json!(["a", "b"])));
        assert_eq!(eval_src("_('x')"), None);
        assert_eq!(eval_src("f'{X}'"), None);
        assert_eq!(eval_src("OTHER"), None);
        assert_eq!(eval_src("{**A, 'b': 1}"), None);
        assert_eq!(eval_src("1 // 0"), None);
    }
}
