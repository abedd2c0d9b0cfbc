# Sourced by scripts/demo and scripts/test: a project virtualenv with everything installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/_system.sh
# shellcheck disable=SC2086  # a space-separated list, on purpose
system_packages ${CERTLEDGER_SYSTEM_PACKAGES-fonts-noto-cjk poppler-utils chromium nodejs} || exit 2

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "certledger needs Python >= 3.11 (found: $("$PYTHON" --version 2>&1 || echo none))" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating the project's virtualenv in .venv" >&2
  "$PYTHON" -m venv .venv
fi
# The install is editable, so only a change to pyproject.toml or requirements.lock (versions,
# entry points, package layout) needs another one. Skipping it when nothing changed saves
# seconds on every run and lets both commands work offline once .venv is complete.
UV_VERSION=0.13.9
stamp=.venv/.certledger-installed
wanted="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1) $(.venv/bin/python --version 2>&1) uv $UV_VERSION"
if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && .venv/bin/python -c "import certledger.cli.main" 2>/dev/null; then
  :
else
  echo "installing certledger and its locked dependencies into .venv (first run, or pyproject.toml/requirements.lock changed)" >&2
  # requirements.lock pins every package with its hashes (scripts/lock makes it). uv installs
  # it about 2.5 times faster than pip here, its own install included (README, "Set-up");
  # without uv (no wheel for this platform) pip installs the same lock.
  install() {
    .venv/bin/python -m pip install --disable-pip-version-check -q "uv==$UV_VERSION" &&
      .venv/bin/uv pip install --python .venv/bin/python --compile-bytecode --require-hashes -r requirements.lock &&
      .venv/bin/uv pip install --python .venv/bin/python --no-deps -e . &&
      compile_ours
  }
  # Byte code written once at install (uv skips it unless asked; an editable install never does
  # it): every command then starts ~140 ms sooner, also where PYTHONDONTWRITEBYTECODE is set.
  compile_ours() { .venv/bin/python -m compileall -q -j 0 domain events projections signing cli >/dev/null; }
  install_with_pip() {
    .venv/bin/python -m pip install --disable-pip-version-check --require-hashes -r requirements.lock &&
      .venv/bin/python -m pip install --disable-pip-version-check --no-deps -e . &&
      compile_ours
  }
  # Quiet unless it fails: the installers' progress and setuptools' build warnings are noise.
  if ! { install || install_with_pip; } >.venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "installing certledger's dependencies failed (log above, also in .venv/install.log)" >&2
    exit 2
  fi
  echo "$wanted" >"$stamp"
fi

# The independent credential verifier (tools/vc-verifier: Digital Bazaar's VC stack, exact pins in
# its package-lock.json): installed with npm ci when node_modules is missing or the lock changed.
# --ignore-scripts: no package's install script runs. Quiet unless it fails.
vc_lock=tools/vc-verifier/package-lock.json
vc_stamp=tools/vc-verifier/node_modules/.certledger-installed
if [ -f "$vc_lock" ] && command -v npm >/dev/null && [ "$(cat "$vc_stamp" 2>/dev/null)" != "$(sha256sum "$vc_lock" | cut -d' ' -f1)" ]; then
  if ! (cd tools/vc-verifier && npm ci --ignore-scripts --no-audit --no-fund) >.venv/npm-install.log 2>&1; then
    cat .venv/npm-install.log >&2
    echo "installing the credential verifier's npm packages failed (log above, also in .venv/npm-install.log)" >&2
    exit 2
  fi
  sha256sum "$vc_lock" | cut -d' ' -f1 >"$vc_stamp"
fi
