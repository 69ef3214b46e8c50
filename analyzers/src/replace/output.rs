//! Ready-to-use files from a list of [`Spec`]s: a Tutor YAML plugin, an Ansible vars file, and
//! YAML snippets for `lms.yml` / `studio.yml`. Pure functions returning (file name, content);
//! the CLI writes them. Secret specs contribute only comments naming the key to set from a
//! secret store — never a value (their values are placeholders anyway).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Mode, Service, Spec, TutorEntry};

/// `key: value` as one YAML line: the value in flow style (JSON's shape), every string
/// double-quoted with escapes wherever YAML needs them (see [`yaml_string`]).
pub fn yaml_line(key: &str, value: &Value) -> String {
    format!("{}: {}", yaml_key(key), yaml_value(value))
}

/// A YAML mapping key: plain when safe, double-quoted otherwise.
pub fn yaml_key(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    if plain {
        key.to_string()
    } else {
        yaml_string(key)
    }
}

/// A value in YAML flow style, laid out as compact JSON (which it otherwise equals).
pub fn yaml_value(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => out.push_str(&yaml_string(s)),
        Value::Number(n) => out.push_str(&yaml_number(n)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&yaml_string(k));
                out.push(':');
                write_value(v, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A number as YAML 1.1 (PyYAML) reads it back as a number: a float in exponent form needs a
/// `.` in the mantissa and a sign in the exponent (`1e300` would be read as a string).
fn yaml_number(n: &serde_json::Number) -> String {
    let text = n.to_string();
    if !n.is_f64() {
        return text;
    }
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return text;
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with(['+', '-']) {
        exponent.to_string()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

/// Does YAML (PyYAML's reader, YAML 1.1) accept `c` as it is in a double-quoted scalar? Not
/// C0 controls other than tab, not DEL, not C1 controls, not the YAML 1.1 line breaks (NEL,
/// U+2028, U+2029, which a parser folds), not the byte-order mark or the non-characters
/// U+FFFE / U+FFFF.
fn yaml_printable(c: char) -> bool {
    !matches!(c,
        '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// `s` as a YAML double-quoted scalar: `"`, `\\` and every character [`yaml_printable`]
/// refuses escaped (`\n`, `\t`, `\uXXXX`), the rest as is (escapes PyYAML and every YAML 1.2
/// parser read back to the same string).
pub fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !yaml_printable(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment line's text with anything that could end the comment or upset a YAML reader
/// (line breaks, control characters) shown as escapes.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\t' || yaml_printable(c) && !c.is_control() {
                c.to_string()
            } else {
                format!("\\u{:04X}", u32::from(c))
            }
        })
        .collect()
}

/// A block of text as the value of `key:`: a literal block (`|`) when every line is printable
/// text, else a double-quoted scalar with escapes (a literal block cannot escape anything).
fn text_entry(key: &str, lines: &[String], indent: &str) -> String {
    let text = block(lines, indent);
    let literal = text
        .chars()
        .all(|c| c == '\n' || c == '\t' || (yaml_printable(c) && c != '\r'));
    if literal {
        format!("{key}: |\n{text}")
    } else {
        let plain: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        format!("{key}: {}", yaml_string(&(plain.join("\n") + "\n")))
    }
}

/// Output format of `forkcheck replace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    TutorPlugin,
    Ansible,
    Yaml,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tutor-plugin" | "tutor" => Ok(Format::TutorPlugin),
            "ansible" => Ok(Format::Ansible),
            "yaml" => Ok(Format::Yaml),
            other => Err(format!(
                "unknown replacement format `{other}` (expected tutor-plugin, ansible or yaml)"
            )),
        }
    }
}

/// Ordered, merging map of top-level YAML entries.
#[derive(Default)]
struct Entries {
    order: Vec<String>,
    values: BTreeMap<String, Value>,
}

impl Entries {
    fn put(&mut self, key: &str, value: &Value, mode: &Mode, merge: bool) {
        let merged = match (self.values.remove(key), value) {
            (None, v) => v.clone(),
            (Some(Value::Array(mut a)), Value::Array(b)) if *mode == Mode::Append => {
                for item in b {
                    if !a.contains(item) {
                        a.push(item.clone());
                    }
                }
                Value::Array(a)
            }
            (Some(Value::Object(a)), Value::Object(b)) if merge => Value::Object(merge_maps(a, b)),
            (Some(_), v) => v.clone(),
        };
        if !self.order.iter().any(|k| k == key) {
            self.order.push(key.to_string());
        }
        self.values.insert(key.to_string(), merged);
    }

