//! Command-line arguments. Short help (`-h`) stays terse; `--help` reads like prose. Flags are
//! grouped by heading: what to analyse, what to compare, output, behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use forkcheck_analyzers::report::Severity;

const INPUT: &str = "Input";
const REVISIONS: &str = "Revisions";
const OUTPUT: &str = "Output";

/// `-o FILE`, for every command that writes one file.
const OUTPUT_FILE_HELP: &str = "Write to FILE instead of standard output (`-o -` is standard \
                                output). The file is written whole or not at all: forkcheck \
                                writes a temporary file beside it and renames it into place; a \
                                new file gets the mode the umask gives, a replaced file keeps \
                                its mode. Only a regular file (or a new path) is written: a \
                                symbolic link, directory, device, FIFO or socket is refused, \
                                never replaced or followed (use `-o -` and redirect instead).";
const BEHAVIOUR: &str = "Behaviour";

#[derive(Parser)]
#[command(
    name = "forkcheck",
    version,
    about = "Keep an edx-platform fork cheap to carry from one named release to the next",
    long_about = "forkcheck reads a fork of Open edX's edx-platform, finds the named release it \
                  is based on, and reports what the fork changed, which of those changes the next \
                  release will break, and how to carry them more cheaply (configuration, theme, \
                  plugin, or upstream). It never writes to the repository it analyses."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colours: auto|always|never [default: auto]
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        hide_default_value = true,
        hide_possible_values = true,
        long_help = "When to colour terminal output: `auto` (the default: on when standard output \
                     is a terminal and `NO_COLOR` is unset or empty), `always` (even through a \
                     pipe, and whatever `NO_COLOR` says) or `never`. Files written with `-o` and \
                     the JSON, Markdown, HTML and SARIF formats are never coloured."
    )]
    pub color: ColorWhen,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum Command {
    /// Analyse the fork against its base release and the next release.
    #[command(
        long_about = "Analyse the fork against its base release and the next release: drift by \
                      area, edited settings and generated config, theme overrides, rebase cost. \
                      The report goes to standard output (or to `-o FILE`) in the chosen format. \
                      The exit code is 1 when a finding is at or above `--fail-on`."
    )]
    Report(ReportArgs),
    /// List release refs, the detected base release and the target.
    #[command(
        long_about = "List the release refs found in the repository (branches, tags and the \
                      upstream remote's remote-tracking branches), grouped per named release, \
                      then the base release forkcheck detects for HEAD, how it found it and how \
                      sure it is, and the release it would upgrade to."
    )]
    Releases(ReleasesArgs),
    /// List the rules, or explain one.
    #[command(
        long_about = "Without an argument, list every rule forkcheck applies (id, severity, \
                      name, summary). With a rule id (FC101) or name, print its full \
                      explanation: what it finds, why it costs money, an example and the fix. \
                      `--markdown` prints the rule reference that docs/rules.md holds."
    )]
    Rules(RulesArgs),
    /// Write a commented forkcheck.toml.
    #[command(
        long_about = "Write a forkcheck.toml with every key, its default and a comment. It \
                      refuses to overwrite an existing file unless `--force` is given."
    )]
    Init(InitArgs),
    /// Generate a demo fork in a temporary directory and report on it.
    #[command(
        long_about = "Generate the synthetic `typical` fork (an edx-platform-shaped upstream with \
                      named releases and a fork based on redwood) in a temporary directory, then \
                      run `forkcheck report` on it. The directory is deleted afterwards unless \
                      `--keep DIR` is given."
    )]
    Demo(DemoArgs),
    /// Write the configuration-management files that replace the fork's settings and config edits.
    #[command(
        long_about = "Analyse the fork's settings modules and generated config, and write the \
                      configuration-management files that carry those edits without touching \
                      edx-platform code: a Tutor YAML plugin (`tutor-plugin`), an Ansible vars \
                      file for the edxapp role (`ansible`), or YAML snippets for lms.yml / \
                      studio.yml (`yaml`). Secrets are never written: they are listed as comments \
                      naming the key to set from a secret store. With `-o DIR` every file is \
                      written whole or not at all; without it the files go to standard output."
    )]
    Replace(ReplaceArgs),
    /// Plan the upgrade release by release, with the rebase cost of each hop.
    #[command(
        long_about = "Plan the upgrade from the fork's base release to `--to RELEASE` (default: \
                      the next release): every hop (e.g. redwood → sumac → teak), each replaying \
                      the fork's commits onto the next release in memory, with its estimated \
                      effort, the files it makes conflict, the files it deletes under the fork, \
                      the overrides and settings it makes stale, and the commits it finds \
                      upstream; then the cost of jumping straight to the target for comparison. \
                      When the base is the newest release found and `--to` is not given there is \
                      nothing to plan: forkcheck says so and exits with code 11."
    )]
    Plan(PlanArgs),
    /// Classify every fork commit: drop, upstream, configuration, theme, plugin or keep.
    #[command(
        long_about = "Classify every fork commit since the base: already upstream (drop it), \
                      upstream candidate, configuration, theme, plugin candidate or fork \
                      specific, with the reasons and the commit's trailers (`Upstream:`, \
                      `Forwarded:`), ranked by the rebase effort it saves per release."
    )]
    Triage(TriageArgs),
    /// Report only what a pull request changes: new and fixed findings, drift and cost deltas.
    #[command(
        long_about = "Differential mode, for pull requests: analyse the head (`--head`, default \
                      HEAD) and the pull request's base (`--base-ref REV`), or read a stored \
                      report (`--baseline FILE`, written by `forkcheck baseline` or `report \
                      --format json`), and report only the findings the pull request \
                      introduces and those it fixes, matched by fingerprint (rule, path and \
                      subject: stable when lines move), with the drift and rebase-cost deltas. \
                      The exit code is 1 when a new finding is at or above `--fail-on`, or when \
                      a budget of `[check]` in forkcheck.toml is exceeded. In a shallow clone \
                      it analyses what is present, and names the `git fetch` to run when a \
                      commit it needs is missing."
    )]
    Check(CheckArgs),
    /// Write a baseline file: today's findings, accepted, for `forkcheck check --baseline`.
    #[command(
        long_about = "Analyse the fork and write a baseline file (JSON: the findings with their \
                      fingerprints, the drift totals and the rebase estimate) that a repository \
                      can commit; `forkcheck check --baseline FILE` then reports only findings \
                      the file does not hold. Secret values are never written."
    )]
    Baseline(BaselineArgs),
    /// Print a shell completion script.
    #[command(
        long_about = "Print the completion script for SHELL on standard output. For bash: \
                      `forkcheck completions bash > ~/.local/share/bash-completion/completions/forkcheck`; \
                      zsh: write it as `_forkcheck` into a directory of your `$fpath`; fish: \
                      `forkcheck completions fish > ~/.config/fish/completions/forkcheck.fish`; \
                      PowerShell: add `forkcheck completions powershell | Out-String | \
                      Invoke-Expression` to your profile; elvish: `eval (forkcheck completions \
                      elvish | slurp)` in rc.elv."
    )]
    Completions(CompletionsArgs),
    /// Print the man page, or write one per command into a directory.
    #[command(
        long_about = "Print forkcheck's man page (roff, section 1) on standard output: `forkcheck \
                      man | man -l -`. With `--dir DIR`, write forkcheck.1 and one page per \
                      command (forkcheck-report.1, …) into DIR instead, e.g. \
                      `forkcheck man --dir /usr/local/share/man/man1`."
    )]
    Man(ManArgs),
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// bash|zsh|fish|powershell|elvish
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write forkcheck.1 and one page per command into DIR
    #[arg(
        long,
        value_name = "DIR",
        long_help = "Write forkcheck.1 and one page per command (forkcheck-report.1, …) into \
                     DIR (created if missing) instead of printing forkcheck.1. Each file is \
                     written whole or not at all; only regular files (or new paths) are written."
    )]
    pub dir: Option<PathBuf>,
}

