import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")
application = get_wsgi_application()

# Import the URL configuration now (every app's views, API routers and schemas: seconds of work)
# rather than in the first request each worker serves. With gunicorn's preload_app this happens once,
# in the master, and every worker forked or recycled later starts warm.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# jieba's main dictionary (about a second): without it here, each worker's first search loads it
# (on the demo bench that was the search page's p99 of 1.5 s and a third of its first seconds).
from search import segmenter  # noqa: E402

segmenter.warm()
