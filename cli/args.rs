//! Command-line arguments. Short help (`-h`) stays terse; `--help` reads like prose.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "forkcheck",
    version,
    about = "Keep an edx-platform fork cheap to carry from one named release to the next"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Analyse the fork against its base release and report drift, config edits, theme
    /// overrides and rebase cost.
    Report(ReportArgs),
    /// List the release refs found, the detected base release and the target.
    Releases(RepoArgs),
    /// List the rules, or explain one.
    Rules(RulesArgs),
    /// Write a commented forkcheck.toml.
    Init(InitArgs),
    /// Generate the built-in demo fork in a temporary directory and report on it.
    Demo(DemoArgs),
}

/// Where the repository is and which revisions to compare.
#[derive(Args, Clone)]
pub struct RepoArgs {
    /// The repository to analyse (any directory inside it).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// The configuration file (default: forkcheck.toml at the repository root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The release or revision the fork is based on (default: detected).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The fork's revision to analyse.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// The release or revision to upgrade to (default: the release after the base).
    #[arg(long, value_name = "RELEASE|REV")]
    pub to: Option<String>,
    /// Analyse a shallow clone with the history it has instead of stopping.
    #[arg(long)]
    pub allow_shallow: bool,
    /// Print no progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The output format.
    #[arg(long, value_name = "FORMAT", default_value = "terminal")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct RulesArgs {
    /// Explain this rule (id or name).
    pub id: Option<String>,
}

#[derive(Args)]
pub struct InitArgs {
    /// Where to write the file.
    #[arg(long, short, value_name = "FILE", default_value = "forkcheck.toml")]
    pub output: PathBuf,
}

#[derive(Args)]
pub struct DemoArgs {
    /// The output format.
    #[arg(long, value_name = "FORMAT", default_value = "terminal")]
    pub format: String,
}
