"""Settings for bench/load.py: production settings (DEBUG off, manifest static files, Redis cache
and broker, PostgreSQL) with the changes a plain-HTTP load test on loopback needs:

* cookies without the Secure flag and no https redirect (there is no TLS on 127.0.0.1);
* e-mail to the local-memory backend (no SMTP server here);
* rate limits ON, with every limit of the table raised 500-fold (the daily question cap from 20 to
  10,000): the generator's few hundred accounts post far more than a real person would, and the
  limit being hit would only measure the limit. Duplicate-text refusal and the per-write counting
  queries still run on every write.
"""

from youthvoice.settings.production import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
YV_RATE_LIMITS_ENABLED = True
YV_RATE_LIMITS = {**YV_RATE_LIMITS, "kinds": {  # noqa: F405
    kind: {window: tuple(None if n is None else n * 500 for n in pair) for window, pair in row.items()}
    for kind, row in YV_RATE_LIMITS["kinds"].items()}}  # noqa: F405
ROOT_URLCONF = "bench.load_urls"  # + the baseline view (one primary-key query)

