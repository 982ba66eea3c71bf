"""Reads for branch and editorial pages: what a branch home shows, featured slots with their hot
fallback, topic gathering, sign-up and voting summaries."""

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone
from wagtail.models import Page

from core import page_cache, request_memo
from organizations.domain.tree import ancestor_paths
from organizations.models import Organization

from .domain import brand
from .domain.featured import fill_slots, hot_score, is_showing
from .models import (
    ActivityIndexPage,
    ActivityPage,
    ActivitySignup,
    ArticleIndexPage,
    BranchHomePage,
    CategoryPage,
    ContentPage,
    ContestIndexPage,
    ContestPage,
    FeaturedItem,
    OfferIndexPage,
    PageStats,
    ServiceLink,
    SignupSheet,
    TopicIndexPage,
    TopicPage,
    Vote,
)

HOT_CANDIDATES = 200
PAGE_SIZE = 12
TAGGED_QUESTIONS = 500  # a topic gathers at most this many of the newest questions with its tag
SUMMARY_CHARS = 80


# What is cached under a generation or counter that every change bumps (home.signals, core.page_cache)
# is kept an hour: it is never stale, and an idle branch page does not recompute it every few minutes
# (its featured slots, which change with time, are cached for 5 minutes: home/_branch_body.html).
KEPT_TTL = 3600


def _by_generation(name: str, compute):
    """A value shown on many pages, cached under the editorial generation (core.page_cache: bumped on
    every publish, unpublish, move or delete, and by home.signals for the models below)."""
    return _cached(f"home:{name}:{page_cache.generation()}", compute, KEPT_TTL)


def _cached(key: str, compute, ttl: int):
    """`compute()` under `key` (whose generation part makes it never stale), for `ttl` seconds."""
    from django.core.cache import cache

    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value


ROUTE_TTL = 3600


def page_at_url_path(url_path: str, *, root: Page | None = None):
    """The specific page at this URL path (live or not: the caller checks), or None. Its type and id
    are cached (a hit is then one query on the page's own table, checked against the URL path, so a
    moved or renamed page is looked up again); pages that do not exist are not cached. `root`: the
    site's root page, already loaded (the site's own path needs no lookup)."""
    import hashlib

    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    key = "home:route:" + hashlib.blake2b(url_path.encode(), digest_size=16).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        # A stale entry (the page deleted, its content type gone with a flushed database) is looked
        # up afresh below, never an error.
        try:
            model = ContentType.objects.get_for_id(cached[0]).model_class()
        except ContentType.DoesNotExist:
            model = None
        page = one_page(route_queryset(model).filter(pk=cached[1])) if model is not None else None
        if page is not None and getattr(page, "url_path", None) == url_path:
            return page
        cache.delete(key)
    if root is not None and root.url_path == url_path:
        row = (root.content_type_id, root.pk)
    else:
        row = Page.objects.filter(url_path=url_path).values_list("content_type_id", "pk").first()
    if row is None:
        return None
    cache.set(key, list(row), ROUTE_TTL)
    model = ContentType.objects.get_for_id(row[0]).model_class()
    return one_page(route_queryset(model).filter(pk=row[1])) if model is not None else None


