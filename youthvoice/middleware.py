"""Platform-wide request guards."""

import re

from django.http import Http404, QueryDict

_NUL_QUERY = re.compile("%00", re.IGNORECASE)
_REPLACEMENT = "%EF%BF%BD"  # U+FFFD, the Unicode replacement character


class NulCharactersInUrls:
    """PostgreSQL cannot store a NUL character, and the API fuzzer found 500s from NULs in query
    parameters reaching a query. A NUL in the query string becomes U+FFFD (the replacement
    character: the value keeps its length, so the schema's limits still hold, and it simply
    matches nothing); a path containing one names nothing: 404. JSON bodies are validated by the
    API and their texts cleaned by the services; Django's forms reject NULs in their own fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query.lower():
            request.META["QUERY_STRING"] = _NUL_QUERY.sub(_REPLACEMENT, query)
            request.GET = QueryDict(request.META["QUERY_STRING"], encoding=request.encoding)
        return self.get_response(request)


def is_id_overflow(exc: BaseException) -> bool:
    """SQLite's refusal of an integer beyond 64 bits (an id above 2^63 - 1 in a URL). PostgreSQL
    never gets there: Django answers such a lookup with no rows (a 404) before querying, and SQLite
    should too — the id names nothing."""
    return isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc)


class IdOverflowIs404:
    """An id too large for a 64-bit integer names nothing: 404 on SQLite (the embedded default) as on
    PostgreSQL, instead of a 500 (issue 25). The API maps it the same way (youthvoice/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_id_overflow(exception):
            raise Http404 from exception
        return None
