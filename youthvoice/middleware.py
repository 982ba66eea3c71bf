"""Platform-wide request guards."""

import json
import re

from django.http import Http404, QueryDict

_NUL_QUERY = re.compile("%00", re.IGNORECASE)


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


class DropNulCharacters:
    """NUL characters carry no text and PostgreSQL cannot store them: they are dropped from the
    query string and from JSON bodies before any view sees the request (the API fuzzer found 500s
    deep inside queries). A path containing one names nothing: 404. Django's forms already reject
    NULs in their own fields; multipart bodies (uploads) are left to them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "%00" in query.lower():
            request.META["QUERY_STRING"] = _NUL_QUERY.sub("", query)
            request.GET = QueryDict(request.META["QUERY_STRING"], encoding=request.encoding)
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
            body = request.body
            if b"\\u0000" in body.lower():
                try:
                    data = json.loads(body)
                except ValueError:
                    pass  # not JSON: the API answers 4xx as it would anyway
                else:
                    request._body = json.dumps(_without_nul(data), ensure_ascii=False).encode()
        return self.get_response(request)
