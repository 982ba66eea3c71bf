#!/usr/bin/env bash
# Back up Youth Voice: the PostgreSQL database (pg_dump custom format) and the media folder.
#   DATABASE_URL=postgres://… DJANGO_MEDIA_ROOT=/srv/youthvoice/media scripts/backup.sh [DEST_DIR]
# Writes DEST_DIR/youthvoice-<UTC timestamp>/{db.dump,media.tar.gz,SHA256SUMS} (DEST_DIR defaults to
# ./backups) and prints that folder. Consistent: pg_dump takes one snapshot; media files are only
# ever added by the app (uploads are new files), so a tar taken right after the dump holds every
# file the dump refers to. PG binaries: $PG_BIN, else /usr/lib/postgresql/<newest>/bin, else PATH.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user:pass@host:port/db)}"
MEDIA_ROOT=${DJANGO_MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}
DEST=${1:-backups}

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_dump" ] && { echo "$d"; return; }
  done
  dirname "$(command -v pg_dump)"
}
BIN=$(pg_bin)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$DEST/youthvoice-$stamp"
mkdir -p "$out"
"$BIN/pg_dump" --format=custom --no-owner --no-privileges --file="$out/db.dump" --dbname="$DATABASE_URL"
if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$out/media.tar.gz" .
else
  tar -czf "$out/media.tar.gz" --files-from=/dev/null
fi
(cd "$out" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "$out"
