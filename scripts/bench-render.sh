#!/usr/bin/env bash
# Renderer benchmark (issue 15, hostile repositories): `forkcheck report` in JSON, Markdown and
# HTML on two hostile-scale forks, and the Markdown and HTML times as a ratio of JSON's (the
# analysis is the same; only the renderer differs). Goal: both ratios <= 3.
#
#   settings: the small `typical` fork plus one commit adding 3,000 settings modules
#             (lms/envs/bench_NNNN.py, three settings each);
#   files:    the small `typical` fork plus one commit adding 20,000 templates (half in
#             lms/templates, half in the Acme theme).
#
# Usage: scripts/bench-render.sh [WORKDIR]
#   WORKDIR (default: a new temporary directory) keeps the generated forks; existing ones are
#   reused. FORKCHECK_BIN overrides the forkcheck binary; RUNS (default 3) sets how many times
#   each format runs (the best time counts); MODULES and FILES change the sizes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-$(mktemp -d -t forkcheck-bench-render.XXXXXX)}
runs=${RUNS:-3}
modules=${MODULES:-3000}
files=${FILES:-20000}
target=${CARGO_TARGET_DIR:-$root/target}

echo "== building (release)"
(cd "$root" && cargo build --release --quiet -p forkcheck-fixtures --bin forkcheck-fixtures)
if [ -z "${FORKCHECK_BIN:-}" ]; then
    (cd "$root" && cargo build --release --quiet --bin forkcheck)
    FORKCHECK_BIN=$target/release/forkcheck
fi

# git with a fixed identity and clock, no user or system configuration.
fixed_git() {
    GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
        GIT_AUTHOR_NAME="Bench Developer" GIT_AUTHOR_EMAIL=bench@acme.example \
        GIT_COMMITTER_NAME="Bench Developer" GIT_COMMITTER_EMAIL=bench@acme.example \
        GIT_AUTHOR_DATE="2030-01-01T00:00:00Z" GIT_COMMITTER_DATE="2030-01-01T00:00:00Z" \
        git "$@"
}

# make_fork NAME GENERATOR: the small typical fork in WORKDIR/NAME, plus one commit whose files
# GENERATOR writes into the work tree given as its argument.
make_fork() {
    local name=$1 generator=$2 dir=$work/$1
    if [ -d "$dir/fork" ]; then
        echo "== reusing $dir"
        return
    fi
    echo "== generating the $name fork in $dir"
    "$target/release/forkcheck-fixtures" gen --scenario typical --scale small --out "$dir" >/dev/null 2>&1
    "$generator" "$dir/fork"
    fixed_git -C "$dir/fork" add -A
    fixed_git -C "$dir/fork" commit -q -m "bench: $name at hostile scale"
}

# shellcheck disable=SC2317 # called through make_fork
settings_modules() {
    local fork=$1 i n
    for ((i = 1; i <= modules; i++)); do
        printf -v n '%04d' "$i"
        printf 'from .common import *\n\nPLATFORM_NAME = "Bench %s"\nFEATURES["ENABLE_BENCH_%s"] = True\nBENCH_TIMEOUT_%s = %d\n' \
            "$n" "$n" "$n" "$i" >"$fork/lms/envs/bench_$n.py"
    done
}

# Half new core templates (a finding each, and a step of the move plan), half new theme
# templates (a finding and an override entry each).
# shellcheck disable=SC2317 # called through make_fork
added_files() {
    local fork=$1 i d dir
    for ((d = 0; d < files / 500; d++)); do
        if ((d % 2 == 0)); then
            dir=$fork/lms/templates/bench/part_$d
        else
            dir=$fork/themes/acme/lms/templates/bench/part_$d
        fi
        mkdir -p "$dir"
        for ((i = 0; i < 500; i++)); do
            echo "<p>bench $d/$i</p>" >"$dir/page_$i.html"
        done
    done
}

make_fork settings settings_modules
make_fork files added_files

# best_time FORK FORMAT: the best wall time (s) of RUNS reports in FORMAT.
best_time() {
    local fork=$1 format=$2 best="" t i
    for ((i = 0; i < runs; i++)); do
        local start end
        start=$(date +%s.%N)
        "$FORKCHECK_BIN" report --repo "$fork" --format "$format" --fail-on never --quiet \
            -o "$work/out.$format"
        end=$(date +%s.%N)
        t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
            best=$t
        fi
    done
    echo "$best"
}

status=0
for name in settings files; do
    fork=$work/$name/fork
    findings=$("$FORKCHECK_BIN" report --repo "$fork" --format json --fail-on never --quiet |
        grep -c '"fingerprint":' || true)
    echo "== $name: $findings findings; best of $runs runs"
    json=$(best_time "$fork" json)
    printf '   %-9s %7.3f s\n' json "$json"
    for format in markdown html; do
        t=$(best_time "$fork" "$format")
        ratio=$(awk -v t="$t" -v j="$json" 'BEGIN { printf "%.2f", t / j }')
        verdict=ok
        if awk -v r="$ratio" 'BEGIN { exit !(r > 3) }'; then
            verdict="OVER 3x"
            status=1
        fi
        printf '   %-9s %7.3f s  %sx JSON  %s\n' "$format" "$t" "$ratio" "$verdict"
    done
done
rm -f "$work"/out.*
echo "== forks kept in $work"
exit "$status"
