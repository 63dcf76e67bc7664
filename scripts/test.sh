#!/usr/bin/env bash
# Install what the tests need, then run linters, type checks and the whole test suite.
#   bash scripts/test.sh [PYTEST_ARGS...]   (VENV=path picks the venv, default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --find-links /opt/wheels -e ".[dev]"
"$VENV/bin/ruff" check latentdrum tests
"$VENV/bin/mypy" latentdrum
"$VENV/bin/pytest" -q "$@"
