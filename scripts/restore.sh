#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL and DJANGO_MEDIA_ROOT.
#   DATABASE_URL=postgres://…/youthvoice_new DJANGO_MEDIA_ROOT=/srv/youthvoice/media \
#     scripts/restore.sh backups/youthvoice-20260101T000000Z
# The database must exist (createdb it first; an existing database is cleaned object by object);
# media files are extracted over DJANGO_MEDIA_ROOT. Checksums are verified before anything is
# touched. Stop web/worker/beat while restoring, then run `manage.py migrate` if the code is newer.
set -euo pipefail

SRC=${1:?usage: scripts/restore.sh BACKUP_DIR}
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user:pass@host:port/db)}"
MEDIA_ROOT=${DJANGO_MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_restore" ] && { echo "$d"; return; }
  done
  dirname "$(command -v pg_restore)"
}
BIN=$(pg_bin)

(cd "$SRC" && sha256sum --check --quiet SHA256SUMS)
"$BIN/pg_restore" --no-owner --no-privileges --clean --if-exists --exit-on-error \
  --dbname="$DATABASE_URL" "$SRC/db.dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$SRC/media.tar.gz"
echo "restored $SRC into the database and $MEDIA_ROOT"
