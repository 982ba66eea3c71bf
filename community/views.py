"""Youth-facing Q&A pages. Thin: selectors for reads, services for writes; service errors become a
message on the page (never a 500)."""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import default_organization_for
from core import page_cache
from core.domains import ServiceDomain
from core.errors import Invalid, ServiceError
from core.page_cache import CSRF_MARKER, anonymous_cacheable
from organizations import permissions
from organizations.domain.tree import ancestor_paths
from organizations.models import ANSWERING_ROLES, EDITORIAL_ROLES, Organization

from . import selectors, services
from .forms import AnswerForm, AskForm, OutcomeForm
from .models import Answer, Invitation, Question, QuestionStatus, QuestionTag

PAGE_SIZE = 20
FEED_SECONDS = 60  # at most this old: the deadlines' "time left" (every question change bumps the scope)


def _org_from_request(request):
    org_id, slug = request.GET.get("org"), request.GET.get("branch")
    qs = Organization.objects.filter(is_active=True)
    if org_id and org_id.isdigit():
        return qs.filter(pk=int(org_id)).first()
    if slug:
        return qs.filter(slug=slug).first()
    return None


def _feed_names_its_place(request) -> bool:
    """A feed URL that names its place (`org`, `branch`, `scope=all`) shows the same questions to
    everyone, so logged-in users may share it; `/qa/` alone defaults to a logged-in youth's own place."""
    return any(request.GET.get(k) for k in ("org", "branch")) or request.GET.get("scope") == "all"


@anonymous_cacheable(users=_feed_names_its_place)
def feed(request):
    org = _org_from_request(request)
    # A logged-in youth's feed defaults to their own place (accounts.selectors.default_organization_for);
    # ?scope=all shows the whole province. Anonymous visitors keep the whole-province feed.
    whole_province = request.GET.get("scope") == "all"
    own_place = None
    if request.user.is_authenticated:
        own_place = default_organization_for(request.user)
        if own_place is not None and own_place.depth <= 1:
            own_place = None
        if org is None and not whole_province and not request.GET.get("org") and not request.GET.get("branch"):
            org = own_place
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.FEED_SORTS else "latest"
    domain = request.GET.get("domain") if request.GET.get("domain") in ServiceDomain.values else None
    tag = (request.GET.get("tag") or "")[:100] or None
    base = {k: v for k, v in (("org", org.pk if org else None), ("scope", "all" if whole_province and not org else None),
                              ("domain", domain), ("tag", tag)) if v}
    # The tabs, filters and questions: one fragment per feed and cursor under the feeds' scope `qa`
    # (any question's change bumps it), the same for every viewer (a youth's own place is its `org`).
    cursor = (request.GET.get("cursor") or "")[:200]
    raw = f"{sorted(base.items())}|{sort}|{cursor}"
    key = _shared_key("feed", hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest(), "qa")
    feed_list = cache.get(key)
    if feed_list is None:
        qs = selectors.feed(organization=org, domain=domain, tag=tag, sort=sort)
        try:
            rows, next_cursor = selectors.keyset_page(qs, sort=sort, limit=PAGE_SIZE, cursor=cursor or None)
        except Invalid:
            rows, next_cursor = selectors.keyset_page(qs, sort=sort, limit=PAGE_SIZE, cursor=None)
        now = timezone.now()
        for q in rows:
            q.overdue = q.status == QuestionStatus.OPEN and q.deadline_at < now
        feed_list = render_to_string("community/_feed_list.html", {
            "questions": rows, "next_cursor": next_cursor, "sort": sort, "domain": domain, "tag": tag,
            "domains": ServiceDomain.choices, "tags": QuestionTag.objects.order_by("name")[:30], "base_params": base,
            "sorts": [("latest", _("Latest")), ("hot", _("Hot")), ("unanswered", _("Unanswered"))]})
        cache.set(key, feed_list, FEED_SECONDS)
    return render(request, "community/feed.html", {
        **_place_note(own_place, org, base, sort), "me_url": f"/qa/me/feed/?{request.GET.urlencode()}",
        "feed_list": mark_safe(feed_list), "domain": domain,  # noqa: S308 (our own render)
    })


