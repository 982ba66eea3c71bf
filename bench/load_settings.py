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

