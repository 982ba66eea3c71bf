"""Q&A API at /api/community/. Thin: parse, call a selector or a service, shape the answer.
Lists use keyset cursors (`cursor` → `next_cursor`), so a page costs the same at any depth."""

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from core.domains import ServiceDomain
from core.errors import Forbidden, Invalid, NotFound
from core.schemas import StrictBool, StrictInt
from moderation.models import ModerationStatus
from organizations import permissions
from organizations.models import ANSWERING_ROLES, Organization

from . import cache as qa_cache
from . import selectors, services
from .models import Answer, Invitation, Question, QuestionStatus

router = Router()


def _visible(n: int) -> str:
    """A schema pattern: at least `n` characters that survive the service's cleaning (not blank, not control
    characters), so that a schema-valid text is not refused as too short afterwards."""
    invisible = r"\s\x00-\x1f\x7f"
    return rf"(?:[^{invisible}][{invisible}]*){{{n}}}"

Sort = Literal["latest", "hot", "unanswered"]
DomainStr = Literal[tuple(ServiceDomain.values)]


class OrgOut(Schema):
    id: int
    name: str
    short_name: str


class QuestionListItem(Schema):
    id: int
    title: str
    domain: str
    tags: list[str]
    status: str
    organization: OrgOut
    asker: str
    asked_at: datetime
    deadline_at: datetime
    is_overdue: bool
    answer_count: int
    like_count: int
    view_count: int
    hot_score: float
    is_featured: bool
    accepted: bool
    url: str


class QuestionPage(Schema):
    items: list[QuestionListItem]
    next_cursor: str | None


class CommentOut(Schema):
    id: int
    author: str
    body: str
    created_at: datetime


class AnswerOut(Schema):
    id: int
    author: str
    as_organization: OrgOut | None
    role: str
    body: str
    source: str
    is_copied: bool
    like_count: int
    is_accepted: bool
    stops_clock: bool
    created_at: datetime
    comments: list[CommentOut]


class QuestionEventOut(Schema):
    kind: str
    actor: str | None
    from_organization: str | None
    to_organization: str | None
    reason: str
    created_at: datetime


class QuestionDetail(QuestionListItem):
    body: str
    target_kind: str
    target: str | None
    deadline_hours: int
    first_answered_at: datetime | None
    answered_on_time: bool | None
    transfer_count: int
    escalated_to: str | None
    outcome: str
    outcome_rating: int | None
    answers: list[AnswerOut]
    comments: list[CommentOut]
    events: list[QuestionEventOut]


def _now():
    from django.utils import timezone

    return timezone.now()


def _org(o: Organization | None):
    return {"id": o.pk, "name": o.name, "short_name": o.display_name} if o else None


def _list_item(q: Question, user, now) -> dict:
    return {
        "id": q.pk, "title": q.title, "domain": q.domain, "tags": selectors.tag_names(q),
        "status": q.status, "organization": _org(q.organization), "asker": selectors.asker_name(user, q),
        "asked_at": q.asked_at, "deadline_at": q.deadline_at,
        "is_overdue": q.status == QuestionStatus.OPEN and q.deadline_at < now,
        "answer_count": q.answer_count, "like_count": q.like_count, "view_count": q.view_count,
        "hot_score": q.hot_score, "is_featured": q.is_featured, "accepted": q.accepted_answer_id is not None,
        "url": q.get_absolute_url(),
    }


def _comment(c, author: str) -> dict:
    return {"id": c.pk, "author": author, "body": c.body, "created_at": c.created_at}


