#!/usr/bin/env bash
# Starts the whole assistant on this machine and stops every part on Ctrl-C.
# Called by `make run` once the venv and the model are ready. Ports come from the
# environment (defaults as in the product contract), so tests can start a second stack.
set -euo pipefail
# Ctrl-C (SIGINT) stops every service through the trap on stop_all below. A non-interactive
# bash cannot trap a signal that was ignored when it started (« signals ignored upon entry
# cannot be trapped »): the trap is then void, without a word, and SIGINT leaves the whole stack
# running. That is how run.sh starts when it, or what runs it (make, a test runner), was
# launched with `&` from a non-interactive shell — a script, `nohup … &`: bash makes such jobs
# ignore SIGINT and SIGQUIT, and children inherit it. Start again with SIGINT at its default
# disposition (coreutils' env) so that the trap takes.
if [ "$(trap -p INT)" = "trap -- '' SIGINT" ]; then
  exec env --default-signal=INT "$0" "$@"
fi
cd "$(dirname "$0")/.."

: "${RASA_PORT:=5005}"
: "${ACTION_PORT:=5055}"
: "${PORTAL_PORT:=8080}"
: "${WEB_PORT:=8000}"
: "${CONSOLE_PORT:=8090}"
: "${BIND_HOST:=127.0.0.1}"
: "${RASA_MODEL:=models/carpimko.tar.gz}"
# Rasa's endpoints file; deploy/endpoints.yml for the shared stores of several instances.
: "${RASA_ENDPOINTS:=endpoints.yml}"
: "${LOG_DIR:=var/log}"
# Seconds each service may take to answer its health check (Rasa loads the model first).
: "${START_TIMEOUT:=300}"
# Demo mode (demo mailbox, clock, accounts, demo-service-key) only when asked: `make run` sets
# CARPIMKO_DEMO=1. Without it every service is in production mode and refuses to start until
# its secrets are set (carpimko/ops/deployment.py, .env.example).
export CARPIMKO_DEMO="${CARPIMKO_DEMO:-0}"
# Origins allowed to call Rasa from a browser: the demo site's own (carpimko/rasa_server.py).
export RASA_CORS_ORIGINS="${RASA_CORS_ORIGINS:-http://localhost:${WEB_PORT} http://127.0.0.1:${WEB_PORT}}"
# GDPR: `carpimko transcripts purge --every` deletes conversations idle longer than
# TRANSCRIPT_RETENTION_DAYS (365), at start and then every PURGE_EVERY_HOURS (docs/console.md).
: "${PURGE_EVERY_HOURS:=24}"
# --- access control and limits (docs/reliability.md) ---
# Rasa's HTTP API (/conversations, /model…) stays off unless RASA_AUTH_TOKEN is set; then it
# answers only requests carrying ?token=$RASA_AUTH_TOKEN. The channels (/webhooks/…) stay open.
# carpimko.rasa_server passes the token to Rasa in-process: never on a command line (ps).
# Shared secret Rasa sends to the action server (endpoints.yml); random per start by default.
if [ -z "${ACTION_SERVER_TOKEN:-}" ]; then
  ACTION_SERVER_TOKEN="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
export ACTION_SERVER_TOKEN BIND_HOST
# Phone line: the channel refuses Twilio webhooks without a valid X-Twilio-Signature (on by
# default, docs/ivr.md). This demo has no Twilio account: without IVR_TWILIO_AUTH_TOKEN it turns
# the check off explicitly, and says so. The JSON turn API stays closed without IVR_TURN_TOKEN.
if [ -z "${IVR_TWILIO_AUTH_TOKEN:-}" ] && [ -z "${IVR_TWILIO_SIGNATURE:-}" ]; then
  IVR_TWILIO_SIGNATURE=off
  echo "run.sh: démo sans compte Twilio : signature des webhooks téléphone non vérifiée (IVR_TWILIO_SIGNATURE=off)"
fi
export IVR_TWILIO_SIGNATURE="${IVR_TWILIO_SIGNATURE:-on}"
# Key of the conversation-id hash on log lines (carpimko/ops/tracing.py): one per start, shared by
# every service so that a conversation has the same hash in each log. LOG_FORMAT=json makes
# every service log JSON lines (carpimko/ops/jsonlog.py).
if [ -z "${LOG_HASH_KEY:-}" ]; then
  LOG_HASH_KEY="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
