"""The registry of searchable sources: what the one search (page ``/search/``, API
``/api/search/``) looks in.

A source says which objects the public may find (``visible``), how to narrow them to a branch
(an organisation and everything below it) or a service domain, and how to show a hit
(``present``: title, text for the snippet, URL, organisation, domain, date). Adding a kind of
content to the search is one ``register(SearchSource(...))`` entry in ``SOURCES`` below; the
model itself needs ``search_fields`` (Wagtail's ``index.Indexed``) so the backend indexes it.
docs/search.md shows the entries for questions, answers and stations.

Rules every source keeps:
* ``visible()`` excludes removed, held, unpublished and private content: the index may hold it
  (it is cheaper to index everything and filter), results never show it.
* ``present(objs)`` works on a list and makes a constant number of queries (no N+1).
* Filters use fields declared as ``index.FilterField`` (Elasticsearch needs them; the
  database backends filter with the ORM).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.domains import DOMAIN_LABELS_ZH
from organizations.domain.tree import ancestor_paths

VISIBLE = "visible"  # moderation.models.ModerationStatus.VISIBLE: held and removed posts are not public


@dataclass
class Presented:
    """How one hit is shown."""

    title: str
    text: str = ""
    url: str = ""
    organization: object | None = None  # organizations.Organization
    domain: str = ""
    date: datetime | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SearchSource:
    key: str  # "page", "question", "answer", "station", "expert" — the API's ``type``
    label: object  # lazy translated label shown as the facet and on each hit
    model: str  # "app_label.ModelName" of the indexed model
    visible: Callable[[], QuerySet]
    present: Callable[[list], list[Presented]]
    in_branch: Callable[[QuerySet, object], QuerySet] | None = None  # (qs, Organization) -> qs
    in_domain: Callable[[QuerySet, str], QuerySet] | None = None  # (qs, ServiceDomain value) -> qs
    similar: bool = False  # used by "similar questions while asking"
    claims_pages: bool = False  # a Page subclass shown as its own type, not as "page"

    def get_model(self):
        return apps.get_model(self.model)


_registry: dict[str, SearchSource] = {}


def register(source: SearchSource) -> SearchSource:
    _registry[source.key] = source
    return source


def unregister(key: str) -> None:
    _registry.pop(key, None)


def all_sources() -> list[SearchSource]:
    return [s for s in _registry.values() if _model_exists(s.model)]


def get_source(key: str) -> SearchSource | None:
    return _registry.get(key)


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def subtree_ids(org):
    """The ids of ``org`` and everything below it, as a sub-query (no statement of its own: the
    database backends inline it; Elasticsearch's filter compiler evaluates it)."""
    from organizations.models import Organization

    return Organization.objects.filter(path__startswith=org.path).values("pk")


def _url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- pages (every live, public Wagtail page that no other source claims) ---------------------


def _claimed_page_models() -> list:
    return [s.get_model() for s in all_sources() if s.claims_pages]


PRIVATE_SECTIONS_KEY = "search:private-sections"


def private_sections() -> list[tuple[str, int]]:
    """(path, depth) of every page with a view restriction: Wagtail's ``public()`` reads them on
    every call (twice a search pass here), so they are kept in the shared cache and dropped when
    a restriction changes or a page moves (search.signals)."""
    from django.core.cache import cache
    from wagtail.models import PageViewRestriction

    found = cache.get(PRIVATE_SECTIONS_KEY)
    if found is None:
        found = list(PageViewRestriction.objects.values_list("page__path", "page__depth"))
        cache.set(PRIVATE_SECTIONS_KEY, found, 3600)
    return found


def forget_private_sections() -> None:
    from django.core.cache import cache

    cache.delete(PRIVATE_SECTIONS_KEY)


def public(qs: QuerySet) -> QuerySet:
    """``qs.public()`` (not in a private section) from the cached sections, with Wagtail's own
    descendant rule (``descendant_of_q``)."""
    from types import SimpleNamespace

    from django.conf import settings
    from django.db.models import Exists, F, OuterRef, Q
    from django.db.models.lookups import StartsWith

    if settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == "search.backends.database":
        # The database backends: a NOT EXISTS over the restrictions, inside the search's own statement
        # (no statement or cache read of its own, never stale). A page's path starts with its
        # section's path exactly when it is the section or below it (Wagtail's descendant rule).
        from django.db import connection
        from django.db.models.expressions import RawSQL
        from wagtail.models import Page, PageViewRestriction

        if connection.vendor == "postgresql":
            # From the restrictions to the pages below them (no restriction: nothing is read). Testing
            # every page against the restrictions (below) cost each search 3–4 ms for pages and again
            # for stations at 10,650 pages, with no restriction at all.
            page, restriction = Page._meta.db_table, PageViewRestriction._meta.db_table
            below = (f'SELECT v."id" FROM "{restriction}" r JOIN "{page}" u ON u."id" = r."page_id" '  # noqa: S608 - table names
                     f'JOIN "{page}" v ON starts_with(v."path", u."path")')
            return qs.exclude(pk__in=RawSQL(below, []))
        private = Page.objects.filter(Exists(PageViewRestriction.objects.filter(StartsWith(OuterRef("path"),
                                                                                           F("page__path")))))
        return qs.exclude(pk__in=private.values("pk"))
    q = Q()
    for path, depth in private_sections():
        q |= qs.descendant_of_q(SimpleNamespace(path=path, depth=depth), inclusive=True)
    return qs.exclude(q) if q else qs


def pages_visible() -> QuerySet:
    from wagtail.models import Page

    qs = public(Page.objects.live())
    claimed = _claimed_page_models()
    return qs.not_type(*claimed) if claimed else qs


def pages_in_branch(qs: QuerySet, org) -> QuerySet:
    from django.conf import settings
    from django.db.models import Subquery

    from home.models import BranchHomePage

    branches = BranchHomePage.objects.filter(organization=org).order_by("pk")
    if settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == "search.backends.database":
        # one sub-query, no statement of its own; no branch page → NULL → nothing (as qs.none())
        return qs.filter(path__startswith=Subquery(branches.values("path")[:1]))
    branch = branches.only("path").first()
    return qs.filter(path__startswith=branch.path) if branch else qs.none()


def branch_of_paths(paths: Iterable[str]) -> dict[str, object]:
    """{page path: the Organization of the nearest branch at or above it}, in one query."""
    from home.models import BranchHomePage

    prefixes = {a for p in paths for a in ancestor_paths(p, include_self=True)}
    branches = {b.path: b.organization for b in BranchHomePage.objects.filter(path__in=prefixes).select_related("organization")}
    found = {}
    for path in paths:
        for a in reversed(ancestor_paths(path, include_self=True)):
            if a in branches:
                found[path] = branches[a]
                break
    return found


@functools.cache
def _intro_models() -> tuple:
    """The page models whose own table holds an ``intro`` column (a page's text when it has no
    search description)."""
    from django.core.exceptions import FieldDoesNotExist
    from wagtail.models import get_page_models

    found = []
    for model in get_page_models():
        try:
            field = model._meta.get_field("intro")
        except FieldDoesNotExist:
            continue
        if field.concrete and field.model not in found:
            found.append(field.model)
    return tuple(found)


@functools.cache
def _intro_sql() -> str:
    """SQL: the page's ``intro`` from whichever page table holds it (built once: compiling seven
    sub-querysets on every search cost more CPU than the query)."""
    from wagtail.models import Page

    outer = f'"{Page._meta.db_table}"."{Page._meta.pk.column}"'
    parts = [f'(SELECT "{m._meta.get_field("intro").column}" FROM "{m._meta.db_table}" '  # noqa: S608 - model names
             f'WHERE "{m._meta.pk.column}" = {outer})' for m in _intro_models()]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"


def pages_present(pages: list) -> list[Presented]:
    """In one query: the pages' title, search description, intro (from whichever page table holds
    it) and the organisation of the nearest branch page at or above each (no ``.specific()``: that
    was a query per page type, and the branch lookup another)."""
    from django.db import connection
    from django.db.models.expressions import RawSQL
    from wagtail.models import Page, Site

    from home.models import BranchHomePage
    from organizations.models import Organization

    if connection.vendor == "postgresql":
        # the page's ancestors' paths (and its own), each found through the path index
        branch = RawSQL(
            f'(SELECT json_build_object(\'id\', o.id, \'name\', o.name, \'short_name\', o.short_name) '  # noqa: S608
            f'FROM "{Page._meta.db_table}" bp JOIN "{BranchHomePage._meta.db_table}" b ON b.page_ptr_id = bp.id '
            f'LEFT JOIN "{Organization._meta.db_table}" o ON o.id = b.organization_id '
            f'WHERE bp.path IN (SELECT substr("{Page._meta.db_table}".path, 1, %s * g) '
            f'FROM generate_series(1, "{Page._meta.db_table}".depth) g) ORDER BY bp.depth DESC LIMIT 1)',
            [Page.steplen])
    else:
        # SQLite's json_object() written out: Django's JSONObject first asks the connection whether
        # SQLite has JSON (three statements on each new connection: each request under runserver)
        branch = RawSQL(
            f'(SELECT json_object(\'id\', o.id, \'name\', o.name, \'short_name\', o.short_name) '  # noqa: S608
            f'FROM "{Page._meta.db_table}" bp JOIN "{BranchHomePage._meta.db_table}" b ON b.page_ptr_id = bp.id '
            f'LEFT JOIN "{Organization._meta.db_table}" o ON o.id = b.organization_id '
            f'WHERE substr("{Page._meta.db_table}".path, 1, length(bp.path)) = bp.path '
            f'ORDER BY bp.depth DESC LIMIT 1)', [])
    rows = Page.objects.filter(pk__in=[p.pk for p in pages]).annotate(_yv_branch=branch)
    if _intro_sql():
        rows = rows.annotate(_yv_intro=RawSQL(_intro_sql(), []))
    rows = rows.only("id", "title", "search_description", "url_path", "path", "depth", "last_published_at")
    by_pk = {p.pk: p for p in rows}
    root_paths = Site.get_site_root_paths() if by_pk else []
    out = []
    for page in pages:
        sp = by_pk.get(page.pk)
        if sp is None:
            out.append(Presented(title=getattr(page, "title", "")))
            continue
        sp._wagtail_cached_site_root_paths = root_paths  # one cache read for every hit, not one each
        text = sp.search_description or getattr(sp, "_yv_intro", "") or ""
        org = sp._yv_branch
        if isinstance(org, str):  # a backend without JSON decoding
            import json

            org = json.loads(org)
        org = Organization(pk=org["id"], name=org["name"], short_name=org["short_name"]) if org and org.get("id") else None
        out.append(Presented(title=sp.title, text=str(text), url=sp.get_url() or "", organization=org,
                             date=sp.last_published_at))
    return out


# --- experts ------------------------------------------------------------------------------


def experts_visible() -> QuerySet:
    from alliances.models import ExpertStatus
    from search.models import SearchableExpert

    return SearchableExpert.objects.filter(status=ExpertStatus.ACTIVE)


def experts_in_branch(qs: QuerySet, org) -> QuerySet:
    return qs.filter(organization_id__in=subtree_ids(org))


def experts_in_domain(qs: QuerySet, domain: str) -> QuerySet:
    from alliances.models import ExpertDomain

    return qs.filter(pk__in=ExpertDomain.objects.filter(domain=domain).values("expert_id"))


def experts_present(experts: list) -> list[Presented]:
    from django.db import connection

    from search.models import SearchableExpert

    rows = SearchableExpert.objects.filter(pk__in=[e.pk for e in experts]).select_related("organization")
    if connection.vendor == "postgresql":  # the domains in the same query
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models import OuterRef

        from alliances.models import ExpertDomain

        rows = rows.annotate(_yv_domains=ArraySubquery(
            ExpertDomain.objects.filter(expert_id=OuterRef("pk")).order_by("pk").values("domain")))
    else:
        rows = rows.prefetch_related("domains")
    by_pk = {e.pk: e for e in rows}
    out = []
    for expert in experts:
        e = by_pk.get(expert.pk, expert)
        domains = getattr(e, "_yv_domains", None)
        if domains is None:
            domains = [d.domain for d in e.domains.all()]
        labels = "、".join(DOMAIN_LABELS_ZH.get(d, d) for d in domains)
        text = " · ".join(p for p in [e.title, labels, e.organization.name if e.organization else ""] if p)
        out.append(Presented(title=e.real_name, text=text, url=_url_or_blank("alliances:expert_detail", e.pk),
                             organization=e.organization, domain=domains[0] if domains else "",
                             date=e.updated_at, extra={"domains": domains, "expert_title": e.title}))
    return out


# --- the registry -------------------------------------------------------------------------
# Order is the order of the type facet (registration order): page, expert, question, answer, station.

register(SearchSource(key="page", label=_("Pages"), model="wagtailcore.Page", visible=pages_visible,
                      present=pages_present, in_branch=pages_in_branch))
register(SearchSource(key="expert", label=_("Experts"), model="yvsearch.SearchableExpert", visible=experts_visible,
                      present=experts_present, in_branch=experts_in_branch, in_domain=experts_in_domain))


def questions_visible() -> QuerySet:
    from community.models import Question, QuestionStatus

    return Question.objects.exclude(status=QuestionStatus.REMOVED).filter(moderation_status=VISIBLE)


def questions_present(objs: list) -> list[Presented]:
    from community.models import Question

    rows = Question.objects.filter(pk__in=[o.pk for o in objs]).select_related("organization")
    by_pk = {q.pk: q for q in rows}
    return [Presented(title=q.title, text=q.body, url=q.get_absolute_url(), organization=q.organization,
                      domain=q.domain, date=q.asked_at) for q in (by_pk.get(o.pk) for o in objs) if q is not None]


register(SearchSource(key="question", label=_("Questions"), model="community.Question",
                      visible=questions_visible, present=questions_present,
                      in_branch=lambda qs, org: qs.filter(organization_id__in=subtree_ids(org)),
                      in_domain=lambda qs, d: qs.filter(domain=d), similar=True))


# --- answers (of visible questions; indexed through the search.SearchableAnswer proxy) ------


def answers_visible() -> QuerySet:
    from community.models import QuestionStatus
    from search.models import SearchableAnswer

    return (SearchableAnswer.objects.filter(is_removed=False, moderation_status=VISIBLE,
                                            question__moderation_status=VISIBLE)
            .exclude(question__status=QuestionStatus.REMOVED))


def answers_present(objs: list) -> list[Presented]:
    """Title = the question's, text = the answer, URL = the question page at the answer's anchor."""
    from community.models import Answer

    rows = Answer.objects.filter(pk__in=[o.pk for o in objs]).select_related("question__organization")
    by_pk = {a.pk: a for a in rows}
    out = []
    for a in (by_pk.get(o.pk) for o in objs):
        if a is None:
            continue
        q = a.question
        out.append(Presented(title=q.title, text=a.body, url=f"{q.get_absolute_url()}#a{a.pk}",
                             organization=q.organization, domain=q.domain, date=a.created_at,
                             extra={"question_id": q.pk}))
    return out


register(SearchSource(key="answer", label=_("Q&A answers"), model="yvsearch.SearchableAnswer",
                      visible=answers_visible, present=answers_present,
                      in_branch=lambda qs, org: qs.filter(question__organization_id__in=subtree_ids(org)),
                      in_domain=lambda qs, d: qs.filter(question__domain=d)))


# --- youth stations (live, public station pages; not also listed as "page") -------------------


def stations_visible() -> QuerySet:
    from stations.models import StationPage

    return public(StationPage.objects.live())


def stations_present(objs: list) -> list[Presented]:
    from wagtail.models import Site

    from stations.models import StationPage

    rows = StationPage.objects.filter(pk__in=[o.pk for o in objs]).select_related("organization")
    by_pk = {s.pk: s for s in rows}
    root_paths = Site.get_site_root_paths() if by_pk else []
    out = []
    for st in (by_pk.get(o.pk) for o in objs):
        if st is None:
            continue
        st._wagtail_cached_site_root_paths = root_paths  # one cache read for every hit
        text = " · ".join(p for p in [st.address, st.summary] if p)
        out.append(Presented(title=st.title, text=text, url=st.get_url() or "", organization=st.organization,
                             date=st.last_published_at, extra={"address": st.address}))
    return out


register(SearchSource(key="station", label=_("Youth stations"), model="stations.StationPage",
                      visible=stations_visible, present=stations_present,
                      in_branch=lambda qs, org: qs.filter(organization_id__in=subtree_ids(org)),
                      claims_pages=True))
