"""Tests: PostgreSQL and Redis from the environment (make test starts both on loopback)."""

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Rate limits are tested where they are the subject (tests/moderation turns them on); elsewhere
# tests post many times a second as brand-new users.
YV_RATE_LIMITS_ENABLED = False
# TOTP enforcement is tested where it is the subject (tests/accounts turns it on); elsewhere admin
# tests log provincial administrators in with force_login.
YV_OTP_REQUIRED = False
# The early page cache outlives each test's rolled-back database in Redis (a feed or search page
# cached by one test would answer the next); tests/home/test_early_cache.py turns it on and clears.
YV_PAGE_CACHE_EARLY = False
# View counts are applied at once (tests/community/test_views_buffer.py turns the Redis buffer on).
YV_QA_BUFFER_VIEWS = False
# The KPI read cache outlives test databases in Redis; tests/insights turn it on where it is the subject.
INSIGHTS_CACHE_SECONDS = 0

# A read replica as a MIRROR of the test database (Django's TEST["MIRROR"]): routing stays off
# (no router, YV_DB_REPLICAS empty) except where tests/core/test_db_router.py turns it on. Inside a
# test's transaction the mirror's own connection sees only committed rows: a replica that lags.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
YV_DB_REPLICAS = []
DATABASE_ROUTERS = []

# On SQLite (tests/stations/test_concurrency.py runs its race there too) the test database is a
# file beside the configured one, so that threads share it (an in-memory database is per connection).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}.test"}

# Under pytest-xdist (make test runs a worker per core) each worker has its own test database
# (pytest-django) and its own Redis database, so that one worker's cache.clear() or version
# tokens never reach another's.
_worker = env("PYTEST_XDIST_WORKER", default="")  # gw0, gw1, … (set by pytest-xdist)
if _worker.startswith("gw") and REDIS_URL:
    _base, _, _db = REDIS_URL.rpartition("/")
    _db = (int(_db) if _db.isdigit() else 0) + 1 + int(_worker[2:])
    REDIS_URL = f"{_base}/{_db % 16}"
    CACHES["default"]["LOCATION"] = REDIS_URL
    CACHES["renditions"]["LOCATION"] = REDIS_URL
    CELERY_BROKER_URL = REDIS_URL

# Wagtail's search-index updates run inline, as django-tasks does by default: most tests create
# content without committing (their transaction is rolled back) and search it at once. The queue on
# commit that the other settings use (core/tasks_backend.py) is tested in tests/core/test_tasks_backend.py.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
