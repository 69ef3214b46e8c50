#!/usr/bin/env bash
# Rebase part of forkcheck's benchmark, on the large scenario only (scripts/bench.sh prints the
# same rows, and drift's, for any repository).
# On the large `typical` scenario, side by side in one hyperfine run:
#   conflict set    forkcheck (stage `conflicts`)  vs  git merge-tree --write-tree (scratch copy)
#   replay          forkcheck (stage `replay`)     vs  a git merge-tree loop over the fork commits
#   already-upstream forkcheck (stage `cherry`)    vs  git cherry
#   full report     forkcheck report --format json vs  the sum of the three git commands
# then the ratios and forkcheck report's peak RSS (/usr/bin/time -v).
# Goals: conflicts ≤ 1.0×, replay ≤ 0.5×, full report ≤ 0.7× of the git sum, RSS ≤ 256 MiB.
#
# Usage: scripts/bench-rebase.sh [WORKDIR]   (default /tmp/forkcheck-bench; reused when present)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${BENCH_DIR:-/tmp/forkcheck-bench}}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -qq "$2" >/dev/null
  else
    echo "bench-rebase: $1 is missing (install $2)" >&2
    exit 1
  fi
}
need hyperfine hyperfine
[ -x /usr/bin/time ] || need /usr/bin/time time

cd "$here"
cargo build --release -q -p forkcheck-fixtures --bin forkcheck-fixtures
cargo build --release -q -p forkcheck-analyzers --example rebase_stage
cargo build --release -q --bin forkcheck
bin="$CARGO_TARGET_DIR/release"

scen="${BENCH_SCENARIO:-$work/large-typical}"
if [ ! -d "$scen/fork" ]; then
  rm -rf "$scen"
  echo "generating the large typical scenario in $scen …" >&2
  "$bin/forkcheck-fixtures" gen --scenario typical --scale large --out "$scen" >&2
fi
fork="$scen/fork"
# git merge-tree writes objects: it runs on a scratch copy, never on the analysed fork.
scratch="$work/large-typical-scratch"
rm -rf "$scratch" && cp -a "$scen" "$scratch"
sfork="$scratch/fork"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
target=$(git -C "$fork" rev-parse 'open-release/sumac.2^{commit}')
base=$(git -C "$fork" rev-parse 'open-release/redwood.2^{commit}')
head=$(git -C "$fork" rev-parse HEAD)
ncommits=$(git -C "$fork" rev-list --count --first-parent "$base..$head")

# The replay loop: cherry-pick every first-parent fork commit onto the target with merge-tree,
# continuing from the resulting tree (conflicted or not).
cat >"$work/replay-loop.sh" <<LOOP
#!/usr/bin/env bash
cd "$sfork"
cur=\$(git rev-parse "$target^{tree}")
for c in \$(git rev-list --reverse --first-parent "$base..$head"); do
  cur=\$(git merge-tree --write-tree --merge-base="\$c^" "\$cur" "\$c" | head -n1)
done
LOOP
chmod +x "$work/replay-loop.sh"

git_conflicts="git -C $sfork merge-tree --write-tree --name-only --no-messages $target $head"
git_replay="$work/replay-loop.sh"
git_cherry="git -C $fork cherry $target $head $base"
git_sum="$git_conflicts >/dev/null; $git_replay; $git_cherry >/dev/null"

echo "large typical: $ncommits fork commits, $(git -C "$fork" ls-files | wc -l) files, $(git -C "$fork" rev-list --count --all) commits in all" >&2

hyperfine --warmup 1 --min-runs 5 --ignore-failure --style basic \
  --export-json "$work/bench-rebase.json" \
  -n "git conflicts" "$git_conflicts" \
  -n "forkcheck conflicts" "$bin/examples/rebase_stage conflicts $fork" \
  -n "git replay loop" "$git_replay" \
  -n "forkcheck replay" "$bin/examples/rebase_stage replay $fork" \
  -n "git cherry" "$git_cherry" \
  -n "forkcheck cherry" "$bin/examples/rebase_stage cherry $fork" \
  -n "git sum" "$git_sum" \
  -n "forkcheck report" "$bin/forkcheck report --repo $fork --format json --quiet --fail-on never -o $work/report.json"

rss_kb=$(/usr/bin/time -v "$bin/forkcheck" report --repo "$fork" --format json --quiet --fail-on never -o "$work/report.json" 2>&1 >/dev/null \
  | awk -F': ' '/Maximum resident set size/ {print $2}')

python3 - "$work/bench-rebase.json" "$rss_kb" <<'PY'
import json, sys
res = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
rss_mib = int(sys.argv[2]) / 1024
rows = [("conflict set", "forkcheck conflicts", "git conflicts", 1.0),
        ("replay", "forkcheck replay", "git replay loop", 0.5),
        ("already upstream", "forkcheck cherry", "git cherry", None),
        ("full report", "forkcheck report", "git sum", 0.7)]
print(f"\n{'stage':<18}{'forkcheck':>12}{'git':>12}{'ratio':>8}  goal")
ok = True
for name, ours, theirs, goal in rows:
    r = res[ours] / res[theirs]
    verdict = "" if goal is None else ("ok" if r <= goal else "MISSED")
    ok &= verdict != "MISSED"
    print(f"{name:<18}{res[ours]*1000:>10.1f}ms{res[theirs]*1000:>10.1f}ms{r:>7.2f}×  "
          f"{'' if goal is None else f'≤ {goal}× '}{verdict}")
print(f"{'peak RSS':<18}{rss_mib:>10.1f}MiB{'':>12}{'':>8}  ≤ 256 MiB {'ok' if rss_mib <= 256 else 'MISSED'}")
PY
