"""Platform-wide request guards."""

from django.http import HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "请求中含有空字符（NUL） / The request contains a NUL character"


class RefuseNulCharacters:
    """PostgreSQL cannot store a NUL character in text, so a NUL in the path, the query string or
    a JSON body is refused here with a clear 400 instead of failing deep inside a query (the API
    fuzzer found 500s this way). Django's forms already reject NULs in their own fields; multipart
    bodies (uploads) are left to them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE, "code": "invalid"}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "").lower():
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
            body = request.body
            return b"\\u0000" in body.lower() or b"\x00" in body
        return False