def one_page(queryset):
    """The row of a queryset filtered by primary key, or None: `.first()` would order it (by the
    page tree's path), and compiling that ordering costs about as much as the rest of the query."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


def route_queryset(model):
    """The page types' `route_select_related`: the relations every render of the page reads (its
    organisation, its image), joined into the routing query instead of one query each."""
    return model._default_manager.select_related(*getattr(model, "route_select_related", ()))


# The counters every page reads (the footer's links, the sites, the view-restriction flag).
request_memo.register(*(f"home:counter:{name}" for name in ("sites", "view-restrictions", "service-links")))


def _counter(name: str) -> int:
    from django.core.cache import cache

    key = f"home:counter:{name}"
    value = request_memo.get(key)
    if value is None:
        cache.add(key, page_cache.fresh_counter(), None)
        request_memo.forget(key)
        value = cache.get(key) or 1
    return value


def bump(name: str) -> None:
    """Forget what is cached under the counter `name` (home.signals: sites, service links, view restrictions)."""
    from django.core.cache import cache

    request_memo.forget(f"home:counter:{name}")
    try:
        cache.incr(f"home:counter:{name}")
    except ValueError:
        cache.set(f"home:counter:{name}", page_cache.fresh_counter(), None)


def _by_counter(name: str, compute, suffix: str = "", *, editorial: bool = False):
    """Cached under the counter `name` (and with `editorial` the editorial generation too: what a
    publish may change, or what must not outlive a rolled-back test database for long)."""
    from django.core.cache import cache

    generation = page_cache.generation() if editorial else 0
    key = f"home:{name}:{_counter(name)}:{generation}:{suffix}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, KEPT_TTL)
    return value


def site_for_request(request, *, lookup=None):
    """Wagtail's Site for the request's host, cached (one query per request otherwise; home.apps sends
    Wagtail's own lookup here, `lookup`); forgotten when a site is saved or deleted (home.signals)."""
    from wagtail.models import Site

    if lookup is None:
        return Site.find_for_request(request)  # remembered on the request
    return _by_counter("sites", lambda: lookup(request) or 0, request._get_raw_host()) or None


def service_links():
    return _by_counter("service-links", lambda: list(ServiceLink.objects.filter(is_active=True)), editorial=True)


def any_view_restriction() -> bool:
    """Whether any page has a view restriction (almost never): when none has, serving a page skips
    Wagtail's two restriction queries (home.apps patches Page.get_view_restrictions). Forgotten when
    a restriction is saved or deleted (home.signals)."""
    from wagtail.models import PageViewRestriction

    return _by_counter("view-restrictions", lambda: int(PageViewRestriction.objects.exists())) == 1


def child_branches(page: BranchHomePage):
    """The branches of the organisation's direct children, live, with their organisation, in tree order."""
    org = page.organization
    return list(
        BranchHomePage.objects.live()
        .filter(organization__path__startswith=org.path, organization__depth=org.depth + 1)
        .select_related("organization")
        .order_by("organization__path")
    )


def branch_context(page: BranchHomePage) -> dict:
    from django.utils.functional import SimpleLazyObject

    org: Organization = page.organization

    def child_groups():
        groups: dict[str, list] = {}
        for child in child_branches(page):
            groups.setdefault(child.organization.get_kind_display(), []).append(child)
        return groups

    return {
        "organization": org,
        # Lazy: rendered inside the {% wagtailpagecache %} fragment (a province has dozens of children).
        "child_groups": SimpleLazyObject(child_groups),
        **branch_header(page),
        "accent": page.accent,
    }


def branch_header(page: BranchHomePage) -> dict:
    """The branch bar: the branches above it (each with its organisation, one query; none for the
    province) and its navigation links. Cached per page path under the editorial generation (a
    rename, a move or a publish of the branch bumps it)."""

    def compute():
        paths = ancestor_paths(page.path)[1:]  # below the tree's root: the province's branch first
        crumbs = list(BranchHomePage.objects.filter(path__in=paths).select_related("organization")
                      .order_by("depth")) if paths else []
        return {"breadcrumbs": crumbs, "nav_links": list(page.nav_links.select_related("link_page").all())}

    return _by_generation(f"branch-header:{page.path}", compute)


def branch_urls(organization_ids) -> dict[int, str]:
    """organisation id -> public URL of its branch page, for a batch of organisations (one query)."""
    pages = BranchHomePage.objects.live().filter(organization_id__in=list(organization_ids))
    return {p.organization_id: p.get_url() for p in pages.only("pk", "url_path", "organization_id")}


def branch_for(page: Page) -> BranchHomePage | None:
    """The branch a page belongs to: itself if it is a branch, else its nearest branch ancestor."""
    if isinstance(page, BranchHomePage):
        return page
    return (
        BranchHomePage.objects.filter(path__in=ancestor_paths(page.path))
        .select_related("organization").order_by("-depth").first()
    )


def branch_chrome(page: Page) -> dict:
    """What a page under a branch shows of its branch: colour accent, navigation, a way back. Cached
    per page path under the editorial generation (the nav links change with a publish of the branch)."""

    def compute():
        branch = branch_for(page)
        if branch is None:
            return {}
        return {"branch": branch, "organization": branch.organization, "accent": branch.accent,
                "nav_links": list(branch.nav_links.select_related("link_page").all()),
                "parent_crumb": _parent_crumb(page, branch)}

    return _by_generation(f"branch-chrome:{page.path}", compute)


def _parent_crumb(page: Page, branch: BranchHomePage | None = None) -> dict | None:
    if branch is not None and page.depth == branch.depth + 1:  # the branch itself: no query
        return {"title": branch.title, "url": branch.get_url(), "is_branch": True}
    parent = page.get_parent()
    if parent is None:
        return None
    return {"title": parent.title, "url": parent.get_url(), "is_branch": parent.specific_class is BranchHomePage}


def parent_crumb(page: Page) -> dict | None:
    """The page's parent as a breadcrumb shows it (title, URL, whether it is a branch home): cached per
    page path under the editorial generation (a rename or move of the parent is a publish or a move)."""
    return _by_generation(f"parent-crumb:{page.path}", lambda: _parent_crumb(page))


# --- Featured slots and hot content -------------------------------------------------------------------


@dataclass
class SlotItem:
    """A filled featured slot, whether an editor chose it or the hot fallback did."""

    title: str
    href: str
    kind: str  # page | link | question
    source: str  # editor | hot
    summary: str = ""
    image: object = None
    page_id: int | None = None
    extra: dict = field(default_factory=dict)

    def as_api(self) -> dict:
        from .blocks import image_api

        return {"title": self.title, "href": self.href, "kind": self.kind, "source": self.source,
                "summary": self.summary, "page_id": self.page_id, "question_id": self.extra.get("question_id"),
                "image": image_api(self.image, "fill-640x360")}


def public_questions():
    """Questions the public may see (not removed, not held): the Q&A app's own feed rows, with a
    short `summary_text` instead of the body and without the tag prefetch."""
    from django.db.models.functions import Substr

    from .registry import questions

    source = questions()
    if source is None:  # no Q&A app registered (home.registry): no question is public
        return FeaturedItem._meta.get_field("link_question").related_model.objects.none()
    return source.public().select_related(None).prefetch_related(None).annotate(summary_text=Substr("body", 1, SUMMARY_CHARS))


def _question_summary(question) -> str:
    text = " ".join((getattr(question, "summary_text", "") or "").split())
    return text + "…" if len(text) >= SUMMARY_CHARS else text


def _curated(page, now) -> list[SlotItem]:
    # the linked pages' card rows (image, summary) joined: no query per kind of page
    joins = [f"link_page__{accessor}__image" for accessor in _card_accessors()]
    rows = [item for item in page.featured_items.select_related("link_page", "image", "link_question", *joins).all()
            if is_showing(item.starts_at, item.ends_at, now)]
    question_ids = [item.link_question_id for item in rows if item.link_question_id]
    # Removed or held questions leave their slot, like unpublished pages (one query, only if any).
    visible_questions = set(public_questions().filter(pk__in=question_ids).values_list("pk", flat=True)) \
        if question_ids else set()
    items = []
    for item in rows:
        if item.link_page_id and not item.link_page.live:
            continue
        if item.link_question_id:
            if item.link_question_id not in visible_questions:
                continue
            question = item.link_question
            summary = item.summary or " ".join(question.body.split())[:SUMMARY_CHARS]
            items.append(SlotItem(title=item.display_title, href=item.href, kind="question", source="editor",
                                  summary=summary, image=item.image, extra={"question_id": question.pk}))
            continue
        linked = _joined_card(item.link_page) if item.link_page_id else None
        image = item.image or getattr(linked, "image", None)
        summary = item.summary or getattr(linked, "summary", "")
        items.append(SlotItem(title=item.display_title, href=item.href, kind=item.kind, source="editor",
                              summary=summary, image=image, page_id=item.link_page_id))
    return items


# The page types whose cards show an image (and, for content pages, a summary): home.selectors.card_pages.
CARD_MODELS = (ContentPage, TopicPage)


def _joined_card(page):
    """The CARD_MODELS row joined to a Page through its parent link (select_related), or None."""
    for accessor in _card_accessors():
        card = page._state.fields_cache.get(accessor)
        if card is not None:
            return card
    return None


def _card_accessors() -> list[str]:
    """The Page → CARD_MODELS parent-link accessors (`contentpage`, `topicpage`)."""
    _paths, chains = _card_joins()
    return [chains[model][0] for model in CARD_MODELS]


def prime_renditions(images, *filter_specs: str) -> None:
    """Read the renditions `filter_specs` of images already loaded in one query (Wagtail reads them
    one image at a time otherwise). For fragments computed on a cache miss: a warm render finds the
    renditions in Wagtail's rendition cache without any query."""
    from wagtail.images import get_image_model

    images = [image for image in images if image is not None]
    if not images:
        return
    rendition_model = get_image_model().get_rendition_model()
    by_image: dict[int, list] = {image.pk: [] for image in images}
    for rendition in rendition_model.objects.filter(image_id__in=list(by_image), filter_spec__in=filter_specs):
        by_image[rendition.image_id].append(rendition)
    for image in images:
        for rendition in by_image[image.pk]:
            rendition.image = image  # its URL and alt text read the image: no query for it
        image.prefetched_renditions = list(by_image[image.pk])


def hot_items(branch_page: Page, *, domain: str | None = None, limit: int = 6, now=None) -> list[SlotItem]:
    """The branch's hot content: recent pages below it and visible questions of its organisation
    subtree, scored alike by views and interactions (home.domain.featured.hot_score; a question's
    interactions are its answers). Three queries whatever the sizes."""
    now = now or timezone.now()
    # The newest candidates only: the score's gravity sinks old content anyway.
    qs = ContentPage.objects.live().descendant_of(branch_page)
    if domain:
        qs = qs.filter(domain=domain)
    # The statistics joined (a page without a row has none yet): two queries with the questions.
    candidates = list(qs.select_related("image", "stats").order_by("-first_published_at")[:HOT_CANDIDATES])

    scored = []
    for p in candidates:
        s = _stats_of(p)
        score = hot_score(views=s.views if s else 0, interactions=s.interactions if s else 0,
                          published_at=p.first_published_at or p.last_published_at or now, now=now)
        scored.append((score, SlotItem(title=p.title, href=p.url or "", kind="page", source="hot", summary=p.summary,
                                       image=p.image, page_id=p.pk)))
    for q in _branch_questions(branch_page, domain):
        score = hot_score(views=q.view_count, interactions=q.answer_count, published_at=q.asked_at, now=now)
        scored.append((score, SlotItem(title=q.title, href=q.get_absolute_url(), kind="question", source="hot",
                                       summary=_question_summary(q), extra={"question_id": q.pk})))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _score, item in scored[:limit]]


