"""Writes on branch and editorial pages: branch pages and their moderation workflow, activity
sign-ups, contest votes, page views. Keyword-only arguments; permission check, validation, save,
audit, side effects on commit."""

import re

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission, Page, Site

from core.errors import Conflict, Forbidden, Invalid, NotFound, bilingual
from organizations.models import Organization

from .domain import brand
from .models import (
    ActivityPage,
    ActivitySignup,
    BranchHomePage,
    ContestPage,
    HomePage,
    PageStats,
    SignupSheet,
    Vote,
)

CITY_SLUGS_NOTE = "Branch slugs are the organisation's slug; the URL mirrors the organisation tree."


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _grant(group, page, codenames):
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_page_permission(codename))


@transaction.atomic
def ensure_branch_page(*, organization: Organization) -> BranchHomePage:
    """Create or refresh the organisation's branch page, its group permissions and its moderation
    workflow (idempotent)."""
    from organizations.services import ADMIN_PAGE_PERMISSIONS, EDITOR_PAGE_PERMISSIONS

    page = BranchHomePage.objects.filter(organization=organization).first()
    page = page.specific if page is not None else None
    title = organization.name
    if page is None:
        if organization.is_root():
            page = _create_home_page(organization)
        else:
            parent_org = organization.get_parent()
            parent_page = BranchHomePage.objects.get(organization=parent_org)
            page = BranchHomePage(title=title, slug=organization.slug, organization=organization)
            parent_page.add_child(instance=page)
            page.save_revision().publish()
    elif page.title != title:
        page.title = title
        page.save_revision().publish()
    if organization.editors_group_id:
        _grant(organization.editors_group, page, EDITOR_PAGE_PERMISSIONS)
    if organization.admins_group_id:
        _grant(organization.admins_group, page, ADMIN_PAGE_PERMISSIONS)
        ensure_branch_workflow(organization=organization, page=page)
    return page


def ensure_branch_workflow(*, organization: Organization, page: BranchHomePage | None = None):
    """The branch's moderation workflow (submit → approve): its editors (add/change, no publish)
    submit; the administrators of the organisation or of any organisation above it approve and
    publish. Assigned to the branch page, so it covers the branch's pages but not its sub-branches,
    which have their own (Wagtail uses the nearest assigned workflow). Idempotent."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from organizations.selectors import ancestors

    page = page or BranchHomePage.objects.get(organization=organization)
    suffix = f"#{organization.pk}"
    task = GroupApprovalTask.objects.filter(name__endswith=suffix, name__startswith="审核").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=f"审核：{organization.display_name}管理员 {suffix}")
    approvers = [o.admins_group_id for o in [*ancestors(organization), organization] if o.admins_group_id]
    if set(task.groups.values_list("pk", flat=True)) != set(approvers):
        task.groups.set(approvers)
    workflow = Workflow.objects.filter(name__endswith=suffix, name__startswith="发布审核").first()
    if workflow is None:
        workflow = Workflow.objects.create(name=f"发布审核：{organization.display_name} {suffix}")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def ensure_wagtail_root() -> Page:
    """The default locale and the tree root, which Wagtail's migrations create; a database that was
    flushed (transactional tests) has neither."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    return root


def _create_home_page(organization: Organization) -> HomePage:
    """The province's page becomes the root of the default site, replacing Wagtail's welcome page."""
    root = ensure_wagtail_root()
    home = HomePage(title=organization.name, slug=organization.slug, organization=organization)
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    old_root_id = site.root_page_id if site else None
    if site:
        site.root_page = home
        site.site_name = "青年之声"
        site.save()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="青年之声")
    if old_root_id and old_root_id != home.pk:
        old = Page.objects.filter(pk=old_root_id).exclude(pk=home.pk).first()
        if old is not None and old.specific_class is Page:
            old.delete()  # Wagtail's empty welcome page from its initial migration
    return home


# --- Sign-ups ---------------------------------------------------------------------------------------------

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}$")


def _require_user(actor):
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise Forbidden(_("Please log in first"), code="unauthenticated")


def _live(model, pk, zh, en):
    page = model.objects.live().filter(pk=pk).first()
    if page is None:
        raise NotFound(_("%(value)s not found"), params={"value": bilingual(zh, en)})
    return page


def _count_interaction(page_id: int, delta: int = 1) -> None:
    if not PageStats.objects.filter(page_id=page_id).update(interactions=F("interactions") + delta):
        PageStats.objects.get_or_create(page_id=page_id, defaults={"interactions": max(delta, 0)})


