"""Reads the pages, the API, the admin workbench and the sweeps share."""

import base64
import json
import math

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, Prefetch, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.models import ModerationStatus
from organizations import permissions
from organizations.models import ANSWERING_ROLES, Organization
from organizations.selectors import liaison_users_by_org, on_duty_users_by_org

from . import experts
from .models import (
    Answer,
    Comment,
    Follow,
    Invitation,
    InvitationStatus,
    Like,
    Question,
    QuestionEvent,
    QuestionStatus,
    TaggedQuestion,
)

VISIBLE = ModerationStatus.VISIBLE  # held and removed posts are not public

FEED_SORTS = ("latest", "hot", "unanswered")


TAGS_PREFETCH = "tagged_items"  # cheaper than taggit's manager: one query, no per-row manager


def tags_prefetch():
    return Prefetch(TAGS_PREFETCH, queryset=TaggedQuestion.objects.select_related("tag").order_by("tag__name"))


def tag_names(question: Question) -> list[str]:
    return [t.tag.name for t in question.tagged_items.all()]


def feed_queryset():
    """List rows: no body (up to 5 000 characters) and only what a list item shows of the asker."""
    return (Question.objects.exclude(status=QuestionStatus.REMOVED).filter(moderation_status=VISIBLE).defer("body")
            .select_related("organization", "asker").prefetch_related(tags_prefetch()))


def feed(*, organization: Organization | None = None, subtree: bool = True, domain: str | None = None,
         tag: str | None = None, sort: str = "latest"):
    """Questions of a branch (its organisation and, by default, the organisations below it)."""
    qs = feed_queryset()
    if organization is not None:
        if subtree and organization.depth > 1:
            qs = qs.filter(organization__path__startswith=organization.path)
        elif not subtree:
            qs = qs.filter(organization=organization)
    if domain:
        qs = qs.filter(domain=domain)
    if tag:
        qs = qs.filter(tags__slug=tag)
    if sort == "unanswered":
        qs = qs.filter(answer_count=0, status=QuestionStatus.OPEN)
    return qs


SORT_KEYS = {"latest": ("asked_at", "id"), "hot": ("hot_score", "id"), "unanswered": ("asked_at", "id")}


def encode_cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


MAX_ID = 2**63 - 1  # bigint: larger ids do not exist and would overflow the query


def decode_cursor(cursor: str, *, sort: str | None = None):
    """The [sort value, last id] a cursor from `encode_cursor` carries. Anything else (not base64, not
    JSON, wrong shapes or types, ids out of range) is an `Invalid` cursor, never a database error."""
    from django.utils.dateparse import parse_datetime

    from core.errors import Invalid

    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode())
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError("not a pair")
        value, last_id = values
        if type(last_id) is not int or not 0 <= last_id <= MAX_ID:
            raise ValueError("bad id")
        key = SORT_KEYS[sort][0] if sort else None
        if key == "asked_at":
            value = parse_datetime(value) if isinstance(value, str) else None
            if value is None or value.tzinfo is None:
                raise ValueError("bad date")
        elif key == "hot_score":
            if type(value) not in (int, float) or not math.isfinite(value):
                raise ValueError("bad score")
        return [value, last_id]
    except Exception as exc:
        raise Invalid(_("Invalid cursor"), fields={"cursor": "invalid"}) from exc


def keyset_page(qs, *, sort: str, limit: int, cursor: str | None):
    """Descending keyset pagination on (sort key, id): constant cost at any depth, no COUNT."""
    key, tiebreak = SORT_KEYS[sort]
    if cursor:
        value, last_id = decode_cursor(cursor, sort=sort)
        qs = qs.filter(Q(**{f"{key}__lt": value}) | Q(**{key: value, f"{tiebreak}__lt": last_id}))
    rows = list(qs.order_by(f"-{key}", f"-{tiebreak}")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, key), last.pk])
    return rows, next_cursor