/// Where the repository is and which revisions to compare.
#[derive(Args, Clone, Debug)]
pub struct RepoArgs {
    /// Repository to analyse [default: .]
    #[arg(
        long,
        value_name = "DIR",
        default_value = ".",
        hide_default_value = true,
        help_heading = INPUT,
        long_help = "The repository to analyse: its work tree, any directory inside it, or a \
                     bare repository. Defaults to the current directory."
    )]
    pub repo: PathBuf,
    /// Configuration file [default: <repo>/forkcheck.toml]
    #[arg(
        long,
        value_name = "FILE",
        help_heading = INPUT,
        long_help = "The forkcheck.toml to use. By default forkcheck reads forkcheck.toml at the \
                     root of the repository's work tree when it exists, and uses built-in \
                     defaults otherwise. An unknown key is an error (exit code 8). \
                     `forkcheck init` writes a commented file."
    )]
    pub config: Option<PathBuf>,
    /// Base release or revision [default: detected]
    #[arg(
        long,
        value_name = "REV",
        help_heading = REVISIONS,
        long_help = "The release or revision the fork is based on: a release name (`redwood`), a \
                     release ref (`open-release/redwood.2`) or any revision git understands. By \
                     default forkcheck detects it: the newest release tag in HEAD's history, or \
                     the release whose tree is closest when the fork shares no history with \
                     upstream."
    )]
    pub base: Option<String>,
    /// Fork revision to analyse [default: HEAD]
    #[arg(
        long,
        value_name = "REV",
        default_value = "HEAD",
        hide_default_value = true,
        help_heading = REVISIONS,
        long_help = "The fork's revision to analyse. Defaults to HEAD."
    )]
    pub head: String,
    /// Release or revision to upgrade to [default: next release]
    #[arg(
        long,
        value_name = "REL",
        help_heading = REVISIONS,
        long_help = "The release to upgrade to: a release name (`sumac`), a release ref or any \
                     revision. By default, the named release after the base."
    )]
    pub to: Option<String>,
    /// Analyse a shallow clone with the history it has
    #[arg(
        long,
        help_heading = BEHAVIOUR,
        long_help = "Analyse a shallow clone with the history it has instead of stopping with \
                     exit code 6. Base detection by history and the rebase analyses may be \
                     incomplete; the report carries a warning saying so. The better fix is \
                     `git fetch --unshallow --tags`."
    )]
    pub allow_shallow: bool,
    /// No progress bars
    #[arg(
        long,
        short,
        help_heading = BEHAVIOUR,
        long_help = "Draw no progress bars. Progress is only ever drawn on standard error, and \
                     only when standard error is a terminal."
    )]
    pub quiet: bool,
}

