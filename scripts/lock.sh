#!/usr/bin/env bash
# Re-resolves the locks with pip's resolver on Python 3.10, in a scratch venv (the project's
# .venv is untouched). Every pin carries the sha256 of each of its files on the registry, so
# that every install runs with --require-hashes (scripts/install-venv.sh, `make tools`):
#   requirements.lock        run time, from requirements.in: what the Containerfile installs
#   requirements-dev.lock    tests and lint, from requirements-dev.in, resolved against the pins
#                            of requirements.lock and listing only what it adds to them: the
#                            dev venv installs both files in one pip call
#   requirements-tools.lock  .venv-tools, from requirements-tools.in (clashes with Rasa's pins)
# pip itself is pinned in the run-time and tools locks: the install upgrades it with the rest.
# Versions already locked stay (pip gets them as constraints): `--upgrade NAME` frees one
# package, `--upgrade-all` re-resolves everything from the .in files.
#   scripts/lock.sh [--upgrade NAME]... [--upgrade-all] [runtime] [dev] [tools]   (default: all)
# Needs the package registry (LOCK_INDEX_URL, default PyPI). Commit the locks it writes.
set -euo pipefail
cd "$(dirname "$0")/.."
index="${LOCK_INDEX_URL:-https://pypi.org/simple}"
upgrade=() targets=() keep=1
while [ $# -gt 0 ]; do
  case "$1" in
    --upgrade) upgrade+=("$2"); shift 2 ;;
    --upgrade-all) keep=0; shift ;;
    runtime | dev | tools) targets+=("$1"); shift ;;
    *) echo "lock.sh: argument inconnu : $1" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(runtime dev tools)

py310=$(scripts/find-python310.sh)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$py310" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --upgrade 'pip>=24'
lockfile() { "$scratch/venv/bin/python" scripts/lockfile.py "$@"; }
# The locks as they were, before this run rewrites them: the versions to keep.
mkdir "$scratch/old"
cp requirements*.lock "$scratch/old/" 2>/dev/null || true
old="$scratch/old"

# resolve NAME REPORT pip-install-arguments… : pip's report of what it would install.
resolve() {
  local name=$1 report=$2; shift 2
  # (grep drops a local pip-config notice that some machines print for every package)
  if ! "$scratch/venv/bin/python" -m pip install --quiet --dry-run --ignore-installed \
    --index-url "$index" --report "$report" "$@" 2> >(grep -v "WARNING: Location" >&2); then
    echo "lock.sh: $name ne se résout pas avec les versions déjà verrouillées ;" \
      "libérez le paquet en cause (--upgrade NOM) ou tout (--upgrade-all)." >&2
    exit 1
  fi
}

# keep LOCK... : the constraints that hold the versions already locked (none with --upgrade-all).
keep() {
  if [ "$keep" = 1 ]; then
    lockfile pins "$@" --upgrade ${upgrade[@]+"${upgrade[@]}"}
  fi
}

for target in "${targets[@]}"; do
  case "$target" in
    runtime)
      keep "$old/requirements.lock" "$old/requirements-dev.lock" >"$scratch/keep-runtime.txt"
      resolve requirements.in "$scratch/runtime.json" -r requirements.in pip \
        -c "$scratch/keep-runtime.txt"
      lockfile write "$scratch/runtime.json" requirements.lock --index "$index" \
        --source requirements.in ;;
    dev)
      # The run-time pins are binding; the dev tools' own earlier pins are kept when possible.
      lockfile pins requirements.lock >"$scratch/runtime-pins.txt"
      keep "$old/requirements-dev.lock" "$old/requirements.lock" --minus requirements.lock \
        >"$scratch/keep-dev.txt"
      resolve requirements-dev.in "$scratch/dev.json" -r requirements-dev.in \
        -c "$scratch/runtime-pins.txt" -c "$scratch/keep-dev.txt"
      lockfile write "$scratch/dev.json" requirements-dev.lock --index "$index" \
        --minus requirements.lock \
        --source "requirements-dev.in, on top of requirements.lock (install both together)" ;;
    tools)
      keep "$old/requirements-tools.lock" >"$scratch/keep-tools.txt"
      resolve requirements-tools.in "$scratch/tools.json" -r requirements-tools.in pip \
        -c "$scratch/keep-tools.txt"
      lockfile write "$scratch/tools.json" requirements-tools.lock --index "$index" \
        --source requirements-tools.in ;;
  esac
done
