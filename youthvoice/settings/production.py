"""Production: every secret from the environment; refuses to start without DJANGO_SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# ID tokens are signed with YV_OIDC_RSA_PRIVATE_KEY (or _FILE) from the environment; without it each
# server generates its own key under YV_VAR_DIR and `check --deploy` warns (partners.W001): set it
# whenever more than one web process serves, or tokens signed by one are refused by another's JWKS.
YV_OIDC_PAIRWISE_SECRET = env("YV_OIDC_PAIRWISE_SECRET", default="") or SECRET_KEY
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

WHITENOISE_USE_FINDERS = False  # production serves what collectstatic wrote
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Persistent database connections (Django reads this per database, not as a top-level setting).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
for _alias in YV_DB_REPLICAS:  # noqa: F405 — the read replicas (core/db_router.py) likewise
    DATABASES[_alias]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# SMTP for the outbox e-mails (a timeout keeps a hung server from holding a worker past its lease).
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="青年之声 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING["root"]["level"] = env("DJANGO_LOG_LEVEL", default="INFO")  # noqa: F405

# Protected documents behind nginx: Wagtail's serve view checks privacy, nginx sends the file
# (X-Accel-Redirect to an `internal` location; deploy/nginx.conf). Unset: the app streams it.
YV_SENDFILE_NGINX_URL = env("YV_SENDFILE_NGINX_URL", default="")
if YV_SENDFILE_NGINX_URL:
    SENDFILE_BACKEND = "deploy.sendfile_nginx"
    SENDFILE_ROOT = str(MEDIA_ROOT)  # noqa: F405
    SENDFILE_URL = YV_SENDFILE_NGINX_URL

# Celery: on a lost broker connection, cancel running acks_late tasks so they are redelivered
# (they are idempotent) instead of finishing unacknowledged; keep retrying the broker at start.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Outbox (notifications.services): a sending worker's lease, and how long a published delivery may
# wait in the queue before the sweep publishes it again.
YV_OUTBOX_LEASE_SECONDS = env.int("YV_OUTBOX_LEASE_SECONDS", default=300)
YV_OUTBOX_RESEND_AFTER_SECONDS = env.int("YV_OUTBOX_RESEND_AFTER_SECONDS", default=300)

# Redis down for a moment (restart, failover) must not turn every page into a 500: cache reads miss
# and writes are dropped (logged); sessions fall back to the database (cached_db).
if REDIS_URL:  # noqa: F405
    for _alias in CACHES.values():  # noqa: F405
        _alias["OPTIONS"]["IGNORE_EXCEPTIONS"] = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# TOTP for provincial administrators cannot be switched off in production (docs/security.md).
YV_OTP_REQUIRED = True
SESSION_COOKIE_SAMESITE = "Lax"

# OAuth 2.0 Security BCP (RFC 9700) in production: bearer tokens only in the Authorization header,
# the `iss` parameter in authorisation responses, https redirect URIs only (the demo's 127.0.0.1
# partner is a development affair). Tokens are still stored as issued: our bearer authentication
# and the introspection endpoint look them up by value (hashing them is in docs/partners.md's list).
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,  # noqa: F405
                   "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True, "ALLOWED_REDIRECT_URI_SCHEMES": ["https"]}
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "oauth2_provider.W006"]