@transaction.atomic
def sign_up(*, actor, activity_id: int, name: str = "", phone: str = "", note: str = "") -> ActivitySignup:
    """Take one seat. Locks the activity's SignupSheet row; the database refuses taken > capacity."""
    _require_user(actor)
    activity = _live(ActivityPage, activity_id, "活动", "Activity")
    name = (name or actor.real_name or actor.display_name or "").strip()
    phone = (phone or actor.phone or "").strip()
    errors = {}
    if not name or len(name) > 40:
        errors["name"] = "请填写姓名（不超过 40 字）/ name is required (at most 40 characters)"
    if not PHONE_RE.match(phone):
        errors["phone"] = "请填写有效的电话号码 / a valid phone number is required"
    if len(note or "") > 200:
        errors["note"] = "备注不超过 200 字 / note is at most 200 characters"
    if errors:
        raise Invalid(_("Sign-up details are incomplete"), fields=errors)
    now = timezone.now()
    SignupSheet.objects.get_or_create(activity_id=activity.pk, defaults={"capacity": activity.capacity})
    sheet = SignupSheet.objects.select_for_update().get(activity_id=activity.pk)
    state = brand.signup_state(enabled=activity.signup_enabled, capacity=activity.capacity, taken=sheet.taken,
                               deadline=activity.signup_deadline, starts_at=activity.starts_at, now=now)
    if ActivitySignup.objects.filter(activity_id=activity.pk, user=actor).exists():
        raise Conflict(_("You have already signed up for this activity"), code="already_signed_up")
    if state == "closed":
        raise Invalid(_("This activity does not take online sign-ups"), code="signup_closed")
    if state == "ended":
        raise Conflict(_("Sign-up has closed"), code="signup_ended")
    if state == "full":
        raise Conflict(_("The activity is full"), code="full")
    signup = ActivitySignup.objects.create(activity_id=activity.pk, user=actor, name=name, phone=phone,
                                           note=(note or "").strip(), created_at=now)
    sheet.capacity = activity.capacity
    sheet.taken += 1
    sheet.save(update_fields=["capacity", "taken"])
    _count_interaction(activity.pk)
    log(instance=signup, action="wagtail.create", user=actor, data={"activity_id": activity.pk})
    return signup


@transaction.atomic
def cancel_signup(*, actor, activity_id: int) -> None:
    _require_user(actor)
    activity = _live(ActivityPage, activity_id, "活动", "Activity")
    sheet = SignupSheet.objects.select_for_update().filter(activity_id=activity.pk).first()
    signup = ActivitySignup.objects.filter(activity_id=activity.pk, user=actor).first()
    if signup is None or sheet is None:
        raise NotFound(_("You have not signed up for this activity"))
    if timezone.now() >= activity.starts_at:
        raise Conflict(_("The activity has started; sign-up can no longer be cancelled"))
    log(instance=signup, action="wagtail.delete", user=actor, data={"activity_id": activity.pk})
    signup.delete()
    sheet.taken = max(sheet.taken - 1, 0)
    sheet.save(update_fields=["taken"])
    _count_interaction(activity.pk, -1)


def check_signup_list_access(*, actor, activity: ActivityPage) -> None:
    from .selectors import is_branch_staff

    if not is_branch_staff(actor, activity):
        raise Forbidden(_("You may not see this sign-up list"))


# --- Votes ------------------------------------------------------------------------------------------------


@transaction.atomic
def vote(*, actor, contest_id: int, candidate_id: int) -> Vote:
    """One vote per user per candidate per local day, only while voting is open."""
    _require_user(actor)
    contest = _live(ContestPage, contest_id, "评选", "Contest")
    now = timezone.now()
    state = brand.voting_state(starts_at=contest.voting_starts_at, ends_at=contest.voting_ends_at, now=now)
    if state == "not_started":
        raise Conflict(_("Voting has not opened yet"), code="voting_not_started")
    if state == "closed":
        raise Conflict(_("Voting has closed"), code="voting_closed")
    candidate = contest.candidates.filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound(_("Candidate not found"))
    day = timezone.localdate(now)
    duplicate = Conflict(_("You have already voted for this candidate today"),
                         code="already_voted")
    if Vote.objects.filter(candidate=candidate, user=actor, day=day).exists():
        raise duplicate
    try:
        with transaction.atomic():
            ballot = Vote.objects.create(contest_id=contest.pk, candidate=candidate, user=actor, day=day, created_at=now)
    except IntegrityError:
        raise duplicate from None
    _count_interaction(contest.pk)
    return ballot