def question_detail(pk: int, viewer=None, *, discussion: bool = True) -> Question | None:
    """The question page's data. Held questions are shown to their asker only; removed ones to nobody.
    `discussion=False`: without the answers, comments and history (the page has them as a cached
    fragment: community.views)."""
    answers = (Answer.objects.filter(is_removed=False, moderation_status=VISIBLE).select_related("author", "as_organization")
               .prefetch_related(Prefetch("comments", queryset=Comment.objects.filter(is_removed=False, moderation_status=VISIBLE)
                                          .select_related("author").order_by("created_at", "id")))
               .order_by("created_at", "id"))
    visible = Q(moderation_status=VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        visible |= Q(moderation_status=ModerationStatus.HELD, asker=viewer)
    # Only the two relations every question has are joined: a seven-table join (the station target
    # through Wagtail's page table) took longer to plan than to run. The others are prefetched, which
    # runs no query while they are unset (most questions).
    qs = (Question.objects.exclude(status=QuestionStatus.REMOVED).filter(visible)
          .select_related("organization", "asker")
          .prefetch_related(tags_prefetch(), "target_organization", "target_expert", "target_station", "escalated_to"))
    if not discussion:
        return qs.filter(pk=pk).first()
    question = qs.prefetch_related(
        Prefetch("answers", queryset=answers.prefetch_related(None)),
        Prefetch("events", queryset=QuestionEvent.objects.select_related(
            "actor", "from_organization", "to_organization"))).filter(pk=pk).first()
    if question is not None:  # every visible comment in one query, to the question and to its answers
        comments = list(Comment.objects.filter(question=question, is_removed=False, moderation_status=VISIBLE)
                        .select_related("author").order_by("created_at", "id"))
        question.question_comments = [c for c in comments if c.answer_id is None]
        by_answer: dict[int, list] = {}
        for c in comments:
            if c.answer_id is not None:
                by_answer.setdefault(c.answer_id, []).append(c)
        for a in question.answers.all():
            a.shown_comments = by_answer.get(a.pk, [])
    return question


def viewer_state(question: Question, user) -> dict:
    """What the viewer has done on the question: liked, followed, which answers they liked. 1 query."""
    if user is None or not user.is_authenticated:
        return {"liked": False, "followed": False, "liked_answers": set()}
    # One query: the liked answer ids (None: the question itself), and -1 when the user follows it.
    follows = Follow.objects.filter(user=user, question=question).annotate(
        marker=Value(-1, output_field=IntegerField())).values_list("marker", flat=True)
    rows = list(Like.objects.filter(user=user, question=question).values_list("answer_id", flat=True)
                .union(follows, all=True))
    return {
        "liked": None in rows,
        "liked_answers": {a for a in rows if a is not None and a != -1},
        "followed": -1 in rows,
    }


def my_question_state(question: Question, user) -> dict:
    """The viewer's own state on a question page, for the per-user request that fills a shared cached
    page (`GET /qa/me/<id>/`) and for a personal render: what they liked (`q`, `a<id>`), whether they
    follow, their own posts there (`q`, `a<id>`, `c<id>`: no like or report button on them) and their
    posts still held for review. One query (a UNION ALL of the four)."""
    from django.db.models import BooleanField, CharField, IntegerField, Value
    from django.db.models.functions import Left

    def rows(qs, kind, pk="pk", status="moderation_status", removed="is_removed", body=None):
        return qs.values_list(Value(kind, CharField()), pk, status, removed,
                              Left(body, 80) if body else Value("", CharField()))

    none_int, blank, false = Value(None, IntegerField()), Value("", CharField()), Value(False, BooleanField())
    mine_q = {"question": question, "author": user}
    union = rows(Like.objects.filter(user=user, question=question), "like", pk="answer_id", status=blank,
                 removed=false).union(
        rows(Follow.objects.filter(user=user, question=question), "follow", pk=none_int, status=blank, removed=false),
        rows(Answer.objects.filter(**mine_q), "a", body="body"),
        rows(Comment.objects.filter(**mine_q), "c", body="body"), all=True)
    liked = followed = False
    liked_answers: set[int] = set()
    mine: set[str] = {"q"} if question.asker_id == user.pk else set()
    pending: list[dict] = []
    for kind, pk, status, removed, body in union:
        if kind == "like":
            if pk is None:
                liked = True
            else:
                liked_answers.add(pk)
        elif kind == "follow":
            followed = True
        else:
            mine.add(f"{kind}{pk}")
            if status == ModerationStatus.HELD and not removed:
                pending.append({"kind": kind, "body": body})
    return {"liked": liked, "liked_answers": liked_answers, "followed": followed, "mine": mine, "pending": pending}


ANONYMOUS_NAME = "匿名青年"


def can_see_asker(user, question: Question) -> bool:
    """Who may know who asked an anonymous question: the asker and the staff who may answer it
    (its organisation's subtree). Invited experts, other youths and visitors may not."""
    if not question.is_anonymous:
        return True
    if user is None or not user.is_authenticated:
        return False
    return user.pk == question.asker_id or permissions.can_act(user, question.organization, ANSWERING_ROLES)


class Names:
    """THE rule for the name a viewer is shown of a person on a question — the asker line, the
    asker's comments and answers, the timeline's actors, invitations and notification texts all
    ask it. On an anonymous question the asker is "匿名青年" to everyone `can_see_asker` refuses,
    wherever they appear; those allowed see "<name>（匿名）". Everyone else keeps their public name.
    One instance per (viewer, question): the permission check runs at most once."""

    def __init__(self, viewer, question: Question):
        self.viewer, self.question = viewer, question
        self._may_see: bool | None = None

    def may_see_asker(self) -> bool:
        if self._may_see is None:
            self._may_see = can_see_asker(self.viewer, self.question)
        return self._may_see

    def hides(self, person_id) -> bool:
        """Whether the person is the question's anonymous asker and the viewer may not know it."""
        q = self.question
        return bool(q.is_anonymous and person_id is not None and person_id == q.asker_id and not self.may_see_asker())

    def of(self, person) -> str | None:
        if person is None:
            return None
        if self.hides(person.pk):
            return ANONYMOUS_NAME
        name = person.public_name
        return f"{name}（匿名）" if self.question.is_anonymous and person.pk == self.question.asker_id else name


def shown_name(viewer, person, question: Question) -> str | None:
    """The name `viewer` is shown of `person` on `question` (see Names)."""
    return Names(viewer, question).of(person)


def asker_name(user, question: Question) -> str:
    names = Names(user, question)
    if names.hides(question.asker_id):
        return ANONYMOUS_NAME  # without loading the asker
    return names.of(question.asker) or ""


def label_people(question: Question, viewer) -> Names:
    """Set `shown_author` on the question's comments and answers (and their comments) and
    `shown_actor` on its events, for `viewer` (a question from `question_detail`)."""
    names = Names(viewer, question)
    for c in getattr(question, "question_comments", []):
        c.shown_author = names.of(c.author)
    for a in question.answers.all():
        a.shown_author = a.as_organization.display_name if a.as_organization else names.of(a.author)
        for c in a.shown_comments:  # set by question_detail
            c.shown_author = names.of(c.author)
    for e in question.events.all():
        e.shown_actor = names.of(e.actor) if e.actor_id else None
    return names


def assignees(question: Question, at=None) -> list:
    """The assignee queue: the owning organisation's on-duty staff and liaison officers, plus
    experts who accepted an invitation, a targeted expert and a targeted station's admins."""
    return AssigneeLookup(at).for_questions([question])[question.pk]


class AssigneeLookup:
    """`assignees` for many questions in a constant number of queries, whatever the number of
    questions and organisations (memoised for the lookup's life: one sweep run, one `at`). Call
    `prefetch` with every organisation a batch needs; a lone `on_duty`/`liaisons` fetches its own."""

    def __init__(self, at=None):
        self.at = at or timezone.now()
        self._duty: dict[int, dict] = {}
        self._liaison: dict[int, dict] = {}
        self._station: dict[int, dict] = {}

    def prefetch(self, orgs) -> None:
        missing = {o.pk: o for o in set(orgs) if o.pk not in self._duty}.values()
        if missing:
            for org_id, users in on_duty_users_by_org(missing, self.at).items():
                self._duty[org_id] = {u.pk: u for u in users}
            for org_id, users in liaison_users_by_org(missing).items():
                self._liaison[org_id] = {u.pk: u for u in users}

    def on_duty(self, org) -> dict:
        if org.pk not in self._duty:
            self.prefetch([org])
        return self._duty[org.pk]

    def liaisons(self, org) -> dict:
        if org.pk not in self._liaison:
            self.prefetch([org])
        return self._liaison[org.pk]

    def station_admins(self, station) -> dict:
        if station.pk not in self._station:
            from stations.selectors import station_admin_users

            self._station[station.pk] = {u.pk: u for u in station_admin_users(station)}
        return self._station[station.pk]

    def for_questions(self, questions) -> dict[int, list]:
        questions = list(questions)
        invited: dict[int, dict] = {}
        for inv in (Invitation.objects.filter(question__in=[q.pk for q in questions], status=InvitationStatus.ACCEPTED,
                                              invitee__is_active=True).select_related("invitee")):
            invited.setdefault(inv.question_id, {})[inv.invitee_id] = inv.invitee
        experts = {q.target_expert_id for q in questions if q.target_expert_id}
        targeted = {u.pk: u for u in get_user_model().objects.filter(pk__in=experts, is_active=True)} if experts else {}
        self.prefetch([q.organization for q in questions])
        result = {}
        for q in questions:
            users = dict(self.on_duty(q.organization))
            users.update(self.liaisons(q.organization))
            if q.target_station_id:
                users.update(self.station_admins(q.target_station))
            if q.target_expert_id in targeted:
                users[q.target_expert_id] = targeted[q.target_expert_id]
            users.update(invited.get(q.pk, {}))
            result[q.pk] = list(users.values())
        return result


def station_target(station_id):
    """The live station a question is being asked to (the ask page's `?station=`), or None."""
    from stations.models import StationPage

    try:
        pk = int(station_id)
    except (TypeError, ValueError):
        return None
    return StationPage.objects.live().public().filter(pk=pk).first()


def referral_stations(question: Question, limit: int = 200):
    """Stations a question can be referred to: live ones in the question's city (or its own subtree
    when it sits above city level), nearest organisations first."""
    from organizations.selectors import city_of
    from stations.models import StationPage

    org = city_of(question.organization) or question.organization
    return (StationPage.objects.live().public().filter(organization__path__startswith=org.path)
            .select_related("organization").order_by("organization__path", "title")[:limit])


def staff_queue(user):
    """Open questions the user may answer as staff (their subtree) or was invited to / targeted by,
    soonest deadline first."""
    scoped = permissions.scope_queryset(Question.objects.all(), user, roles=ANSWERING_ROLES)
    mine = Question.objects.filter(
        Q(pk__in=scoped.values("pk"))
        | Q(invitations__invitee=user, invitations__status=InvitationStatus.ACCEPTED)
        | Q(target_expert=user)
    )
    return (mine.filter(status=QuestionStatus.OPEN).select_related("organization", "escalated_to")
            .order_by("deadline_at", "id").distinct())


def overdue_by_organization(user, now):
    """Per organisation in the user's subtree: how many open questions are past their deadline."""
    orgs = permissions.organizations_for(user, ANSWERING_ROLES)
    return (orgs.annotate(overdue=Count("questions", filter=Q(questions__status=QuestionStatus.OPEN,
                                                             questions__deadline_at__lt=now)))
            .filter(overdue__gt=0).order_by("-overdue", "path"))


def overdue_questions(user, now, organization: Organization | None = None):
    qs = permissions.scope_queryset(Question.objects.filter(status=QuestionStatus.OPEN, deadline_at__lt=now), user,
                                    roles=ANSWERING_ROLES)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.select_related("organization", "escalated_to").order_by("deadline_at", "id")


def my_invitations(user):
    return (Invitation.objects.filter(invitee=user).select_related("question__organization", "inviter")
            .order_by("status", "-created_at"))


def related_questions(question: Question, limit: int = 5):
    """Public questions on the same tags first, then in the same domain; most popular first. Two
    walks down the hot-score index that stop at `limit` rows, whatever the table's size."""
    from django.db.models import Exists, OuterRef

    tag_ids = [t.tag_id for t in question.tagged_items.all()]
    public = (Question.objects.filter(moderation_status=VISIBLE).exclude(status=QuestionStatus.REMOVED)
              .exclude(pk=question.pk).select_related("organization").order_by("-hot_score", "-id"))
    from django.db import connection

    picked: list = []
    if tag_ids and connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL: the two walks in one query
        from django.db.models import IntegerField, Value

        same_tag = TaggedQuestion.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids)
        walks = public.select_related(None)
        first = walks.filter(Exists(same_tag)).annotate(walk=Value(0, IntegerField()))[:limit]
        second = walks.filter(domain=question.domain).annotate(walk=Value(1, IntegerField()))[:limit]
        seen: set[int] = set()
        for row in sorted(first.union(second, all=True), key=lambda r: (r.walk, -(r.hot_score or 0), -r.pk)):
            if row.pk not in seen and len(picked) < limit:
                seen.add(row.pk)
                picked.append(row)
        return picked
    if tag_ids:
        same_tag = TaggedQuestion.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids)
        picked = list(public.filter(Exists(same_tag))[:limit])
    if len(picked) < limit:
        picked += list(public.filter(domain=question.domain).exclude(pk__in=[q.pk for q in picked])[:limit - len(picked)])
    return picked