def _stats_of(page) -> PageStats | None:
    try:
        return page.stats
    except PageStats.DoesNotExist:
        return None


def _branch_questions(branch_page: Page, domain: str | None) -> list:
    """The newest visible questions of the branch's organisation and the organisations below it."""
    organization = getattr(branch_page, "organization", None)
    if organization is None:
        return []
    qs = public_questions().filter(organization__path__startswith=organization.path)
    if domain:
        qs = qs.filter(domain=domain)
    return list(qs.only("pk", "title", "asked_at", "view_count", "answer_count")
                .order_by("-asked_at", "-id")[:HOT_CANDIDATES])


def featured_for(page, *, now=None) -> list[SlotItem]:
    """The page's slots: editors' items that are in their display window, in order; empty slots
    filled with hot content of the branch (of the category's domain on category pages). The slots'
    images come with their renditions (SLOT_IMAGE) in one query."""
    now = now or timezone.now()
    slots = page.featured_slots
    curated = _curated(page, now)
    if len(curated) >= slots:
        items = curated[:slots]
    else:
        if isinstance(page, CategoryPage):
            branch, domain = branch_for(page), page.domain
        else:
            branch, domain = page, None
        hot = hot_items(branch, domain=domain, limit=slots + len(curated), now=now) if branch is not None else []
        items = fill_slots(curated, hot, slots, key=lambda item: item.page_id or item.href)
    prime_renditions([item.image for item in items], SLOT_IMAGE)
    return items