# --- Views ------------------------------------------------------------------------------------------------


VIEW_DEDUP_SECONDS = 600


def record_view(*, page_id: int, visitor: str = "") -> None:
    """Count one view of a live editorial page (a beacon from the page, so cached pages count too).
    A visitor (IP address or user id) counts once per page per 10 minutes, so reloading or
    scripting the beacon does not inflate the hot score."""
    from django.core.cache import cache

    from .models import ContentPage

    if not ContentPage.objects.live().filter(pk=page_id).exists():
        raise NotFound(_("Page not found"))
    if visitor and not cache.add(f"yv:view:{page_id}:{visitor}", 1, VIEW_DEDUP_SECONDS):
        return
    if not PageStats.objects.filter(page_id=page_id).update(views=F("views") + 1):
        try:
            with transaction.atomic():
                PageStats.objects.create(page_id=page_id, views=1)
        except IntegrityError:
            PageStats.objects.filter(page_id=page_id).update(views=F("views") + 1)


def publish_honours_page(*, organization: Organization, title: str, slug: str, summary: str,
                         entries: list[tuple[str, str]]) -> ContestPage:
    """The honours list of an awards round as the branch's 推优评选 page (a ContestPage whose voting
    is closed: the candidates are the honoured, each with the citation), under the branch's contest
    index (created if the branch has none). Republishing the same slug replaces the list."""
    from datetime import timedelta

    from .models import ContestCandidate, ContestIndexPage, ResultsVisibility

    branch = ensure_branch_page(organization=organization)
    index = ContestIndexPage.objects.child_of(branch).first()
    if index is None:
        index = ContestIndexPage(title="推优评选", slug="contests")
        branch.add_child(instance=index)
        index.save_revision().publish()
    now = timezone.now()
    page = ContestPage.objects.child_of(index).filter(slug=slug).first()
    if page is None:
        page = ContestPage(title=title[:255], slug=slug, summary=summary[:200], voting_starts_at=now - timedelta(minutes=1),
                           voting_ends_at=now, results_visibility=ResultsVisibility.AFTER_CLOSE)
        index.add_child(instance=page)
    else:
        page.title, page.summary = title[:255], summary[:200]
        page.candidates.all().delete()
    for i, (name, citation) in enumerate(entries):
        page.candidates.add(ContestCandidate(name=name[:60], description=citation[:500], sort_order=i))
    page.save_revision().publish()
    log(instance=page, action="wagtail.publish", user=None, data={"honours": len(entries)})
    return page


def warm_fragments(*, path: str) -> int:
    """Fill the fragment caches ({% wagtailpagecache %}: featured slots, hot content, sections) of the
    branch and category pages above a published page, itself included, in every language — so that
    the first visit after a publish renders at warm cost instead of computing them (issue 23).
    Returns the number of renders."""
    from organizations.domain.tree import ancestor_paths

    from .models import CategoryPage

    return _render_anonymously(Page.objects.live().filter(path__in=ancestor_paths(path, include_self=True))
                               .type(BranchHomePage, CategoryPage).specific().order_by("depth"))


def warm_branches(*, max_depth: int | None = None) -> int:
    """Fill the caches every visitor's first page reads — the branch and category pages' fragments,
    the chrome, the routes, Wagtail's renditions and site paths — by rendering those pages (down to
    `max_depth` in the page tree: 3 is the province and its cities) in every language. Run after a
    deploy or a cache flush (`manage.py warm_caches`) and by the demo loader. Returns the renders."""
    from .models import CategoryPage

    pages = Page.objects.live().type(BranchHomePage, CategoryPage)
    if max_depth is not None:
        pages = pages.filter(depth__lte=max_depth)
    return _render_anonymously(pages.specific().order_by("path"))


def _render_anonymously(pages) -> int:
    """Render each page as an anonymous visitor would see it, in every language."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import translation

    site = Site.objects.filter(is_default_site=True).first()
    host = {"HTTP_HOST": site.hostname, "SERVER_PORT": site.port} if site else {}
    factory = RequestFactory()
    rendered = 0
    for page in pages:
        url = page.get_url() or "/"
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                request = factory.get(url, **host)
                request.user = AnonymousUser()
                request.LANGUAGE_CODE = code
                response = page.serve(request)
                if hasattr(response, "render"):
                    response.render()
                rendered += 1
    return rendered
