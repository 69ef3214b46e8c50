//! forkcheck's integration tests: one test binary (`it`) with one module per former test file,
//! so `cargo test` links one executable for this crate instead of one per file. A new test file
//! goes into `tests/it/` with a `mod` line below (docs/architecture.md, "Tests"); shared helpers
//! live in `common`. Run one file's tests with `cargo test --test it cli_errors::`.

mod common;

mod breaks_scenarios;
mod cli_action;
mod cli_check;
mod cli_commands;
mod cli_docs;
mod cli_errors;
mod cli_polish;
mod cli_scenarios;
mod cli_schema;
mod config_scenarios;
mod config_secrets;
mod hostile;
mod layout;
mod markdown_layout;
mod outputs_html;
mod outputs_sarif;
mod readonly;
mod replace_tools;
mod review_outputs;
mod rules_fire;
mod secrets_never_leak;
mod themes_report;
mod tutor_roundtrip;
