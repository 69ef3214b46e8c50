//! The documentation stays true to the code: exit codes, the generated rule reference, the
//! configuration keys.

use crate::common;

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// `pub const NAME: u8 = N;` lines of `analyzers/src/error.rs`'s `exit` module.
fn exit_codes() -> Vec<(String, u8)> {
    let src = read("analyzers/src/error.rs");
    let start = src.find("pub mod exit").expect("an `exit` module");
    let body = &src[start..start + src[start..].find('}').expect("end of module")];
    body.lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("pub const ")?;
            let (name, rest) = l.split_once(": u8 = ")?;
            Some((name.to_string(), rest.trim_end_matches(';').parse().ok()?))
        })
        .collect()
}

#[test]
fn every_exit_code_is_documented() {
    let codes = exit_codes();
    assert!(codes.len() >= 11, "parsed only {codes:?}");
    let doc = read("docs/exit-codes.md");
    for (name, code) in &codes {
        let row = format!("| {code} | `{name}` |");
        assert!(
            doc.lines().any(|l| l.starts_with(&row)),
            "docs/exit-codes.md has no row `{row} …` for exit::{name}"
        );
    }
    // ...and no row documents a code that does not exist.
    for line in doc
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("| `"))
    {
        let code: Option<u8> = line[2..].split(' ').next().and_then(|c| c.parse().ok());
        if let Some(code) = code {
            assert!(
                codes.iter().any(|(_, c)| *c == code),
                "docs/exit-codes.md documents unknown code {code}"
            );
        }
    }
}

#[test]
fn rules_md_is_up_to_date() {
    let out = common::run(common::forkcheck().args(["rules", "--markdown"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let committed = read("docs/rules.md");
    assert!(
        committed == out.stdout,
        "docs/rules.md is out of date with rules/*.toml; regenerate it with\n\n    \
         cargo run -- rules --markdown > docs/rules.md\n"
    );
}

#[test]
fn every_configuration_key_is_documented() {
    let defaults = toml::Value::try_from(forkcheck_analyzers::config::Config::default())
        .expect("config serializes");
    let doc = read("docs/configuration.md");
    let table = defaults.as_table().expect("a table");
    for (section, value) in table {
        assert!(
            doc.contains(&format!("## `[{section}]`")),
            "docs/configuration.md has no `## `[{section}]`` heading"
        );
        if let Some(keys) = value.as_table() {
            for key in keys.keys() {
                assert!(
                    doc.contains(&format!("| `{key}` |")),
                    "docs/configuration.md does not document `[{section}] {key}`"
                );
            }
        }
    }
}

#[test]
fn init_writes_the_documented_defaults() {
    // The file `forkcheck init` writes parses back to the defaults.
    let text = forkcheck_analyzers::config::Config::commented_default();
    let parsed =
        forkcheck_analyzers::config::Config::parse(text, Path::new("forkcheck.toml")).unwrap();
    assert_eq!(
        toml::Value::try_from(parsed).unwrap(),
        toml::Value::try_from(forkcheck_analyzers::config::Config::default()).unwrap()
    );
}
