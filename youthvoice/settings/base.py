"""Settings shared by every environment. Everything that differs comes from the environment.

Environment variables (django-environ):
  DATABASE_URL   e.g. postgres://user:pass@127.0.0.1:5432/youthvoice (default: SQLite file)
  REDIS_URL      e.g. redis://127.0.0.1:6379/0 — cache and Celery broker; unset = local memory (dev.py: files)
                 cache and Celery tasks run eagerly (the embedded default)
  DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, WAGTAILADMIN_BASE_URL, ELASTICSEARCH_URL
"""

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "youthvoice"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # Youth Voice
    "core",
    "accounts",
    "organizations",
    "home",
    "community",
    "stations",
    "alliances",
    "appeals",
    "insights",
    "search",
    "notifications",
    "moderation",
    # Wagtail
    "wagtail.api.v2",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailgeowidget",
    "modelcluster",
    "taggit",
    "ninja",  # Swagger UI served from our static files (/api/docs under our CSP)
    "django_filters",
    "rest_framework",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "youthvoice.middleware.NulCharactersInUrls",
    "youthvoice.middleware.IdOverflowIs404",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "youthvoice.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.site_chrome",
            ],
        },
    },
]

WSGI_APPLICATION = "youthvoice.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent requests: WAL lets readers run beside the writer, a
    # writer waits up to 20 s for the lock (busy timeout) instead of failing at once with
    # "database is locked", and every transaction takes the write lock when it begins (IMMEDIATE),
    # so that two bookings never both read, then both try to upgrade to write (a deadlock SQLite
    # breaks by failing one of them).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# --- Read replicas (core/db_router.py, issue 23; docs/operations.md "Read replicas") ---
# PostgreSQL streaming replicas of DATABASE_URL, comma-separated (DATABASES["replica"], "replica_2", …): set, safe reads go to them, writes and read-your-writes to the primary; unset, nothing changes
_REPLICA_URLS = env.list("DATABASE_REPLICA_URL", default=[])
YV_DB_REPLICAS = [f"replica_{i}" if i > 1 else "replica" for i in range(1, len(_REPLICA_URLS) + 1)]
for _alias, _url in zip(YV_DB_REPLICAS, _REPLICA_URLS, strict=True):
    DATABASES[_alias] = {**environ.Env.db_url_config(_url), "ATOMIC_REQUESTS": False,
                         "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"]}
# Seconds a client that just wrote (a POST, then its redirect) keeps reading the primary: above the replication lag you expect
YV_DB_REPLICA_PIN_SECONDS = env.int("YV_DB_REPLICA_PIN_SECONDS", default=5)
# PostgreSQL's JIT compiler off on every connection: it compiles a statement whose estimated cost
# passes jit_above_cost, which for these short queries costs far more than it saves (the unified
# search's one statement: 1.1 s with JIT, 6 ms without, on the demo; docs/search.md).
for _alias in DATABASES.values():
    if "postgresql" in _alias["ENGINE"]:
        _options = _alias.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
YV_DB_REPLICA_RETRY_SECONDS = 10  # a replica that cannot be reached is skipped this long (reads go to the primary)
# Always the primary: the authentication models (sessions, OTP devices, OAuth tokens, SMS codes, login
# failures, permissions), the request's user (core.db_router.PrimaryAuthMiddleware) and the admin and
# sign-in paths (a just-issued token or code must be found by the very next request).
YV_DB_PRIMARY_APPS = ("sessions", "auth", "otp_totp", "oauth2_provider", "accounts.PhoneCode", "accounts.LoginFailure",
                      "accounts.BlockedPhone")
YV_DB_PRIMARY_PATHS = ("/admin/", "/django-admin/", "/accounts/", "/oauth/")
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"] if YV_DB_REPLICAS else []

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PhoneOrUsernameBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "static_collected")
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Whitenoise serves static files in every environment; dev and tests find them in the apps.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Cache and Celery: Redis when REDIS_URL is set, otherwise in-process (embedded default).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="yv"),
            "TIMEOUT": 300,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    # Wagtail's image renditions (its `renditions` cache): in the same Redis, kept a day rather than
    # the default five minutes (a rendition never changes; Wagtail forgets one when it is deleted).
    CACHES["renditions"] = {**CACHES["default"], "TIMEOUT": 86400, "OPTIONS": dict(CACHES["default"]["OPTIONS"])}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yv"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Wagtail's search-index updates (django-tasks) on the same Celery queue, after the commit (core/tasks_backend.py)
