#!/usr/bin/env bash
# Drift benchmark: `forkcheck report --format json` restricted to the drift analysis
# (FORKCHECK_ONLY=drift) against `git diff --numstat BASE HEAD`, side by side in one hyperfine
# run on the large `typical` scenario, then the ratio of the means and the peak RSS of each.
# Goal: ratio <= 1.2, forkcheck peak RSS <= 256 MiB.
#
# Usage: scripts/bench.sh [WORKDIR]
#   WORKDIR (default: a new temporary directory) keeps the generated scenario; an existing
#   WORKDIR/typical-large is reused. FORKCHECK_BIN overrides the forkcheck binary;
#   RUNS (default 20) sets hyperfine's run count.
#   Then runs scripts/bench-rebase.sh on the same scenario (BENCH_DRIFT_ONLY=1 skips it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-$(mktemp -d -t forkcheck-bench.XXXXXX)}
runs=${RUNS:-20}
target=${CARGO_TARGET_DIR:-$root/target}

if ! command -v hyperfine >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y hyperfine >/dev/null
    else
        echo "error: hyperfine is not installed (apt-get install hyperfine, or cargo install hyperfine)" >&2
        exit 1
    fi
fi
if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time (GNU time) is needed for the peak RSS (apt-get install time)" >&2
    exit 1
fi

echo "== building (release)"
(cd "$root" && cargo build --release --quiet -p forkcheck-fixtures --bin forkcheck-fixtures)
if [ -z "${FORKCHECK_BIN:-}" ]; then
    (cd "$root" && cargo build --release --quiet --bin forkcheck)
    FORKCHECK_BIN=$target/release/forkcheck
fi

scenario=$work/typical-large
if [ ! -d "$scenario/fork" ]; then
    echo "== generating the large typical scenario in $scenario"
    start=$(date +%s)
    "$target/release/forkcheck-fixtures" gen --scenario typical --scale large --out "$scenario"
    echo "   generated in $(($(date +%s) - start)) s"
fi
fork=$scenario/fork
base=open-release/redwood.2 # the scenario's base (fixtures/README.md); checked below

files=$(git -C "$fork" ls-files | wc -l)
commits=$(git -C "$fork" rev-list --count HEAD)
echo "== repository: $files files, $commits commits; base $base, $(git -C "$fork" rev-list --count "$base..HEAD") fork commits"

echo "== correctness: forkcheck's drift against git diff --shortstat"
json=$(FORKCHECK_ONLY=drift "$FORKCHECK_BIN" report --repo "$fork" --format json)
number() { grep -m1 "\"$1\":" <<<"$json" | tr -dc '0-9'; }
rev=$(grep -m1 '"rev":' <<<"$json" | sed 's/.*"rev": *"\([^"]*\)".*/\1/')
echo "   forkcheck: base $rev, $(number files_changed) files changed, $(number lines_added) insertions(+), $(number lines_removed) deletions(-)"
echo "   git:      $(git -C "$fork" diff --shortstat "$base" HEAD)"

echo "== timing (hyperfine, $runs runs each)"
csv=$work/hyperfine.csv
FORKCHECK_ONLY=drift hyperfine -N --warmup 3 --runs "$runs" --export-csv "$csv" \
    -n "forkcheck report --format json (drift)" "$FORKCHECK_BIN report --repo $fork --format json" \
    -n "git diff --numstat" "git -C $fork diff --numstat $base HEAD"

rss() { # peak RSS in KiB of "$@"
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}
fc_rss=$(FORKCHECK_ONLY=drift rss "$FORKCHECK_BIN" report --repo "$fork" --format json)
git_rss=$(rss git -C "$fork" diff --numstat "$base" HEAD)

awk -F, -v fc_rss="$fc_rss" -v git_rss="$git_rss" '
    NR == 2 { fc = $2 }
    NR == 3 { git = $2 }
    END {
        printf "== result\n"
        printf "   %-40s mean %8.1f ms   peak RSS %7.1f MiB\n", "forkcheck report (drift only)", fc * 1000, fc_rss / 1024
        printf "   %-40s mean %8.1f ms   peak RSS %7.1f MiB\n", "git diff --numstat", git * 1000, git_rss / 1024
        printf "   ratio forkcheck / git: %.2f (goal <= 1.2); forkcheck peak RSS %.1f MiB (goal <= 256)\n", fc / git, fc_rss / 1024
    }' "$csv"

# The rebase part (conflicts, replay, already-upstream, full report) on the same scenario.
if [ "${BENCH_DRIFT_ONLY:-}" != 1 ]; then
    echo
    BENCH_SCENARIO="$scenario" "$root/scripts/bench-rebase.sh" "$work"
fi
