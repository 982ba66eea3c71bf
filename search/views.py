"""The public search page: thin, everything is in ``search.selectors``."""

from urllib.parse import urlencode

from django.shortcuts import render

from core.domains import DOMAIN_LABELS_ZH, ServiceDomain
from core.errors import ServiceError
from core.page_cache import anonymous_cacheable

from . import selectors


def _int(value, default=0):
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


@anonymous_cacheable(users=True)
def search_page(request):
    q = request.GET.get("q", "")[:1000]
    raw_type = request.GET.get("type", "")
    raw_branch = request.GET.get("branch", "")
    raw_domain = request.GET.get("domain", "")
    offset = _int(request.GET.get("offset"))
    error = None
    try:
        types, branch, domain = selectors.parse_filters(types=raw_type, branch=raw_branch, domain=raw_domain)
    except ServiceError as exc:
        types, branch, domain, error = [], None, None, exc.localized
    result = selectors.unified_search(q=q, types=types, branch=branch, domain=domain, offset=offset)

    def link(**changes):
        params = {"q": q, "type": ",".join(types), "branch": branch.pk if branch else "", "domain": domain or ""}
        params.update(changes)
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 0)})

    facets = [{"key": k, "label": result.labels.get(k, k), "count": result.shown(c), "more": result.is_more(c), "active": k in types,
               "url": link(type=k, offset=0)} for k, c in result.facets.items()]
    context = {
        "q": q, "result": result, "facets": facets, "error": error, "types": types,
        "all_types_url": link(type="", offset=0), "branch": branch, "domain": domain,
        "branch_choices": selectors.branch_choices(), "domain_choices": [
            (value, DOMAIN_LABELS_ZH.get(value, label)) for value, label in ServiceDomain.choices],
        "prev_url": link(offset=max(0, result.offset - result.limit)) if result.offset > 0 else None,
        "next_url": link(offset=result.offset + result.limit) if result.has_next else None,
        "status": 400 if error else 200,
    }
    return render(request, "search/search_page.html", context, status=context["status"])
