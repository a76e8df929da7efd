#!/usr/bin/env bash
# schemathesis against the reference portal's OpenAPI description (GET /openapi.json): every
# operation gets generated valid and invalid requests; the run fails on any 5xx, on answers
# that do not match the description, and on a crash. The portal runs on a free port over a
# throwaway SQLite database with the demo data; the requests carry Jeanne's session and the
# service key, so that the /me and service endpoints are exercised beyond the 401.
#   scripts/fuzz-portal.sh [EXTRA SCHEMATHESIS ARGS]     (FUZZ_EXAMPLES=N, default 10; 25 for a deeper run)
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export PORTAL_PORT="$port" PORTAL_HOST=127.0.0.1 PORTAL_DATABASE_URL="sqlite:///$work/portal.sqlite3"
export PORTAL_ARGON2_TIME_COST=1 PORTAL_ARGON2_MEMORY_KIB=1024 PORTAL_ARGON2_PARALLELISM=1
# Demo mode (demo accounts and key, CARPIMKO_DEMO=1): the requests log in as Jeanne.
export CARPIMKO_DEMO=1
# Rate limits out of the way: fuzzing must reach the handlers, not the 429.
for rule in RESET_DOSSIER RESET_CLIENT LOGIN_DOSSIER LOGIN_CLIENT CODE_ATTEMPTS EMAIL_CHANGES; do
  export "PORTAL_RATE_$rule=1000000/1"
done
.venv/bin/python -m portal >"$work/portal.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/portal.log" >&2; exit 1; }
  sleep 0.25
done
token="$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"profile": "affilie", "dossier_number": "1234567", "password": "Carpimko2024"}' \
  | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
status=0
.venv-tools/bin/schemathesis run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "${FUZZ_EXAMPLES:-10}" --seed 10 \
  -H "Authorization: Bearer $token" -H "X-Service-Key: demo-service-key" \
  "$@" || status=$?
# A handler that crashed logs « unexpected error » (portal/http.py) even if the 500 went unseen.
# (Sanic's own « Failed when parsing form » for a broken multipart body is handled: empty form.)
if grep -q "unexpected error on" "$work/portal.log"; then
  echo "fuzz-portal: the portal crashed in a handler:" >&2
  grep -A20 "unexpected error on" "$work/portal.log" | head -60 >&2
  status=1
fi
exit "$status"
