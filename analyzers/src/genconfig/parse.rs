//! Parse generated-config files (JSON, YAML) into JSON-like values, defensively: a YAML bomb
//! (aliases expanding to huge trees), nesting deeper than [`MAX_DEPTH`] or a file larger than
//! [`MAX_BYTES`] is refused with a clear message instead of exhausting memory or the stack.

use std::collections::HashMap;

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

/// Deepest nesting of mappings/sequences accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes a document may expand to (aliases included): refuses billion-laughs documents.
pub const MAX_NODES: usize = 200_000;
/// Largest file parsed.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The syntax of a config file, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    /// Not parsed key by key (Python, Caddyfile, INI, ...).
    Other,
}

impl Format {
    pub fn of(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            Format::Yaml
        } else {
            Format::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Other => "other",
        }
    }
}

/// Parse `text` in `format`. `Ok(None)` for [`Format::Other`]. An empty YAML document is `null`.
/// A UTF-8 byte-order mark at the start is accepted (editors on Windows write one).
pub fn parse(text: &str, format: Format) -> Result<Option<Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > MAX_BYTES {
        return Err(format!(
            "file is larger than {} MiB; not parsed",
            MAX_BYTES / 1024 / 1024
        ));
    }
    match format {
        Format::Json => parse_json(text).map(Some),
        Format::Yaml => parse_yaml(text).map(Some),
        Format::Other => Ok(None),
    }
}

fn parse_json(text: &str) -> Result<Value, String> {
    // serde_json refuses nesting deeper than 128 itself; we enforce our (lower) limit after.
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    check_depth(&value, 0)?;
    Ok(value)
}

fn check_depth(value: &Value, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("nesting deeper than {MAX_DEPTH} levels; refused"));
    }
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| check_depth(v, depth + 1)),
        Value::Object(map) => map.values().try_for_each(|v| check_depth(v, depth + 1)),
        _ => Ok(()),
    }
}

/// Parse YAML (first document) with our own event receiver so aliases are counted, not cloned
/// blindly, and depth is bounded.
fn parse_yaml(text: &str) -> Result<Value, String> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, true)
        .map_err(|e| format!("invalid YAML: {e}"))?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.docs.into_iter().next().unwrap_or(Value::Null))
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        nodes: usize,
    },
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
        nodes: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// anchor id → (value, number of nodes it expands to)
    anchors: HashMap<usize, (Value, usize)>,
    docs: Vec<Value>,
    total_nodes: usize,
    error: Option<String>,
}

impl Builder {
    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
        self.stack.clear();
    }

    /// Attach a finished node (with its node count) to the parent, or finish the document.
    fn push_value(&mut self, value: Value, nodes: usize, mark: Marker) {
        self.total_nodes = self.total_nodes.saturating_add(nodes);
        if self.total_nodes > MAX_NODES {
            self.fail(format!(
                "document expands to more than {MAX_NODES} nodes (line {}): a YAML alias bomb? refused",
                mark.line()
            ));
            return;
        }
        match self.stack.last_mut() {
            None => self.docs.push(value),
            Some(Frame::Seq {
                items, nodes: n, ..
            }) => {
                items.push(value);
                *n += nodes;
            }
            Some(Frame::Map {
                map, key, nodes: n, ..
            }) => match key.take() {
                None => *key = Some(key_string(&value)),
                Some(k) => {
                    map.insert(k, value);
                    *n += nodes;
                }
            },
        }
    }

    fn open(&mut self, frame: Frame, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(format!(
                "nesting deeper than {MAX_DEPTH} levels (line {}); refused",
                mark.line()
            ));
            return;
        }
        self.stack.push(frame);
    }
}

fn key_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match Yaml::from_str(&text) {
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(text)),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => Value::String(text),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                let value = scalar(text, style);
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.push_value(value, 1, mark);
            }
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    items: Vec::new(),
                    anchor,
                    nodes: 1,
                },
                mark,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    map: Map::new(),
                    key: None,
                    anchor,
                    nodes: 1,
                },
                mark,
            ),
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor, nodes) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        anchor,
                        nodes,
                    }) => (Value::Array(items), anchor, nodes),
                    Some(Frame::Map {
                        map, anchor, nodes, ..
                    }) => (Value::Object(map), anchor, nodes),
                    None => return,
                };
                // The node's own children were already counted as they were attached.
                self.total_nodes = self.total_nodes.saturating_sub(nodes.saturating_sub(1));
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), nodes));
                }
                self.push_value(value, nodes, mark);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((value, nodes)) => {
                    let (value, nodes) = (value.clone(), *nodes);
                    if self.total_nodes.saturating_add(nodes) > MAX_NODES {
                        self.fail(format!(
                            "aliases expand to more than {MAX_NODES} nodes (line {}): a YAML alias bomb? refused",
                            mark.line()
                        ));
                        return;
                    }
                    self.push_value(value, nodes, mark);
                }
                None => self.fail(format!("unknown YAML alias (line {})", mark.line())),
            },
            Event::DocumentEnd | Event::DocumentStart | Event::StreamStart | Event::StreamEnd => {}
            Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_scalars_and_nesting() {
        let v = parse(
            "A: 1\nB: true\nC: ~\nD: 'x'\nE: [1, two]\nF:\n  G: 2.5\n",
            Format::Yaml,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            v,
            json!({"A": 1, "B": true, "C": null, "D": "x", "E": [1, "two"], "F": {"G": 2.5}})
        );
    }

    #[test]
    fn yaml_aliases_expand() {
        let v = parse("base: &b {X: 1}\nother: *b\n", Format::Yaml)
            .unwrap()
            .unwrap();
        assert_eq!(v, json!({"base": {"X": 1}, "other": {"X": 1}}));
    }

    #[test]
    fn yaml_bomb_is_refused() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            doc.push_str(&format!(
                "{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = n;
        }
        let err = parse(&doc, Format::Yaml).unwrap_err();
        assert!(err.contains("bomb"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let err = parse(&deep, Format::Yaml).unwrap_err();
        assert!(err.contains("nesting deeper"), "{err}");
        let err = parse(&deep, Format::Json).unwrap_err();
        assert!(err.contains("JSON") || err.contains("nesting"), "{err}");
        let ok = format!("{}{}", "[".repeat(60), "]".repeat(60));
        assert!(parse(&ok, Format::Json).is_ok());
        let err = parse(
            &format!("{}{}", "[".repeat(100), "]".repeat(100)),
            Format::Json,
        )
        .unwrap_err();
        assert!(err.contains("nesting deeper"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let v = parse("\u{feff}A: 1\nB: [x]\n", Format::Yaml)
            .unwrap()
            .unwrap();
        assert_eq!(v, json!({"A": 1, "B": ["x"]}));
        let v = parse("\u{feff}{\"A\": 1}", Format::Json).unwrap().unwrap();
        assert_eq!(v, json!({"A": 1}));
        // Only at the start: elsewhere it is content.
        assert!(parse("{\"A\": \u{feff}1}", Format::Json).is_err());
    }

    #[test]
    fn invalid_input_is_an_error_not_a_panic() {
        assert!(parse("{\"a\": ", Format::Json).is_err());
        assert!(parse("a: [1, 2\n", Format::Yaml).is_err());
        assert!(parse("*nope\n", Format::Yaml).is_err());
        assert_eq!(parse("", Format::Yaml).unwrap(), Some(Value::Null));
        assert_eq!(parse("x", Format::Other).unwrap(), None);
    }
}
