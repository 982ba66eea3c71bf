"""Every write of the Q&A community. Views, the API, admin views and tasks call these.

Conventions: keyword-only arguments; permission check first, then validation, then the write
inside one transaction (`select_for_update` on the question where two writers could race), audit
with `wagtail.log_actions.log`, notifications through `notifications.services.notify` (rows in the
same transaction, e-mail delivered after commit). All user text goes through `screen()`.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.log_actions import log

from accounts.models import level_for_points
from accounts.sms import notices as sms_notices
from core.domains import ServiceDomain
from core.errors import Conflict, Forbidden, Invalid, NotFound, bilingual
from moderation import services as moderation
from notifications.services import Notice, notify, notify_many
from organizations import permissions
from organizations.models import ANSWERING_ROLES, EDITORIAL_ROLES, MODERATION_ROLES, Organization
from organizations.selectors import parents_by_org, work_calendar

from . import cache as qa_cache
from . import experts, selectors
from .domain import deadlines, points, ranking
from .models import (
    LATE_REASON,
    ON_TIME_REASON,
    Answer,
    AnswerRole,
    Comment,
    EventKind,
    Follow,
    Invitation,
    InvitationStatus,
    Like,
    Outcome,
    PointAward,
    Question,
    QuestionEvent,
    QuestionStatus,
    QuestionTag,
    TargetKind,
)
from .signals import question_events_created
from .text import clean_text

TITLE_MIN, TITLE_MAX = 4, 80
BODY_MAX = 5000
ANSWER_MIN, ANSWER_MAX = 2, 10000
COMMENT_MAX = 500
REASON_MAX = 300
SOURCE_MAX = 300
INVITATION_TEXT_MAX = 200  # an invitation's message, a decline's reason
MAX_TAGS = 5
MAX_TRANSFERS = 3  # the 12345 hotline rule: after three moves the question goes up, not on


def peer_answer_stops_clock() -> bool:
    return bool(getattr(settings, "YV_QA_PEER_ANSWER_STOPS_CLOCK", False))


# --------------------------------------------------------------------------- text and screening

def screen(text: str | None, *, field: str, min_length: int = 0, max_length: int, multiline: bool = True,
           actor=None) -> str:
    """The one gate for user text: sanitise (nh3, plain text), check length. Posts (questions,
    answers, comments) then pass moderation.screen_post: sanctions, rate limits, the word list."""
    cleaned = clean_text(text, multiline=multiline)
    if len(cleaned) < min_length:
        raise Invalid(gettext_lazy("Too short (at least %(min_length)s characters)"), params={"min_length": min_length},
                      fields={field: "too_short"})
    if len(cleaned) > max_length:
        raise Invalid(gettext_lazy("Too long (at most %(max_length)s characters)"), params={"max_length": max_length},
                      fields={field: "too_long"})
    return cleaned


def _require_user(user):
    if user is None or not user.is_authenticated or not user.is_active:
        raise Forbidden(gettext_lazy("Log in first"), code="unauthenticated")


def _lock(question: Question) -> Question:
    q = Question.objects.select_for_update().filter(pk=question.pk).select_related("organization").first()
    if q is None:
        raise NotFound(gettext_lazy("Question not found"))
    return q


def _writable(question: Question) -> None:
    if question.status == QuestionStatus.REMOVED:
        raise Conflict(gettext_lazy("The question has been removed"))
    if question.status == QuestionStatus.CLOSED:
        raise Conflict(gettext_lazy("The question is closed"))


def _event(question, kind, *, actor=None, at=None, from_org=None, to_org=None, reason=""):
    return QuestionEvent.objects.create(question=question, kind=kind, actor=actor, from_organization=from_org,
                                        to_organization=to_org, reason=reason[:REASON_MAX],
                                        created_at=at or timezone.now())


def _refresh_hot(question_id: int) -> None:
    q = Question.objects.filter(pk=question_id).values(
        "asked_at", "answer_count", "like_count", "follow_count", "view_count", "is_featured").first()
    if q:
        score = ranking.hot_score(asked_at=q["asked_at"], answers=q["answer_count"], likes=q["like_count"],
                                  follows=q["follow_count"], views=q["view_count"], featured=q["is_featured"])
        Question.objects.filter(pk=question_id).update(hot_score=score)


def award(user, reason: str, key: str) -> bool:
    """Award the points of `reason` once per (user, key); keep the user's level in step."""
    if user is None:
        return False
    amount = points.points_for(reason)
    try:
        with transaction.atomic():
            PointAward.objects.create(user=user, reason=reason, points=amount, key=key[:80])
    except IntegrityError:
        return False
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(points=F("points") + amount)
    new_points = User.objects.filter(pk=user.pk).values_list("points", flat=True).first() or 0
    User.objects.filter(pk=user.pk).update(level=level_for_points(new_points))
    return True


def _deadline(at: datetime) -> deadlines.Deadline:
    return deadlines.answer_deadline(at, work_calendar(timezone.localdate(at)))


def _duty_start(now: datetime) -> datetime:
    """When e-mail to someone off duty may go: the next start of duty hours."""
    return deadlines.next_duty_start(now, work_calendar(timezone.localdate(now)))


def _email_times(users, on_duty: dict, later: datetime, now: datetime) -> dict:
    """Reminder e-mails wait for duty hours (`later`) unless the recipient is on duty now."""
    return {u.pk: (None if u.pk in on_duty or later <= now else later) for u in users}


