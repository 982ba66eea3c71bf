"""Settings for bench/load.py: production settings (DEBUG off, manifest static files, Redis cache
and broker, PostgreSQL) with the changes a plain-HTTP load test on loopback needs:

* cookies without the Secure flag and no https redirect (there is no TLS on 127.0.0.1);
* e-mail to the local-memory backend (no SMTP server here);
* posting rate limits ON, with the daily question cap raised from 20 to 10,000: the generator's
  few hundred accounts post far more than a real person would, and the limit being hit would only
  measure the limit. Duplicate-text refusal and the per-post checks still run on every post.
"""

from youthvoice.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
YV_RATE_LIMITS_ENABLED = True
YV_RATE_LIMITS = {**YV_RATE_LIMITS, "daily": {**YV_RATE_LIMITS["daily"], "question": 10_000}}  # noqa: F405
ROOT_URLCONF = "bench.load_urls"  # + the baseline view (one primary-key query)


# Production's manifest storage, minus the rewriting of JS source-map comments: the vendored
# Leaflet (stations/static/stations/vendor/leaflet-1.9.4/leaflet.js) names a leaflet.js.map that is
# not shipped, which makes production's collectstatic fail (reported to the lead; see
# docs/operations.md). Everything else (hashed names, compression, CSS url() rewriting) is as in production.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench.load_settings.SourceMapTolerantStorage"}}  # noqa: F405


def _storage_class():
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    class SourceMapTolerantStorage(CompressedManifestStaticFilesStorage):
        patterns = tuple(p for p in CompressedManifestStaticFilesStorage.patterns if p[0] != "*.js")

    return SourceMapTolerantStorage


def __getattr__(name):  # the storage class is built lazily: settings load before the apps
    if name == "SourceMapTolerantStorage":
        return _storage_class()
    raise AttributeError(name)
