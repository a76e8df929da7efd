#!/usr/bin/env bash
# Builds the project's virtual environment from requirements.lock: the one install path, run
# by `make install` (and so `make run`, `make test`) and by the Containerfile.
#   scripts/install-venv.sh PYTHON3.10 VENV
# A VENV made by another Python version is replaced; an existing one is updated in place.
set -euo pipefail
cd "$(dirname "$0")/.."
python310=$1
venv=$2
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  rm -rf "$venv"
  echo "Création de $venv avec $python310"
  "$python310" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade 'pip>=24'
"$venv/bin/python" -m pip install --quiet -r requirements.lock
"$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