def _subject(question) -> str:
    return f"community.question:{question.pk}"


# --------------------------------------------------------------------------- asking

def _resolve_target(kind: str, target_id: int | None):
    """Returns (field name, object) for the target."""
    if not kind:
        return None, None
    if target_id is None:
        raise Invalid(gettext_lazy("Choose whom the question is for"), fields={"target_id": "required"})
    if kind == TargetKind.ORGANIZATION:
        org = Organization.objects.filter(pk=target_id, is_active=True).first()
        if org is None:
            raise NotFound(gettext_lazy("Unknown target organisation"), fields={"target_id": "unknown"})
        return "target_organization", org
    if kind == TargetKind.EXPERT:
        user = get_user_model().objects.filter(pk=target_id, is_active=True).first()
        if user is None or experts.active_expert(user) is None:
            raise NotFound(gettext_lazy("The target is not an expert"), fields={"target_id": "not_an_expert"})
        return "target_expert", user
    if kind == TargetKind.STATION:
        from stations.models import StationPage

        station = StationPage.objects.live().public().filter(pk=target_id).select_related("organization").first()
        if station is None:
            raise NotFound(gettext_lazy("Unknown station"), fields={"target_id": "unknown"})
        return "target_station", station
    raise Invalid(gettext_lazy("Unsupported target"), fields={"target_kind": "unsupported"})


@transaction.atomic
def default_organization_for(user):
    from accounts.selectors import default_organization_for as default_org

    return default_org(user)


def ask_question(*, asker, title: str, body: str = "", domain: str, tags: list[str] | None = None,
                 target_kind: str = "", target_id: int | None = None, organization: Organization | None = None,
                 is_anonymous: bool = False) -> Question:
    """Ask. The question belongs to the targeted organisation, else the given/asker's organisation,
    else the province; its deadline is computed now and stored."""
    _require_user(asker)
    title = screen(title, field="title", min_length=TITLE_MIN, max_length=TITLE_MAX, multiline=False, actor=asker)
    body = screen(body, field="body", max_length=BODY_MAX, actor=asker)
    screening = moderation.screen_post(user=asker, kind="question", fields={"title": title, "body": body})
    title, body = screening.fields["title"], screening.fields["body"]
    if domain not in ServiceDomain.values:
        raise Invalid(gettext_lazy("Choose a valid domain"), fields={"domain": "invalid"})
    tag_names = [t.strip() for t in (tags or []) if t and t.strip()]
    if len(tag_names) > MAX_TAGS:
        raise Invalid(gettext_lazy("At most %(MAX_TAGS)s tags"),
                      params={"MAX_TAGS": MAX_TAGS}, fields={"tags": "too_many"})
    tag_objs = list(QuestionTag.objects.filter(name__in=tag_names)) if tag_names else []
    unknown = sorted(set(tag_names) - {t.name for t in tag_objs})
    if unknown:
        raise NotFound(gettext_lazy("Unknown tags: %(unknown)s"),
                       params={"unknown": bilingual('、'.join(unknown), ', '.join(unknown))}, fields={"tags": unknown})
    if target_kind not in TargetKind.values:
        raise Invalid(gettext_lazy("Unsupported target"), fields={"target_kind": "unsupported"})
    target_field, target = _resolve_target(target_kind, target_id)
    if organization is not None and not organization.is_active:
        raise NotFound(gettext_lazy("Unknown organisation"), fields={"organization": "unknown"})
    org = ((target if target_field == "target_organization" else None)
           or (target.organization if target_field == "target_station" else None)
           or organization or default_organization_for(asker))
    now = timezone.now()
    dl = _deadline(now)
    q = Question(
        asker=asker, title=title, body=body, domain=domain, is_anonymous=is_anonymous, organization=org,
        origin_organization=org, target_kind=target_kind, asked_at=now, clock_started_at=dl.start,
        remind_at=dl.remind, deadline_at=dl.due, deadline_hours=dl.hours, last_activity_at=now,
        hot_score=ranking.hot_score(asked_at=now), moderation_status=screening.status,
    )
    if target_field:
        setattr(q, target_field, target)
    q.save()
    moderation.after_post(obj=q, user=asker, kind="question", screening=screening)
    if tag_objs:
        q.tags.add(*tag_objs)
    _event(q, EventKind.ASKED, actor=asker, at=now, to_org=org)
    log(instance=q, action="wagtail.create", user=asker)
    award(asker, "ask", f"ask:{q.pk}")
    recipients = selectors.assignees(q, now)
    notify(recipients=recipients, kind="question", title=f"新问题待回答：{title}", url=q.get_absolute_url(),
           actor=asker, subject=_subject(q), dedupe_key=f"qa:new:{q.pk}")
    return q


@transaction.atomic
def refer_to_station(*, actor, question: Question, station_id: int | None, service_id: int | None = None,
                     note: str = ""):
    """Refer a question to a station (转介): the asker is offered a booking there (the Q&A endpoint and
    the question page's form)."""
    from stations.models import StationPage, StationService
    from stations.services import check_referral

    _require_user(actor)
    check_referral(actor=actor, organization=question.organization)
    station = StationPage.objects.live().public().filter(pk=station_id).first() if station_id else None
    if station is None:
        raise NotFound(gettext_lazy("Unknown station"), fields={"station_id": "unknown"})
    service = None
    if service_id is not None:
        service = StationService.objects.filter(pk=service_id, station=station).first()
        if service is None:
            raise NotFound(gettext_lazy("That service is not offered by this station"),
                           fields={"service_id": "unknown"})
    return _refer(actor=actor, question=question, station=station, service=service, note=note)


