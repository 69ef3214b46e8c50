//! The test layout stays one integration-test binary per crate: every test file under
//! `<crate>/tests/it/` is a module of that crate's `tests/it/main.rs` (a file without its `mod`
//! line would silently never run), no test file sits directly in `<crate>/tests/` (it would link
//! a binary of its own), and no insta snapshot is left in `<crate>/tests/snapshots/` (the
//! snapshots of `it`'s modules are `tests/it/snapshots/it__<module>__<name>.snap`). Checks the
//! three crates of the workspace; see docs/architecture.md, "Tests".

use std::path::Path;

/// Problems with the layout of `<crate_dir>/tests`.
fn problems(crate_dir: &Path) -> Vec<String> {
    let tests = crate_dir.join("tests");
    let it = tests.join("it");
    let mut out = Vec::new();
    let main = std::fs::read_to_string(it.join("main.rs"))
        .unwrap_or_else(|e| panic!("{}: {e}", it.join("main.rs").display()));
    let declared = |name: &str| {
        main.lines()
            .any(|l| l.trim() == format!("mod {name};") || l.trim() == format!("pub mod {name};"))
    };
    for entry in std::fs::read_dir(&it).expect("read tests/it").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let module = if path.is_dir() {
            if !path.join("mod.rs").exists() {
                continue; // snapshots/ and other data directories
            }
            name
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if stem == "main" {
                continue;
            }
            stem.to_owned()
        } else {
            continue;
        };
        if !declared(&module) {
            out.push(format!(
                "{} is not declared in {}: add `mod {module};` or it never runs",
                path.display(),
                it.join("main.rs").display()
            ));
        }
    }
    for entry in std::fs::read_dir(&tests).expect("read tests").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".rs") || (path.is_dir() && path.join("main.rs").exists() && name != "it")
        {
            out.push(format!(
                "{} links a test binary of its own: move it to {} and add a `mod` line to main.rs",
                path.display(),
                it.display()
            ));
        }
    }
    if let Ok(entries) = std::fs::read_dir(tests.join("snapshots")) {
        for entry in entries.flatten() {
            out.push(format!(
                "{} is not found by the tests in tests/it: move it to tests/it/snapshots/it__{}",
                entry.path().display(),
                entry.file_name().to_string_lossy()
            ));
        }
    }
    out
}

#[test]
fn every_crate_has_one_integration_test_binary_with_every_test_file_in_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for krate in [".", "analyzers", "fixtures"] {
        all.extend(problems(&root.join(krate)));
    }
    assert!(all.is_empty(), "test layout:\n{}", all.join("\n"));
}
