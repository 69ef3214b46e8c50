//! Hostile repositories (issue 15): forkcheck runs on pull requests, so the repository it reads
//! is untrusted. Each module feeds the built binary one kind of hostile input.

#[path = "../common/mod.rs"]
mod common;

mod git;