@transaction.atomic
def refer_question_by_id(*, actor, question_id: int, asker, station, service=None, note: str = ""):
    """The stations API's referral (POST /api/stations/referrals, filled into stations.hooks.question_referral):
    the caller names the question by id and its asker, who must be the question's own."""
    question = Question.objects.select_related("organization", "asker").filter(pk=question_id).first()
    if question is None:
        raise NotFound(gettext_lazy("The question does not exist"))
    from stations.services import check_referral

    check_referral(actor=actor, organization=question.organization)
    if asker is not None and question.asker_id != asker.pk:
        raise Invalid(gettext_lazy("Only the asker can be referred"), fields={"asker_id": "not the asker"})
    return _refer(actor=actor, question=question, station=station, service=service, note=note)


def _refer(*, actor, question: Question, station, service, note: str):
    """The one referral path: who may refer is decided by `stations.services.check_referral` (called
    first by both entries, so that a refusal comes before any detail, and again by offer_booking),
    which also notifies the asker; the question's history shows who referred it where."""
    from stations.services import offer_booking

    _writable(question)
    note = screen(note, field="note", max_length=300, multiline=False, actor=actor)
    referral = offer_booking(actor=actor, station=station, question_id=question.pk, question_title=question.title,
                             question_url=question.get_absolute_url(), organization=question.organization,
                             asker=question.asker, service=service, note=note)
    _event(question, EventKind.REFERRED, actor=actor, to_org=station.organization, reason=f"{station.title} {note}".strip())
    return referral


# --------------------------------------------------------------------------- answering

def answer_role(user, question: Question, as_organization: Organization | None) -> str:
    if as_organization is not None:
        return AnswerRole.ORGANIZATION
    if permissions.can_act(user, question.organization, ANSWERING_ROLES):
        return AnswerRole.STAFF
    if experts.active_expert(user) is not None:
        return AnswerRole.EXPERT
    if Invitation.objects.filter(question=question, invitee=user, status=InvitationStatus.ACCEPTED).exists():
        return AnswerRole.STAFF if permissions.is_staff_anywhere(user, ANSWERING_ROLES) else AnswerRole.PEER
    return AnswerRole.PEER


@transaction.atomic
def answer_question(*, actor, question: Question, body: str, source: str = "", is_copied: bool = False,
                    as_organization: Organization | None = None) -> Answer:
    _require_user(actor)
    body = screen(body, field="body", min_length=ANSWER_MIN, max_length=ANSWER_MAX, actor=actor)
    source = screen(source, field="source", max_length=SOURCE_MAX, multiline=False, actor=actor)
    screening = moderation.screen_post(user=actor, kind="answer", fields={"body": body})
    body = screening.fields["body"]
    if is_copied and not source:
        raise Invalid(gettext_lazy("Copied content must cite its source"), fields={"source": "required"})
    if as_organization is not None and not permissions.can_act(actor, as_organization, ANSWERING_ROLES):
        raise Forbidden(gettext_lazy("You may not answer as this organisation"))
    q = _lock(question)
    _writable(q)
    now = timezone.now()
    role = answer_role(actor, q, as_organization)
    stops = q.status == QuestionStatus.OPEN and (role != AnswerRole.PEER or peer_answer_stops_clock())
    answer = Answer.objects.create(question=q, author=actor, as_organization=as_organization, role=role, body=body,
                                   source=source, is_copied=is_copied, stops_clock=stops, created_at=now,
                                   moderation_status=screening.status)
    moderation.after_post(obj=answer, user=actor, kind="answer", screening=screening)
    updates = {"answer_count": F("answer_count") + 1, "last_activity_at": now}
    if stops:
        on_time = now <= q.deadline_at
        updates.update(status=QuestionStatus.ANSWERED, first_answered_at=now, answered_on_time=on_time)
        _event(q, EventKind.ANSWERED, actor=actor, at=now, reason=ON_TIME_REASON if on_time else LATE_REASON)
        if on_time:
            award(actor, "on_time", f"on_time:{q.pk}:{q.reopen_count}")
    Question.objects.filter(pk=q.pk).update(**updates)
    qa_cache.invalidate(q.pk)
    Invitation.objects.filter(question=q, invitee=actor, status=InvitationStatus.ACCEPTED).update(
        status=InvitationStatus.ANSWERED, answered_at=now)
    _refresh_hot(q.pk)
    award(actor, "answer", f"answer:{q.pk}")
    log(instance=answer, action="wagtail.create", user=actor, data={"question": q.pk, "role": role})
    who = as_organization.display_name if as_organization else selectors.shown_name(q.asker, actor, q)
    notify(recipients=[q.asker], kind="answer", title=f"你的问题有了新回答：{q.title}", body=f"{who}：{body[:120]}",
           url=q.get_absolute_url(), actor=actor, subject=_subject(q), email=True)
    followers = get_user_model().objects.filter(qa_follows__question=q).exclude(pk=q.asker_id)
    notify(recipients=followers, kind="answer", title=f"你关注的问题有了新回答：{q.title}", url=q.get_absolute_url(),
           actor=actor, subject=_subject(q), dedupe_key=f"qa:follow-answer:{answer.pk}")
    return answer


