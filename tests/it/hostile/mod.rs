//! Hostile repositories (issue 15): forkcheck runs in CI on pull requests, so the repository it
//! reads is untrusted. Each module feeds the built binary one kind of hostile input. `git`:
//! corrupt objects and hostile configuration; `output`: nothing from the repository changes how
//! an output is read (terminal, Markdown, HTML, JSON, SARIF, YAML), and `-o` never replaces or
//! follows anything but a regular file.

mod git;
pub(crate) mod output;
