#!/usr/bin/env bash
# Install what the tests need, then run linters, type checks and the whole test suite.
#   bash scripts/test.sh [PYTEST_ARGS...]   (VENV=path picks the venv, default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --find-links /opt/wheels -e ".[dev]"
# The browser tests drive Debian's Chromium (Playwright cannot download browsers here); without
# it they are skipped with a reason. Installed only when missing and apt-get is there.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
"$VENV/bin/ruff" check latentdrum tests
"$VENV/bin/mypy" latentdrum
"$VENV/bin/pytest" -q "$@"