def _detail(q: Question, user) -> dict:
    """Every name in it is the one `user` may see (selectors.label_people: an anonymous asker stays
    anonymous in the comments, answers and history too)."""
    selectors.label_people(q, user)
    data = _list_item(q, user, _now())
    target = (q.target_organization.name if q.target_organization_id else
              q.target_expert.public_name if q.target_expert_id else
              q.target_station.title if q.target_station_id else None)
    data.update(
        body=q.body, target_kind=q.target_kind, target=target, deadline_hours=q.deadline_hours,
        first_answered_at=q.first_answered_at, answered_on_time=q.answered_on_time, transfer_count=q.transfer_count,
        escalated_to=q.escalated_to.name if q.escalated_to_id else None, outcome=q.outcome,
        outcome_rating=q.outcome_rating,
        answers=[{
            "id": a.pk, "author": a.shown_author,
            "as_organization": _org(a.as_organization), "role": a.role, "body": a.body, "source": a.source,
            "is_copied": a.is_copied, "like_count": a.like_count, "is_accepted": a.pk == q.accepted_answer_id,
            "stops_clock": a.stops_clock, "created_at": a.created_at, "comments": [_comment(c, c.shown_author) for c in a.shown_comments],
        } for a in q.answers.all()],
        comments=[_comment(c, c.shown_author) for c in q.question_comments],
        events=[{
            "kind": e.kind, "actor": e.shown_actor,
            "from_organization": e.from_organization.name if e.from_organization_id else None,
            "to_organization": e.to_organization.name if e.to_organization_id else None,
            "reason": e.reason, "created_at": e.created_at,
        } for e in q.events.all()],
    )
    return data


def _question(pk: int) -> Question:
    return get_object_or_404(Question.objects.exclude(status=QuestionStatus.REMOVED).exclude(moderation_status="removed").select_related("organization", "asker"), pk=pk)


class FeedFilters(Schema):
    org: int | None = Field(None, description="Organisation id: its branch feed (with the organisations below it)")
    branch: str | None = Field(None, max_length=60, description="Organisation slug, instead of `org`")
    domain: DomainStr | None = None
    tag: str | None = Field(None, max_length=100, description="Tag slug")
    sort: Sort = "latest"
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(20, ge=1, le=100)


def _resolve_org(org_id, slug):
    if org_id is None and not slug:
        return None
    qs = Organization.objects.filter(is_active=True)
    org = qs.filter(pk=org_id).first() if org_id is not None else qs.filter(slug=slug).first()
    if org is None:
        raise NotFound(gettext_lazy("Unknown organisation"), fields={"org": "unknown"})
    return org


def _keyset_page(qs, *, sort: str, limit: int, cursor: str | None):
    """A cursor we did not issue names no page: 404 (the pages restart from the top instead)."""
    try:
        return selectors.keyset_page(qs, sort=sort, limit=limit, cursor=cursor)
    except Invalid as exc:
        raise NotFound(exc.msg, params=exc.params, code="invalid_cursor", fields=exc.fields) from exc


@router.get("/questions/", response=QuestionPage, summary="Question feed of a branch: latest, hot or unanswered")
def list_questions(request, filters: Query[FeedFilters]):
    org = _resolve_org(filters.org, filters.branch)
    qs = selectors.feed(organization=org, domain=filters.domain, tag=filters.tag, sort=filters.sort)
    rows, next_cursor = _keyset_page(qs, sort=filters.sort, limit=filters.limit, cursor=filters.cursor)
    now = _now()
    return {"items": [_list_item(q, request.user, now) for q in rows], "next_cursor": next_cursor}


@router.get("/questions/{int:question_id}/", response=QuestionDetail, summary="A question with its answers, comments and history")
def get_question(request, question_id: int):
    entry = qa_cache.get_detail(question_id)
    if entry is None:
        q = selectors.question_detail(question_id, request.user)
        if q is None:
            raise Http404
        if q.moderation_status != ModerationStatus.VISIBLE:  # held: its asker's view only, never cached
            services.record_view(q)
            return _detail(q, request.user)
        entry = {"json": _render(request, QuestionDetail, _detail(q, None)),
                 "anon": {"asker_id": q.asker_id, "organization_id": q.organization_id} if q.is_anonymous else None}
        qa_cache.set_detail(question_id, entry)
    services.record_view(Question(pk=question_id))
    if entry["anon"] is None or not request.user.is_authenticated:  # the same bytes for everyone
        return HttpResponse(entry["json"], content_type=JSON_CONTENT_TYPE)
    return _for_viewer(question_id, entry, request.user)


