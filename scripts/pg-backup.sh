#!/usr/bin/env bash
# Back up and restore one PostgreSQL database of the assistant (portal, trackers, console):
#
#   scripts/pg-backup.sh dump    DATABASE_URL FILE   # pg_dump, custom format (compressed)
#   scripts/pg-backup.sh restore DATABASE_URL FILE   # into an existing database, replacing
#                                                    # what the dump holds, in one transaction
#
# DATABASE_URL is the services' own URL (postgresql://user:password@host:5432/name; a
# SQLAlchemy driver suffix such as +psycopg2 is dropped). The client tools come from the
# newest /usr/lib/postgresql/*/bin (Debian), else from PATH: pg_dump must be as new as the
# server. Tested by tests/ops/test_backup.py; guide: docs/exploitation.md.
set -euo pipefail
if [ "$#" -ne 3 ] || [[ "$1" != dump && "$1" != restore ]]; then
  echo "usage: $0 dump|restore DATABASE_URL FILE" >&2
  exit 64
fi
action=$1
url=$(printf '%s' "$2" | sed -E 's#^postgresql\+[a-z0-9_]+://#postgresql://#')
file=$3
bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/pg_dump" ] && bindir="$candidate/"  # the glob sorts versions: newest last
done
if [ "$action" = dump ]; then
  "${bindir}pg_dump" --format=custom --no-owner --no-privileges --file="$file" --dbname="$url"
else
  "${bindir}pg_restore" --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error --dbname="$url" "$file"
fi