SLOT_IMAGE = "fill-640x360"  # home/_slot_card.html, SlotItem.as_api
CARD_IMAGE = "fill-480x270"  # home/_page_card.html
SECTIONS = (("topics", TopicIndexPage), ("articles", ArticleIndexPage), ("activities", ActivityIndexPage),
            ("contests", ContestIndexPage), ("offers", OfferIndexPage))


def branch_sections(page: BranchHomePage, per_section: int = 4) -> dict:
    """Latest of each kind directly under this branch (its own index pages: the first of each kind),
    and its category pages. Three queries however many sections, pages and page types: the index
    and category pages in one, the newest children of all the indexes in one (a window per index,
    their specific rows and images joined: `card_pages`), the cards' renditions in one."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F, Q, Window
    from django.db.models.functions import RowNumber, Substr

    kinds = {ContentType.objects.get_for_model(model).pk: name for name, model in SECTIONS}
    category_type = ContentType.objects.get_for_model(CategoryPage).pk
    indexes: dict[str, Page] = {}
    categories: list[CategoryPage] = []
    for child in (Page.objects.child_of(page).live().filter(content_type_id__in=[*kinds, category_type])
                  .select_related("categorypage").order_by("path")):
        if child.content_type_id == category_type:
            categories.append(child.categorypage)
        else:
            indexes.setdefault(kinds[child.content_type_id], child)
    sections: dict[str, Any] = {}
    if indexes:
        prefix = len(next(iter(indexes.values())).path)  # the indexes are siblings: one path length
        under_any = Q()
        for index in indexes.values():
            under_any |= Q(path__startswith=index.path)
        newest = (Page.objects.live().filter(under_any, depth=page.depth + 2)
                  .annotate(rank=Window(RowNumber(), partition_by=Substr("path", 1, prefix),
                                        order_by=[F("first_published_at").desc(nulls_last=True), F("pk").desc()]))
                  .filter(rank__lte=per_section).order_by("-first_published_at", "-pk"))
        children: dict[str, list] = {}
        for child in card_pages(newest):
            children.setdefault(child.path[:prefix], []).append(child)
        prime_images([child for rows in children.values() for child in rows], CARD_IMAGE)
        for name, _model in SECTIONS:
            if name in indexes:
                sections[name] = {"index": indexes[name], "items": children.get(indexes[name].path, [])}
    sections["categories"] = categories
    return sections


def _card_joins() -> tuple[list[str], dict[type | None, tuple[str, ...]]]:
    """The select_related paths that bring a Page's specific row of a CARD_MODELS type (and of
    their subclasses, one level down) with its image, and each type's accessor chain from Page."""
    if _CARD_JOINS:
        return _CARD_JOINS[0]

    def children_of(model) -> dict[type, str]:  # multi-table children: their parent links' accessors
        return {rel.related_model: rel.get_accessor_name() for rel in model._meta.related_objects
                if rel.one_to_one and rel.parent_link}

    from_page = children_of(Page)
    paths: list[str] = []
    chains: dict[type | None, tuple[str, ...]] = {}
    for model in CARD_MODELS:
        top = from_page[model]
        chains[model] = (top,)
        paths.append(f"{top}__image")
        for child, accessor in children_of(model).items():
            chains[child] = (top, accessor)
            paths.append(f"{top}__{accessor}")
    _CARD_JOINS.append((paths, chains))
    return paths, chains


