#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then remove it.
#
#   scripts/with-postgres.sh .venv/bin/python -m pytest tests/portal -q
#
# Starts a private cluster in a temporary directory (listening on 127.0.0.1 on
# a free port from 55432 up, socket in that directory), creates the database
# `portal_test`, exports PORTAL_DATABASE_URL for the command, and always stops
# the cluster and deletes the directory afterwards. It installs nothing: the
# server comes from Debian's `postgresql` package (apt-get install -y postgresql).
# As root, the server runs as the `postgres` OS user (initdb refuses root).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 64
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
        bindir="$candidate"  # the glob sorts versions; keep the newest
    fi
done
if [ -z "$bindir" ]; then
    echo "with-postgres.sh: PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin." >&2
    echo "Install Debian's server package first: apt-get install -y postgresql" >&2
    exit 69
fi

as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port="${PORTAL_PG_PORT:-55432}"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
done

workdir="$(mktemp -d "${TMPDIR:-/tmp}/portal-pg.XXXXXX")"
cleanup() {
    as_server_user "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$workdir"
fi

as_server_user "$bindir/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --locale=C \
    >"$workdir/initdb.log" 2>&1 || { cat "$workdir/initdb.log" >&2; exit 1; }
# Durability settings off: the cluster lives for one command. Another cluster may take the
# port between the probe above and the start (engineers and CI share the machine): next port.
for attempt in 1 2 3 4 5; do
    if as_server_user "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
        break
    fi
    if [ "$attempt" -eq 5 ] || ! grep -q "Address already in use" "$workdir/server.log"; then
        cat "$workdir/server.log" >&2
        exit 1
    fi
    port=$((port + 1 + RANDOM % 50))
done
as_server_user "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres portal_test

export PORTAL_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/portal_test"
echo "with-postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port" >&2
"$@"