JSON_CONTENT_TYPE = "application/json; charset=utf-8"


_renderer = JSONRenderer()  # ninja's default; the API root gives its own (use_renderer, youthvoice/api.py)


def use_renderer(renderer) -> None:
    global _renderer
    _renderer = renderer


def _render(request, schema, data) -> bytes:
    """The response body exactly as ninja would render `data` under `schema` (validated once, when
    it is cached; a cache hit then sends the stored bytes without validating or encoding again)."""
    return _renderer.render(request, schema.model_validate(data).model_dump(), response_status=200).encode()


def _for_viewer(question_id: int, entry: dict, user):
    """The cached payload names an anonymous asker nowhere. A viewer who may know the asker (the
    asker, the question's staff: the one rule, selectors.can_see_asker) gets the detail built for
    them instead, with the name in the asker line, their comments, answers and history."""
    anon = entry["anon"]
    org = Organization.objects.filter(pk=anon["organization_id"]).first()
    shell = Question(asker_id=anon["asker_id"], organization=org, is_anonymous=True)
    if org is None or not selectors.can_see_asker(user, shell):
        return HttpResponse(entry["json"], content_type=JSON_CONTENT_TYPE)
    q = selectors.question_detail(question_id, user)
    if q is None:
        raise Http404
    return _detail(q, user)


@router.get("/questions/{int:question_id}/related/", response=list[QuestionListItem], summary="Related questions")
def related(request, question_id: int):
    q = _question(question_id)
    now = _now()
    return [_list_item(r, request.user, now) for r in selectors.related_questions(q)]


class AskIn(Schema):
    title: str = Field(..., min_length=services.TITLE_MIN, max_length=services.TITLE_MAX,
                       pattern=_visible(services.TITLE_MIN))
    body: str = Field("", max_length=services.BODY_MAX)
    domain: DomainStr
    tags: list[str] = Field(default_factory=list, max_length=services.MAX_TAGS, description="Existing tag names")
    target_kind: Literal["", "organization", "expert", "station"] = ""
    target_id: StrictInt | None = None
    organization_id: StrictInt | None = Field(None, description="Where the asker is (defaults to their profile location)")
    is_anonymous: StrictBool = False


@router.post("/questions/", response={201: QuestionDetail}, auth=django_auth, summary="Ask a question")
def ask(request, payload: AskIn):
    org = _resolve_org(payload.organization_id, None) if payload.organization_id is not None else None
    q = services.ask_question(asker=request.user, title=payload.title, body=payload.body, domain=payload.domain,
                              tags=payload.tags, target_kind=payload.target_kind, target_id=payload.target_id,
                              organization=org, is_anonymous=payload.is_anonymous)
    return 201, _detail(selectors.question_detail(q.pk, request.user), request.user)


class AnswerIn(Schema):
    body: str = Field(..., min_length=services.ANSWER_MIN, max_length=services.ANSWER_MAX,
                      pattern=_visible(services.ANSWER_MIN))
    source: str = Field("", max_length=services.SOURCE_MAX)
    is_copied: StrictBool = False
    as_organization_id: StrictInt | None = Field(None, description="Post as this organisation's official account (its staff only)")


class AnswerCreated(Schema):
    id: int
    role: str
    stops_clock: bool


@router.post("/questions/{int:question_id}/answers/", response={201: AnswerCreated}, auth=django_auth, summary="Answer")
def answer(request, question_id: int, payload: AnswerIn):
    q = _question(question_id)
    as_org = None
    if payload.as_organization_id is not None:
        as_org = Organization.objects.filter(pk=payload.as_organization_id).first()
        if as_org is None:
            raise NotFound(gettext_lazy("Unknown organisation"), fields={"as_organization_id": "unknown"})
    a = services.answer_question(actor=request.user, question=q, body=payload.body, source=payload.source,
                                 is_copied=payload.is_copied, as_organization=as_org)
    return 201, {"id": a.pk, "role": a.role, "stops_clock": a.stops_clock}


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=services.COMMENT_MAX, pattern=_visible(1))
    answer_id: StrictInt | None = None


