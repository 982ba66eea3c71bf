"""SENDFILE_BACKEND for Wagtail's document serve view behind nginx (WAGTAILDOCS_SERVE_METHOD =
"serve_view"): the view checks privacy, then nginx sends the bytes from an `internal` location.

Enabled by production settings when YV_SENDFILE_NGINX_URL is set (e.g. /protected): a file at
MEDIA_ROOT/documents/x.pdf is answered with `X-Accel-Redirect: /protected/documents/x.pdf`
(see deploy/nginx.conf). wagtail.utils.sendfile adds Content-Type/-Disposition/-Length.
"""

import os
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse


def sendfile(request, filename, **kwargs):
    root = os.path.realpath(settings.SENDFILE_ROOT)
    path = os.path.realpath(filename)
    if os.path.commonpath([root, path]) != root:
        raise Http404("Not under SENDFILE_ROOT")
    relative = os.path.relpath(path, root).replace(os.sep, "/")
    response = HttpResponse()
    response["X-Accel-Redirect"] = f"{settings.SENDFILE_URL.rstrip('/')}/{quote(relative)}"
    return response
