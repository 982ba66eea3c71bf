"""Gunicorn for Youth Voice: `gunicorn -c deploy/gunicorn.conf.py youthvoice.wsgi:application`.

Environment: GUNICORN_BIND (default 0.0.0.0:8000), WEB_CONCURRENCY (worker processes, default
2 × CPUs + 1), GUNICORN_THREADS (threads per worker, default 1), GUNICORN_TIMEOUT (seconds, 30),
GUNICORN_MAX_REQUESTS (requests before a worker is recycled, 20000), GUNICORN_PRELOAD (1: load the
application in the master before forking; 0 for code reloading while developing).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory growth in long-lived processes). The application is loaded
# once in the master (preload_app; youthvoice/wsgi.py also imports the URL configuration), so a
# recycled worker starts warm instead of spending seconds importing in its first request.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # nginx in front
