#!/usr/bin/env bash
# `make scale-test`: the production topology of docs/scaling.md on this machine, throwaway.
#
#   scripts/with-postgres.sh scripts/scale-test.sh
#
# with-postgres.sh gives a private PostgreSQL cluster (PORTAL_DATABASE_URL); this script adds a
# private Redis, the portal and an action server, TWO Rasa instances sharing the Redis lock
# store and the PostgreSQL tracker store (deploy/endpoints.yml, as in production), and nginx
# (deploy/nginx.conf.template) in front of all of them, every one on a free port of 127.0.0.1.
# Then scripts/scale_test.py runs the load through nginx, kills one Rasa instance half-way
# and checks every conversation. Everything is stopped and removed on exit (SCALE_KEEP=1 keeps
# the directory with the logs). Needs redis-server, nginx, postgresql: scripts/system-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${PORTAL_DATABASE_URL:?run me through scripts/with-postgres.sh}"
: "${SCALE_CONVERSATIONS:=40}"   # conversations held at once
: "${SCALE_MESSAGES:=8}"         # messages in each conversation
: "${SCALE_THINK:=0.3}"          # mean seconds between two messages of a conversation
: "${SCALE_DEADLINE:=240}"       # seconds the whole load may take
# Seconds a conversation stays locked by an instance that died mid-turn (Rasa's default: 60).
: "${SCALE_LOCK_LIFETIME:=20}"
: "${SCALE_CALLS:=12}"           # phone calls placed during the load (Twilio's requests)
: "${START_TIMEOUT:=300}"
: "${RASA_MODEL:=models/carpimko.tar.gz}"
PY=.venv/bin/python
export CARPIMKO_DEMO=1  # demo data and keys, as `make run` (carpimko/ops/deployment.py)
# All the load comes from this one machine: lift the chat's per-client and per-sender limits.
export CARPIMKO_RATE_SENDER=100000/60 CARPIMKO_RATE_CLIENT=100000/60

for tool in redis-server nginx; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ] && [ ! -x "/usr/bin/$tool" ]; then
        echo "scale-test: $tool introuvable ; installez-le : scripts/system-deps.sh" >&2
        exit 69
    fi