/// Output formats of `forkcheck report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Coloured text for people (colours off with NO_COLOR or when not a terminal)
    Terminal,
    /// The report model as JSON (docs/report-schema.md)
    Json,
    /// GitHub-flavoured Markdown, e.g. for a job summary or a pull request
    Markdown,
    /// One self-contained HTML page
    Html,
    /// SARIF 2.1.0, for code-scanning upload
    Sarif,
}

/// `--fail-on` levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run, if any.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Info => Some(Severity::Info),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Error => Some(Severity::Error),
            FailOn::Never => None,
        }
    }
}

/// How a report is written: one format to standard output or `-o FILE`, or several files from
/// one analysis (`--json FILE --sarif FILE …`, or repeated `-f FORMAT -o FILE` pairs).
#[derive(Args, Clone, Debug, Default)]
pub struct OutputArgs {
    /// terminal|json|markdown|html|sarif [default: terminal]
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_name = "FORMAT",
        action = clap::ArgAction::Append,
        hide_possible_values = true,
        help_heading = OUTPUT,
        long_help = "The output format: `terminal` (text for people, the default), `json` (the \
                     report model, see docs/report-schema.md), `markdown`, `html` (one \
                     self-contained page) or `sarif` (SARIF 2.1.0 for code scanning). Repeat \
                     it with as many `-o FILE` to write several formats from one analysis: the \
                     n-th `-f` goes to the n-th `-o`."
    )]
    pub format: Vec<Format>,
    /// Write to FILE instead of standard output
    #[arg(
        long,
        short,
        value_name = "FILE",
        action = clap::ArgAction::Append,
        help_heading = OUTPUT,
        long_help = OUTPUT_FILE_HELP
    )]
    pub output: Vec<PathBuf>,
    /// Also write the JSON report to FILE
    #[arg(long, value_name = "FILE", help_heading = OUTPUT, long_help = EXTRA_OUTPUT_HELP)]
    pub json: Option<PathBuf>,
    /// Also write the Markdown report to FILE
    #[arg(long, value_name = "FILE", help_heading = OUTPUT, long_help = EXTRA_OUTPUT_HELP)]
    pub markdown: Option<PathBuf>,
    /// Also write the HTML report to FILE
    #[arg(long, value_name = "FILE", help_heading = OUTPUT, long_help = EXTRA_OUTPUT_HELP)]
    pub html: Option<PathBuf>,
    /// Also write the SARIF report to FILE
    #[arg(long, value_name = "FILE", help_heading = OUTPUT, long_help = EXTRA_OUTPUT_HELP)]
    pub sarif: Option<PathBuf>,
}

