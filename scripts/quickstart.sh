#!/usr/bin/env bash
# Install latentdrum into a virtual environment and run its main job.
#   bash scripts/quickstart.sh [ARGS...]   (ARGS go to the main job; VENV=path picks the venv, default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# --find-links: the CPU build of torch that this machine keeps on disk (ignored where absent).
"$VENV/bin/pip" install --quiet --disable-pip-version-check --find-links /opt/wheels -e .
# The main job: the instrument. With a display, serve the web page and open it in a browser
# (Ctrl+C stops); headless (CI, ssh), the demo renders its files into out/demo instead.
if [ $# -eq 0 ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then set -- demo; else set -- demo --render out/demo; fi
fi
exec "$VENV/bin/latentdrum" "$@"
