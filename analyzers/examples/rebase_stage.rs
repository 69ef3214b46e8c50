//! Benchmark entry point for one stage of the rebase analysis (scripts/bench-rebase.sh):
//! `rebase_stage conflicts|replay|cherry DIR [--base REV] [--head REV] [--to REV]` prints a
//! one-line summary of that stage only (revisions as `forkcheck report` takes them).

use forkcheck_analyzers::context::{Context, OpenOptions};
use forkcheck_analyzers::rebase::cherry::{commits_between, patch_id_matches, UpstreamSet};
use forkcheck_analyzers::rebase::conflicts::predict;
use forkcheck_analyzers::rebase::replay::{replay_commit, Overlay};
use forkcheck_analyzers::rebase::store::Store;
use forkcheck_analyzers::rebase::{ancestor, fork_commits};

fn run(stage: &str, opts: &OpenOptions) -> forkcheck_analyzers::Result<String> {
    let ctx = Context::open(opts)?;
    let target = ctx
        .target_oid
        .ok_or_else(|| forkcheck_analyzers::Error::Other("no target".into()))?;
    match stage {
        "conflicts" => {
            let (anc, _) = ancestor(&ctx, target)?;
            let p = predict(&ctx.repo, anc, ctx.head, target)?;
            Ok(format!("{} conflicted files", p.conflicts.len()))
        }
        "replay" => {
            let commits = fork_commits(&ctx)?;
            let mut ov = Overlay::new(&ctx.repo, target, Store::default())?;
            let mut conflicts = 0;
            for c in &commits {
                let (r, _) = replay_commit(&mut ov, &c.changes)?;
                conflicts += usize::from(!r.conflicts.is_empty());
            }
            Ok(format!(
                "{} commits, {conflicts} conflicting",
                commits.len()
            ))
        }
        "cherry" => {
            let commits = fork_commits(&ctx)?;
            let changes: Vec<(usize, Vec<_>)> = commits
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.merge)
                .map(|(i, c)| (i, c.changes.clone()))
                .collect();
            let sets = [UpstreamSet {
                label: "target".into(),
                commits: commits_between(&ctx.repo, &[ctx.head], target)?,
            }];
            let m = patch_id_matches(&ctx.repo, &Store::default(), &changes, &sets)?;
            Ok(format!("{} of {} commits upstream", m.len(), commits.len()))
        }
        other => Err(forkcheck_analyzers::Error::Other(format!(
            "unknown stage `{other}` (conflicts, replay, cherry)"
        ))),
    }
}

fn main() {
    const USAGE: &str =
        "usage: rebase_stage conflicts|replay|cherry DIR [--base REV] [--head REV] [--to REV]";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(stage), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let mut opts = OpenOptions::new(dir);
    for pair in args[2..].chunks(2) {
        let value = pair.get(1).cloned();
        match (pair[0].as_str(), value) {
            ("--base", Some(v)) => opts.base = Some(v),
            ("--head", Some(v)) => opts.head = Some(v),
            ("--to", Some(v)) => opts.to = Some(v),
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        }
    }
    match run(stage, &opts) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(i32::from(e.exit_code()));
        }
    }
}
