#!/usr/bin/env sh
# The web process: apply migrations (once per deploy; YV_MIGRATE_ON_START=0 to skip) and serve with
# gunicorn. Static files are collected at image build time (deploy/Dockerfile) or by `make`-less
# installs with `python manage.py collectstatic --noinput`.
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-youthvoice.settings.production}"
PY="${PYTHON:-python}"
if [ "${YV_MIGRATE_ON_START:-1}" = 1 ]; then
  "$PY" manage.py migrate --noinput
fi
# Fill what the first visitors read (the province's and cities' pages, their fragments) beside the
# starting server, not on their requests (YV_WARM_ON_START=0 to skip; a failure only logs).
if [ "${YV_WARM_ON_START:-1}" = 1 ]; then
  ("$PY" manage.py warm_caches --max-depth 3 || echo "warm_caches failed (the pages render on demand)" >&2) &
fi
exec "$PY" -m gunicorn -c deploy/gunicorn.conf.py youthvoice.wsgi:application