done
PATH="$PATH:/usr/sbin"

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work="$(mktemp -d "${TMPDIR:-/tmp}/carpimko-scale.XXXXXX")"
chmod 755 "$work"   # nginx workers run as another user when started by root
mkdir -p "$work/log" "$work/redis" "$work/nginx/tmp"
pids=()
names=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ]; then
        echo "--- scale-test : fin des journaux ($work/log) ---" >&2
        for log in "$work"/log/*.log; do
            echo "== $(basename "$log")" >&2
            grep -v '^\s*$' "$log" | tail -n 15 >&2 || true
        done
    fi
    if [ "${SCALE_KEEP:-0}" = 1 ]; then echo "scale-test: journaux gardés dans $work" >&2; else rm -rf "$work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() {  # start NAME COMMAND... : background process, log in $work/log/NAME.log
    local name=$1; shift
    "$@" >"$work/log/$name.log" 2>&1 &
    pids+=($!)
    names+=("$name")
}

wait_http() {  # wait_http NAME URL : until the URL answers 2xx, or the process dies
    local name=$1 url=$2 i j
    for ((i = 0; i < START_TIMEOUT * 4; i++)); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        for j in "${!pids[@]}"; do
            if ! kill -0 "${pids[$j]}" 2>/dev/null; then
                echo "scale-test: ${names[$j]} s'est arrêté" >&2
                return 1
            fi
        done
        sleep 0.25
    done
    echo "scale-test: $name ne répond pas sur $url après ${START_TIMEOUT}s" >&2
    return 1
}

redis_port=$(free_port); portal_port=$(free_port); action_port=$(free_port)
rasa_a=$(free_port); rasa_b=$(free_port)
ngx_rasa=$(free_port); ngx_actions=$(free_port); ngx_portal=$(free_port)
began=$(date +%s)

# Redis: the lock store only, nothing to persist.
start redis redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir "$work/redis"

# nginx first: the action server reaches the portal, and Rasa the action server, through it.
$PY -m benchmarks.scale.nginx --prefix "$work/nginx" --listen-host 127.0.0.1 \
    --rasa "127.0.0.1:$rasa_a" --rasa "127.0.0.1:$rasa_b" \
    --actions "127.0.0.1:$action_port" --portal "127.0.0.1:$portal_port" \
    --rasa-port "$ngx_rasa" --actions-port "$ngx_actions" --portal-port "$ngx_portal" \
    --read-timeout $((SCALE_LOCK_LIFETIME + 30)) --access-log "$work/log/nginx-access.log" \
    --expose-upstream --out "$work/nginx/nginx.conf"
start nginx nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;"

# The trackers live in their own database of the same cluster, created before Rasa starts.
tracker_url="${PORTAL_DATABASE_URL%/*}/rasa_trackers"
$PY scripts/scale_test.py prepare --database-url "$tracker_url"

export ACTION_SERVER_TOKEN RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
ACTION_SERVER_TOKEN="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The phone channel checks Twilio's signature (on by default) over the URL Twilio calls: here
# nginx's, as IVR_PUBLIC_URL says in production.
twilio_token="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The calls reset the same demo dossier and ask for advisors: the portal's clock in opening
# hours, its per-dossier limits lifted for the load.
start portal env PORTAL_PORT="$portal_port" PORTAL_HOST=127.0.0.1 MALLOC_MMAP_THRESHOLD_=1048576 \
    PORTAL_CLOCK_START="2025-11-12T10:00:00+01:00" PORTAL_RATE_RESET_DOSSIER=100000/3600 \
    PORTAL_RATE_RESET_CLIENT=100000/3600 PORTAL_RATE_IDENTITY_DOSSIER=100000/3600 \
    PORTAL_RATE_IDENTITY_CLIENT=100000/3600 $PY -m portal
start actions env PORTAL_URL="http://127.0.0.1:$ngx_portal" \
    $PY -m actions.server --host 127.0.0.1 --port "$action_port"
# Both Rasa instances read the repository's production endpoints file, and start as in
# production (carpimko.rasa_server: the model loaded for prediction only, docs/benchmarks.md).
rasa_env=(env TRACKER_DATABASE_URL="$tracker_url" REDIS_HOST=127.0.0.1 REDIS_PORT="$redis_port"
    REDIS_DB=0 ACTION_SERVER_URL="http://127.0.0.1:$ngx_actions/webhook"
    TICKET_LOCK_LIFETIME="$SCALE_LOCK_LIFETIME" SANIC_REQUEST_MAX_SIZE=65536
    IVR_TWILIO_AUTH_TOKEN="$twilio_token" IVR_PUBLIC_URL="http://127.0.0.1:$ngx_rasa")
for port in "$rasa_a" "$rasa_b"; do
    start "rasa-$port" "${rasa_env[@]}" $PY -m carpimko.rasa_server run --model "$RASA_MODEL" \
        --port "$port" \
        --interface 127.0.0.1 --credentials credentials.yml --endpoints deploy/endpoints.yml
done
rasa_a_pid=${pids[-2]}

wait_http portal "http://127.0.0.1:$ngx_portal/health"
wait_http actions "http://127.0.0.1:$ngx_actions/health"
wait_http "rasa-$rasa_a" "http://127.0.0.1:$rasa_a/"
wait_http "rasa-$rasa_b" "http://127.0.0.1:$rasa_b/"
ready=$(date +%s)
echo "scale-test: pile prête en $((ready - began)) s (Redis :$redis_port, nginx :$ngx_rasa," \
    "Rasa :$rasa_a et :$rasa_b, actions :$action_port, portail :$portal_port)"

$PY scripts/scale_test.py run --url "http://127.0.0.1:$ngx_rasa" --database-url "$tracker_url" \
    --conversations "$SCALE_CONVERSATIONS" --messages "$SCALE_MESSAGES" --think "$SCALE_THINK" \
    --deadline "$SCALE_DEADLINE" --attempt-timeout $((SCALE_LOCK_LIFETIME + 40)) \
    --kill-pid "$rasa_a_pid" --kill-addr "127.0.0.1:$rasa_a" \
    --calls "$SCALE_CALLS" --twilio-token "$twilio_token" \
    --report "$work/report.json" || status=$?
replays=$(cat "$work"/log/rasa-*.log | grep -c "Message already processed" || true)
echo "scale-test: $replays message(s) reçus une seconde fois et répondus depuis le tracker" \
    "(idempotency.py) ; terminé en $(($(date +%s) - began)) s au total"
exit "${status:-0}"
