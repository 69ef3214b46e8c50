//! Entry points for the fuzz targets (`fuzz/`, cargo-fuzz) and for the short fuzz pass that
//! `cargo test` runs (`analyzers/tests/it/fuzz.rs`). Each takes arbitrary bytes, runs one parser
//! of untrusted input on them and checks a few invariants; a panic is a bug. Not an API.

use std::path::Path;

use crate::changes::keys;
use crate::config::Config;
use crate::cost::CostModel;
use crate::genconfig::parse;
use crate::rules::Rules;
use crate::settings::python;
use crate::themes::scan::{self, Lang};

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Number of lines of `src` as a parser counts them (a last line without newline counts).
fn line_count(src: &str) -> u32 {
    u32::try_from(src.split('\n').count()).unwrap_or(u32::MAX)
}

/// The settings-module extractor (tree-sitter-python and the operation extraction on top).
pub fn settings_module(data: &[u8]) {
    let src = text(data);
    let module = python::extract(&src);
    let lines = line_count(&src);
    for line in &module.error_lines {
        assert!((1..=lines).contains(line), "error line {line} of {lines}");
    }
    for op in &module.ops {
        assert!(
            (1..=lines).contains(&op.line),
            "op line {} of {lines}",
            op.line
        );
        assert!(!op.setting.is_empty());
    }
}

/// The Mako template scanner.
pub fn mako_template(data: &[u8]) {
    template(Lang::Mako, data);
}

/// The Django template scanner.
pub fn django_template(data: &[u8]) {
    template(Lang::Django, data);
}

fn template(lang: Lang, data: &[u8]) {
    let src = text(data);
    let info = scan::scan(lang, &src);
    let _ = format!("{info:?}");
    for word in ["user", "course", "context"] {
        if let Some(line) = scan::find_word_line(&src, word) {
            assert!(line >= 1 && line <= line_count(&src));
        }
    }
}

/// The generated-config diff: `data` is two documents separated by the first NUL byte (or
/// the same document twice), each parsed as JSON and as YAML, then compared key by key and
/// every changed key located in the new text.
pub fn config_diff(data: &[u8]) {
    let (old, new) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let (old, new) = (text(old), text(new));
    for format in [parse::Format::Json, parse::Format::Yaml] {
        let a = parse::parse(&old, format);
        let b = parse::parse(&new, format);
        let (Ok(a), Ok(b)) = (a, b) else { continue };
        let changes = keys::diff(a.as_ref(), b.as_ref());
        if old == new {
            assert!(changes.is_empty(), "a document differs from itself");
        }
        for change in changes.iter().take(50) {
            let _ = keys::segments(&change.key);
            if let Some(line) = keys::locate(&new, &change.key) {
                assert!(line >= 1 && line <= line_count(&new));
            }
        }
    }
}

/// `forkcheck.toml` loading: parse, validate, and build the cost model and rules from it.
pub fn forkcheck_toml(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(src, Path::new("fuzz/forkcheck.toml")) {
        Ok(config) => {
            for (key, value) in &config.cost {
                assert!(value.is_finite() && *value >= 0.0, "{key} = {value}");
            }
            if let Ok(model) = CostModel::load(&config) {
                for (name, w, _) in model.weights() {
                    assert!(w.low.is_finite() && w.high.is_finite(), "{name}");
                    assert!(w.low <= w.high, "{name}");
                }
            }
            let _ = Rules::load(&config.severity);
        }
        Err(e) => {
            // A parse error never quotes more than a short excerpt of the file.
            let message = e.to_string();
            assert!(message.len() < 2048, "{} bytes of message", message.len());
        }
    }
}

/// The migration-file parser: `dependencies`, `replaces`, and Django's leaf rule over them.
pub fn migration_file(data: &[u8]) {
    use crate::breaks::migrations::{declared, leaves};
    let src = text(data);
    let d = declared(&src);
    for (app, name) in d.dependencies.iter().chain(&d.replaces) {
        assert!(src.contains(app.as_str()) && src.contains(name.as_str()));
    }
    // The file as one node of its app, next to a node it may replace or depend on.
    let nodes = vec![
        ("0001_initial".to_string(), Default::default()),
        ("0002_fuzz".to_string(), d),
    ];
    for app in ["fuzz", "x"] {
        let l = leaves(app, &nodes);
        assert!(l.len() <= nodes.len());
    }
}

/// The requirements / constraints parser and pip-compile's `# via` reader.
pub fn requirements(data: &[u8]) {
    use crate::breaks::dependencies::{cmp_versions, parse_requirement, satisfies, via_of};
    let src = text(data);
    for line in src.lines() {
        if let Some(r) = parse_requirement(line) {
            assert!(!r.name.is_empty());
            if let Some(v) = r.pinned() {
                let _ = satisfies(v, &r.spec);
                assert_eq!(cmp_versions(v, v), std::cmp::Ordering::Equal);
            }
        }
    }
    let _ = via_of(&src);
}

/// package.json and package-lock.json readers, and npm range matching.
pub fn npm_files(data: &[u8]) {
    use crate::breaks::packaging::{lock_versions, npm_satisfies};
    let src = text(data);
    let locked = lock_versions(&src);
    for (name, version) in locked.iter().take(50) {
        assert!(!name.is_empty());
        // A version satisfies itself as an exact range whenever it parses as one.
        if let Some(ok) = npm_satisfies(version, version) {
            let _ = ok;
        }
        let _ = npm_satisfies(version, &format!("^{version} || ~{version}"));
    }
    let _ = crate::breaks::dependencies::npm_deps_for_fuzzing(&src);
    for spec in src.lines().take(20) {
        let _ = npm_satisfies("1.2.3", spec);
    }
}

/// setup.py (tree-sitter-python) and setup.cfg (INI) entry-point parsers.
pub fn entry_points(data: &[u8]) {
    use crate::breaks::packaging::{setup_cfg_entry_points, setup_py_entry_points};
    let src = text(data);
    let lines = line_count(&src);
    for e in setup_py_entry_points(&src)
        .into_iter()
        .chain(setup_cfg_entry_points(&src))
    {
        assert!(!e.name.is_empty() && !e.module().is_empty(), "{e:?}");
        assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line);
    }
}

/// A fuzz target: arbitrary bytes in, a panic on a bug.
pub type Target = fn(&[u8]);

/// Every target, by name (for the replay test and the fuzz crate).
pub const TARGETS: &[(&str, Target)] = &[
    ("settings_module", settings_module),
    ("mako_template", mako_template),
    ("django_template", django_template),
    ("config_diff", config_diff),
    ("forkcheck_toml", forkcheck_toml),
    ("migration_file", migration_file),
    ("requirements", requirements),
    ("npm_files", npm_files),
    ("entry_points", entry_points),
];