@router.post("/questions/{int:question_id}/comments/", response={201: CommentOut}, auth=django_auth, summary="Comment")
def comment(request, question_id: int, payload: CommentIn):
    q = _question(question_id)
    ans = None
    if payload.answer_id is not None:
        ans = Answer.objects.filter(pk=payload.answer_id).select_related("author").first()
        if ans is None:
            raise NotFound(gettext_lazy("Unknown answer"), fields={"answer_id": "unknown"})
    c = services.add_comment(actor=request.user, question=q, body=payload.body, answer=ans)
    return 201, _comment(c, selectors.shown_name(request.user, request.user, q))


class Toggled(Schema):
    changed: bool


class LikeIn(Schema):
    answer_id: StrictInt | None = None


def _answer_of(q, answer_id):
    if answer_id is None:
        return None
    ans = Answer.objects.filter(pk=answer_id).select_related("author").first()
    if ans is None:
        raise NotFound(gettext_lazy("Unknown answer"), fields={"answer_id": "unknown"})
    return ans


@router.post("/questions/{int:question_id}/like/", response=Toggled, auth=django_auth, summary="Like the question or one of its answers")
def like(request, question_id: int, payload: LikeIn):
    q = _question(question_id)
    return {"changed": services.like(actor=request.user, question=q, answer=_answer_of(q, payload.answer_id))}


@router.delete("/questions/{int:question_id}/like/", response=Toggled, auth=django_auth, summary="Withdraw a like")
def unlike(request, question_id: int, answer_id: int | None = None):
    q = _question(question_id)
    return {"changed": services.unlike(actor=request.user, question=q, answer=_answer_of(q, answer_id))}


@router.post("/questions/{int:question_id}/follow/", response=Toggled, auth=django_auth, summary="Follow")
def follow(request, question_id: int):
    return {"changed": services.follow(actor=request.user, question=_question(question_id))}


@router.delete("/questions/{int:question_id}/follow/", response=Toggled, auth=django_auth, summary="Unfollow")
def unfollow(request, question_id: int):
    return {"changed": services.unfollow(actor=request.user, question=_question(question_id))}


class AcceptOut(Schema):
    question_id: int
    accepted_answer_id: int


@router.post("/answers/{int:answer_id}/accept/", response=AcceptOut, auth=django_auth, summary="Accept an answer (asker)")
def accept(request, answer_id: int):
    a = get_object_or_404(Answer.objects.select_related("question", "author"), pk=answer_id)
    q = services.accept_answer(actor=request.user, answer=a)
    return {"question_id": q.pk, "accepted_answer_id": a.pk}


class OutcomeIn(Schema):
    outcome: Literal["solved", "partly", "not_solved"]
    rating: StrictInt | None = Field(None, ge=1, le=5)


class OutcomeOut(Schema):
    status: str
    outcome: str
    deadline_at: datetime


@router.post("/questions/{int:question_id}/outcome/", response=OutcomeOut, auth=django_auth, summary="Mark the outcome (回访)")
def outcome(request, question_id: int, payload: OutcomeIn):
    q = services.mark_outcome(actor=request.user, question=_question(question_id), outcome=payload.outcome,
                              rating=payload.rating)
    return {"status": q.status, "outcome": q.outcome, "deadline_at": q.deadline_at}


class InviteIn(Schema):
    invitee_id: StrictInt
    message: str = Field("", max_length=services.INVITATION_TEXT_MAX)


class InvitationOut(Schema):
    id: int
    question_id: int
    question_title: str
    inviter: str
    status: str
    message: str
    created_at: datetime
    deadline_at: datetime | None


def _invitation(i: Invitation, viewer) -> dict:
    return {"id": i.pk, "question_id": i.question_id, "question_title": i.question.title,
            "inviter": selectors.shown_name(viewer, i.inviter, i.question), "status": i.status, "message": i.message,
            "created_at": i.created_at, "deadline_at": i.deadline_at}