@transaction.atomic
def add_comment(*, actor, question: Question, body: str, answer: Answer | None = None) -> Comment:
    _require_user(actor)
    body = screen(body, field="body", min_length=1, max_length=COMMENT_MAX, actor=actor)
    screening = moderation.screen_post(user=actor, kind="comment", fields={"body": body})
    body = screening.fields["body"]
    q = _lock(question)
    _writable(q)
    if answer is not None and (answer.question_id != q.pk or answer.is_removed):
        raise Invalid(gettext_lazy("The answer does not belong to this question"), fields={"answer_id": "mismatch"})
    comment = Comment.objects.create(question=q, answer=answer, author=actor, body=body,
                                     moderation_status=screening.status)
    moderation.after_post(obj=comment, user=actor, kind="comment", screening=screening)
    Question.objects.filter(pk=q.pk).update(comment_count=F("comment_count") + 1, last_activity_at=timezone.now())
    qa_cache.invalidate(q.pk)
    if answer is not None:
        Answer.objects.filter(pk=answer.pk).update(comment_count=F("comment_count") + 1)
    log(instance=comment, action="wagtail.create", user=actor)
    recipient = answer.author if answer is not None else q.asker
    who = selectors.shown_name(recipient, actor, q)  # an anonymous asker stays anonymous to the recipient
    notify(recipients=[recipient], kind="comment", title=f"{who} 评论了：{q.title}", body=body[:140],
           url=q.get_absolute_url(), actor=actor, subject=_subject(q))
    return comment


# --------------------------------------------------------------------------- likes and follows

@transaction.atomic
def like(*, actor, question: Question, answer: Answer | None = None) -> bool:
    """Like a question or one of its answers. Returns False when already liked (idempotent)."""
    _require_user(actor)
    if question.status == QuestionStatus.REMOVED:
        raise Conflict(gettext_lazy("The question has been removed"))
    if answer is not None and (answer.question_id != question.pk or answer.is_removed):
        raise Invalid(gettext_lazy("The answer does not belong to this question"), fields={"answer_id": "mismatch"})
    author = answer.author if answer is not None else question.asker
    if author.pk == actor.pk:
        raise Conflict(gettext_lazy("You cannot like your own post"))
    moderation.check_rate_limits(user=actor, kind="like")
    try:
        with transaction.atomic():
            Like.objects.create(user=actor, question=question, answer=answer)
    except IntegrityError:
        return False
    moderation.record_post(user=actor, kind="like")
    if answer is not None:
        Answer.objects.filter(pk=answer.pk).update(like_count=F("like_count") + 1)
        qa_cache.invalidate(question.pk)
    else:
        Question.objects.filter(pk=question.pk).update(like_count=F("like_count") + 1)
        qa_cache.invalidate(question.pk)
        _refresh_hot(question.pk)
    award(author, "like", f"like:{actor.pk}:{answer.pk if answer else 'q' + str(question.pk)}")
    return True


