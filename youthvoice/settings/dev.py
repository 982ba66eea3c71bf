"""The embedded default: SQLite, local-memory cache, Celery eager, database search."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
