//! Ready-to-use files from a list of [`Spec`]s: a Tutor YAML plugin, an Ansible vars file, and
//! YAML snippets for `lms.yml` / `studio.yml`. Pure functions returning (file name, content);
//! the CLI writes them. Secret specs contribute only comments naming the key to set from a
//! secret store — never a value (their values are placeholders anyway).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{yaml_key, yaml_line, Mode, Service, Spec, TutorEntry};

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
            Some(h) => format!("#   {}: {}", one_line(&s.setting), one_line(&h)),
            None => format!("#   {}", one_line(&s.setting)),
        })
        .collect();
    out.dedup();
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
        format!("# {header}"),
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
            out.push(format!("  {patch}: |"));
            out.push(block(&lines, "    "));
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
        format!("# {header}"),
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

fn yaml_snippets(specs: &[&Spec], header: &str) -> Vec<(String, String)> {
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
            format!("# {header}"),
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