/// `--json FILE`, `--markdown FILE`, `--html FILE`, `--sarif FILE`.
const EXTRA_OUTPUT_HELP: &str = "Write the report in this format to FILE, from the same analysis \
                                 as every other output of the run (each file written whole or \
                                 not at all, as with `-o`). When only such flags are given, \
                                 nothing goes to standard output; add `-f FORMAT` (with or \
                                 without `-o`) for that.";

/// One output of a run: a format and where it goes (`None`: standard output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl OutputArgs {
    /// Every output of the run, or a usage message when `-f` and `-o` do not pair up or two
    /// outputs name one file (or standard output twice).
    pub fn targets(&self) -> Result<Vec<Target>, String> {
        let mut out = Vec::new();
        let extra = [
            (Format::Json, &self.json),
            (Format::Markdown, &self.markdown),
            (Format::Html, &self.html),
            (Format::Sarif, &self.sarif),
        ];
        let any_extra = extra.iter().any(|(_, p)| p.is_some());
        match (self.format.len(), self.output.len()) {
            (0, 0) if any_extra => {}
            (0, 0) => out.push(Target {
                format: Format::Terminal,
                path: None,
            }),
            (0, 1) => out.push(Target {
                format: Format::Terminal,
                path: Some(self.output[0].clone()),
            }),
            (1, 0) => out.push(Target {
                format: self.format[0],
                path: None,
            }),
            (f, o) if f == o => {
                for (format, path) in self.format.iter().zip(&self.output) {
                    out.push(Target {
                        format: *format,
                        path: Some(path.clone()),
                    });
                }
            }
            (f, o) => {
                return Err(format!(
                    "{f} `--format` and {o} `-o`: give one `-o FILE` per `--format` (the n-th \
                     format goes to the n-th file), or use `--json FILE`, `--markdown FILE`, \
                     `--html FILE`, `--sarif FILE`"
                ))
            }
        }
        for (format, path) in extra {
            if let Some(path) = path {
                out.push(Target {
                    format,
                    path: Some(path.clone()),
                });
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &out {
            let key = match &t.path {
                Some(p) if p.as_os_str() != "-" => p.clone(),
                _ => PathBuf::from("-"),
            };
            if !seen.insert(key.clone()) {
                return Err(if key.as_os_str() == "-" {
                    "two outputs go to standard output: give all but one a file".to_string()
                } else {
                    format!("two outputs are written to `{}`", key.display())
                });
            }
        }
        Ok(out)
    }
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Exit 1 on findings at/above LEVEL: info|warning|error|never [default: error]
    #[arg(
        long,
        value_enum,
        hide_possible_values = true,
        value_name = "LEVEL",
        default_value = "error",
        hide_default_value = true,
        help_heading = BEHAVIOUR,
        long_help = "Exit with code 1 when a finding has this severity or a higher one: `info`, \
                     `warning`, `error` (the default) or `never`. The report is written in full \
                     either way."
    )]
    pub fail_on: FailOn,
}