    fn lines(&self) -> Vec<String> {
        self.order
            .iter()
            .filter_map(|k| self.values.get(k).map(|v| yaml_line(k, v)))
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

fn merge_maps(mut a: Map<String, Value>, b: &Map<String, Value>) -> Map<String, Value> {
    for (k, v) in b {
        let merged = match (a.remove(k), v) {
            (Some(Value::Array(mut x)), Value::Array(y)) => {
                for item in y {
                    if !x.contains(item) {
                        x.push(item.clone());
                    }
                }
                Value::Array(x)
            }
            (Some(Value::Object(x)), Value::Object(y)) => Value::Object(merge_maps(x, y)),
            (_, v) => v.clone(),
        };
        a.insert(k.clone(), merged);
    }
    a
}

/// Indent `lines` for a YAML block. Split at every character YAML (1.1, as PyYAML and so Tutor
/// read it) takes as a line break, not only `\n`: an unindented line would end the block scalar.
fn block(lines: &[String], indent: &str) -> String {
    lines
        .iter()
        .flat_map(|l| yaml_lines(l))
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Like [`str::lines`], but also breaking at a lone `\r`, U+0085, U+2028 and U+2029.
fn yaml_lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .map(str::to_string)
        .collect()
}

fn secret_comments(specs: &[&Spec], how: impl Fn(&Spec) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = specs
        .iter()
        .filter(|s| s.secret)
        .map(|s| match how(s) {
            Some(h) => comment(&format!("#   {}: {h}", s.setting)),
            None => comment(&format!("#   {}", s.setting)),
        })
        .collect();
    // A secret set in several modules (lms and cms, or two settings modules) is named once.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|line| seen.insert(line.clone()));
    if !out.is_empty() {
        out.insert(
            0,
            "# Secrets found in the fork (rotate them; set them from your secret store, never in this file):"
                .into(),
        );
    }
    out
}

/// Text for a YAML comment: a key from the repository may hold line breaks (and YAML also breaks
/// lines at U+0085, U+2028 and U+2029), which would end the comment and inject YAML. Control
/// characters and those separators are shown as `\u{..}` escapes.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Render `specs` as files in `format`. `header` is a comment line (without `#`) naming the
/// source; `name` is the Tutor plugin name.
pub fn render(specs: &[Spec], format: Format, name: &str, header: &str) -> Vec<(String, String)> {
    let refs: Vec<&Spec> = specs.iter().collect();
    let header = &one_line(header);
    match format {
        Format::TutorPlugin => vec![(format!("{name}.yml"), tutor_plugin(&refs, name, header))],
        Format::Ansible => vec![("edxapp-vars.yml".into(), ansible(&refs, header))],
        Format::Yaml => yaml_snippets(&refs, header),
    }
}

fn tutor_plugin(specs: &[&Spec], name: &str, header: &str) -> String {
    let mut config = Entries::default();
    let mut yaml_patches: BTreeMap<String, Entries> = BTreeMap::new();
    let mut python_patches: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for spec in specs.iter().filter(|s| !s.secret) {
        match &spec.tutor {
            Some(TutorEntry::Config { key, value }) => config.put(key, value, &Mode::Set, false),
            Some(TutorEntry::Yaml {
                patch,
                key,
                value,
                mode,
            }) => yaml_patches
                .entry(patch.clone())
                .or_default()
                .put(key, value, mode, true),
            Some(TutorEntry::Python { patch, code }) => {
                let lines = python_patches.entry(patch.clone()).or_default();
                if !lines.contains(code) {
                    lines.push(code.clone());
                }
            }
            None => {}
        }
    }
    let mut out = vec![
        comment(&format!("# {header}")),
        "# Tutor YAML plugin: copy to \"$(tutor plugins printroot)\", then".into(),
        format!("#   tutor plugins enable {name} && tutor config save"),
        format!("name: {}", yaml_key(name)),
        "version: 0.1.0".into(),
    ];
    if !config.is_empty() {
        out.push("config:".into());
        out.push("  set:".into());
        out.push(block(&config.lines(), "    "));
    }
    let mut patches: Vec<(String, Vec<String>)> = yaml_patches
        .iter()
        .map(|(p, e)| (p.clone(), e.lines()))
        .collect();
    patches.extend(python_patches);
    patches.sort();
    if !patches.is_empty() {
        out.push("patches:".into());
        for (patch, lines) in patches {
            out.push(format!(
                "  {}",
                text_entry(&yaml_key(&patch), &lines, "    ")
            ));
        }
    }
    out.extend(secret_comments(specs, |s| match &s.tutor {
        Some(TutorEntry::Config { key, .. }) => Some(format!("tutor config save --set {key}=…")),
        Some(TutorEntry::Yaml { patch, key, .. }) => Some(format!("patch {patch}: {key}")),
        _ => None,
    }));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn ansible(specs: &[&Spec], header: &str) -> String {
    let mut vars = Entries::default();
    for spec in specs {
        let Some(a) = &spec.ansible else { continue };
        // A catch-all entry that sets a key (not one that appends to a list) replaces what an
        // earlier edit set there, as in the YAML / JSON file: both carry the same final value.
        let set_keys: Vec<&String> = match (&a.value, &spec.yaml) {
            (Value::Object(m), Some(y))
                if a.merge && y.mode == Mode::Set && y.key != "FEATURES" =>
            {
                m.keys().collect()
            }
            _ => Vec::new(),
        };
        if let Some(Value::Object(prev)) = vars.values.get_mut(&a.var) {
            for k in set_keys {
                prev.remove(k);
            }
        }
        if spec.secret {
            let vault = Value::String(format!("{{{{ vault_{} }}}}", a.var.to_ascii_lowercase()));
            let value = match &a.value {
                Value::Object(m) if a.merge => Value::Object(
                    m.keys()
                        .map(|k| {
                            let v = format!("{{{{ vault_{} }}}}", k.to_ascii_lowercase());
                            (k.clone(), Value::String(v))
                        })
                        .collect::<Map<String, Value>>(),
                ),
                _ => vault,
            };
            vars.put(&a.var, &value, &Mode::Set, a.merge);
        } else {
            vars.put(&a.var, &a.value, &Mode::Set, a.merge);
        }
    }
    let mut out = vec![
        comment(&format!("# {header}")),
        "# Ansible variables for the edxapp role (edx configuration repository); secrets point at"
            .into(),
        "# Ansible Vault variables you define. The configuration repository stops at Quince: for"
            .into(),
        "# Redwood and later these apply to self-maintained edxapp playbooks only.".into(),
    ];
    out.extend(vars.lines());
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Era A: `lms.env.json` / `cms.env.json` fragments (JSON has no comments: secrets are only
/// named in the report, never written).
fn json_snippets(specs: &[&Spec]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (file, service) in [
        ("lms.env.json", Service::Lms),
        ("cms.env.json", Service::Cms),
    ] {
        let mut entries = Entries::default();
        for spec in specs
            .iter()
            .filter(|s| !s.secret && (s.service == service || s.service == Service::Both))
        {
            if let Some(y) = &spec.yaml {
                entries.put(&y.key, &y.value, &y.mode, y.key == "FEATURES");
            }
        }
        if entries.is_empty() {
            continue;
        }
        let map: Map<String, Value> = entries
            .order
            .iter()
            .filter_map(|k| entries.values.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        let mut text = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
        text.push('\n');
        files.push((file.to_string(), text));
    }
    files
}

fn yaml_snippets(specs: &[&Spec], header: &str) -> Vec<(String, String)> {
    if specs.iter().any(|s| s.json) {
        return json_snippets(specs);
    }
    let mut files = Vec::new();
    for (file, service) in [("lms.yml", Service::Lms), ("studio.yml", Service::Cms)] {
        let mine: Vec<&Spec> = specs
            .iter()
            .copied()
            .filter(|s| s.service == service || s.service == Service::Both)
            .collect();
        let mut entries = Entries::default();
        for spec in mine.iter().filter(|s| !s.secret) {
            if let Some(y) = &spec.yaml {
                entries.put(&y.key, &y.value, &y.mode, y.key == "FEATURES");
            }
        }
        let secrets = secret_comments(&mine, |s| s.yaml.as_ref().map(|y| y.key.clone()));
        if entries.is_empty() && secrets.is_empty() {
            continue;
        }
        let mut out = vec![
            comment(&format!("# {header}")),
            format!("# Merge these top-level keys into {file} (LMS_CFG / CMS_CFG; Tutor: lms.env.yml / cms.env.yml)."),
        ];
        out.extend(entries.lines());
        out.extend(secrets);
        let mut text = out.join("\n");
        text.push('\n');
        files.push((file.to_string(), text));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replace::{AnsibleEntry, YamlEntry};
    use serde_json::json;
    use yaml_rust2::{Yaml, YamlLoader};

    /// The characters PyYAML's reader refuses anywhere in a stream (`Reader.NON_PRINTABLE`).
    fn pyyaml_rejects(c: char) -> bool {
        !matches!(c,
            '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
    }

    const NASTY: &str = "a\u{7f}b\u{80}\u{85}\u{9f}\u{0}\u{1b}[31m\u{2028}\u{2029}\u{feff}\u{ffff}\t\"'\\:#{}[]\r\n€𝄞";

    fn json_of(y: &Yaml) -> Value {
        match y {
            Yaml::String(s) => Value::String(s.clone()),
            Yaml::Integer(i) => json!(i),
            Yaml::Real(r) => json!(r.parse::<f64>().unwrap()),
            Yaml::Boolean(b) => json!(b),
            Yaml::Null => Value::Null,
            Yaml::Array(a) => Value::Array(a.iter().map(json_of).collect()),
            Yaml::Hash(h) => Value::Object(
                h.iter()
                    .map(|(k, v)| (k.as_str().unwrap().to_string(), json_of(v)))
                    .collect(),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn parse_one(text: &str) -> Yaml {
        assert!(!text.chars().any(pyyaml_rejects), "{text:?}");
        let mut docs = YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
        docs.remove(0)
    }

    #[test]
    fn strings_round_trip_through_a_yaml_parser() {
        for s in [
            NASTY, "", "plain", "  lead", "#x", "1e3", "null", "\u{85}", "\u{7f}",
        ] {
            let line = yaml_line("K", &json!(s));
            let doc = parse_one(&line);
            assert_eq!(doc["K"].as_str(), Some(s), "{line}");
        }
        for c in (0u32..0x300).chain([0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff, 0x1_0000]) {
            let Some(c) = char::from_u32(c) else { continue };
            let s = format!("x{c}y");
            let doc = parse_one(&yaml_line("K", &json!(s)));
            assert_eq!(
                doc["K"].as_str(),
                Some(s.as_str()),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn nested_values_and_numbers_round_trip() {
        let value = json!({NASTY: [1, -2, 2.5, 1e300, 1.5e-7, true, null, {"k\u{7f}": "v\u{9b}"}]});
        let doc = parse_one(&yaml_line(NASTY, &value));
        let back = json_of(&doc[NASTY]);
        assert_eq!(back, value);
        assert_eq!(yaml_value(&json!(1e300)), "1.0e+300");
    }

    #[test]
    fn rendered_files_parse_with_control_characters_in_values() {
        let spec = Spec {
            service: Service::Both,
            setting: "ODD\u{7f}".to_string(),
            yaml: Some(YamlEntry {
                key: "ODD".into(),
                value: json!(NASTY),
                mode: Mode::Set,
            }),
            ansible: Some(AnsibleEntry {
                var: "EDXAPP_ODD".into(),
                value: json!(NASTY),
                merge: false,
            }),
            tutor: Some(TutorEntry::Yaml {
                patch: "lms-env".into(),
                key: "ODD".into(),
                value: json!(NASTY),
                mode: Mode::Set,
            }),
            secret: false,
            json: false,
            notes: Vec::new(),
        };
        let python = Spec {
            tutor: Some(TutorEntry::Python {
                patch: "openedx-lms-common-settings".into(),
                code: format!("ODD = \"{NASTY}\""),
            }),
            ..spec.clone()
        };
        let header = "from `repo\nwith: newline\u{7f}`".to_string();
        for format in [Format::TutorPlugin, Format::Ansible, Format::Yaml] {
            for (name, text) in render(&[spec.clone(), python.clone()], format, "acme", &header) {
                let doc = parse_one(&text);
                match format {
                    Format::Ansible => assert_eq!(doc["EDXAPP_ODD"].as_str(), Some(NASTY)),
                    Format::Yaml => assert_eq!(doc["ODD"].as_str(), Some(NASTY), "{name}"),
                    Format::TutorPlugin => {
                        let patch = doc["patches"]["lms-env"].as_str().unwrap();
                        assert_eq!(parse_one(patch)["ODD"].as_str(), Some(NASTY));
                        let code = doc["patches"]["openedx-lms-common-settings"]
                            .as_str()
                            .unwrap();
                        assert_eq!(code, format!("ODD = \"{NASTY}\"\n"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod same_key_tests {
    use super::*;
    use crate::replace::{AnsibleEntry, YamlEntry};
    use serde_json::json;

    /// An Era A setting as `decide` writes it: the env-file key and the LMS catch-all.
    fn era_a(key: &str, value: Value, secret: bool) -> Spec {
        Spec {
            service: Service::Lms,
            setting: key.into(),
            yaml: Some(YamlEntry {
                key: key.into(),
                value: value.clone(),
                mode: Mode::Set,
            }),
            ansible: Some(AnsibleEntry {
                var: "EDXAPP_LMS_ENV_EXTRA".into(),
                value: json!({ key: value }),
                merge: true,
            }),
            tutor: None,
            secret,
            json: true,
            notes: Vec::new(),
        }
    }

    /// The value of `var` in the Ansible file (a catch-all is written as one JSON flow mapping).
    fn var(text: &str, var: &str) -> Value {
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{var}: ")))
            .expect("variable written");
        serde_json::from_str(line).expect("flow mapping")
    }

    #[test]
    fn two_edits_of_one_key_carry_the_same_final_value_in_ansible_and_json() {
        // uji-2013: two settings modules set VIRTUAL_UNIVERSITIES, ["edge"] then [].
        let specs = [
            era_a("VIRTUAL_UNIVERSITIES", json!(["edge"]), false),
            era_a("ADDL_INSTALLED_APPS", json!(["a"]), false),
            era_a("VIRTUAL_UNIVERSITIES", json!([]), false),
        ];
        let ansible = &render(&specs, Format::Ansible, "x", "h")[0].1;
        let extra = &var(ansible, "EDXAPP_LMS_ENV_EXTRA");
        let json_file = &render(&specs, Format::Yaml, "x", "h")[0];
        assert_eq!(json_file.0, "lms.env.json");
        let env: Value = serde_json::from_str(&json_file.1).expect("json");
        assert_eq!(env["VIRTUAL_UNIVERSITIES"], json!([]));
        assert_eq!(extra["VIRTUAL_UNIVERSITIES"], env["VIRTUAL_UNIVERSITIES"]);
        assert_eq!(extra["ADDL_INSTALLED_APPS"], json!(["a"]));
    }

    #[test]
    fn a_secret_set_twice_is_named_once() {
        let mut a = era_a("SECRET_KEY", json!("x"), true);
        a.json = false;
        a.tutor = None;
        let b = era_a("COMMENTS_SERVICE_KEY", json!("y"), true);
        let specs = [a.clone(), b, a];
        let plugin = &render(&specs, Format::TutorPlugin, "x", "h")[0].1;
        assert_eq!(plugin.matches("#   SECRET_KEY").count(), 1, "{plugin}");
        assert_eq!(plugin.matches("#   COMMENTS_SERVICE_KEY").count(), 1);
    }
}

#[cfg(test)]
mod line_break_tests {
    use super::*;

    #[test]
    fn comments_stay_one_line_and_blocks_split_at_every_yaml_line_break() {
        assert_eq!(
            one_line("KEY\ninjected: 1\r\u{2028}"),
            "KEY\\u{a}injected: 1\\u{d}\\u{2028}"
        );
        assert_eq!(
            yaml_lines("a\r\nb\rc\u{2028}d\u{85}e\n"),
            ["a", "b", "c", "d", "e"]
        );
        assert_eq!(yaml_lines("a\n\nb"), ["a", "", "b"]);
        assert!(yaml_lines("").is_empty());
        assert_eq!(
            block(&["x = 1\rinjected: 1".into()], "    "),
            "    x = 1\n    injected: 1"
        );
    }
}