DISCUSSION_PARTS = ("comments", "answers", "answer_form", "history")  # the question page's fragments: community/_<part>.html
DISCUSSION_SECONDS = 300  # at most this old: an author's changed name (everything else bumps the question's scope)


def _shared_key(kind: str, pk: int | str, scope: str) -> str:
    return f"qa:page:{kind}:v1:{pk}:{page_cache.scope_generation(scope)}:{translation.get_language()}"


def _related(q) -> list[dict]:
    """Related questions, kept under the feeds' scope `qa` (any question's change bumps it)."""
    key = _shared_key("related", q.pk, "qa")
    rows = cache.get(key)
    if rows is None:
        rows = [{"url": r.get_absolute_url(), "title": r.title} for r in selectors.related_questions(q)]
        cache.set(key, rows, DISCUSSION_SECONDS)
    return rows


def _discussion_context(q, user) -> dict:
    selectors.label_people(q, user)  # every name on the page as this viewer may see it
    answers = list(q.answers.all())
    for a in answers:
        a.is_accepted = a.pk == q.accepted_answer_id
    return {"answers": answers}


@anonymous_cacheable(on_hit=("qa-view", "pk"), users=True)
def question_page(request, pk: int):
    """One page for everyone: a visitor's render is shared (core.page_cache: logged-in users get it
    with their frame) and shows nothing personal; the viewer's own state — likes, follow, their own
    posts, the asker's tools, their posts held for review — comes from `GET /qa/me/<id>/`
    (community/me.js), or is filled in by a personal render (a cache miss, staff).

    A visitor's render keeps the question and its rendered answers, comments, history and answer
    form as one entry under the question's scope (`qa:<id>`: every write to the question, its
    answers or comments and every moderation decision bumps it), so the next render after a page-
    cache miss reads no question from the database."""
    user = request.user
    personal = user.is_authenticated
    key = _shared_key("question", pk, f"qa:{pk}")
    entry = None if personal else cache.get(key)
    if entry is None:
        q = selectors.question_detail(pk, user)
        if q is None:
            raise Http404
        context = _page_context(q)
        if personal:
            context.update(_personal_context(q, user))
        context.update(_discussion_context(q, user))
        parts = {part: render_to_string(f"community/_{part}.html", context) for part in DISCUSSION_PARTS}
        for name in ("answers", "question_comments", "events"):  # rendered above: not kept with the question
            getattr(q, "_prefetched_objects_cache", {}).pop(name, None)
        q.__dict__.pop("question_comments", None)
        entry = {"q": q, "parts": parts}
        if not personal:
            cache.set(key, entry, DISCUSSION_SECONDS)
    else:
        context = _page_context(entry["q"])
    q = entry["q"]
    services.record_view(q)
    context.pop("csrf_token")
    token = get_token(request)
    context.update({part: mark_safe(html.replace(CSRF_MARKER, token))  # noqa: S308 (our own render)
                    for part, html in entry["parts"].items()})
    context["asker_name"] = selectors.asker_name(user, q)
    context["related"] = _related(q)
    return render(request, "community/question.html", context)


def _page_context(q) -> dict:
    return {"q": q, "shared": True, "overdue": q.is_open and q.deadline_at < timezone.now(),
            "report_reasons": _report_reasons(), "csrf_token": CSRF_MARKER, "answer_form": AnswerForm(),
            "state": {"liked": False, "followed": False, "liked_answers": set(), "mine": set()}}