_CARD_JOINS: list = []


def card_pages(pages, *, others: bool = True) -> list:
    """The pages of a Page queryset as their specific objects, with their images, in one query
    whatever their types: the card types' tables joined (Wagtail's `.specific()` costs a query per
    type, and one more for the images). Pages of other types come through `.specific()` (a query
    per such type), or are left out with `others=False`."""
    from django.contrib.contenttypes.models import ContentType

    paths, chains = _card_joins()
    out: list = []
    rest: dict[int, int] = {}  # page id -> its place in `out`, for pages of other types
    for page in pages.select_related(*paths):
        chain = chains.get(ContentType.objects.get_for_id(page.content_type_id).model_class())
        if chain is None:
            if others:
                rest[page.pk] = len(out)
                out.append(page)
            continue
        node, image = page, None
        for accessor in chain:
            node = getattr(node, accessor)
            if image is None and "image" in node._state.fields_cache:
                image = node.image
        if node.image_id and "image" not in node._state.fields_cache:
            node.image = image  # joined on the parent table: the same row
        out.append(node)
    if rest:
        for specific in Page.objects.filter(pk__in=list(rest)).specific():
            out[rest[specific.pk]] = specific
    return out


def listing_children(page: Page):
    return page.get_children().live().specific().order_by("-first_published_at")


def paginate(request, items, per_page: int = PAGE_SIZE):
    paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))


# --- Topics ---------------------------------------------------------------------------------------------


@dataclass
class QuestionCard:
    """A question as a topic page lists it (home/_page_card.html has a branch for it)."""

    pk: int
    title: str
    url: str
    summary: str
    date: object
    answer_count: int
    is_question: bool = True


