#!/usr/bin/env bash
# make test: the static checks (ruff, then mypy: scripts/typecheck.sh), then start PostgreSQL and
# Redis on loopback, run the whole pytest suite against them, stop them, and exit with pytest's
# status. Extra arguments go to pytest (one serial run); the static checks run every time and fail
# the run before any test starts.
set -uo pipefail
cd "$(dirname "$0")/.."

.venv/bin/ruff check --quiet . || { echo "ruff: lint errors (above; pyproject.toml [tool.ruff.lint])" >&2; exit 1; }
echo "ruff: no issues"
scripts/typecheck.sh || exit 1

scripts/services.sh start || exit 1
trap 'scripts/services.sh stop' EXIT

set -a; eval "$(scripts/services.sh env)"; set +a
export DJANGO_SETTINGS_MODULE=youthvoice.settings.test

reuse="--reuse-db"
[ "${CI:-}" = "true" ] && reuse="--create-db"

.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without migrations: run 'python manage.py makemigrations'." >&2; exit 1; }

if [ $# -gt 0 ]; then  # what the caller asked for, as asked
  .venv/bin/python -m pytest $reuse "$@"
  exit $?
fi
# The whole suite: one pytest-xdist worker per core (each with its own test database and Redis
# database, youthvoice/settings/test.py), then the API fuzzing, which must run serially
# (tests/test_api_fuzz.py says why).
.venv/bin/python -m pytest $reuse -n "${YV_TEST_WORKERS:-auto}" --dist loadfile --durations=10
status=$?
.venv/bin/python -m pytest $reuse tests/test_api_fuzz.py tests/partners/test_export.py
fuzz=$?
[ $status -eq 0 ] && status=$fuzz
exit $status