def _personal_context(q, user) -> dict:
    """What a logged-in viewer's own render adds: their state, the asker's and the staff's tools."""
    # every staff group holds access_admin (organizations.services): a youth is not staff without a
    # query of its own (the page frame has loaded the user's permissions already)
    is_staff = user.has_perm("wagtailadmin.access_admin") and permissions.can_act(user, q.organization, ANSWERING_ROLES)
    state = selectors.my_question_state(q, user)
    is_asker = user.pk == q.asker_id
    return {
        "shared": False, "state": state, "is_asker": is_asker, "is_staff": is_staff, "viewer_id": user.pk,
        "can_feature": user.has_perm("wagtailadmin.access_admin") and permissions.can_act(user, q.organization, EDITORIAL_ROLES),
        "org_accounts": list(permissions.organizations_for(user, ANSWERING_ROLES).filter(
            path__in=ancestor_paths(q.organization.path, include_self=True))) if is_staff else [],
        "transfer_targets": (
            list(permissions.organizations_for(user, ANSWERING_ROLES).exclude(pk=q.organization_id).order_by("path")[:300])
            if is_staff and q.is_open else []),
        "referral_stations": list(selectors.referral_stations(q)) if is_staff and q.is_open else [],
        "suggested": selectors.suggested_experts(q) if is_staff and q.is_open else [],
        "me": _me_context(q, user, state=state, is_asker=is_asker, is_staff=is_staff),
    }


def _me_context(q, user, *, state: dict, is_asker: bool, is_staff: bool) -> dict:
    may_invite = q.status == QuestionStatus.OPEN and (is_asker or is_staff)
    return {
        "q": q, "is_asker": is_asker, "pending": state["pending"], "outcome_form": OutcomeForm(),
        "experts": list(selectors.experts_for_domain(q.domain)[:20]) if may_invite else [],
        "state_json": json.dumps({"liked": sorted((["q"] if state["liked"] else [])
                                                  + [f"a{pk}" for pk in state["liked_answers"]]),
                                  "followed": state["followed"], "mine": sorted(state["mine"]), "asker": is_asker}),
    }


def _place_note(own_place, org, base: dict, sort: str) -> dict:
    return {"own_place": own_place, "organization": org, "sort": sort,
            "base_no_org": {k: v for k, v in base.items() if k not in ("org", "scope")}}


def feed_me(request):
    """The logged-in youth's own line on a shared feed page (community/me.js): the feed of their own
    place or the switch to it. Private; 204 for a visitor or a youth without a place. 2 queries."""
    response = HttpResponse(status=204)
    if request.user.is_authenticated:
        own_place = default_organization_for(request.user)
        if own_place is not None and own_place.depth > 1:
            org_id, slug = request.GET.get("org"), request.GET.get("branch")
            org = own_place if (org_id == str(own_place.pk) or (not org_id and slug == own_place.slug)) else None
            sort = request.GET.get("sort") if request.GET.get("sort") in selectors.FEED_SORTS else "latest"
            base = {k: request.GET.get(k) for k in ("domain", "tag") if request.GET.get(k)}
            response = HttpResponse(render_to_string("community/_feed_me.html", _place_note(own_place, org, base, sort)))
    response["Cache-Control"] = "private, no-store"
    return response


