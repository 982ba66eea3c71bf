"""The settings reference: every environment variable read in youthvoice/settings/*.py.

    .venv/bin/python scripts/settings_reference.py            # print the Markdown table
    .venv/bin/python scripts/settings_reference.py --write    # rewrite it inside docs/operations.md
    .venv/bin/python scripts/settings_reference.py --check    # exit 1 if the doc has drifted

The table is generated from the settings source (django-environ calls `env("X", default=…)`,
`env.bool(…)`, … and os.environ/os.getenv), so it cannot drift: tests/test_deploy.py runs --check.
The description is the comment on the line of the call or the comment block right above it.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = sorted((ROOT / "youthvoice" / "settings").glob("*.py"))
DOC = ROOT / "docs" / "operations.md"
BEGIN, END = "<!-- settings-reference:begin -->", "<!-- settings-reference:end -->"
# Variables whose source comment does not explain them well enough.
NOTES = {
    "YV_OAUTH_ACCESS_TOKEN_SECONDS": "Lifetime of an OAuth2/OIDC access token (partners, docs/partners.md)",
    "YV_SMS_DAILY_TOTAL": "SMS the platform sends at most per day, all numbers together",
    "YV_SMS_TENCENT_ENDPOINT": "Tencent Cloud SMS API host (the tests point it at a local stand-in)",
    "YV_SMS_TENCENT_REGION": "Tencent Cloud SMS region",
    "YV_SMS_TENCENT_SDK_APP_ID": "Tencent Cloud SMS application id (SdkAppId)",
    "YV_SMS_TENCENT_SECRET_ID": "Tencent Cloud API SecretId (YV_SMS_BACKEND=accounts.sms.tencent.TencentSmsBackend)",
    "YV_SMS_TENCENT_SECRET_KEY": "Tencent Cloud API SecretKey",
    "YV_SMS_TENCENT_SIGN_NAME": "SMS signature approved for the account (签名)",
    "YV_SMS_TENCENT_TEMPLATE_CODE": "Template id of the one-time code message",
    "YV_SMS_TENCENT_TEMPLATE_DEADLINE": "Template id of the answer-deadline reminder",
    "YV_SMS_TENCENT_TEMPLATE_GUARDIAN": "Template id of the guardian's consent code",
    "YV_VAR_DIR": "Folder for generated state kept out of git (the development OIDC signing key)",
    "YV_WEBHOOK_GIVE_UP_SECONDS": "How long a failing webhook delivery is retried before it is given up",
    "DATABASE_URL": "Database URL, e.g. postgres://user:pass@host:5432/youthvoice (default: SQLite file)",
    "REDIS_URL": "Redis URL: cache and Celery broker; unset = a cache in files (var/cache, the embedded default) and eager tasks",
    "YV_CACHE_DIR": "Folder of the embedded default's file cache when REDIS_URL is unset (make clean empties it)",
    "DJANGO_SECRET_KEY": "Secret key; production refuses to start without it",
    "DJANGO_ALLOWED_HOSTS": "Comma-separated host names served",
    "DJANGO_DEBUG": "Debug pages (never in production: production.py forces DEBUG off)",
    "CELERY_BROKER_URL": "Celery broker when it is not REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER": "Run tasks in-process (tests); needs REDIS_URL unset or this on",
    "CACHE_KEY_PREFIX": "Prefix of cache keys (several sites on one Redis)",
    "DJANGO_CONN_MAX_AGE": "Seconds a database connection is kept open between requests",
    "DJANGO_STATIC_ROOT": "Where collectstatic writes (nginx serves it)",
    "DJANGO_MEDIA_ROOT": "Uploaded files (back it up with scripts/backup.sh)",
    "WHITENOISE_USE_FINDERS": "WhiteNoise finds static files in apps (dev/tests); production uses STATIC_ROOT",
    "DJANGO_LOG_LEVEL": "Root log level",
    "WAGTAILADMIN_BASE_URL": "Public base URL, used in e-mails and the admin",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "Comma-separated origins, e.g. https://qnzs.example.org",
    "DJANGO_SECURE_SSL_REDIRECT": "Redirect http to https (off if TLS ends elsewhere and says so)",
    "DJANGO_SECURE_HSTS_SECONDS": "HSTS max-age",
    "DJANGO_SECURE_HSTS_PRELOAD": "HSTS preload flag",
    "DJANGO_EMAIL_BACKEND": "E-mail backend (SMTP by default; configure Django's EMAIL_* for it)",
    "EMAIL_HOST": "SMTP server for outbox e-mails",
    "EMAIL_PORT": "SMTP port",
    "EMAIL_HOST_USER": "SMTP user",
    "EMAIL_HOST_PASSWORD": "SMTP password",
    "EMAIL_USE_TLS": "SMTP with STARTTLS",
    "EMAIL_USE_SSL": "SMTP over TLS (port 465)",
    "EMAIL_TIMEOUT": "SMTP timeout, seconds (keep it well under YV_OUTBOX_LEASE_SECONDS)",
    "DEFAULT_FROM_EMAIL": "Sender of outbox e-mails and server errors",
    "APPEALS_PDF_FONT": "CJK font for printed appeal forms: a path or path#index into a .ttc; empty = Debian's Noto Serif CJK SC",
    "ELASTICSEARCH_URL": "Elasticsearch 8 URL(s), comma-separated; set = search uses Elasticsearch",
    "ELASTICSEARCH_INDEX_PREFIX": "Prefix of the Elasticsearch index names",
    "ELASTICSEARCH_TIMEOUT": "Elasticsearch request timeout, seconds",
    "SEARCH_BACKEND": "`database` (jieba + PostgreSQL tsvector) or `elasticsearch`",
    "YV_HEADLESS_PREVIEW_URL": "Front-end URL that previews drafts headlessly; unset = our templates",
    "YV_MAP_TILE_URL": "Online tile layer of the public station map and the KPI map (e.g. 天地图 with a key); empty (default) = the shipped Guangdong outline layer only",
    "YV_MAP_TILE_ATTRIBUTION": "Attribution shown for YV_MAP_TILE_URL's tiles",
    "YV_ADMIN_MAP_TILE_URL": "Tile server of the admin's coordinate picker (wagtailgeowidget); OpenStreetMap by default",
    "YV_PAGE_CACHE_ENABLED": "Cache whole editorial pages for anonymous visitors",
    "YV_PAGE_CACHE_SECONDS": "How long an anonymous page stays cached (publishing invalidates it)",
    "YV_MODERATION_ENGINE": "Sensitive-word matching engine: ahocorasick_rs (Rust, the faster) or pyahocorasick; moderation/domain/matcher.py",
    "YV_RATE_LIMITS_ENABLED": "Rate limits on every write (the table `YV_RATE_LIMITS`, docs/security.md); see docs/operations.md for load tests",
    "YV_OUTBOX_LEASE_SECONDS": "Outbox: how long a worker holds a message it is sending before another may take it over",
    "YV_OUTBOX_RESEND_AFTER_SECONDS": "Outbox: how long a published delivery may wait before the sweep publishes it again",
    "YV_QA_VIEWS_FLUSH_SECONDS": "How often beat applies the question views buffered in Redis: the most views a Redis restart without persistence can lose",
    "YV_QA_PEER_ANSWER_STOPS_CLOCK": "Does a youth's (peer) answer stop a question's deadline clock",
    "YV_ALLIANCES_FLAG_OUT_OF_DOMAIN": "Expert statistics also count answers outside their registered domains",
    "PYTEST_XDIST_WORKER": "Set by pytest-xdist in each test worker (gw0, gw1, …): the test settings give each its own Redis database",
}


def _calls(path: Path):
    src = path.read_text(encoding="utf-8")
    lines = src.splitlines()
    for node in ast.walk(ast.parse(src)):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        f = node.func
        kind = None
        if isinstance(f, ast.Name) and f.id == "env":
            kind = "str"
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "env":
            kind = {"db": "url", "path": "path"}.get(f.attr, f.attr)
        elif isinstance(f, ast.Attribute) and f.attr in ("get", "getenv") and "environ" in ast.unparse(f.value) + \
                ("os" if f.attr == "getenv" else ""):
            kind = "str"
        if kind is None or not isinstance(node.args[0].value, str):
            continue
        default = None
        for kw in node.keywords:
            if kw.arg == "default":
                default = ast.unparse(kw.value)
        if default is None and len(node.args) > 1 and kind == "str" and isinstance(f, ast.Attribute):
            default = ast.unparse(node.args[1])
        yield node.args[0].value, kind, default, path.name, _comment(lines, node.lineno)


def _comment(lines, lineno):
    line = lines[lineno - 1]
    if "  # " in line:
        return line.split("  # ", 1)[1].strip()
    block = []
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        text = lines[i].strip().lstrip("#").strip()
        if "---" not in text:  # section banners are not descriptions
            block.insert(0, text)
        i -= 1
    return " ".join(block)


def variables() -> dict:
    found = {}
    for path in SETTINGS:
        for name, kind, default, where, comment in _calls(path):
            row = found.setdefault(name, {"type": kind, "default": default, "files": [], "comment": comment})
            if where not in row["files"]:
                row["files"].append(where)
            if row["default"] is None and default is not None:
                row["default"] = default
            row["comment"] = row["comment"] or comment
    return dict(sorted(found.items()))


def table() -> str:
    out = [BEGIN, "", "| Variable | Type | Default | Read in | Meaning |", "|---|---|---|---|---|"]
    for name, row in variables().items():
        default = "(required)" if row["default"] is None else f"`{row['default']}`"
        meaning = re.sub(r"\s+", " ", NOTES.get(name) or row["comment"] or "").replace("|", "\\|")
        out.append(f"| `{name}` | {row['type']} | {default} | {', '.join(row['files'])} | {meaning} |")
    out += ["", END]
    return "\n".join(out)


def main(argv):
    text = table()
    if "--write" in argv or "--check" in argv:
        doc = DOC.read_text(encoding="utf-8")
        if BEGIN not in doc or END not in doc:
            print(f"{DOC} has no {BEGIN} … {END} block", file=sys.stderr)
            return 1
        before, rest = doc.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        new = before + text + after
        if "--check" in argv:
            if new != doc:
                print("docs/operations.md: the settings reference is out of date; run "
                      "`.venv/bin/python scripts/settings_reference.py --write`", file=sys.stderr)
                return 1
            return 0
        DOC.write_text(new, encoding="utf-8")
        return 0
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
