#!/usr/bin/env bash
# Install the pinned Tutor release into .venv (gitignored) for tests/it/tutor_roundtrip.rs.
# Idempotent and fast when the pinned version is already installed. Fails loudly (non-zero exit,
# message on stderr) when Python, venv or PyPI is unavailable: the round-trip test must not skip.
# The pinned version lives in rules/tutor.toml (`pinned_version`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's/^pinned_version = "\(.*\)"$/\1/p' "$root/rules/tutor.toml")"
venv="${FORKCHECK_VENV:-$root/.venv}"

if [ -z "$version" ]; then
  echo "error: no pinned_version in $root/rules/tutor.toml" >&2
  exit 1
fi

installed() {
  [ -x "$venv/bin/tutor" ] && [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" - "$version" <<'PY' 2>/dev/null
import importlib.metadata, sys
sys.exit(0 if importlib.metadata.version("tutor") == sys.argv[1] else 1)
PY
}

if installed; then
  echo "tutor $version already installed in $venv"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "error: python3 is required to install Tutor $version (apt-get install python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || {
    echo "error: cannot create a virtual environment in $venv (apt-get install python3-venv)" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "tutor==$version" || {
  echo "error: cannot install tutor==$version from PyPI into $venv" >&2
  exit 1
}
if ! installed; then
  echo "error: tutor $version not usable in $venv after installation" >&2
  exit 1
fi
echo "installed tutor $version in $venv"
