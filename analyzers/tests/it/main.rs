//! forkcheck-analyzers' integration tests: one test binary (`it`) with one module per former
//! test file, so `cargo test` links one executable for this crate instead of one per file. A new
//! test file goes into `analyzers/tests/it/` with a `mod` line below (docs/architecture.md,
//! "Tests"); shared helpers live in `common` (git facts, scratch clones) and `support` (a clone
//! of the fixture upstream at redwood.2). Run one file's tests with
//! `cargo test -p forkcheck-analyzers --test it drift::`.

mod common;
mod support;

mod drift;
mod fuzz;
mod rebase_diff3;
mod rebase_scenarios;
mod rebase_treediff;
mod releases;
mod review;
mod themes_dead;
mod themes_discovery;
mod themes_parallel;
mod themes_scenarios;