def answerer_statistics(user) -> dict:
    """Outcome statistics of what the user answered (the 回访 results feed these)."""
    answered = Question.objects.filter(answers__author=user, answers__is_removed=False).distinct()
    agg = answered.aggregate(
        total=Count("pk", distinct=True),
        solved=Count("pk", filter=Q(outcome="solved"), distinct=True),
        partly=Count("pk", filter=Q(outcome="partly"), distinct=True),
        not_solved=Count("pk", filter=Q(outcome="not_solved"), distinct=True),
    )
    clocked = Question.objects.filter(answers__author=user, answers__stops_clock=True).distinct()
    agg["on_time"] = clocked.filter(answered_on_time=True).count()
    agg["late"] = clocked.filter(answered_on_time=False).count()
    return agg


def expert_profile(user):
    return experts.active_expert(user)


def suggested_experts(question: Question, limit: int = 5) -> list[dict]:
    """Experts matched to the question by alliances (domain, location, home station, current load),
    leaving out the asker and whoever is already invited."""
    exclude = [question.asker_id, *question.invitations.values_list("invitee_id", flat=True)]
    rows = experts.suggest(question, limit=limit, exclude_user_ids=exclude)
    for row in rows:
        row["reason_labels"] = [MATCH_REASONS_ZH.get(r, r) for r in row["reasons"] if not r.startswith("load_")]
    return rows