@router.post("/questions/{int:question_id}/invitations/", response={201: InvitationOut}, auth=django_auth,
             summary="Invite an expert (or, for staff, a colleague) to answer")
def invite(request, question_id: int, payload: InviteIn):
    from django.contrib.auth import get_user_model

    q = _question(question_id)
    invitee = get_user_model().objects.filter(pk=payload.invitee_id).first()
    inv = services.invite(actor=request.user, question=q, invitee=invitee, message=payload.message)
    return 201, _invitation(Invitation.objects.select_related("question__organization", "inviter").get(pk=inv.pk), request.user)


class InvitationPage(Schema):
    items: list[InvitationOut]
    next_cursor: str | None


@router.get("/invitations/", response=InvitationPage, auth=django_auth, summary="My invitations")
def my_invitations(request, status: Literal["pending", "accepted", "declined", "answered"] | None = None,
                   cursor: str | None = Query(None, max_length=200), limit: int = Query(20, ge=1, le=100)):
    qs = Invitation.objects.filter(invitee=request.user).select_related("question__organization", "inviter")
    if status:
        qs = qs.filter(status=status)
    if cursor:
        try:
            _, last_id = selectors.decode_cursor(cursor)
        except Invalid as exc:
            raise NotFound(exc.msg, params=exc.params, code="invalid_cursor", fields=exc.fields) from exc
        qs = qs.filter(pk__lt=last_id)
    rows = list(qs.order_by("-id")[: limit + 1])
    nxt = selectors.encode_cursor([0, rows[limit - 1].pk]) if len(rows) > limit else None
    return {"items": [_invitation(i, request.user) for i in rows[:limit]], "next_cursor": nxt}


class InvitationRespondIn(Schema):
    accept: StrictBool
    reason: str = Field("", max_length=services.INVITATION_TEXT_MAX)


@router.post("/invitations/{int:invitation_id}/respond/", response=InvitationOut, auth=django_auth,
             summary="Accept or decline an invitation")
def respond(request, invitation_id: int, payload: InvitationRespondIn):
    inv = get_object_or_404(Invitation, pk=invitation_id)
    inv = services.respond_invitation(actor=request.user, invitation=inv, accept=payload.accept, reason=payload.reason)
    return _invitation(Invitation.objects.select_related("question__organization", "inviter").get(pk=inv.pk), request.user)


class TransferIn(Schema):
    to_organization_id: StrictInt
    reason: str = Field(..., min_length=2, max_length=services.REASON_MAX, pattern=_visible(2))


class QuestionDeclineIn(Schema):
    reason: str = Field(..., min_length=2, max_length=services.REASON_MAX, pattern=_visible(2))


class RoutingOut(Schema):
    id: int
    organization: OrgOut
    transfer_count: int
    routing_locked: bool


def _routing(q):
    return {"id": q.pk, "organization": _org(q.organization), "transfer_count": q.transfer_count,
            "routing_locked": q.routing_locked}


@router.post("/questions/{int:question_id}/transfer/", response=RoutingOut, auth=django_auth,
             summary="Transfer to an organisation in your subtree (staff)")
def transfer(request, question_id: int, payload: TransferIn):
    to_org = Organization.objects.filter(pk=payload.to_organization_id).first()
    q = services.transfer_question(actor=request.user, question=_question(question_id), to_organization=to_org,
                                   reason=payload.reason)
    return _routing(q)


@router.post("/questions/{int:question_id}/decline/", response=RoutingOut, auth=django_auth,
             summary="Decline: send back to where it came from, or up (staff)")
def decline(request, question_id: int, payload: QuestionDeclineIn):
    return _routing(services.decline_question(actor=request.user, question=_question(question_id), reason=payload.reason))


class QuestionSuggestionOut(Schema):
    expert_id: int
    user_id: int
    name: str
    score: float
    reasons: list[str]
    load: int


@router.get("/questions/{int:question_id}/suggestions/", response=list[QuestionSuggestionOut], auth=django_auth,
            summary="Experts matched to the question: domain, location, home station, load (staff)")
