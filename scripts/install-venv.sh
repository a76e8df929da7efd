#!/usr/bin/env bash
# Builds a virtual environment from the hash-pinned locks: the one install path, run by
# `make install` (and so `make run`, `make test`) with `dev`, and by the Containerfile without.
#   scripts/install-venv.sh PYTHON3.10 VENV [dev]
# requirements.lock (run time) always; with `dev`, requirements-dev.lock too (tests, lint), in
# the same pip call since it only adds to the run-time pins. --require-hashes: pip refuses any
# file whose sha256 is not in the lock, and any package the lock does not pin (so a lock that
# misses a dependency fails here rather than pulling an unpinned one). The project itself goes
# in last with --no-deps (its dependencies, read from requirements.in, are the pinned ones);
# `pip check` then proves they are all satisfied.
# A VENV made by another Python version is replaced; an existing one is updated in place.
set -euo pipefail
cd "$(dirname "$0")/.."
python310=$1
venv=$2
locks=(-r requirements.lock)
case "${3:-}" in
  dev) locks+=(-r requirements-dev.lock) ;;
  "") ;;
  *) echo "install-venv.sh: troisième argument inconnu : $3 (attendu : dev)" >&2; exit 2 ;;
esac
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  rm -rf "$venv"
  echo "Création de $venv avec $python310"
  "$python310" -m venv "$venv"
fi
# The locks pin pip too: the venv's own pip installs them, its successor included.
"$venv/bin/python" -m pip install --quiet --require-hashes "${locks[@]}"
"$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
"$venv/bin/python" -m pip check
