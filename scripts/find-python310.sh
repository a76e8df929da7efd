#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter (Rasa 3.6 does not run on 3.11+).
# Looks at $PYTHON310, then `python3.10` on PATH, then pyenv's versions/3.10.*.
set -u
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for p in $(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
  candidates+=("$p")
done
for p in "${candidates[@]}"; do
  # A pyenv shim exists even when 3.10 is not selected: check that it really runs 3.10.
  if "$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
cat >&2 <<'MSG'
error: Python 3.10 is required (Rasa Open Source 3.6 does not run on Python 3.11 or newer).
Install it, then run make again, for example:
  - pyenv:   pyenv install 3.10      (found automatically under $(pyenv root)/versions/3.10.*)
  - Debian:  apt-get install python3.10 python3.10-venv   (where the release offers it)
  - or point to one:  make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