def question_me(request, pk: int):
    """The viewer's own state on a question page (what community/me.js puts into a shared cached
    page): the state of their like and follow buttons, their own posts, the asker's tools and their
    posts held for review. Private; a visitor or an unknown question gets 204. A fixed number of
    queries (tests/community/test_shared_question_page.py)."""
    response = HttpResponse(status=204)
    if request.user.is_authenticated:
        q = (Question.objects.exclude(status=QuestionStatus.REMOVED).exclude(moderation_status="removed")
             .only("pk", "asker_id", "status", "domain", "answer_count", "organization_id", "is_anonymous")
             .filter(pk=pk).first())
        if q is not None:
            state = selectors.my_question_state(q, request.user)
            is_asker = request.user.pk == q.asker_id
            # a fragment: no context processors (the page frame's queries are not needed here)
            response = HttpResponse(render_to_string("community/_me.html", {
                "me": _me_context(q, request.user, state=state, is_asker=is_asker, is_staff=False),
                "csrf_token": get_token(request)}))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def ask(request):
    # Topic pages link here with ?tags=<tag>&topic=<id>, category pages with ?domain=<domain>, a
    # branch's feed with ?branch=<slug>. The organisation picker defaults to the asker's own place.
    tags = [t.strip() for value in request.GET.getlist("tags") for t in value.split(",") if t.strip()][:10]
    default_org = selectors.default_ask_organization(request.user, branch=_org_from_request(request)
                                                     if not request.GET.get("org") else None)
    data = request.POST or None
    searching = request.method == "POST" and "org_search" in request.POST
    chosen, no_match = None, False
    if searching:
        chosen = Organization.objects.filter(pk=_int(request.POST.get("organization")), is_active=True).first()
    choices = selectors.ask_organization_choices(q=request.POST.get("org_q", ""), keep=chosen or default_org) \
        if searching else None
    form = AskForm(data, org_choices=choices,
                   initial={"domain": request.GET.get("domain"), "tags": tags, "organization": default_org,
                            "target_expert": request.GET.get("expert"),
                            "target_organization": request.GET.get("org"),
                            "target_station": request.GET.get("station")})
    if searching:
        form = AskForm(initial={**{k: request.POST.get(k) for k in ("title", "body", "domain", "org_q")},
                                "tags": request.POST.getlist("tags"), "is_anonymous": bool(request.POST.get("is_anonymous")),
                                "organization": chosen or default_org,
                                **{f"target_{k}": request.POST.get(f"target_{k}") for k in ("expert", "organization", "station")}},
                       org_choices=choices)
        kept = chosen or default_org
        no_match = not [o for o in choices if kept is None or o.pk != kept.pk]
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kind, target = next(((k, d[f"target_{k}"]) for k in ("expert", "station", "organization")
                             if d.get(f"target_{k}")), ("", None))
        try:
            q = services.ask_question(asker=request.user, title=d["title"], body=d["body"], domain=d["domain"],
                                      tags=[t.name for t in d["tags"]], is_anonymous=d["is_anonymous"],
                                      target_kind=kind, target_id=target, organization=d.get("organization"))
        except ServiceError as exc:
            for field, _code in exc.fields.items():
                form.add_error(field if field in form.fields else None, exc.zh)
            if not exc.fields:
                form.add_error(None, exc.zh)
        else:
            messages.success(request, f"提问成功，预计 {q.deadline_hours} 小时内答复")
            return redirect(q.get_absolute_url())
    return render(request, "community/ask.html", {"form": form, "org_no_match": no_match,
                                                  "target_station": selectors.station_target(form["target_station"].value())})


@login_required
def my_questions(request):
    mine = selectors.feed_queryset().filter(asker=request.user)
    try:
        rows, next_cursor = selectors.keyset_page(mine, sort="latest", limit=PAGE_SIZE,
                                                  cursor=request.GET.get("cursor") or None)
    except Invalid:  # a cursor we did not issue: start from the top, as the feed does
        rows, next_cursor = selectors.keyset_page(mine, sort="latest", limit=PAGE_SIZE, cursor=None)
    return render(request, "community/mine.html", {
        "questions": rows, "next_cursor": next_cursor, "stats": selectors.answerer_statistics(request.user)})


@login_required
def invitations(request):
    rows = list(selectors.my_invitations(request.user)[:100])
    for inv in rows:  # an anonymous asker who invites stays anonymous to the invitee
        inv.shown_inviter = selectors.shown_name(request.user, inv.inviter, inv.question)
    return render(request, "community/invitations.html", {"invitations": rows})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _report_reasons():
    from moderation.models import ReportReason

    return ReportReason.choices