#[derive(Args, Debug)]
pub struct ReleasesArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// terminal|json [default: terminal]
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_name = "FORMAT",
        default_value = "terminal",
        hide_default_value = true,
        help_heading = OUTPUT,
        long_help = "`terminal` (a table, the default) or `json`."
    )]
    pub format: ListFormat,
}

/// Formats of the listing commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Terminal,
    Json,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Rule id (FC101) or name to explain
    #[arg(
        value_name = "ID",
        long_help = "A rule id such as FC101 or a rule name such as large-drift: print its full \
                     explanation."
    )]
    pub id: Option<String>,
    /// Print the rule reference as Markdown (docs/rules.md)
    #[arg(
        long,
        conflicts_with = "id",
        long_help = "Print the whole rule reference as Markdown, exactly as docs/rules.md holds \
                     it. Regenerate that file with `forkcheck rules --markdown > docs/rules.md`."
    )]
    pub markdown: bool,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write the file [default: forkcheck.toml]
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "forkcheck.toml",
        hide_default_value = true,
        long_help = "Where to write the configuration (`-` is standard output). Defaults to \
                     forkcheck.toml in the current directory; run it at the root of your fork so \
                     `forkcheck report` finds it. Only a regular file (or a new path) is written."
    )]
    pub output: PathBuf,
    /// Overwrite an existing file
    #[arg(long, long_help = "Replace FILE if it already exists.")]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub out: OutputArgs,
    /// Keep the generated repositories in DIR
    #[arg(
        long,
        value_name = "DIR",
        long_help = "Generate the demo repositories in DIR (which must be empty or absent) and \
                     keep them, so you can look at them or run other commands on DIR/fork. \
                     Without it they go to a temporary directory that is deleted afterwards."
    )]
    pub keep: Option<PathBuf>,
    /// No progress bars
    #[arg(long, short, long_help = "Draw no progress bars.")]
    pub quiet: bool,
}

/// Output format of `forkcheck replace`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaceFormat {
    /// A Tutor YAML plugin (`name`, `version`, `config`, `patches`).
    TutorPlugin,
    /// An Ansible vars file for the edxapp role.
    Ansible,
    /// YAML snippets for lms.yml / studio.yml.
    Yaml,
}

#[derive(Args, Debug)]
pub struct ReplaceArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// tutor-plugin|ansible|yaml [default: tutor-plugin]
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_name = "FORMAT",
        default_value = "tutor-plugin",
        hide_default_value = true,
        hide_possible_values = true,
        help_heading = OUTPUT,
        long_help = "`tutor-plugin` (a YAML plugin to put in `$(tutor plugins printroot)`, the \
                     default), `ansible` (an `EDXAPP_*` vars file) or `yaml` (lms.yml / \
                     studio.yml snippets)."
    )]
    pub format: ReplaceFormat,
    /// Write the files into DIR instead of standard output
    #[arg(
        long,
        short,
        value_name = "DIR",
        help_heading = OUTPUT,
        long_help = "Write the files into DIR (created if missing; `-` is standard output). \
                     Every file is first written to a temporary file in DIR and all are renamed \
                     into place only when all were written: nothing is left half-written. DIR \
                     and the files in it must be a directory and regular files (or new paths): \
                     symbolic links, devices and FIFOs are refused, never replaced or followed."
    )]
    pub output: Option<PathBuf>,
    /// Tutor plugin name [default: forkcheck]
    #[arg(
        long,
        value_name = "NAME",
        default_value = "forkcheck",
        hide_default_value = true,
        help_heading = OUTPUT,
        long_help = "The Tutor plugin's name (lower case letters, digits, `-` and `_`); also its \
                     file name, `<NAME>.yml`."
    )]
    pub name: String,
}

