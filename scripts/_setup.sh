# Sourced by scripts/demo and scripts/test: a project virtualenv with everything installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "certledger needs Python >= 3.11 (found: $("$PYTHON" --version 2>&1 || echo none))" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating the project's virtualenv in .venv" >&2
  "$PYTHON" -m venv .venv
fi
# The install is editable, so only a change to pyproject.toml (dependencies, entry points,
# package layout) needs another one. Skipping it when nothing changed saves seconds on every
# run and lets both commands work offline once .venv is complete.
stamp=.venv/.certledger-installed
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) $(.venv/bin/python --version 2>&1)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && .venv/bin/python -c "import certledger.cli.main" 2>/dev/null; then
  :
else
  echo "installing certledger and its dependencies into .venv (first run, or pyproject.toml changed)" >&2
  # Quiet unless it fails: setuptools' build warnings are noise here.
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -e ".[test]"; } >.venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "installing certledger's dependencies failed (log above, also in .venv/install.log)" >&2
    exit 2
  fi
  echo "$wanted" >"$stamp"
fi
