"""The embedded default: SQLite, a cache in files, Celery eager, database search."""

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Without Redis the cache lives in files (var/cache): what the demo loader warms (the branch pages'
# fragments) is still there when `runserver` starts, and survives its reloads. Wagtail's renditions
# share the directory, kept a day.
if not REDIS_URL:
    _CACHE_DIR = env("YV_CACHE_DIR", default=str(BASE_DIR / "var" / "cache"))
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _CACHE_DIR,
                    "TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 50000}},
        "renditions": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _CACHE_DIR,
                       "TIMEOUT": 86400, "OPTIONS": {"MAX_ENTRIES": 50000}},
    }