/// Output formats of `forkcheck triage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Terminal,
    Json,
    Markdown,
}

/// Output formats of `forkcheck plan`: those of triage, and a self-contained HTML page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanPageFormat {
    Terminal,
    Json,
    Markdown,
    Html,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// terminal|json|markdown|html [default: terminal]
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_name = "FORMAT",
        default_value = "terminal",
        hide_default_value = true,
        help_heading = OUTPUT,
        long_help = "`terminal` (a per-hop table, the default), `json` (`hops[]` with `from`, \
                     `to`, `cost`, `findings`; plus `direct` and `total`), `markdown`, or \
                     `html` (one self-contained page with a chart of the cost per hop)."
    )]
    pub format: PlanPageFormat,
    /// Write to FILE instead of standard output
    #[arg(long, short, value_name = "FILE", help_heading = OUTPUT, long_help = OUTPUT_FILE_HELP)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TriageArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// terminal|json|markdown [default: terminal]
    #[arg(
        long,
        short = 'f',
        value_enum,
        value_name = "FORMAT",
        default_value = "terminal",
        hide_default_value = true,
        help_heading = OUTPUT,
        long_help = "`terminal` (the ranked list, the default), `json` (the report's `triage` \
                     section) or `markdown`."
    )]
    pub format: PlanFormat,
    /// Write to FILE instead of standard output
    #[arg(long, short, value_name = "FILE", help_heading = OUTPUT, long_help = OUTPUT_FILE_HELP)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The pull request's base revision (e.g. its base commit)
    #[arg(
        long,
        value_name = "REV",
        required_unless_present = "baseline",
        conflicts_with = "baseline",
        help_heading = REVISIONS,
        long_help = "The revision to compare with: the pull request's base (in GitHub Actions \
                     `github.event.pull_request.base.sha`), or any revision git knows. It is \
                     analysed like the head, with the same configuration and target release."
    )]
    pub base_ref: Option<String>,
    /// Compare with a baseline file instead of a revision
    #[arg(
        long,
        value_name = "FILE",
        help_heading = REVISIONS,
        long_help = "Compare with a baseline (written by `forkcheck baseline`) or a JSON report \
                     (`forkcheck report --format json`) instead of analysing a base revision."
    )]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Exit 1 on new findings at/above LEVEL: info|warning|error|never [default: error]
    #[arg(
        long,
        value_enum,
        hide_possible_values = true,
        value_name = "LEVEL",
        default_value = "error",
        hide_default_value = true,
        help_heading = BEHAVIOUR,
        long_help = "Exit with code 1 when a finding the pull request introduces has this \
                     severity or a higher one: `info`, `warning`, `error` (the default) or \
                     `never`. Findings already on the base never fail the check. Budgets of \
                     `[check]` in forkcheck.toml fail it whatever this says."
    )]
    pub fail_on: FailOn,
}

#[derive(Args, Debug)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Where to write the baseline [default: forkcheck-baseline.json]
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "forkcheck-baseline.json",
        hide_default_value = true,
        help_heading = OUTPUT,
        long_help = "Where to write the baseline (`-` is standard output). Defaults to \
                     forkcheck-baseline.json in the current directory. Written whole or not at \
                     all, as `-o` of `report`."
    )]
    pub output: PathBuf,
}
