"""Tests: PostgreSQL and Redis from the environment (make test starts both on loopback)."""

from .base import *  # noqa: F403
from .base import env

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
# View counts are applied at once (tests/community/test_views_buffer.py turns the Redis buffer on).
YV_QA_BUFFER_VIEWS = False
# The KPI read cache outlives test databases in Redis; tests/insights turn it on where it is the subject.
INSIGHTS_CACHE_SECONDS = 0