TASKS = {"default": {"BACKEND": "core.tasks_backend.CeleryBackend"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
}

CSRF_FAILURE_VIEW = "youthvoice.views.csrf_failure"
NINJA_PAGINATION_MAX_LIMIT = 100

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Wagtail
WAGTAIL_SITE_NAME = "青年之声"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
# Wagtail 8 reads the user forms from its user viewset (accounts.admin_users.UserViewSet), not from settings.
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Map widget: OpenStreetMap tiles via Leaflet, no API key. The tile URL is a setting.
GEO_WIDGET_DEFAULT_LOCATION = {"lat": 23.132324, "lng": 113.26641}
GEO_WIDGET_ZOOM = 8
# The station map works offline: its base layer is Guangdong's county outlines shipped in our static
# files (stations/static/stations/guangdong.geojson). An online tile layer is optional and off by
# default: e.g. 天地图 YV_MAP_TILE_URL="https://t0.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY"
# with YV_MAP_TILE_ATTRIBUTION="天地图". The admin's coordinate picker keeps a tile server (editors
# are online): YV_ADMIN_MAP_TILE_URL, OpenStreetMap by default.
YV_MAP_TILE_URL = env("YV_MAP_TILE_URL", default="")
YV_MAP_TILE_ATTRIBUTION = env("YV_MAP_TILE_ATTRIBUTION", default="")
YV_ADMIN_MAP_TILE_URL = env("YV_ADMIN_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

FORM_RENDERER = "django.forms.renderers.DjangoDivFormRenderer"
_ = _  # gettext_lazy is imported for settings that add translated labels

# --- Moderation: the sensitive-word matching engine (moderation/domain/matcher.py): "ahocorasick_rs"
# (Rust, the faster) or "pyahocorasick" ---
YV_MODERATION_ENGINE = env("YV_MODERATION_ENGINE", default="ahocorasick_rs")
# --- Rate limits: every write a youth can make (enforced in moderation.services.check_rate_limits) ---
# One table: for each kind of write, {window in seconds: (limit for established users, limit for new
# users)}; None = no limit for them in that window. "New" = registered within `new_user_days` (as
# Discourse's first-day and new-user limits); staff members always get the established column.
# Writes by a user are counted from moderation.PostRecord rows (rolling windows, in the write's
# transaction); writes without a user (sign-ups, SMS codes: a key such as an IP or a phone number)
# in the shared cache (fixed windows; the established column). The figures let a person act
# normally and stop floods: the probe of issue 25 posted 60 answers/comments/reports in seconds.
YV_RATE_LIMITS_ENABLED = env.bool("YV_RATE_LIMITS_ENABLED", default=True)
YV_RATE_LIMITS = {
    "duplicate_window_seconds": 5 * 60,  # the same text twice within 5 minutes is refused
    "new_user_days": 1,
    "kinds": {
        "question": {120: (None, 1), 86400: (20, 3)},
        "answer": {60: (10, 3), 86400: (200, 10)},
        "comment": {60: (10, 5), 86400: (200, 20)},
        "like": {60: (30, 10), 86400: (300, 50)},
        "report": {60: (5, 3), 86400: (20, 5)},
        "appeal": {3600: (3, 1), 86400: (5, 2)},
        "application": {3600: (3, 2), 86400: (5, 3)},  # alliance applications
        "booking": {3600: (5, 3), 86400: (10, 5)},
        # keyed writes (no user yet): the key is the caller's choice (an IP, a phone number)
        "signup": {3600: (20, 20), 86400: (50, 50)},
        "sms_code": {60: (1, 1), 3600: (5, 5), 86400: (10, 10)},
    },
}
CELERY_BEAT_SCHEDULE["moderation-monitor-hourly"] = {
    "task": "moderation.tasks.run_monitoring", "schedule": 3600.0, "kwargs": {"window": "hour"},
}
CELERY_BEAT_SCHEDULE["moderation-monitor-daily"] = {
    "task": "moderation.tasks.run_monitoring", "schedule": 86400.0, "kwargs": {"window": "day"},
}
CELERY_BEAT_SCHEDULE["moderation-monitor-weekly"] = {
    "task": "moderation.tasks.run_monitoring", "schedule": 7 * 86400.0, "kwargs": {"window": "week"},
}
CELERY_BEAT_SCHEDULE["moderation-prune-post-records"] = {
    "task": "moderation.tasks.prune_post_records", "schedule": 86400.0,
}
CELERY_BEAT_SCHEDULE["organizations-warn-roster-gaps"] = {
    "task": "organizations.tasks.warn_roster_gaps", "schedule": 86400.0,
}
# ---- appeals (诉求处理) ----
# Printed forms embed a CJK font: "path" or "path#index" into a .ttc collection. Empty: Debian's
# fonts-noto-cjk (Noto Serif CJK SC). See appeals/pdf.py.
APPEALS_PDF_FONT = env("APPEALS_PDF_FONT", default="")
CELERY_BEAT_SCHEDULE["appeals-sweep-overdue"] = {
    "task": "appeals.tasks.sweep_overdue_appeals",
    "schedule": 15 * 60,
}
# ---- alliances (issue 7) -------------------------------------------------------------------------
# Answering outside one's registered domains is always allowed; with this on, expert statistics also
# count such answers (`out_of_domain`) so that appraisals can see them.
YV_ALLIANCES_FLAG_OUT_OF_DOMAIN = env.bool("YV_ALLIANCES_FLAG_OUT_OF_DOMAIN", default=False)
# --- Q&A community (community/) -------------------------------------------------------------
# Does a youth's (peer) answer stop the deadline clock? By the rules only staff, experts and
# official accounts do [A1.4.1]; peers are welcome but the organisation still owes an answer.
YV_QA_PEER_ANSWER_STOPS_CLOCK = env.bool("YV_QA_PEER_ANSWER_STOPS_CLOCK", default=False)
# Deadline sweep: reminders at 2/3 of the window, escalation to the parent organisation when overdue.
CELERY_BEAT_SCHEDULE["community-sweep-deadlines"] = {"task": "community.tasks.sweep_deadlines", "schedule": 60.0}
# Question views are counted in Redis and applied to the rows every YV_QA_VIEWS_FLUSH_SECONDS, so
# that reading a question writes nothing to the database (off, without Redis or while Redis is
# unreachable: one UPDATE per view). The buffer is drained, not persistent: a Redis restart without
# persistence loses at most the views counted since the last flush (docs/security.md).
YV_QA_BUFFER_VIEWS = env.bool("YV_QA_BUFFER_VIEWS", default=True)
YV_QA_VIEWS_FLUSH_SECONDS = env.int("YV_QA_VIEWS_FLUSH_SECONDS", default=10)
# Each process adds views up and sends them to Redis at most this often (one round trip; 0 = each view at once).
YV_QA_VIEWS_LOCAL_SECONDS = env.float("YV_QA_VIEWS_LOCAL_SECONDS", default=1.0)
CELERY_BEAT_SCHEDULE["community-flush-views"] = {
    "task": "community.tasks.flush_views", "schedule": float(YV_QA_VIEWS_FLUSH_SECONDS),
}
# --- Stations (青年之家) ----------------------------------------------------------------------
# The Wagtail location widget uses the same tile server as the public service map.
GEO_WIDGET_LEAFLET_TILE_LAYER = YV_ADMIN_MAP_TILE_URL
# Overdue booking requests are escalated and stale ones expired every 5 minutes; slots for the
# next two weeks are generated nightly (both idempotent).
CELERY_BEAT_SCHEDULE["stations-sweep-bookings"] = {"task": "stations.tasks.sweep_bookings", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["stations-generate-slots"] = {"task": "stations.tasks.generate_all_slots", "schedule": 6 * 3600.0}
# --- Editorial content (home): headless preview, anonymous page cache ---------------------------------
# Drafts can be previewed by a headless front end: set YV_HEADLESS_PREVIEW_URL (e.g.
# https://app.example.org/preview) and Wagtail's preview redirects there with a token that the front
# end exchanges at /api/v2/page_preview/. Unset, previews render our own templates.
INSTALLED_APPS += ["wagtail_headless_preview"]
_YV_PREVIEW_URL = env("YV_HEADLESS_PREVIEW_URL", default="")
WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": _YV_PREVIEW_URL} if _YV_PREVIEW_URL else {}}
# Whole responses of editorial pages and of /api/v2/pages/ are cached for anonymous visitors
# (core.page_cache); every publish/unpublish/move/delete invalidates them.
MIDDLEWARE += ["core.page_cache.AnonymousPageCacheMiddleware"]
# Outermost: anonymous hits answered before sessions, auth, CSRF and CSP run (core.page_cache, issue 23).
MIDDLEWARE.insert(0, "core.page_cache.EarlyPageCacheMiddleware")
if YV_DB_REPLICAS:  # read-your-writes across requests; after the early cache (its hits read nothing)
    MIDDLEWARE.insert(1, "core.db_router.ReplicaPinMiddleware")
    # the request's user from the primary (django-otp's middleware, inserted below, lands before it)
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                      "core.db_router.PrimaryAuthMiddleware")
# Apps with public non-page views (forms, feeds, maps) provide `urls.py`, mounted at /<prefix>/
# (youthvoice/urls.py); the page cache never stores their responses unless the prefix is a scope below.
YV_APP_URLS = [("community", "qa"), ("stations", "stations"), ("alliances", "alliances"), ("appeals", "appeals"),
               ("insights", "insights"), ("search", "search"), ("home", "content"),
               ("notifications", "notifications")]
# The apps' views that may be cached for anonymous visitors, each path checked against its scope's
# generation (bumped by the owning app: answers, moderation, bookings); search results also expire.
YV_PAGE_CACHE_EARLY = env.bool("YV_PAGE_CACHE_EARLY", default=True)
YV_PAGE_CACHE_SCOPES = ("qa", "stations", "search", "alliances")
YV_PAGE_CACHE_SCOPE_SECONDS = {"search": env.int("YV_PAGE_CACHE_SEARCH_SECONDS", default=30)}  # seconds an anonymous search results page stays cached
YV_PAGE_CACHE_ENABLED = env.bool("YV_PAGE_CACHE_ENABLED", default=True)
# Logged-in users get the shared page with their own frame (user area) composed in, on the pages that
# show nothing else personal; the frame is cached per user (core.page_cache, docs/performance.md).
YV_PAGE_CACHE_USERS = env.bool("YV_PAGE_CACHE_USERS", default=True)
YV_PAGE_CACHE_FRAME_SECONDS = env.int("YV_PAGE_CACHE_FRAME_SECONDS", default=300)  # how long a user's cached frame may live
YV_PAGE_CACHE_SECONDS = env.int("YV_PAGE_CACHE_SECONDS", default=120)
# --- Search (search/ app, issue 8) -----------------------------------------------------------
# Chinese full-text search: jieba-segmented text on the database by default (SQLite FTS5 or
# PostgreSQL tsvector 'simple' + GIN), Elasticsearch 8 when ELASTICSEARCH_URL is set (or
# SEARCH_BACKEND=elasticsearch). See docs/search.md.
SEARCH_BACKEND = env("SEARCH_BACKEND", default="elasticsearch" if env("ELASTICSEARCH_URL", default="") else "database")
if SEARCH_BACKEND == "elasticsearch":
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends.elasticsearch",
            "URLS": env.list("ELASTICSEARCH_URL", default=["http://localhost:9200"]),
            "INDEX_PREFIX": env("ELASTICSEARCH_INDEX_PREFIX", default="youthvoice_"),
            "TIMEOUT": env.int("ELASTICSEARCH_TIMEOUT", default=5),
            # "jieba": our tokens + whitespace analyzer (no plugin needed); "smartcn": the
            # analysis-smartcn plugin analyses (still jieba-normalised) text on the server.
            "CHINESE_ANALYZER": env("ELASTICSEARCH_CHINESE_ANALYZER", default="jieba"),
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}
# Unified search: results per page and the deepest offset a client may ask for.
YV_SEARCH_PAGE_SIZE = 10
YV_SEARCH_MAX_OFFSET = 200
# PostgreSQL at scale (search.backends.database): a query whose words match more than
# YV_SEARCH_PROBE indexed rows ranks only the YV_SEARCH_RANK_CANDIDATES newest matches and counts up
# to YV_SEARCH_COUNT_LIMIT (shown as "1000+"); a search's statements stop after
# YV_SEARCH_STATEMENT_TIMEOUT_MS (sources not searched yet are left out and the page says so; 0 = none).
YV_SEARCH_PROBE = env.int("YV_SEARCH_PROBE", default=1000)
YV_SEARCH_PROBE_WINDOW = env.int("YV_SEARCH_PROBE_WINDOW", default=30000)  # newest index entries probed first
YV_SEARCH_PROBE_SAMPLE = env.int("YV_SEARCH_PROBE_SAMPLE", default=5000)  # of which these first (a rare word stops there)
YV_SEARCH_RANK_CANDIDATES = env.int("YV_SEARCH_RANK_CANDIDATES", default=500)  # newest matches ranked for a frequent word
YV_SEARCH_COUNT_LIMIT = env.int("YV_SEARCH_COUNT_LIMIT", default=1000)  # counts and facets stop here ("1000+")
YV_SEARCH_STATEMENT_TIMEOUT_MS = env.int("YV_SEARCH_STATEMENT_TIMEOUT_MS", default=1500)  # database time per search
# --- Insights (insights/, issue 10): KPIs, scores, dashboards — see docs/insights.md ---------------
# Nightly aggregation into the daily KPI tables; each run re-aggregates the last
# INSIGHTS_REAGGREGATE_DAYS days (late first answers, ratings and booking responses settle).
INSIGHTS_REAGGREGATE_DAYS = env.int("INSIGHTS_REAGGREGATE_DAYS", default=3)
# Dashboard and KPI API reads are cached this many seconds (0: off); every aggregation run makes the
# cached figures stale at once (a new version token, insights/cache.py).
INSIGHTS_CACHE_SECONDS = env.int("INSIGHTS_CACHE_SECONDS", default=300)
from celery.schedules import crontab as _crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["insights-aggregate-kpis"] = {
    "task": "insights.tasks.aggregate_kpis", "schedule": _crontab(hour=1, minute=15),
}
# Contribution score weights (insights/domain/scoring.py documents the formula; missing keys default).
INSIGHTS_SCORE_WEIGHTS = {
    "answers": 1.0, "first_responses": 2.0, "on_time": 3.0, "accepted": 3.0, "solved": 4.0, "partly": 1.5,
    "invitations_answered": 2.0, "bookings_on_time": 2.0, "comments": 0.2, "satisfaction": 2.0, "late_penalty": 2.0,
}
INSIGHTS_ORG_SCORE_WEIGHTS = {"answer_rate": 40.0, "on_time_rate": 30.0, "satisfaction_rate": 20.0,
                              "booking_on_time_rate": 10.0}
# Longest range (days) the API and dashboard accept per granularity ("range": lists and leaderboards).
INSIGHTS_MAX_RANGE_DAYS = {"day": 366, "week": 732, "month": 1830, "year": 3660, "range": 366}

# --- Security hardening (accounts/, issue 11 items 3–5; docs/security.md) ---------------------------
INSTALLED_APPS += ["csp", "django_otp", "django_otp.plugins.otp_totp"]
# django-otp marks a session verified; AdminOTPMiddleware sends staff who must use TOTP to the step.
# CSPMiddleware gives every response a Content-Security-Policy (a nonce for our pages, Wagtail's
# allowances under /admin/). LoginThrottleMiddleware turns a throttled login into our bilingual 429.
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "django_otp.middleware.OTPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
                  "accounts.otp.AdminOTPMiddleware")
