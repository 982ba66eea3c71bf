#!/usr/bin/env sh
# The Celery worker: outbox e-mails, reminders, escalations, imports. Tasks are acks_late and
# idempotent, so a killed worker loses nothing (docs/operations.md, "Events under faults").
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-youthvoice.settings.production}"
exec "${PYTHON:-python}" -m celery -A youthvoice worker -l "${CELERY_LOG_LEVEL:-INFO}" \
  --concurrency "${CELERY_CONCURRENCY:-2}" --without-gossip --without-mingle