def suggestions(request, question_id: int):
    q = _question(question_id)
    if not permissions.can_act(request.user, q.organization, ANSWERING_ROLES):
        raise Forbidden(gettext_lazy("Only the question's staff may see suggestions"))
    return [{"expert_id": s["expert"].pk, "user_id": s["expert"].user_id, "name": str(s["expert"]),
             "score": s["score"], "reasons": s["reasons"], "load": s["load"]} for s in selectors.suggested_experts(q)]


class QuestionSuggestedInviteIn(Schema):
    expert_ids: list[StrictInt] = Field(..., min_length=1, max_length=20)


@router.post("/questions/{int:question_id}/invitations/suggested/", response={201: list[InvitationOut]},
             auth=django_auth, summary="Invite the suggested experts in one action (staff)")
def invite_suggested(request, question_id: int, payload: QuestionSuggestedInviteIn):
    invitations = services.invite_suggested(actor=request.user, question=_question(question_id),
                                            expert_ids=payload.expert_ids)
    rows = Invitation.objects.select_related("question__organization", "inviter").filter(pk__in=[i.pk for i in invitations])
    return 201, [_invitation(i, request.user) for i in rows]


class QuestionReferralIn(Schema):
    station_id: StrictInt
    service_id: StrictInt | None = None
    note: str = Field("", max_length=300)


class QuestionReferralOut(Schema):
    id: int
    station_id: int
    station: str
    booking_url: str


@router.post("/questions/{int:question_id}/referrals/", response={201: QuestionReferralOut}, auth=django_auth,
             summary="Refer the question to a station: the asker is offered a booking there (转介, staff)")
def refer(request, question_id: int, payload: QuestionReferralIn):
    r = services.refer_to_station(actor=request.user, question=_question(question_id), station_id=payload.station_id,
                                  service_id=payload.service_id, note=payload.note)
    return 201, {"id": r.pk, "station_id": r.station_id, "station": r.station.title,
                 "booking_url": f"{r.station.url}?referral={r.pk}#book"}


class FeatureIn(Schema):
    featured: StrictBool = True


@router.post("/questions/{int:question_id}/feature/", response=Toggled, auth=django_auth, summary="Feature (editors)")
def feature(request, question_id: int, payload: FeatureIn):
    services.set_featured(actor=request.user, question=_question(question_id), featured=payload.featured)
    return {"changed": True}


class Paged(Schema):
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(20, ge=1, le=100)


@router.get("/mine/", response=QuestionPage, auth=django_auth, summary="My questions")
def mine(request, page: Query[Paged]):
    qs = selectors.feed_queryset().filter(asker=request.user)
    rows, nxt = _keyset_page(qs, sort="latest", limit=page.limit, cursor=page.cursor)
    now = _now()
    return {"items": [_list_item(q, request.user, now) for q in rows], "next_cursor": nxt}


@router.get("/queue/", response=list[QuestionListItem], auth=django_auth,
            summary="My answering queue (staff, invited experts), soonest deadline first")
def queue(request, limit: int = Query(50, ge=1, le=100), offset: int = Query(0, ge=0, le=10000)):
    if not permissions.is_staff_anywhere(request.user, ANSWERING_ROLES) and not selectors.expert_profile(request.user):
        raise Forbidden(gettext_lazy("Only staff and experts have a queue"))
    now = _now()
    rows = selectors.staff_queue(request.user).prefetch_related(selectors.tags_prefetch()).select_related("asker")[offset:offset + limit]
    return [_list_item(q, request.user, now) for q in rows]


class AnswererStatsOut(Schema):
    total: int
    solved: int
    partly: int
    not_solved: int
    on_time: int
    late: int
    points: int
    level: int


@router.get("/users/{int:user_id}/stats/", response=AnswererStatsOut, summary="An answerer's outcome statistics and points")
def stats(request, user_id: int):
    from django.contrib.auth import get_user_model

    user = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    return {**selectors.answerer_statistics(user), "points": user.points, "level": user.level}
