#!/usr/bin/env bash
# Install the pinned ansible-core (PyPI) into .venv (gitignored) for tests/it/replace_tools.rs,
# which loads the Ansible variables `forkcheck replace --format ansible` writes with
# `ansible localhost -m debug` (no inventory, no network). Idempotent; fails loudly.
# 2.19 is the newest series whose controller runs on Python 3.11.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="2.19.14"
venv="${FORKCHECK_VENV:-$root/.venv}"

installed() {
  [ -x "$venv/bin/ansible" ] && "$venv/bin/python" - "$version" <<'PY' 2>/dev/null
import importlib.metadata, sys
sys.exit(0 if importlib.metadata.version("ansible-core") == sys.argv[1] else 1)
PY
}

if installed; then
  echo "ansible-core $version already installed in $venv"
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || {
    echo "error: cannot create a virtual environment in $venv (apt-get install python3-venv)" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ansible-core==$version" || {
  echo "error: cannot install ansible-core==$version from PyPI into $venv" >&2
  exit 1
}
installed || {
  echo "error: ansible-core $version not usable in $venv after installation" >&2
  exit 1
}
echo "installed ansible-core $version in $venv"