@transaction.atomic
def unlike(*, actor, question: Question, answer: Answer | None = None) -> bool:
    _require_user(actor)
    deleted, _ = Like.objects.filter(user=actor, question=question, answer=answer).delete()
    if not deleted:
        return False
    if answer is not None:
        Answer.objects.filter(pk=answer.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
        qa_cache.invalidate(question.pk)
    else:
        Question.objects.filter(pk=question.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
        qa_cache.invalidate(question.pk)
        _refresh_hot(question.pk)
    return True


@transaction.atomic
def follow(*, actor, question: Question) -> bool:
    _require_user(actor)
    if question.status == QuestionStatus.REMOVED:
        raise Conflict(gettext_lazy("The question has been removed"))
    _, created = Follow.objects.get_or_create(user=actor, question=question)
    if created:
        Question.objects.filter(pk=question.pk).update(follow_count=F("follow_count") + 1)
        qa_cache.invalidate(question.pk)
        _refresh_hot(question.pk)
    return created


@transaction.atomic
def unfollow(*, actor, question: Question) -> bool:
    _require_user(actor)
    deleted, _ = Follow.objects.filter(user=actor, question=question).delete()
    if deleted:
        Question.objects.filter(pk=question.pk, follow_count__gt=0).update(follow_count=F("follow_count") - 1)
        qa_cache.invalidate(question.pk)
        _refresh_hot(question.pk)
    return bool(deleted)


def record_view_id(question_id: int) -> None:
    """A view of a question page served from the anonymous page cache (core.page_cache hit hook)."""
    if settings.YV_QA_BUFFER_VIEWS and qa_cache.buffer_view(question_id):
        return
    Question.objects.filter(pk=question_id).update(view_count=F("view_count") + 1)


def record_view(question: Question) -> None:
    """Count a view. With Redis and `YV_QA_BUFFER_VIEWS`, an increment in Redis that `flush_views`
    applies every minute (a read writes nothing to the database); otherwise one UPDATE. Views feed
    the hot score at the next refresh of that question; the cached detail is not dropped for a view."""
    if settings.YV_QA_BUFFER_VIEWS and qa_cache.buffer_view(question.pk):
        return
    Question.objects.filter(pk=question.pk).update(view_count=F("view_count") + 1)


def flush_views() -> int:
    """Apply the views counted in Redis: per taken hash one transaction, one UPDATE per distinct
    count (a handful), whatever the number of questions. Returns the number of views applied."""
    applied = 0
    for key, counts in qa_cache.take_views():
        by_count: dict[int, list[int]] = {}
        for pk, n in counts.items():
            by_count.setdefault(n, []).append(pk)
        try:
            with transaction.atomic():
                for n, ids in by_count.items():
                    for start in range(0, len(ids), 5000):
                        Question.objects.filter(pk__in=ids[start:start + 5000]).update(view_count=F("view_count") + n)
        except Exception:
            qa_cache.views_not_applied(key, counts)
            raise
        qa_cache.views_applied(key)
        applied += sum(counts.values())
    return applied


# --------------------------------------------------------------------------- accepting and closing the loop

@transaction.atomic
def accept_answer(*, actor, answer: Answer) -> Question:
    _require_user(actor)
    q = _lock(answer.question)
    if q.asker_id != actor.pk:
        raise Forbidden(gettext_lazy("Only the asker can accept an answer"))
    _writable(q)
    if answer.is_removed:
        raise Conflict(gettext_lazy("The answer has been removed"))
    if q.accepted_answer_id == answer.pk:
        return q
    q.accepted_answer = answer
    q.last_activity_at = timezone.now()
    q.save(update_fields=["accepted_answer", "last_activity_at", "updated_at"])
    log(instance=q, action="wagtail.edit", user=actor, data={"accepted_answer": answer.pk})
    award(answer.author, "accepted", f"accepted:{q.pk}")
    notify(recipients=[answer.author], kind="accepted", title=f"你的回答被采纳：{q.title}", url=q.get_absolute_url(),
           actor=actor, subject=_subject(q), email=True)
    return q


@transaction.atomic
def mark_outcome(*, actor, question: Question, outcome: str, rating: int | None = None) -> Question:
    """回访: the asker marks solved / partly solved / not solved (and may rate 1–5). Not solved
    reopens the question with a new deadline."""
    _require_user(actor)
    if outcome not in Outcome.values:
        raise Invalid(gettext_lazy("Choose an outcome"), fields={"outcome": "invalid"})
    if rating is not None and not 1 <= rating <= 5:
        raise Invalid(gettext_lazy("Rating must be 1 to 5"), fields={"rating": "out_of_range"})
    q = _lock(question)
    if q.asker_id != actor.pk:
        raise Forbidden(gettext_lazy("Only the asker can mark the outcome"))
    if q.status == QuestionStatus.REMOVED:
        raise Conflict(gettext_lazy("The question has been removed"))
    if q.answer_count == 0:
        raise Conflict(gettext_lazy("There is no answer to rate yet"))
    now = timezone.now()
    q.outcome, q.outcome_rating, q.outcome_at = outcome, rating, now
    fields = ["outcome", "outcome_rating", "outcome_at", "status", "updated_at"]
    _event(q, EventKind.OUTCOME, actor=actor, at=now, reason=Outcome(outcome).label)
    if outcome == Outcome.NOT_SOLVED:
        dl = _deadline(now)
        q.status = QuestionStatus.OPEN
        q.clock_started_at, q.remind_at, q.deadline_at, q.deadline_hours = dl.start, dl.remind, dl.due, dl.hours
        q.first_answered_at = q.answered_on_time = q.reminded_at = q.escalated_at = q.escalated_to = None
        q.reopen_count += 1
        fields += ["clock_started_at", "remind_at", "deadline_at", "deadline_hours", "first_answered_at",
                   "answered_on_time", "reminded_at", "escalated_at", "escalated_to", "reopen_count"]
        _event(q, EventKind.REOPENED, actor=actor, at=now, reason="提问者反馈未解决")
        notify(recipients=selectors.assignees(q, now), kind="reopened", title=f"问题未解决，已重新打开：{q.title}",
               url=q.get_absolute_url(), actor=actor, subject=_subject(q), dedupe_key=f"qa:reopen:{q.pk}:{q.reopen_count}")
    elif outcome == Outcome.SOLVED:
        q.status = QuestionStatus.CLOSED
        helper_answer = q.accepted_answer or (
            Answer.objects.filter(question=q, stops_clock=True).select_related("author").order_by("created_at").first())
        helper = helper_answer.author if helper_answer else None
        if helper is not None:
            award(helper, "solved", f"solved:{q.pk}")
    else:
        q.status = QuestionStatus.ANSWERED if q.status == QuestionStatus.OPEN and q.first_answered_at else q.status
    q.save(update_fields=fields)
    log(instance=q, action="wagtail.edit", user=actor, data={"outcome": outcome, "rating": rating})
    return q


# --------------------------------------------------------------------------- invitations

@transaction.atomic
def invite(*, actor, question: Question, invitee, message: str = "") -> Invitation:
    """The asker or the question's staff invite an expert (or staff) to answer."""
    _require_user(actor)
    message = screen(message, field="message", max_length=INVITATION_TEXT_MAX, multiline=False, actor=actor)
    _writable(question)
    is_staff = permissions.can_act(actor, question.organization, ANSWERING_ROLES)
    if actor.pk != question.asker_id and not is_staff:
        raise Forbidden(gettext_lazy("Only the asker and staff can invite"))
    if invitee is None or not invitee.is_active:
        raise NotFound(gettext_lazy("Unknown invitee"), fields={"invitee_id": "unknown"})
    invitee_is_staff = permissions.is_staff_anywhere(invitee, ANSWERING_ROLES)
    expert = experts.active_expert(invitee)
    if expert is None and not (is_staff and invitee_is_staff):
        raise Invalid(gettext_lazy("Only experts can be invited (staff may invite staff)"),
                      fields={"invitee_id": "not_an_expert"})
    if expert is not None:
        experts.check_invitable(expert)  # alliances' rule: active and not away
    if invitee.pk == actor.pk or invitee.pk == question.asker_id:
        raise Invalid(gettext_lazy("You cannot invite yourself"), fields={"invitee_id": "self"})
    invitation, created = Invitation.objects.get_or_create(question=question, invitee=invitee,
                                                           defaults={"inviter": actor, "message": message})
    if not created:
        raise Conflict(gettext_lazy("This person has already been invited"))
    log(instance=invitation, action="wagtail.create", user=actor, data={"question": question.pk})
    notify(recipients=[invitee], kind="invitation", title=f"邀请你回答：{question.title}", body=message,
           url="/qa/invitations/", actor=actor, subject=_subject(question), email=True)
    return invitation


@transaction.atomic
def invite_suggested(*, actor, question: Question, expert_ids: list[int]) -> list[Invitation]:
    """Staff invite the matched experts (alliances' suggestions) in one action; all or nothing."""
    _require_user(actor)
    if not permissions.can_act(actor, question.organization, ANSWERING_ROLES):
        raise Forbidden(gettext_lazy("Only staff of the question's organisation may invite suggestions"))
    return experts.invite_suggested(actor=actor, question=question, expert_ids=list(expert_ids or []), invite=invite)


@transaction.atomic
def respond_invitation(*, actor, invitation: Invitation, accept: bool, reason: str = "") -> Invitation:
    _require_user(actor)
    reason = screen(reason, field="reason", max_length=INVITATION_TEXT_MAX, multiline=False, actor=actor)
    inv = Invitation.objects.select_for_update().select_related("question").get(pk=invitation.pk)
    if inv.invitee_id != actor.pk:
        raise Forbidden(gettext_lazy("This invitation is not yours"))
    if inv.status != InvitationStatus.PENDING:
        raise Conflict(gettext_lazy("The invitation has already been answered"))
    _writable(inv.question)
    now = timezone.now()
    inv.responded_at = now
    if accept:
        inv.status = InvitationStatus.ACCEPTED
        inv.deadline_at = _deadline(now).due
    else:
        inv.status, inv.decline_reason = InvitationStatus.DECLINED, reason
    inv.save(update_fields=["status", "responded_at", "deadline_at", "decline_reason"])
    log(instance=inv, action="wagtail.edit", user=actor, data={"accepted": accept})
    verb = "接受" if accept else "婉拒"
    notify(recipients=[inv.inviter], kind="invitation", title=f"{actor.public_name} {verb}了回答邀请：{inv.question.title}",
           body=reason, url=inv.question.get_absolute_url(), actor=actor, subject=_subject(inv.question))
    return inv


# --------------------------------------------------------------------------- routing

def _move(q: Question, *, actor, to_org: Organization, kind: str, reason: str, now) -> Question:
    from_org = q.organization
    if q.transfer_count >= MAX_TRANSFERS:
        parent = from_org.get_parent() or from_org
        q.organization, q.routing_locked = parent, True
        q.escalated_to = parent
        _event(q, EventKind.ESCALATED, actor=actor, at=now, from_org=from_org, to_org=parent,
               reason=f"已转办 {q.transfer_count} 次，升级至上级组织办理；原因：{reason}")
    else:
        q.organization = to_org
        q.transfer_count += 1
        _event(q, kind, actor=actor, at=now, from_org=from_org, to_org=to_org, reason=reason)
    q.last_activity_at = now
    q.save(update_fields=["organization", "transfer_count", "routing_locked", "escalated_to", "last_activity_at",
                          "updated_at"])
    log(instance=q, action="wagtail.edit", user=actor,
        data={"routing": kind, "from": from_org.pk, "to": q.organization.pk, "reason": reason})
    verb = "转交" if q.organization.pk == to_org.pk else "升级"
    notify(recipients=[q.asker], kind="transfer", title=f"你的问题已{verb}给{q.organization.display_name}：{q.title}",
           body=f"原因：{reason}", url=q.get_absolute_url(), actor=actor, subject=_subject(q), email=True)
    notify(recipients=selectors.assignees(q, now), kind="transfer", title=f"转来的问题待回答：{q.title}",
           body=f"来自{from_org.display_name}，原因：{reason}", url=q.get_absolute_url(), actor=actor, subject=_subject(q))
    return q


@transaction.atomic
def transfer_question(*, actor, question: Question, to_organization: Organization, reason: str) -> Question:
    """Staff move a question to another organisation in their subtree (usually a local one)."""
    _require_user(actor)
    q = _lock(question)
    if not permissions.can_act(actor, q.organization, ANSWERING_ROLES):
        raise Forbidden(gettext_lazy("You may not transfer this question"))
    reason = screen(reason, field="reason", min_length=2, max_length=REASON_MAX, multiline=False, actor=actor)
    if to_organization is None or not to_organization.is_active:
        raise NotFound(pgettext_lazy("community.services.transfer_question", "Unknown organisation"), fields={"to_organization_id": "unknown"})
    if not permissions.can_act(actor, to_organization, ANSWERING_ROLES):
        raise Forbidden(gettext_lazy("You can only transfer within your own subtree"),
                        fields={"to_organization_id": "outside_subtree"})
    if to_organization.pk == q.organization_id:
        raise Conflict(gettext_lazy("The question is already there"), fields={"to_organization_id": "same"})
    if q.status != QuestionStatus.OPEN:
        raise Conflict(gettext_lazy("Only questions awaiting an answer can be transferred"))
    if q.routing_locked:
        raise Conflict(gettext_lazy("This question was escalated and cannot be transferred again"))
    return _move(q, actor=actor, to_org=to_organization, kind=EventKind.TRANSFERRED, reason=reason, now=timezone.now())


@transaction.atomic
def decline_question(*, actor, question: Question, reason: str) -> Question:
    """The owning organisation says "not ours": back to the organisation that sent it, else up."""
    _require_user(actor)
    q = _lock(question)
    if not permissions.can_act(actor, q.organization, ANSWERING_ROLES):
        raise Forbidden(gettext_lazy("You may not decline this question"))
    reason = screen(reason, field="reason", min_length=2, max_length=REASON_MAX, multiline=False, actor=actor)
    if q.status != QuestionStatus.OPEN:
        raise Conflict(gettext_lazy("Only questions awaiting an answer can be declined"))
    if q.routing_locked:
        raise Conflict(gettext_lazy("This question was escalated and must be answered here"))
    last = (QuestionEvent.objects.filter(question=q, kind__in=[EventKind.TRANSFERRED, EventKind.DECLINED],
                                         to_organization=q.organization).select_related("from_organization")
            .order_by("-created_at", "-id").first())
    back = last.from_organization if last and last.from_organization_id else q.organization.get_parent()
    if back is None:
        raise Conflict(gettext_lazy("The top organisation cannot decline"))
    return _move(q, actor=actor, to_org=back, kind=EventKind.DECLINED, reason=reason, now=timezone.now())


@transaction.atomic
def set_featured(*, actor, question: Question, featured: bool) -> Question:
    q = _lock(question)
    if not permissions.can_act(actor, q.organization, EDITORIAL_ROLES):
        raise Forbidden(gettext_lazy("You may not feature this question"))
    if q.status == QuestionStatus.REMOVED:
        raise Conflict(gettext_lazy("The question has been removed"))
    q.is_featured = featured
    q.save(update_fields=["is_featured", "updated_at"])
    _refresh_hot(q.pk)
    if featured:
        _event(q, EventKind.FEATURED, actor=actor)
    log(instance=q, action="wagtail.edit", user=actor, data={"featured": featured})
    return q


@transaction.atomic
def remove_question(*, actor, question: Question, reason: str) -> Question:
    """Moderators take a question down (the moderation work adds reports and appeals)."""
    reason = screen(reason, field="reason", min_length=2, max_length=REASON_MAX, multiline=False, actor=actor)
    q = _lock(question)
    if not permissions.can_act(actor, q.organization, MODERATION_ROLES):
        raise Forbidden(gettext_lazy("You may not remove this question"))
    q.status = QuestionStatus.REMOVED
    q.save(update_fields=["status", "updated_at"])
    log(instance=q, action="wagtail.delete", user=actor, data={"reason": reason})
    return q


# --------------------------------------------------------------------------- deadline sweeps

def _reminder_due(now):
    return Question.objects.filter(status=QuestionStatus.OPEN, reminded_at__isnull=True, remind_at__lte=now,
                                   deadline_at__gt=now)


def _escalation_due(now):
    return Question.objects.filter(status=QuestionStatus.OPEN, escalated_at__isnull=True, deadline_at__lte=now)


def _claim(due, order: str, limit: int, **mark) -> list[Question]:
    """Lock up to `limit` due questions nobody else holds (SKIP LOCKED: concurrent sweeps share the
    work), mark them claimed, and return them. Call inside a transaction."""
    ids = list(due.select_for_update(skip_locked=True).order_by(order).values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    Question.objects.filter(pk__in=ids).update(**mark)
    qa_cache.invalidate_many(ids)  # the detail shows routing history and where it was escalated
    return list(Question.objects.filter(pk__in=ids).select_related("organization", "target_station").order_by(order))


@transaction.atomic
def remind_due(*, now, limit: int = 500, only: int | None = None, lookup=None) -> int:
    """At 2/3 of the window: remind the assignees of up to `limit` due questions. In-site at once;
    e-mail in duty hours. Queries are per batch and per organisation, not per question."""
    due = _reminder_due(now) if only is None else _reminder_due(now).filter(pk=only)
    questions = _claim(due, "remind_at", limit, reminded_at=now)
    if not questions:
        return 0
    QuestionEvent.objects.bulk_create([
        QuestionEvent(question=q, kind=EventKind.REMINDED, to_organization=q.organization, created_at=now,
                      reason=f"截止时间 {timezone.localtime(q.deadline_at):%m-%d %H:%M}"[:REASON_MAX])
        for q in questions])
    lookup = lookup or selectors.AssigneeLookup(now)
    recipients = lookup.for_questions(questions)
    later = _duty_start(now)
    notify_many([Notice(
        recipients=recipients[q.pk], kind="reminder", title=f"即将超时，请尽快回答：{q.title}",
        body=f"截止时间：{timezone.localtime(q.deadline_at):%Y-%m-%d %H:%M}", url=q.get_absolute_url(),
        subject=_subject(q), dedupe_key=f"qa:remind:{q.pk}:{q.reopen_count}", email=True,
        email_not_before=_email_times(recipients[q.pk], lookup.on_duty(q.organization), later, now),
    ) for q in questions])
    due_by_user: dict = {}  # SMS for those who chose it (accounts.User.notify_sms): one per user per sweep
    for q in questions:
        for user in recipients[q.pk]:
            due_by_user.setdefault(user, []).append(q.deadline_at)
    sms_notices.on_commit_deadline_reminders(due_by_user)
    return len(questions)


@transaction.atomic
def escalate_due(*, now, limit: int = 500, only: int | None = None, lookup=None) -> int:
    """Past the deadline: tell the parent organisation's duty staff (and liaison officers), for up to
    `limit` overdue questions at once."""
    due = _escalation_due(now) if only is None else _escalation_due(now).filter(pk=only)
    questions = _claim(due, "deadline_at", limit, escalated_at=now)
    if not questions:
        return 0
    parents = parents_by_org({q.organization for q in questions})
    by_parent: dict[Organization, list[int]] = {}
    for q in questions:
        q.escalated_to = parents[q.organization_id] or q.organization
        by_parent.setdefault(q.escalated_to, []).append(q.pk)
    for target, ids in by_parent.items():  # one UPDATE per parent organisation, not a CASE per row
        Question.objects.filter(pk__in=ids).update(escalated_to=target)
    overdue = QuestionEvent.objects.bulk_create([
        QuestionEvent(question=q, kind=EventKind.OVERDUE, from_organization=q.organization, to_organization=q.escalated_to,
                      created_at=now, reason=f"超过截止时间 {timezone.localtime(q.deadline_at):%m-%d %H:%M} 未回答"[:REASON_MAX])
        for q in questions])
    question_events_created.send(sender=QuestionEvent, events=overdue)  # bulk_create sends no post_save (partners' feed)
    lookup = lookup or selectors.AssigneeLookup(now)
    lookup.prefetch({q.escalated_to for q in questions})
    later = _duty_start(now)
    notices = []
    for q in questions:
        parent = q.escalated_to
        users = list({**lookup.on_duty(parent), **lookup.liaisons(parent)}.values())
        notices.append(Notice(
            recipients=users, kind="escalation", title=f"下级组织超时未答：{q.title}",
            body=f"{q.organization.display_name}的问题已超时，请督办。", url=q.get_absolute_url(), subject=_subject(q),
            dedupe_key=f"qa:escalate:{q.pk}:{q.reopen_count}", email=True,
            email_not_before=_email_times(users, lookup.on_duty(parent), later, now)))
    notify_many(notices)
    return len(questions)


def remind(*, question_id: int, now) -> bool:
    """Remind one question's assignees if it is due (the sweep does this in batches)."""
    return remind_due(now=now, limit=1, only=question_id) == 1


def escalate_overdue(*, question_id: int, now) -> bool:
    """Escalate one overdue question (the sweep does this in batches)."""
    return escalate_due(now=now, limit=1, only=question_id) == 1


@transaction.atomic
def invitation_overdue(*, invitation_id: int, now) -> bool:
    """An accepted invitation past its own deadline without an answer: tell the invitee and the inviter."""
    inv = (Invitation.objects.select_for_update(skip_locked=True, of=("self",))
           .filter(pk=invitation_id, status=InvitationStatus.ACCEPTED, overdue_notified_at__isnull=True)
           .select_related("question", "invitee", "inviter").first())
    if inv is None:
        return False
    inv.overdue_notified_at = now
    inv.save(update_fields=["overdue_notified_at"])
    q = inv.question
    notify(recipients=[inv.invitee], kind="reminder", title=f"你接受的回答邀请已超时：{q.title}", url=q.get_absolute_url(),
           subject=_subject(q), dedupe_key=f"qa:inv-overdue:{inv.pk}", email=True,
           email_not_before=deadlines.next_duty_start(now, work_calendar(timezone.localdate(now))))
    notify(recipients=[inv.inviter], kind="reminder", title=f"{inv.invitee.public_name} 尚未回答：{q.title}",
           url=q.get_absolute_url(), subject=_subject(q), dedupe_key=f"qa:inv-overdue-inviter:{inv.pk}")
    return True


def sweep_deadlines(*, now=None, batch: int = 500, max_batches: int = 20) -> dict:
    """Send due reminders and escalations. Idempotent (rows are claimed under row locks and
    marked); bounded per run so a backlog is worked off over several beats; each batch is one
    transaction with a constant number of queries whatever the number of questions and organisations
    involved (recipients are looked up once per run; escalation adds one UPDATE per parent)."""
    now = now or timezone.now()
    result = {"reminded": 0, "escalated": 0, "invitations": 0}
    lookup = selectors.AssigneeLookup(now)
    for key, step in (("reminded", remind_due), ("escalated", escalate_due)):
        for _ in range(max_batches):
            done = step(now=now, limit=batch, lookup=lookup)
            result[key] += done
            if done < batch:
                break
    ids = list(Invitation.objects.filter(status=InvitationStatus.ACCEPTED, overdue_notified_at__isnull=True,
                                         deadline_at__lte=now).order_by("deadline_at").values_list("pk", flat=True)[:batch])
    result["invitations"] = sum(invitation_overdue(invitation_id=i, now=now) for i in ids)
    return result