def _report(user, q, p):
    """举报 from the question page: the question, one of its answers or one of its comments, with
    the moderation app's reasons (moderation.services.report_content decides)."""
    from moderation.services import report_content

    from .models import Comment

    kind, obj_id = p.get("content"), _int(p.get("object_id"))
    objects = {"question": lambda: q if obj_id == q.pk else None,
               "answer": lambda: Answer.objects.filter(pk=obj_id, question=q).select_related("author").first(),
               "comment": lambda: Comment.objects.filter(pk=obj_id, question=q).select_related("author").first()}
    obj = objects[kind]() if kind in objects and obj_id else None
    if obj is None:
        raise Invalid(_("Nothing to report"), fields={"object_id": obj_id})
    report_content(reporter=user, obj=obj, reason=p.get("reason", ""), detail=p.get("detail", "")[:500])


@login_required
@require_POST
def act(request, pk: int, action: str):
    """Every button on the question page posts here; the service decides."""
    q = get_object_or_404(Question.objects.exclude(status=QuestionStatus.REMOVED).exclude(moderation_status="removed").select_related("organization", "asker"), pk=pk)
    p, user = request.POST, request.user
    answer = None
    if p.get("answer"):
        answer = Answer.objects.filter(pk=_int(p.get("answer")), question=q).select_related("author", "question").first()
    try:
        if action == "answer":
            form = AnswerForm(p)
            if not form.is_valid():
                raise Invalid(pgettext_lazy("community.views.act", "Write an answer"), fields={"body": "required"})
            d = form.cleaned_data
            as_org = Organization.objects.filter(pk=d["as_organization"]).first() if d.get("as_organization") else None
            services.answer_question(actor=user, question=q, body=d["body"], source=d["source"],
                                     is_copied=d["is_copied"], as_organization=as_org)
            messages.success(request, "回答已发布")
        elif action == "comment":
            services.add_comment(actor=user, question=q, body=p.get("body", ""), answer=answer)
        elif action == "like":
            services.like(actor=user, question=q, answer=answer)
        elif action == "unlike":
            services.unlike(actor=user, question=q, answer=answer)
        elif action == "follow":
            services.follow(actor=user, question=q)
        elif action == "unfollow":
            services.unfollow(actor=user, question=q)
        elif action == "accept" and answer is not None:
            services.accept_answer(actor=user, answer=answer)
            messages.success(request, "已采纳")
        elif action == "outcome":
            services.mark_outcome(actor=user, question=q, outcome=p.get("outcome", ""), rating=_int(p.get("rating")))
            messages.success(request, "感谢反馈")
        elif action == "invite":
            invitee = get_user_model().objects.filter(pk=_int(p.get("invitee"))).first()
            services.invite(actor=user, question=q, invitee=invitee, message=p.get("message", ""))
            messages.success(request, "邀请已发出")
        elif action == "transfer":
            to = Organization.objects.filter(pk=_int(p.get("to_organization"))).first()
            services.transfer_question(actor=user, question=q, to_organization=to, reason=p.get("reason", ""))
            messages.success(request, "已转交")
        elif action == "invite_suggested":
            services.invite_suggested(actor=user, question=q, expert_ids=[i for i in map(_int, p.getlist("expert")) if i])
            messages.success(request, "邀请已发出")
        elif action == "refer":
            services.refer_to_station(actor=user, question=q, station_id=_int(p.get("station")),
                                      service_id=_int(p.get("service")), note=p.get("note", ""))
            messages.success(request, "已转介到青年之家，提问人将收到预约邀请")
        elif action == "decline":
            services.decline_question(actor=user, question=q, reason=p.get("reason", ""))
            messages.success(request, "已退回")
        elif action == "feature":
            services.set_featured(actor=user, question=q, featured=p.get("featured") == "1")
        elif action == "report":
            _report(user, q, p)
            messages.success(request, "举报已提交，审核员会尽快处理")
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.zh)
    return redirect(q.get_absolute_url())


@login_required
@require_POST
def respond(request, pk: int):
    inv = get_object_or_404(Invitation, pk=pk)
    try:
        services.respond_invitation(actor=request.user, invitation=inv, accept=request.POST.get("accept") == "1",
                                    reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.zh)
    else:
        if request.POST.get("accept") == "1":
            return redirect(inv.question.get_absolute_url())
    return redirect("community:invitations")
