#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing:
# the PostgreSQL server (the portal suite runs against it too), Redis and nginx (make
# scale-test: two Rasa instances behind nginx, locks in Redis), Chromium and fonts for the
# browser tests (Playwright drives Debian's chromium; it never downloads a browser), Node.js
# and npm to build the chat widget.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Paquets Debian manquants : ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: run as root, or install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a cluster (and Redis, nginx) on install where an init system runs; the tests
# start their own throwaway servers.
for service in redis-server nginx; do
  if [[ " ${missing[*]} " == *" $service "* ]] && command -v service >/dev/null 2>&1; then
    service "$service" stop >/dev/null 2>&1 || true
  fi
done
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters --no-header 2>/dev/null | while read -r ver name _; do
    pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true
  done
fi
