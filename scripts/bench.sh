#!/usr/bin/env bash
# forkcheck against git on one repository, side by side in one hyperfine run, then one table:
#   drift only        forkcheck report (FORKCHECK_ONLY=drift)  vs  git diff --numstat BASE HEAD
#   drift with trend  FORKCHECK_ONLY=drift,trend               vs  numstat + git log --first-parent
#                     --numstat BASE..HEAD (the trend: the drift after each fork commit)
#   conflict set      forkcheck (stage `conflicts`)            vs  git merge-tree --write-tree TO HEAD
#   replay            forkcheck (stage `replay`)               vs  a git merge-tree loop over BASE..HEAD
#   already upstream  forkcheck (stage `cherry`)               vs  git cherry TO HEAD BASE
#   full report       forkcheck report --format json           vs  the sum of the four git commands
#   peak RSS          forkcheck report, drift only and full (/usr/bin/time -v)
# Goals (the large scenario): drift ≤ 1.2×, conflicts ≤ 1.0×, replay ≤ 0.5×, full report ≤ 0.7×,
# peak RSS ≤ 256 MiB. Without a target release (TO) the rebase rows are skipped with a note.
#
# Usage: scripts/bench.sh [--repo PATH --base REV --head REV] [--to REV] [--workdir DIR] [--runs N]
#                        [--double]
#   Default: the large `typical` fixture scenario, generated into WORKDIR/typical-large (reused
#   when present), base open-release/redwood.2, head HEAD, to open-release/sumac.2.
#   With --repo, --base and --head are required; --to is optional (no target: no rebase rows).
#   --workdir DIR (default: a new temporary directory) keeps the scenario, the hyperfine results
#   and the scratch object directory (a bare WORKDIR argument too, as before). --runs N:
#   hyperfine runs per command (default: RUNS or 10).
#   FORKCHECK_BIN overrides the forkcheck binary.
#   --double (default scenario only): also generate the `large-double` scale (twice the upstream
#   files, none touched by the fork) and print what the doubling adds to the drift and the full
#   report (goal: < 10 %).
#
# Nothing is written to the repository: git merge-tree writes its objects into
# WORKDIR/scratch-objects (GIT_OBJECT_DIRECTORY, with the repository's objects as alternates),
# and forkcheck never writes. scripts/bench-rebase.sh is the rebase part on the large scenario
# alone; scripts/bench-render.sh benchmarks the renderers.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
repo='' base='' head='' to='' work='' runs=${RUNS:-10} to_given='' double=''

usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --repo) repo=$2; shift 2 ;;
        --base) base=$2; shift 2 ;;
        --head) head=$2; shift 2 ;;
        --to) to=$2; to_given=1; shift 2 ;;
        --workdir) work=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --double) double=1; shift ;;
        -h|--help) usage ;;
        -*) echo "bench: unknown argument $1" >&2; usage ;;
        *) work=$1; shift ;; # the former `scripts/bench.sh WORKDIR`
    esac