MIDDLEWARE.insert(1, "accounts.csp.YouthVoiceCSPMiddleware")
MIDDLEWARE += ["accounts.security.LoginThrottleMiddleware"]
# The throttle goes first: it refuses an attempt that must still wait before any password is checked.
# Soft lockout (accounts/security.py, rule in accounts/domain/login_throttle.py): per account, per
# client address and per known browser; 5 free failures an account (20 an address), then 15 s doubling
# to 15 minutes, never more than 100 an hour. A success clears only its own account's failures.
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginThrottleBackend", *AUTHENTICATION_BACKENDS]
# Behind a reverse proxy set YV_TRUSTED_PROXY_COUNT=1 so the client address is read from
# X-Forwarded-For (the right-most entry the proxy appended); 0 = REMOTE_ADDR.
YV_TRUSTED_PROXY_COUNT = env.int("YV_TRUSTED_PROXY_COUNT", default=0)
# Passwords: 12 characters for staff (is_staff, superusers, anyone with a staff membership), 8 for youths.
AUTH_PASSWORD_VALIDATORS = [
    v for v in AUTH_PASSWORD_VALIDATORS if not v["NAME"].endswith("MinimumLengthValidator")
] + [{"NAME": "accounts.password_validation.RoleMinimumLengthValidator",
      "OPTIONS": {"staff_min_length": 12, "min_length": 8}}]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# TOTP (django-otp): optional for staff, required for provincial administrators (org_admin of the
