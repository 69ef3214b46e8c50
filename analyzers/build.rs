//! Generates the rule ids from `rules/*.toml` (one file per rule family) into
//! `$OUT_DIR/rule_ids.rs`, included by `src/model/rule.rs`: a `RuleId` enum with one variant per
//! rule and the embedded rule files. A rule the code names but the files lack is a compile error;
//! a rule filed under the wrong family, a duplicate or malformed id fails the build here.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Rule families: the hundreds digit of an id and the one file its rules live in.
const FAMILIES: &[(char, &str)] = &[
    ('1', "drift"),
    ('2', "config"),
    ('3', "settings"),
    ('4', "themes"),
    ('5', "templates"),
    ('6', "rebase"),
    ('7', "triage"),
    ('8', "migrations"),
    ('9', "dependencies"),
    ('0', "deprecations"),
];

fn main() {
    if let Err(message) = run() {
        // A build script reports by failing; cargo prints this under "error: failed to run
        // custom build command".
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let rules_dir = manifest.join("../rules");
    let rules_dir = rules_dir
        .canonicalize()
        .map_err(|e| format!("cannot find the rule files at {}: {e}", rules_dir.display()))?;
    println!("cargo:rerun-if-changed={}", rules_dir.display());

    // Every id, with the file it is defined in, and its fields.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut fields: BTreeMap<String, RuleFields> = BTreeMap::new();
    let mut files = Vec::new();
    for (digit, family) in FAMILIES {
        let rel = format!("rules/{family}.toml");
        let path = rules_dir.join(format!("{family}.toml"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {rel} (the file of rule family FC{digit}xx): {e}"))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e| format!("cannot parse {rel}: {e}"))?;
        let rules = rule_tables(&table, &rel)?;
        if rules.is_empty() {
            return Err(format!(
                "{rel} holds no [[rules]]: family FC{digit}xx is empty"
            ));
        }
        for rule in rules {
            let id = rule
                .get("id")
                .and_then(toml::Value::as_str)
                .ok_or_else(|| format!("{rel}: a [[rules]] table has no string `id`"))?;
            check_id(id, &rel)?;
            let fam = id.chars().nth(2).unwrap_or('?');
            if fam != *digit {
                let home = FAMILIES
                    .iter()
                    .find(|(d, _)| *d == fam)
                    .map(|(_, f)| format!("rules/{f}.toml"))
                    .unwrap_or_else(|| "no family file".into());
                return Err(format!(
                    "{rel} holds rule {id}, but it holds only FC{digit}xx rules: \
                     move {id} to {home}"
                ));
            }
            if let Some(other) = ids.insert(id.to_string(), rel.clone()) {
                return Err(format!("rule {id} is defined twice ({other} and {rel})"));
            }
            fields.insert(id.to_string(), rule_fields(rule, id, &rel)?);
        }
        files.push((rel, path));
    }
    // A rule file outside the families would never be loaded: refuse it.
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .map_err(|e| format!("cannot list {}: {e}", rules_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let name = file_name(&path);
        if FAMILIES.iter().any(|(_, f)| format!("{f}.toml") == name) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("rules/{name}: {e}"))?;
        let Ok(table) = text.parse::<toml::Table>() else {
            continue; // not a rule file's business here; its own loader reports it
        };
        if table.contains_key("rules") {
            return Err(format!(
                "rules/{name} holds [[rules]] but is no rule family file; rules live in {}",
                FAMILIES
                    .iter()
                    .map(|(d, f)| format!("rules/{f}.toml (FC{d}xx)"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    let out = PathBuf::from(env("OUT_DIR")?).join("rule_ids.rs");
    std::fs::write(&out, generate(&ids, &files, &fields))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run through cargo)"))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn rule_tables<'a>(table: &'a toml::Table, rel: &str) -> Result<Vec<&'a toml::Table>, String> {
    match table.get("rules") {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_table()
                    .ok_or_else(|| format!("{rel}: `rules` must be an array of tables"))
            })
            .collect(),
        Some(_) => Err(format!(
            "{rel}: `rules` must be an array of tables ([[rules]])"
        )),
    }
}

/// One rule's fields as its file writes them (`kind` and `severity` are checked when the
/// rules load: `Rules::load`).
struct RuleFields {
    text: BTreeMap<&'static str, String>,
    references: Vec<String>,
}

/// The string fields every rule has, in the order of `model::rule::RuleText`.
const TEXT_FIELDS: [&str; 8] = [
    "id",
    "name",
    "kind",
    "severity",
    "summary",
    "rationale",
    "example",
    "fix",
];

/// A rule table's fields: every one of [`TEXT_FIELDS`] a string, `references` (optional) an
/// array of strings, nothing else (as `Rule`'s `deny_unknown_fields`).
fn rule_fields(rule: &toml::Table, id: &str, rel: &str) -> Result<RuleFields, String> {
    let mut text = BTreeMap::new();
    for key in TEXT_FIELDS {
        let value = rule
            .get(key)
            .ok_or_else(|| format!("{rel}: rule {id} has no `{key}`"))?
            .as_str()
            .ok_or_else(|| format!("{rel}: rule {id}: `{key}` must be a string"))?;
        text.insert(key, value.to_string());
    }
    let references = match rule.get("references") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    format!("{rel}: rule {id}: `references` must be an array of strings")
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(format!(
                "{rel}: rule {id}: `references` must be an array of strings"
            ))
        }
    };
    if let Some(unknown) = rule
        .keys()
        .find(|k| !TEXT_FIELDS.contains(&k.as_str()) && *k != "references")
    {
        return Err(format!(
            "{rel}: rule {id} has an unknown field `{unknown}` (known: {}, references)",
            TEXT_FIELDS.join(", ")
        ));
    }
    Ok(RuleFields { text, references })
}

/// `FC` and three digits, the first of them a family's.
fn check_id(id: &str, rel: &str) -> Result<(), String> {
    let digits = id.strip_prefix("FC").unwrap_or("");
    if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{rel}: rule id `{id}` is malformed (expected FC and three digits, e.g. FC301)"
        ));
    }
    Ok(())
}

fn generate(
    ids: &BTreeMap<String, String>,
    files: &[(String, PathBuf)],
    fields: &BTreeMap<String, RuleFields>,
) -> String {
    let mut s = String::new();
    s.push_str("// Generated by analyzers/build.rs from rules/*.toml: do not edit.\n\n");
    s.push_str(
        "/// A rule id: one variant per `[[rules]]` table of `rules/*.toml`, generated at build \
         time,\n/// so naming a rule that does not exist is a compile error.\n",
    );
    s.push_str("#[allow(clippy::upper_case_acronyms)]\n");
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]\n");
    s.push_str("pub enum RuleId {\n");
    for (id, file) in ids {
        let _ = writeln!(s, "    /// Defined in `{file}`.\n    {id},");
    }
    s.push_str("}\n\nimpl RuleId {\n");
    s.push_str("    /// Every rule id, in id order.\n    pub const ALL: &'static [RuleId] = &[\n");
    for id in ids.keys() {
        let _ = writeln!(s, "        RuleId::{id},");
    }
    s.push_str("    ];\n\n    /// `FC301`.\n    pub const fn as_str(self) -> &'static str {\n");
    s.push_str("        match self {\n");
    for id in ids.keys() {
        let _ = writeln!(s, "            RuleId::{id} => \"{id}\",");
    }
    s.push_str("        }\n    }\n\n");
    s.push_str(
        "    /// The rule file this id is defined in (`rules/settings.toml`).\n    \
         pub const fn file(self) -> &'static str {\n        match self {\n",
    );
    for (id, file) in ids {
        let _ = writeln!(s, "            RuleId::{id} => \"{file}\",");
    }
    s.push_str("        }\n    }\n}\n\n");
    s.push_str(
        "/// The embedded rule files, one per family: (path in the repository, content).\n\
         pub const RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in files {
        let _ = writeln!(
            s,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    s.push_str("];\n\n");
    s.push_str(
        "/// Every rule's fields as its file writes them, in id order (parsed here at build time,\n\
         /// so a run does not parse the TOML again).\n\
         pub const RULE_TEXTS: &[RuleText] = &[\n",
    );
    for rule in fields.values() {
        s.push_str("    RuleText {\n");
        for key in TEXT_FIELDS {
            let _ = writeln!(s, "        {key}: {:?},", rule.text[key]);
        }
        let _ = writeln!(s, "        references: &{:?},", rule.references);
        s.push_str("    },\n");
    }
    s.push_str("];\n");
    s
}