export LOG_HASH_KEY
# Largest HTTP body Rasa accepts (REST and socket.io polling); larger → 413.
: "${RASA_MAX_BODY:=65536}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}"
export TRACKER_DB="${TRACKER_DB:-var/tracker.sqlite3}"
export PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:${PORTAL_PORT}}"
export PORTAL_PORT PORTAL_HOST="${PORTAL_HOST:-$BIND_HOST}"
# URLs the browser uses (the demo site links to them).
export RASA_PUBLIC_URL="${RASA_PUBLIC_URL:-http://localhost:${RASA_PORT}}"
export PORTAL_PUBLIC_URL="${PORTAL_PUBLIC_URL:-http://localhost:${PORTAL_PORT}}"
# TensorFlow: two cores here; keep its thread pools small so requests don't fight over them
# (Rasa predicts one message at a time on its event loop). The same for numpy's BLAS.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# glibc gives busy threads their own malloc arenas (up to 8 per core), which kept hundreds of MB
# of Rasa's and the portal's freed memory; two arenas are plenty here (docs/benchmarks.md).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# The portal's argon2 hashes take 19 MiB each. glibc raises its mmap threshold (up to 32 MiB)
# after the first one is freed, so later ones came from the heap and stayed resident (portal
# 183 MiB after 50 logins at once); above 1 MiB, memory goes back to the system when freed
# (89 MiB). Portal only: Rasa's TensorFlow allocates large buffers per message.
: "${PORTAL_MALLOC_MMAP_THRESHOLD:=1048576}"
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"

mkdir -p "$LOG_DIR"
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "Arrêt des services…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

start() {  # start NAME COMMAND... : runs in the background, logs to $LOG_DIR/NAME.log
  local name=$1; shift
  "$@" >"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
}

wait_http() {  # wait_http NAME URL SECONDS : polls until the URL answers 2xx
  local name=$1 url=$2 limit=$3 i
  for ((i = 0; i < limit * 4; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "$name s'est arrêté : voir $LOG_DIR/" >&2; return 1; }
    done
    sleep 0.25
  done
  echo "$name ne répond pas sur $url après ${limit}s : voir $LOG_DIR/$name.log" >&2
  return 1
}

start portal env MALLOC_MMAP_THRESHOLD_="$PORTAL_MALLOC_MMAP_THRESHOLD" .venv/bin/python -m portal
start actions .venv/bin/python -m actions.server --host "$BIND_HOST" --port "$ACTION_PORT"
start rasa env SANIC_REQUEST_MAX_SIZE="$RASA_MAX_BODY" .venv/bin/python -m carpimko.rasa_server run \
  --model "$RASA_MODEL" --port "$RASA_PORT" --interface "$BIND_HOST" --credentials credentials.yml \
  --endpoints "$RASA_ENDPOINTS"
start web env WEB_HOST="$BIND_HOST" WEB_PORT="$WEB_PORT" .venv/bin/python -m webdemo
start console env CONSOLE_HOST="$BIND_HOST" CONSOLE_PORT="$CONSOLE_PORT" .venv/bin/python -m console
start purge .venv/bin/carpimko transcripts purge --every "$PURGE_EVERY_HOURS"

wait_http portal "http://127.0.0.1:${PORTAL_PORT}/health" "$START_TIMEOUT"
wait_http actions "http://127.0.0.1:${ACTION_PORT}/health" "$START_TIMEOUT"
wait_http rasa "http://127.0.0.1:${RASA_PORT}/" "$START_TIMEOUT"
wait_http web "http://127.0.0.1:${WEB_PORT}/health" "$START_TIMEOUT"
wait_http console "http://127.0.0.1:${CONSOLE_PORT}/health" "$START_TIMEOUT"

cat <<MSG
L'assistant CARPIMKO est prêt :
  Rasa (REST)        http://localhost:${RASA_PORT}/webhooks/rest/webhook
  Rasa (socket.io)   http://localhost:${RASA_PORT}/socket.io
  Téléphone (IVR)    http://localhost:${RASA_PORT}/webhooks/ivr/webhook  (TwiML ; JSON : /webhooks/ivr/turn)
  Serveur d'actions  http://localhost:${ACTION_PORT}/health
MSG
echo "  Portail            http://localhost:${PORTAL_PORT}/health  (OpenAPI : /openapi.json)"
echo "  Site de démo       http://localhost:${WEB_PORT}/  (boîte aux lettres : http://localhost:${PORTAL_PORT}/demo/mailbox)"
echo "  Console support    http://localhost:${CONSOLE_PORT}/  (compte : .venv/bin/carpimko staff create <identifiant>)"
echo "  Purge RGPD         toutes les ${PURGE_EVERY_HOURS} h (journal : $LOG_DIR/purge.log)"
if [ "$CARPIMKO_DEMO" = "1" ]; then
  echo "Mode démonstration (CARPIMKO_DEMO=1) : comptes et boîte aux lettres de démo, données fictives."
fi
echo "Journaux dans $LOG_DIR/. Ctrl-C pour tout arrêter."
wait -n "${pids[@]}" || true
echo "Un service s'est arrêté : voir $LOG_DIR/." >&2