MATCH_REASONS_ZH = {"same_station": "同一青年之家", "same_org": "同一组织", "same_city": "同城",
                    "province_expert": "省级专家", "busy": "任务较多", "verified": "已实名认证"}


def experts_for_domain(domain: str):
    """Active experts of a domain (for the invite picker)."""
    return experts.in_domain(domain)


# ---------------------------------------------------------------------------------------------
# "Answered on time": one stored truth (the ANSWERED event written with the answer)
# ---------------------------------------------------------------------------------------------
def answer_on_time(question: str = "question_id", created: str = "created_at", deadline: str = "question__deadline_at"):
    """A boolean expression for an answers queryset: was the answer written by the deadline in force
    when it was written? Until the question is reopened after the answer, that deadline is the
    question's current one. Once reopened (a reopen moves the deadline), the verdict stored with the
    answer counts: the ANSWERED event written when it stopped the clock (ON_TIME_REASON); an earlier
    round's answer that did not stop the clock has no stored verdict and counts as not on time.
    Never "created_at <= the current deadline" for earlier rounds, which a reopen turns late into on time."""
    from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q

    from .models import ON_TIME_REASON, EventKind, QuestionEvent

    stored = Exists(QuestionEvent.objects.filter(question_id=OuterRef(question), kind=EventKind.ANSWERED,
                                                 created_at=OuterRef(created), reason=ON_TIME_REASON))
    reopened_since = Exists(QuestionEvent.objects.filter(question_id=OuterRef(question), kind=EventKind.REOPENED,
                                                         created_at__gt=OuterRef(created)))
    current_round = ~Q(reopened_since) & Q(**{f"{created}__lte": F(deadline)})
    return ExpressionWrapper(current_round | Q(reopened_since, stored), output_field=BooleanField())