# root organisation) and superusers in the Wagtail admin. Production forces it on; the demo may turn
# it off with YV_OTP_REQUIRED=false, or use the documented demo secret (docs/security.md).
YV_OTP_REQUIRED = env.bool("YV_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "青年之声 Youth Voice"
OTP_TOTP_THROTTLE_FACTOR = 1
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # avatars never leave the site (and CSP stays 'self')
# Content-Security-Policy (django-csp 4). Our templates carry no inline script: data goes through
# json_script and behaviour through static files, so 'self' plus a per-request nonce suffices.
# Styles allow 'unsafe-inline' (a few style="" attributes in admin templates; CSS cannot run code).
from csp.constants import NONCE as CSP_NONCE  # noqa: E402

_YV_TILE_ORIGINS = ["/".join(u.split("/")[:3]).replace("{s}.", "*.")
                    for u in (YV_MAP_TILE_URL, YV_ADMIN_MAP_TILE_URL) if u]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_YV_TILE_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https:"],  # editorial embeds (video players)
        "frame-ancestors": ["'self'"],  # Wagtail's preview panel frames our pages
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
# Wagtail's admin still carries inline scripts and eval-based widgets: under /admin/ the policy
# allows them (no nonce, which would disable 'unsafe-inline'); everything else stays as above.
YV_CSP_ADMIN_PREFIXES = ("/admin/",)
YV_CSP_ADMIN_SCRIPT_SRC = ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
# Uploads: Wagtail image/document limits are above; plain form and API bodies stay under
# DATA_UPLOAD_MAX_MEMORY_SIZE. SVG is in neither extension list; documents are served by Wagtail's
# view, which checks collection privacy and sends `Content-Security-Policy: default-src 'none'`.
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
LOGOUT_REDIRECT_URL = "/"  # LogoutView otherwise renders registration/logged_out.html (which we do not ship)
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL  # private pages and document collections send visitors to our login page
# --- Sign-up, SMS and personal-information rights (accounts/, issue 20; docs/accounts.md) ----------
# SMS gateway: the outbox (rows in accounts.SmsMessage, read by the demo and the tests) or Tencent
# Cloud SMS through its official SDK ("accounts.sms.tencent.TencentSmsBackend", configured below).
YV_SMS_BACKEND = env("YV_SMS_BACKEND", default="accounts.sms.backends.OutboxBackend")
YV_SMS_TENCENT = {
    "secret_id": env("YV_SMS_TENCENT_SECRET_ID", default=""),
    "secret_key": env("YV_SMS_TENCENT_SECRET_KEY", default=""),
    "sdk_app_id": env("YV_SMS_TENCENT_SDK_APP_ID", default=""),
    "sign_name": env("YV_SMS_TENCENT_SIGN_NAME", default="青年之声"),
    "region": env("YV_SMS_TENCENT_REGION", default="ap-guangzhou"),
    "endpoint": env("YV_SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com"),
    "templates": {"code": env("YV_SMS_TENCENT_TEMPLATE_CODE", default=""),
                  "guardian": env("YV_SMS_TENCENT_TEMPLATE_GUARDIAN", default=""),
                  "deadline": env("YV_SMS_TENCENT_TEMPLATE_DEADLINE", default="")},
}
YV_SMS_CODE_TTL = 300  # seconds a code lives
YV_SMS_CODE_ATTEMPTS = 5  # wrong guesses before a code is dead
# Sends: per number 1/min, 5/h, 10/day; per client address 20/h, 60/day; platform total per day; the
# image captcha from the 3rd send in an hour by one number or address (accounts/sms/codes.py).
YV_SMS_LIMITS = {"interval_seconds": 60, "number_hour": 5, "number_day": 10, "ip_hour": 20, "ip_day": 60,
                 "total_day": env.int("YV_SMS_DAILY_TOTAL", default=100000), "captcha_after": 2}
YV_PRIVACY_VERSION = "2026-12-01"  # bump when templates/accounts/privacy.html changes: consents name it
# Wagtail's user admin with our fields (phone, real name, real-name status) through its user viewset.
INSTALLED_APPS[INSTALLED_APPS.index("wagtail.users")] = "accounts.apps.YouthVoiceUsersAppConfig"
# --- Notifications: notices of these kinds about the same subject (e.g. comments on one question)
# that reach a recipient while the previous one is unread and within the window become one notice
# with a count (notifications.services.notify_many), so a flood cannot bury the notification centre.
YV_NOTIFICATION_COALESCE: dict[str, Any] = {"kinds": ["comment", "answer", "alliance"], "window_seconds": 3600}
# --- Avatars (accounts/uploads.py): every avatar upload is bounded in bytes, pixels (read from the
# header, before anything is decoded) and format (recognised from the content).
YV_AVATAR_MAX_BYTES = 2 * 1024 * 1024
YV_AVATAR_MAX_PIXELS = 4096 * 4096
YV_AVATAR_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# --- 一号通: OpenID Connect provider, partner systems, event feeds, export (partners/, issue 21) ----
# django-oauth-toolkit is the authorization server; partners/ keeps the registry of League systems
# (each linked to a DOT Application), the bearer-token auth of /api/, webhooks and the change log.
# docs/partners.md.
INSTALLED_APPS += ["partners", "oauth2_provider", "wagtail.api.v3"]  # partners first: its templates override DOT's
INSTALLED_APPS += ["demo"]  # the demo data of every app (manage.py load_demo_data): the top layer
TEMPLATES[0]["OPTIONS"]["context_processors"].append("partners.context_processors.partner_links")
from partners.keys import private_key_pem as _oidc_key  # noqa: E402

YV_VAR_DIR = env.path("YV_VAR_DIR", default=BASE_DIR / "var")
# Pairwise subjects (sub = HMAC(secret, partner id + user id)) for partners that are not trusted.
YV_OIDC_PAIRWISE_SECRET = env("YV_OIDC_PAIRWISE_SECRET", default="")
YV_PARTNER_SCOPES = {
    "openid": "登录身份（OpenID）",
    "profile": "昵称与头像",
    "phone": "已验证的手机号",
    "real_name": "实名信息（姓名与认证状态）",
    "organization": "所在团组织（属地）",
    "roles": "团干部岗位",
    "qa:read": "查看你的提问与通知",
    "qa:write": "以你的名义提问、回答、报名",
    "bookings": "青年之家服务预约",
    "appeals": "诉求（12355）",
    "staff": "以团干部身份办理（需已完成两步验证）",
    "export": "增量数据导出（大数据交互中心）",
}
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_key(YV_VAR_DIR, allow_generate=True),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": False,  # registered URIs only; http on 127.0.0.1 for the demo
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise", "public"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_VALIDATOR_CLASS": "partners.oauth.Validator",
    "SCOPES_BACKEND_CLASS": "partners.oauth.PartnerScopes",
    "SCOPES": YV_PARTNER_SCOPES,
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,  # public clients always; confidential ones when they send a challenge (partners.oauth)
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("YV_OAUTH_ACCESS_TOKEN_SECONDS", default=3600),
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REQUEST_APPROVAL_PROMPT": "auto",  # a remembered consent with the same scopes is not asked again
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
}
# Webhooks (Standard Webhooks): retries with exponential back-off for at least three days.
YV_WEBHOOK_TIMEOUT_SECONDS = env.float("YV_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
YV_WEBHOOK_RETRY_SECONDS = env.int("YV_WEBHOOK_RETRY_SECONDS", default=30)  # first retry; doubles, capped at 6 h
YV_WEBHOOK_GIVE_UP_SECONDS = env.int("YV_WEBHOOK_GIVE_UP_SECONDS", default=4 * 24 * 3600)
CELERY_BEAT_SCHEDULE["partners-sweep-webhooks"] = {"task": "partners.tasks.sweep_webhooks", "schedule": 60.0}
# The public origin (https://…) named in the OpenAPI OAuth2 flows; empty: paths relative to the site.
YV_PUBLIC_BASE_URL = env("YV_PUBLIC_BASE_URL", default="")
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named for migrations' swappable dependency
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
