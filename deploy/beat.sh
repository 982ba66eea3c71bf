#!/usr/bin/env sh
# Celery beat: the periodic tasks of CELERY_BEAT_SCHEDULE (outbox sweep, deadline and booking
# sweeps, monitoring). Run exactly ONE beat per deployment.
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-youthvoice.settings.production}"
exec "${PYTHON:-python}" -m celery -A youthvoice beat -l "${CELERY_LOG_LEVEL:-INFO}" \
  --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/youthvoice-celerybeat-schedule}"