def first_response_reason(question: str = "pk"):
    """A subquery for a questions queryset: the reason of the question's first ANSWERED event ever
    (ON_TIME_REASON or LATE_REASON; None if never answered) — whether its first response was on time,
    unchanged by reopens (which clear Question.answered_on_time for the next round)."""
    from django.db.models import OuterRef, Subquery

    from .models import EventKind, QuestionEvent

    return Subquery(QuestionEvent.objects.filter(question_id=OuterRef(question), kind=EventKind.ANSWERED)
                    .order_by("created_at", "id").values("reason")[:1])


# ---------------------------------------------------------------------------------------------
# Asking from where you are
# ---------------------------------------------------------------------------------------------
def default_ask_organization(user, *, branch: Organization | None = None) -> Organization | None:
    """Where a question is asked by default (the ask form's organisation picker): the asker's own
    place (their profile location, `User.organization`), else the branch they came from (the branch
    feed's "我要提问" link carries it), else the province. The one place to extend (e.g. a sign-up
    location field, a station's organisation)."""
    for org in (getattr(user, "organization", None), branch):
        if org is not None and org.is_active:
            return org
    return Organization.objects.filter(depth=1, is_active=True).order_by("path").first()


ASK_PICKER_LIMIT = 200


def ask_organization_choices(*, q: str = "", keep: Organization | None = None):
    """The organisations the ask form offers, by name (`q` matches the name or the short name); the
    currently chosen one is always kept. At most ASK_PICKER_LIMIT, in tree order."""
    qs = Organization.objects.filter(is_active=True)
    q = (q or "").strip()[:40]
    if q:
        match = Q(name__icontains=q) | Q(short_name__icontains=q)
        qs = qs.filter(match | Q(pk=keep.pk)) if keep is not None else qs.filter(match)
    return qs.order_by("path")[:ASK_PICKER_LIMIT]
