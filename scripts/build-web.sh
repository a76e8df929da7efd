#!/usr/bin/env bash
# Builds the chat widget bundle web/static/widget.js from web/widget/ with the locked npm
# packages (npm ci + esbuild). Skips the work when the bundle is newer than the sources,
# package.json and package-lock.json, so `make run` / `make test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/../web"

bundle=static/widget.js
if [ -f "$bundle" ] && [ -d node_modules ] \
  && [ -z "$(find widget package.json package-lock.json -newer "$bundle" -print -quit)" ]; then
  echo "Widget à jour : web/$bundle"
  exit 0
fi
command -v npm >/dev/null || { echo "npm est requis pour construire le widget (Node.js 18+)." >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
echo "Widget construit : web/$bundle"