done
work=${work:-$(mktemp -d -t forkcheck-bench.XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -qq "$2" >/dev/null
    else
        echo "bench: $1 is missing (install $2)" >&2
        exit 1
    fi
}
need hyperfine hyperfine
[ -x /usr/bin/time ] || need /usr/bin/time time
need python3 python3

echo "== building (release)" >&2
(cd "$root" && cargo build --release -q -p forkcheck-analyzers --example rebase_stage)
if [ -z "${FORKCHECK_BIN:-}" ]; then
    (cd "$root" && cargo build --release -q --bin forkcheck)
    FORKCHECK_BIN=$target_dir/release/forkcheck
fi
stage_bin=$target_dir/release/examples/rebase_stage

if [ -z "$repo" ]; then
    [ -z "$base$head" ] || { echo "bench: --base/--head need --repo" >&2; exit 2; }
    scenario=$work/typical-large
    if [ ! -d "$scenario/fork" ]; then
        (cd "$root" && cargo build --release -q -p forkcheck-fixtures --bin forkcheck-fixtures)
        rm -rf "$scenario"
        echo "== generating the large typical scenario in $scenario" >&2
        "$target_dir/release/forkcheck-fixtures" gen --scenario typical --scale large --out "$scenario" >&2
    fi
    repo=$scenario/fork base=open-release/redwood.2 head=HEAD
    [ -n "$to_given" ] || to=open-release/sumac.2
else
    if [ -z "$base" ] || [ -z "$head" ]; then
        echo "bench: --repo needs --base and --head" >&2
        exit 2
    fi
fi
repo=$(cd "$repo" && pwd)

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
unset GIT_DIR GIT_WORK_TREE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES FORKCHECK_ONLY
base_id=$(git -C "$repo" rev-parse --verify "$base^{commit}")
head_id=$(git -C "$repo" rev-parse --verify "$head^{commit}")
to_id=
[ -z "$to" ] || to_id=$(git -C "$repo" rev-parse --verify "$to^{commit}")

# git merge-tree writes objects: into a scratch object directory, reading the repository's.
objects=$(git -C "$repo" rev-parse --path-format=absolute --git-path objects)
scratch=$work/scratch-objects
rm -rf "$scratch" && mkdir -p "$scratch/pack" "$scratch/info"
scratch_env="GIT_OBJECT_DIRECTORY=$scratch GIT_ALTERNATE_OBJECT_DIRECTORIES=$objects"

fc_revs=(--repo "$repo" --base "$base_id" --head "$head_id")
[ -z "$to_id" ] || fc_revs+=(--to "$to_id")
fc_report="$FORKCHECK_BIN report ${fc_revs[*]} --format json --quiet --fail-on never -o $work/report.json"
git_numstat="git -C $repo diff --numstat $base_id $head_id"

ncommits=$(git -C "$repo" rev-list --count --first-parent "$base_id..$head_id")
echo "== $repo: $(git -C "$repo" ls-tree -r --name-only "$head_id" | wc -l) files at head, $ncommits fork commits (first parent) $base..$head${to:+, target $to}" >&2

echo "== correctness: drift against git diff --shortstat" >&2
json=$(FORKCHECK_ONLY=drift $FORKCHECK_BIN report "${fc_revs[@]}" --format json --quiet --fail-on never)
number() { grep -m1 "\"$1\":" <<<"$json" | tr -dc '0-9'; }
echo "   forkcheck: $(number files_changed) files changed, $(number lines_added) insertions(+), $(number lines_removed) deletions(-)" >&2
echo "   git:      $(git -C "$repo" diff --shortstat "$base_id" "$head_id")" >&2

# The drift has a per-commit trend: git's equivalent adds the fork's commits with their numstat.
git_trend="git -C $repo log --first-parent --numstat --no-renames --format=%H $base_id..$head_id"
cmds=(-n "git diff --numstat" "$git_numstat"
      -n "git numstat + trend" "$git_numstat >/dev/null; $git_trend >/dev/null"
      -n "forkcheck drift" "env FORKCHECK_ONLY=drift $fc_report"
      -n "forkcheck drift + trend" "env FORKCHECK_ONLY=drift,trend $fc_report")
if [ -n "$to_id" ]; then
    cat >"$work/replay-loop.sh" <<LOOP
#!/usr/bin/env bash
# Cherry-pick every first-parent fork commit onto the target with merge-tree, continuing from the
# resulting tree (conflicted or not).
export $scratch_env
cd "$repo"
cur=\$(git rev-parse "$to_id^{tree}")
for c in \$(git rev-list --reverse --first-parent "$base_id..$head_id"); do
  cur=\$(git merge-tree --write-tree --merge-base="\$c^" "\$cur" "\$c" | head -n1)
done
LOOP
    chmod +x "$work/replay-loop.sh"
    # Exit code 1 means "conflicts", the normal outcome here; 2 and above are failures.
    git_conflicts="env $scratch_env git -C $repo merge-tree --write-tree --name-only --no-messages $to_id $head_id; [ \$? -le 1 ]"
    git_replay=$work/replay-loop.sh
    git_cherry="git -C $repo cherry $to_id $head_id $base_id"
    stage() { echo "$stage_bin $1 $repo --base $base_id --head $head_id --to $to_id"; }
    cmds+=(-n "git merge-tree" "$git_conflicts"
           -n "forkcheck conflicts" "$(stage conflicts)"
           -n "git replay loop" "$git_replay"
           -n "forkcheck replay" "$(stage replay)"
           -n "git cherry" "$git_cherry"
           -n "forkcheck cherry" "$(stage cherry)"
           -n "git sum" "$git_numstat >/dev/null; $git_conflicts >/dev/null; $git_replay; $git_cherry >/dev/null")
fi
cmds+=(-n "forkcheck report" "$fc_report")

echo "== timing (hyperfine)" >&2
hyperfine --warmup 1 --runs "$runs" --style basic \
    --export-json "$work/bench.json" "${cmds[@]}" >&2

rss() { # peak RSS in KiB of "$@"
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}
# shellcheck disable=SC2086 # $fc_report is a command line of paths without spaces
rss_drift=$(FORKCHECK_ONLY=drift rss $fc_report)
# shellcheck disable=SC2086
rss_full=$(rss $fc_report)

python3 - "$work/bench.json" "$rss_drift" "$rss_full" "$repo" "$base" "$head" "$to" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss_drift, rss_full = int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024
repo, base, head, to = sys.argv[4:8]
print(f"\nforkcheck vs git on {repo}: base {base}, head {head}, target {to or '(none)'}")
print(f"{'stage':<18}{'forkcheck':>12}{'git':>12}{'ratio':>8}  goal (large scenario)")
rows = [("drift only", "forkcheck drift", "git diff --numstat", 1.2),
        ("drift with trend", "forkcheck drift + trend", "git numstat + trend", None),
        ("conflict set", "forkcheck conflicts", "git merge-tree", 1.0),
        ("replay", "forkcheck replay", "git replay loop", 0.5),
        ("already upstream", "forkcheck cherry", "git cherry", None),
        ("full report", "forkcheck report", "git sum", 0.7)]
for name, ours, theirs, goal in rows:
    if ours not in res or theirs not in res:
        note = "no target release: pass --to REV" if name != "full report" else "no git equivalent without a target"
        if ours in res:
            print(f"{name:<18}{res[ours]['mean']*1000:>10.1f}ms{'—':>12}{'—':>8}  {note}")
        else:
            print(f"{name:<18}{'—':>12}{'—':>12}{'—':>8}  skipped: {note}")
        continue
    a, b = res[ours]["mean"], res[theirs]["mean"]
    r = a / b
    verdict = "" if goal is None else ("ok" if r <= goal else "MISSED")
    print(f"{name:<18}{a*1000:>10.1f}ms{b*1000:>10.1f}ms{r:>7.2f}×  "
          f"{'' if goal is None else f'≤ {goal}× {verdict}'}")
for name, mib in (("peak RSS, drift", rss_drift), ("peak RSS, report", rss_full)):
    print(f"{name:<18}{mib:>9.1f}MiB{'':>12}{'':>8}  ≤ 256 MiB {'ok' if mib <= 256 else 'MISSED'}")
print("git numstat + trend = git diff --numstat + git log --first-parent --numstat BASE..HEAD")
print("git sum = git diff --numstat + git merge-tree + the replay loop + git cherry")
PY

[ -n "$double" ] || exit 0
if [ "$repo" != "$work/typical-large/fork" ]; then
    echo "bench: --double compares the large scenarios; it ignores --repo" >&2
fi
doubled=$work/typical-large-double
if [ ! -d "$doubled/fork" ]; then
    (cd "$root" && cargo build --release -q -p forkcheck-fixtures --bin forkcheck-fixtures)
    rm -rf "$doubled"
    echo "== generating the large-double typical scenario in $doubled" >&2
    "$target_dir/release/forkcheck-fixtures" gen --scenario typical --scale large-double --out "$doubled" >&2
fi
one=$work/typical-large/fork two=$doubled/fork
for r in "$one" "$two"; do
    echo "   $r: $(git -C "$r" ls-tree -r --name-only HEAD | wc -l) files, drift: $(git -C "$r" diff --shortstat open-release/redwood.2 HEAD)" >&2
done
report() { echo "$FORKCHECK_BIN report --repo $1 --base open-release/redwood.2 --to open-release/sumac.2 --format json --quiet --fail-on never -o $work/double.json"; }
hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$work/double-bench.json" \
    -n "drift, large" "env FORKCHECK_ONLY=drift $(report "$one")" \
    -n "drift, large-double" "env FORKCHECK_ONLY=drift $(report "$two")" \
    -n "report, large" "$(report "$one")" \
    -n "report, large-double" "$(report "$two")" >&2
python3 - "$work/double-bench.json" <<'PY'
import json, sys
res = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
print("\ntwice the upstream files, none touched by the fork (goal: < 10 % more)")
for what in ("drift", "report"):
    a, b = res[f"{what}, large"], res[f"{what}, large-double"]
    grow = (b / a - 1) * 100
    print(f"{what:<8}{a*1000:>9.1f}ms →{b*1000:>9.1f}ms  {grow:+6.1f} %  {'ok' if grow < 10 else 'MISSED'}")
PY
