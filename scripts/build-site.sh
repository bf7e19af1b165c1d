#!/usr/bin/env bash
# Set up a fresh machine and build the published logbook into a static site (./site).
#   bash scripts/build-site.sh
# No JAX is needed: the records under logbook/ are checked, analysed and rendered (the `report`
# extra adds Optuna and scikit-learn for the hyperparameter-importance section).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e '.[report]'
"$VENV/bin/reportgen" check --logbook logbook
"$VENV/bin/reportgen" build --logbook logbook --site site
echo "site built: open site/index.html"
