//! `forkcheck check`: differential mode. Analyse the head and the pull request's base (or read
//! a baseline), keep the new and fixed findings (`forkcheck_analyzers::check`), render them in
//! every format asked for, and decide the exit code from the new findings and the budgets.

use std::io::Read as _;
use std::path::Path;

use anyhow::Context as _;
use forkcheck_analyzers::check::{self, Baseline, Compared, MAX_BASELINE_BYTES};
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::repo::Repo;
use forkcheck_analyzers::{Analysis, Error, Report};

use super::{open, report};
use crate::args::{CheckArgs, FailOn};
use crate::failure::Failure;

pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    report::check_outputs(&args.out)?;
    let mut opts = open::options(&args.repo);
    // A check shows no trend (the differential report drops it): leave out its walk over
    // every fork commit, on both sides.
    opts.only = Some(open::only_from_env()?.unwrap_or_else(|| {
        Analysis::ALL
            .into_iter()
            .filter(|a| *a != Analysis::Trend)
            .collect()
    }));
    // A pull request's checkout is often shallow: both sides are analysed with the history
    // that is there (the report says so), as long as the commits themselves are present.
    if let Ok(repo) = Repo::open(&args.repo.repo) {
        if repo.is_shallow() {
            opts.allow_shallow = true;
        }
        for rev in [Some(&args.repo.head), args.base_ref.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Err(Error::UnknownRevision { .. }) = repo.resolve_commit(rev) {
                return Err(missing_revision(rev, repo.is_shallow()).into());
            }
        }
    }
    let ctx = open::open(&opts)?;
    let head = report::analyse(&ctx, args.repo.quiet)?;
    let diff = match (&args.base_ref, &args.baseline) {
        (Some(base_ref), _) => {
            let mut base_opts = opts.clone();
            base_opts.head = Some(base_ref.clone());
            // Both sides are measured against the same upgrade target.
            if base_opts.to.is_none() {
                base_opts.to = ctx.target.as_ref().map(|t| t.rev.clone());
            }
            let base_ctx = open::open(&base_opts)
                .with_context(|| format!("cannot analyse the base revision `{base_ref}`"))?;
            let base = report::analyse(&base_ctx, args.repo.quiet)?;
            let compared = Compared {
                source: "revision".into(),
                name: base_ref.clone(),
                oid: Some(base_ctx.head.to_string()),
            };
            check::compare_reports(head, base, compared, &ctx.config.check, &ctx.rules)?
        }
        (None, Some(file)) => {
            let baseline = read_baseline(file)?;
            let compared = Compared {
                source: "baseline".into(),
                name: file.display().to_string(),
                oid: baseline.head_oid.clone(),
            };
            check::compare_baseline(head, &baseline, compared, &ctx.config.check, &ctx.rules)?
        }
        (None, None) => {
            return Err(Failure::new(exit::USAGE, "nothing to compare with")
                .help("pass `--base-ref REV` or `--baseline FILE`")
                .into())
        }
    };
    report::emit(&diff, &ctx.rules, &args.out)?;
    Ok(exit_code(&diff, args.fail_on, args.repo.quiet))
}

/// 1 when a new finding is at or above `fail_on` or a budget is exceeded; says why on standard
/// error.
fn exit_code(report: &Report, fail_on: FailOn, quiet: bool) -> u8 {
    let mut reasons = Vec::new();
    if let Some(threshold) = fail_on.threshold() {
        let n = check::failing(report, threshold);
        if n > 0 {
            reasons.push(format!(
                "{n} new finding{} at or above `{}` (change with `--fail-on`)",
                if n == 1 { "" } else { "s" },
                threshold.as_str()
            ));
        }
    }
    if let Some(section) = &report.check {
        for b in section.budgets.iter().filter(|b| !b.passed) {
            reasons.push(format!("budget exceeded: {}", b.message));
        }
    }
    if reasons.is_empty() {
        return exit::OK;
    }
    if !quiet {
        for r in &reasons {
            eprintln!("forkcheck: {r}");
        }
        eprintln!("forkcheck: exit code 1");
    }
    exit::FINDINGS
}

/// A revision the check needs is not in the repository: name the fetch that brings it.
fn missing_revision(rev: &str, shallow: bool) -> Failure {
    let depth = if shallow { " --depth=1" } else { "" };
    let fetch = if let Some(branch) = rev.strip_prefix("origin/") {
        format!(
            "git fetch --no-tags{depth} origin '+refs/heads/{branch}:refs/remotes/origin/{branch}'"
        )
    } else {
        format!("git fetch --no-tags{depth} origin {rev}")
    };
    Failure::new(
        exit::UNKNOWN_REVISION,
        format!("the revision `{rev}` is not in the repository"),
    )
    .help(format!(
        "fetch it: `{fetch}` (in GitHub Actions the pull request's base commit is \
         `github.event.pull_request.base.sha`)"
    ))
}

/// Read a baseline file or a JSON report (a regular file, size-limited).
fn read_baseline(path: &Path) -> anyhow::Result<Baseline> {
    let cannot = |e: std::io::Error| {
        Failure::new(
            exit::IO,
            format!("cannot read the baseline `{}`", path.display()),
        )
        .caused_by(e)
        .help("write one with `forkcheck baseline -o FILE`, or pass `--base-ref REV`")
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_BASELINE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_BASELINE_BYTES {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "the baseline `{}` is larger than {} MiB",
                path.display(),
                MAX_BASELINE_BYTES / (1024 * 1024)
            ),
        )
        .into());
    }
    let text = String::from_utf8_lossy(&bytes);
    Baseline::parse(&text, &path.display().to_string()).map_err(|e| {
        Failure::new(exit::USAGE, e.to_string())
            .help("write a baseline with `forkcheck baseline -o FILE`")
            .into()
    })
}
