#!/usr/bin/env bash
# make test: start PostgreSQL and Redis on loopback, run the whole pytest suite against them,
# stop them, and exit with pytest's status. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh start || exit 1
trap 'scripts/services.sh stop' EXIT

set -a; eval "$(scripts/services.sh env)"; set +a
export DJANGO_SETTINGS_MODULE=youthvoice.settings.test

reuse="--reuse-db"
[ "${CI:-}" = "true" ] && reuse="--create-db"

.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without migrations: run 'python manage.py makemigrations'." >&2; exit 1; }

.venv/bin/python -m pytest $reuse "$@"
status=$?
exit $status