class TaggedFeed:
    """Everything carrying a tag, newest first: live content pages and visible Q&A questions (up to
    TAGGED_QUESTIONS of them), merged by date — read lazily for a paginator. The pages (an editorial
    handful) are read whole; of the questions only the newest that the requested page needs, found
    by walking the newest questions (at 10⁶ questions, sorting every tagged one took 0.4 s), and
    they are counted only when there are more than a first probe holds."""

    PROBE = 2 * PAGE_SIZE

    def __init__(self, tag: str, exclude_ids=()):
        self.tag = tag
        self.exclude_ids = list(exclude_ids)
        self._pages: list | None = None
        self._questions: dict[int, list] = {}
        self._question_total: int | None = None

    # How long the tag's pages and questions are kept (they are also forgotten at once: the pages on
    # every publish, under the editorial generation; the questions on every Q&A change, under the
    # `qa` scope generation that community.cache bumps).
    CACHE_SECONDS = 120

    def _key(self, name: str) -> str:
        import hashlib

        return f"tagged:{name}:{hashlib.blake2b(self.tag.encode(), digest_size=12).hexdigest()}"

    def pages(self) -> list:
        """The live content pages with the tag, newest first, as their specific types with their
        images: cached under the editorial generation (a publish, unpublish, move or delete changes
        them), otherwise read in one query (each type's own table joined and the tag as an EXISTS:
        `.specific()` read the ids first, then each type apart). The topic's pinned pages are left
        out here, so that every topic with the tag shares the entry."""
        if self._pages is None:
            pages = _by_generation(self._key("pages"), self._read_pages)
            exclude = set(self.exclude_ids)
            self._pages = [page for page in pages if page.pk not in exclude]
        return self._pages

    def _read_pages(self) -> list:
        from django.db.models import Exists, OuterRef

        kinds = self._content_kinds()
        tagged = ContentPage.tags.through.objects.filter(tag__name=self.tag, content_object_id=OuterRef("pk"))
        rows = (ContentPage.objects.live().filter(Exists(tagged)).select_related("image", *kinds)
                .order_by("-first_published_at", "-pk"))
        return [self._specific_of(page, kinds) for page in rows]

    @staticmethod
    def _content_kinds() -> list[str]:
        """The `select_related` paths from ContentPage to each of its concrete subclasses (deepest last)."""
        paths: list[str] = []

        def walk(model, prefix):
            for sub in model.__subclasses__():
                if sub._meta.abstract or sub._meta.proxy:
                    continue
                path = prefix + sub._meta.model_name
                paths.append(path)
                walk(sub, path + "__")

        walk(ContentPage, "")
        return paths

    @staticmethod
    def _specific_of(page, kinds: list[str]):
        """The most specific instance joined by `select_related(*kinds)` (a ContentPage when none)."""
        specific = page
        for path in kinds:
            obj = page
            for name in path.split("__"):
                obj = getattr(obj, name, None) if obj is not None else None
            if obj is not None and isinstance(obj, type(specific)):
                specific = obj
        if specific is not page and "image" in page._state.fields_cache:
            specific._state.fields_cache.setdefault("image", page._state.fields_cache["image"])
        return specific

    def _by_qa_generation(self, name: str, compute):
        """`compute()` cached under the `qa` scope generation (core.page_cache: bumped when a question,
        an answer or a moderation decision changes what the Q&A pages show)."""
        generation = page_cache.scope_generation("qa")
        if not generation:  # the cache is unreachable
            return compute()
        return _cached(f"home:{self._key(name)}:{generation}", compute, self.CACHE_SECONDS)

    @staticmethod
    def _source_and_tags():
        """The public questions and the Q&A app's own tag table (tag name, question)."""
        source = public_questions()
        return source, source.model._meta.get_field("tags").remote_field.through

    def _question_rows(self):
        from django.db.models import Exists, OuterRef

        source, tags = self._source_and_tags()
        tagged = tags.objects.filter(tag__name=self.tag, content_object_id=OuterRef("pk"))
        return source.filter(Exists(tagged)).only("pk", "title", "asked_at", "answer_count").order_by("-asked_at", "-id")

    def questions(self, top: int) -> list:
        top = min(max(top, self.PROBE), TAGGED_QUESTIONS)
        for size, rows in self._questions.items():
            if size >= top or len(rows) < size:  # enough, or all there are
                return rows
        rows = self._by_qa_generation(f"questions-{top}", lambda: [
            QuestionCard(pk=q.pk, title=q.title, url=q.get_absolute_url(), summary=_question_summary(q),
                         date=q.asked_at, answer_count=q.answer_count) for q in self._question_rows()[:top]])
        self._questions[top] = rows
        return rows

    def _question_count(self) -> int:
        """At most TAGGED_QUESTIONS. Beyond the probe: the visible ones among the first tagged rows
        read by the tag's index (bounded work at any size). Exact unless more than a fifth of those
        rows are hidden questions; the pagination then shows a page or two fewer."""
        probe = self.questions(self.PROBE)
        if len(probe) < self.PROBE:
            return len(probe)

        def count():
            source, tags = self._source_and_tags()
            sample = tags.objects.filter(tag__name=self.tag).values("content_object_id")[:TAGGED_QUESTIONS * 6 // 5]
            return source.filter(pk__in=sample).count()

        return max(len(probe), min(self._by_qa_generation("count", count), TAGGED_QUESTIONS))

    def count(self) -> int:
        if not self.tag:
            return 0
        if self._question_total is None:
            self._question_total = self._question_count()
        return len(self.pages()) + self._question_total

    def __len__(self) -> int:
        return self.count()

    def _newest(self, top: int) -> list:
        top = min(top, self.count())
        if top <= 0:
            return []
        merged = [(p.first_published_at, p) for p in self.pages()] + [(q.date, q) for q in self.questions(top)]
        merged.sort(key=lambda pair: pair[0] or timezone.now(), reverse=True)
        return [item for _date, item in merged[:top]]

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop is not None and index.stop < 0):
                return list(self)[index]
            stop = self.count() if index.stop is None else index.stop
            return self._newest(stop)[index.start or 0:stop]
        if index < 0:
            index += self.count()
        rows = self._newest(index + 1)
        if not 0 <= index < len(rows):
            raise IndexError(index)
        return rows[index]

    def __iter__(self):
        return iter(self._newest(self.count()))


def tagged_items(tag: str, *, exclude_ids=()):
    """Everything carrying `tag`, newest first (a lazy TaggedFeed; [] for no tag)."""
    if not tag:
        return []
    return TaggedFeed(tag, exclude_ids)


def open_topics(branch_page: Page, limit: int = 6):
    now = timezone.now()
    qs = TopicPage.objects.live().descendant_of(branch_page).order_by("-first_published_at")
    return [t for t in qs[: limit * 3] if is_showing(t.starts_at, t.ends_at, now)][:limit]


# --- Sign-ups and votes ---------------------------------------------------------------------------------


def prime_images(items: list, *filter_specs: str, attr: str = "image") -> None:
    """Load the images of a list of pages (or slot items) and their renditions for `filter_specs`
    in two queries, instead of two per item when the template renders each card."""
    from wagtail.images import get_image_model

    ids = {getattr(item, f"{attr}_id", None) for item in items} - {None}
    if not ids:
        return
    with_image = [item for item in items if getattr(item, f"{attr}_id", None)]
    loaded = [item for item in with_image if attr in getattr(getattr(item, "_state", None), "fields_cache", {})]
    if len(loaded) == len(with_image):
        # The images came with the items (select_related): only their renditions, in one query.
        prime_renditions(list({id(getattr(item, attr)): getattr(item, attr) for item in loaded}.values()),
                         *filter_specs)
        return
    images = get_image_model().objects.filter(pk__in=ids).prefetch_renditions(*filter_specs).in_bulk()
    for item in items:
        image_id = getattr(item, f"{attr}_id", None)
        if image_id in images:
            setattr(item, attr, images[image_id])


def prime_listing(pages: list) -> None:
    """Load in a few queries what each page of an API listing shows per item (sign-up seats, vote
    counts, candidates), so that a listing costs the same whatever its length (issue 23)."""
    from collections import defaultdict

    from django.db.models import Count, prefetch_related_objects

    activities = [p for p in pages if isinstance(p, ActivityPage)]
    if activities:
        taken = dict(SignupSheet.objects.filter(activity_id__in=[a.pk for a in activities])
                     .values_list("activity_id", "taken"))
        for activity in activities:
            activity._yv_taken = taken.get(activity.pk, 0)
    contests = [p for p in pages if isinstance(p, ContestPage)]
    if contests:
        prefetch_related_objects(contests, "candidates")
        counts: dict[int, dict[int, int]] = defaultdict(dict)
        for row in (Vote.objects.filter(contest_id__in=[c.pk for c in contests])
                    .values("contest_id", "candidate_id").annotate(n=Count("id"))):
            counts[row["contest_id"]][row["candidate_id"]] = row["n"]
        for contest in contests:
            contest._yv_vote_counts = counts.get(contest.pk, {})


def signup_summary(activity: ActivityPage, *, now=None) -> dict:
    now = now or timezone.now()
    taken = getattr(activity, "_yv_taken", None)
    if taken is None:
        if "sheet" in activity._state.fields_cache:  # joined by the routing query (route_select_related)
            sheet = activity._state.fields_cache["sheet"]
        else:
            sheet = SignupSheet.objects.filter(activity_id=activity.pk).only("taken").first()
        taken = sheet.taken if sheet else 0
    state = brand.signup_state(enabled=activity.signup_enabled, capacity=activity.capacity, taken=taken,
                               deadline=activity.signup_deadline, starts_at=activity.starts_at, now=now)
    return {"state": state, "capacity": activity.capacity if activity.signup_enabled else None, "taken": taken,
            "remaining": max(activity.capacity - taken, 0) if activity.signup_enabled else None,
            "deadline": activity.signup_deadline or activity.starts_at}


def vote_counts(contest) -> dict[int, int]:
    from django.db.models import Count

    primed = getattr(contest, "_yv_vote_counts", None)
    if primed is not None:
        return primed
    rows = Vote.objects.filter(contest_id=contest.pk).values("candidate_id").annotate(n=Count("id"))
    return {r["candidate_id"]: r["n"] for r in rows}


def voting_summary(contest, *, is_staff: bool = False, now=None) -> dict:
    now = now or timezone.now()
    state = brand.voting_state(starts_at=contest.voting_starts_at, ends_at=contest.voting_ends_at, now=now)
    visible = brand.results_visible(visibility=contest.results_visibility, voting=state, is_staff=is_staff)
    summary = {"state": state, "results_visible": visible}
    if visible:
        counts = vote_counts(contest)
        summary["results"] = [{"candidate_id": c.pk, "name": c.name, "votes": counts.get(c.pk, 0)}
                              for c in contest.candidates.all()]
    return summary


_LOOK_UP = object()


def is_branch_staff(user, page, *, branch=_LOOK_UP) -> bool:
    """May the user edit for the page's branch? `branch`: the page's branch when the caller has it
    (None: it has none), else it is looked up."""
    from organizations.models import EDITORIAL_ROLES
    from organizations.permissions import can_act

    if not getattr(user, "is_authenticated", False):
        return False
    if branch is _LOOK_UP:
        branch = branch_for(page)
    return branch is not None and can_act(user, branch.organization, EDITORIAL_ROLES)


def signups_for(activity: ActivityPage):
    return ActivitySignup.objects.filter(activity_id=activity.pk).select_related("user").order_by("created_at", "pk")


def page_tags(page: ContentPage) -> list[str]:
    """The page's tag names, cached under the editorial generation (tags change with a publish, and a
    tag's rename or deletion bumps it too: home.signals)."""
    return _by_generation(f"tags:{page.pk}", lambda: [t.name for t in page.tags.all()])


def content_context(page: ContentPage, user) -> dict:
    """Per-type context for editorial pages (the user is anonymous on cached responses)."""
    from .models import ContestPage

    context = branch_chrome(page)
    specific = page.specific if type(page) is ContentPage else page
    if isinstance(specific, ActivityPage):
        context["signup"] = signup_summary(specific)
        if getattr(user, "is_authenticated", False):
            context["my_signup"] = ActivitySignup.objects.filter(activity_id=specific.pk, user=user).first()
            context["is_staff"] = is_branch_staff(user, specific, branch=context.get("branch"))
    elif isinstance(specific, ContestPage):
        staff = is_branch_staff(user, specific, branch=context.get("branch"))
        context["voting"] = voting_summary(specific, is_staff=staff)
        context["results"] = {r["candidate_id"]: r["votes"] for r in context["voting"].get("results", [])}
        context["candidates"] = list(specific.candidates.select_related("photo").all())
        for candidate in context["candidates"]:
            candidate.vote_count = context["results"].get(candidate.pk, 0)
        if getattr(user, "is_authenticated", False):
            today = timezone.localdate()
            context["voted_today"] = set(Vote.objects.filter(contest_id=specific.pk, user=user, day=today)
                                         .values_list("candidate_id", flat=True))
    return context
