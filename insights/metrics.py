"""Set-based computation of one day's KPIs from the activity tables of the other apps.

Every function here issues a few GROUP BY queries for one local day (Asia/Shanghai) and returns
`{key: {column: value}}` dicts, keyed by organisation id or user id; nothing loops over the day's
records in Python (except the SQLite fallback of the percentiles). `insights.services.aggregate_day`
merges and stores them. Which day a fact belongs to:

- questions, first responses, answer/on-time rates: the day the question was asked (a cohort; the
  nightly task re-aggregates the last few days so late first answers are counted);
- answers, comments, outcomes (solved/partly/not and ratings), invitations, alliance joins, appeal
  steps, booking ratings: the day they happened;
- bookings and their response on time: the day they were requested.

The organisation of a Q&A fact is the question's current owner; of a booking, the station's
organisation; of an appeal, the organisation running it; of a user, the user's location.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .domain.histogram import BOUNDS_MINUTES, exact_percentile
from .models import HISTOGRAM_FIELDS

REMOVED = "removed"
CADRE_EXPERT_KINDS = ("cadre_full", "cadre_part")
STAFF_ANSWER_ROLES = ("staff", "organization")
SEND_BACK_ACTIONS = ("send_back_proposal", "hand_back", "send_back_result")
CLOSED_APPEAL_STATES = ("archived", "withdrawn")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _in(field: str, bounds) -> Q:
    start, end = bounds
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def histogram_aggregates(rt: str, base: Q | None = None) -> dict:
    """Count(...) per bucket of the duration annotation `rt` (see domain/histogram.py)."""
    base = base or Q()
    out = {}
    lower = None
    for name, bound in zip(HISTOGRAM_FIELDS, [*BOUNDS_MINUTES, None], strict=True):
        q = Q(base)
        if lower is not None:
            q &= Q(**{f"{rt}__gte": timedelta(minutes=lower)})
        if bound is not None:
            q &= Q(**{f"{rt}__lt": timedelta(minutes=bound)})
        out[name] = Count("pk", filter=q & Q(**{f"{rt}__isnull": False}))
        lower = bound
    return out


def _seconds(value) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)  # some backends return microseconds for durations


def _cadre_exists(ref: str):
    from alliances.models import ExpertProfile
    from organizations.models import StaffMembership

    return (Exists(StaffMembership.objects.filter(user=OuterRef(ref), is_active=True))
            | Exists(ExpertProfile.objects.filter(user=OuterRef(ref), kind__in=CADRE_EXPERT_KINDS)))


def _collect(out: dict, rows, key: str):
    for row in rows:
        k = row.pop(key)
        if k is None:
            continue
        bucket = out.setdefault(k, {})
        for field, value in row.items():
            if field.endswith("seconds"):
                value = _seconds(value)
            bucket[field] = bucket.get(field, 0) + (value or 0)


# ---------------------------------------------------------------- organisations

def org_metrics(day: date) -> dict[int, dict]:
    from alliances.models import AllianceMembership
    from appeals.models import Appeal, AppealEvent
    from community.models import ON_TIME_REASON, Answer, Comment, Invitation, Question
    from community.selectors import first_response_reason
    from stations.models import Booking

    b = day_bounds(day)
    out: dict[int, dict] = {}
    User = get_user_model()

    questions = Question.objects.exclude(status=REMOVED).exclude(moderation_status=REMOVED)
    answers = Answer.objects.filter(is_removed=False).exclude(moderation_status=REMOVED)
    comments = Comment.objects.filter(is_removed=False).exclude(moderation_status=REMOVED)
    bookings = Booking.objects.all()

    # Users: registered that day; active = logged in or posted or booked that day.
    _collect(out, User.objects.filter(_in("date_joined", b), organization__isnull=False)
             .values("organization_id").annotate(registered_users=Count("pk")), "organization_id")
    active = (Q(_in("last_login", b))
              | Q(pk__in=questions.filter(_in("asked_at", b)).values("asker_id"))
              | Q(pk__in=answers.filter(_in("created_at", b)).values("author_id"))
              | Q(pk__in=comments.filter(_in("created_at", b)).values("author_id"))
              | Q(pk__in=bookings.filter(_in("requested_at", b)).values("user_id")))
    _collect(out, User.objects.filter(active, organization__isnull=False)
             .values("organization_id").annotate(active_users=Count("pk")), "organization_id")

    # Questions asked that day (a cohort) and their first responses.
    rt = ExpressionWrapper(F("first_answered_at") - F("clock_started_at"), output_field=DurationField())
    answered = Q(first_answered_at__isnull=False) | Q(answer_count__gt=0)
    # On time: the first response's stored verdict (its ANSWERED event), not Question.answered_on_time,
    # which a reopen clears, nor the current deadline, which a reopen moves.
    _collect(out, questions.filter(_in("asked_at", b)).annotate(rt=rt, first_reason=first_response_reason())
             .values("organization_id").annotate(
        questions=Count("pk"),
        questions_answered=Count("pk", filter=answered),
        questions_on_time=Count("pk", filter=Q(first_reason=ON_TIME_REASON)
                                | Q(first_reason__isnull=True, answered_on_time=True)),
        first_response_count=Count("pk", filter=Q(first_answered_at__isnull=False)),
        first_response_seconds=Sum("rt"),
        **histogram_aggregates("rt"),
    ), "organization_id")
    for org_id, (median, p90) in first_response_percentiles(b).items():
        if org_id in out:
            out[org_id]["first_response_median_min"] = median
            out[org_id]["first_response_p90_min"] = p90

    # Answers and comments posted that day.
    _collect(out, answers.filter(_in("created_at", b)).annotate(cadre=_cadre_exists("author_id"))
             .values(org=F("question__organization_id")).annotate(
        answers=Count("pk"),
        answers_staff=Count("pk", filter=Q(role__in=STAFF_ANSWER_ROLES)),
        answers_expert=Count("pk", filter=Q(role="expert")),
        answers_peer=Count("pk", filter=Q(role="peer")),
        cadre_answers=Count("pk", filter=Q(cadre=True) & ~Q(role="peer")),
    ), "org")
    _collect(out, comments.filter(_in("created_at", b)).annotate(cadre=_cadre_exists("author_id"))
             .values(org=F("question__organization_id")).annotate(
        comments=Count("pk"), cadre_comments=Count("pk", filter=Q(cadre=True))), "org")

    # Outcomes marked that day (solved / partly / not) and the asker's rating.
    _collect(out, questions.filter(_in("outcome_at", b)).values("organization_id").annotate(
        outcomes_solved=Count("pk", filter=Q(outcome="solved")),
        outcomes_partly=Count("pk", filter=Q(outcome="partly")),
        outcomes_not_solved=Count("pk", filter=Q(outcome="not_solved")),
        outcome_ratings=Count("outcome_rating"),
        outcome_rating_sum=Sum("outcome_rating"),
    ), "organization_id")

    # Invitations: sent, accepted/declined, answered that day; those handled by cadres.
    handled = Q(_in("responded_at", b)) | Q(_in("answered_at", b))
    _collect(out, Invitation.objects.filter(Q(_in("created_at", b)) | handled)
             .annotate(cadre=_cadre_exists("invitee_id")).values(org=F("question__organization_id")).annotate(
        invitations_sent=Count("pk", filter=_in("created_at", b)),
        invitations_accepted=Count("pk", filter=_in("responded_at", b) & Q(status__in=("accepted", "answered"))),
        invitations_declined=Count("pk", filter=_in("responded_at", b) & Q(status="declined")),
        invitations_answered=Count("pk", filter=_in("answered_at", b)),
        cadre_invitations=Count("pk", filter=handled & Q(cadre=True)),
    ), "org")

    # Station bookings requested that day, and ratings given that day.
    _collect(out, bookings.filter(_in("requested_at", b)).values(org=F("station__organization_id")).annotate(
        bookings=Count("pk"),
        bookings_responded=Count("pk", filter=Q(responded_at__isnull=False)),
        bookings_on_time=Count("pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))),
        bookings_completed=Count("pk", filter=Q(status="completed")),
    ), "org")
    _collect(out, bookings.filter(_in("rated_at", b), rating__isnull=False).values(org=F("station__organization_id"))
             .annotate(booking_ratings=Count("pk"), booking_rating_sum=Sum("rating")), "org")

    # Alliance participation: memberships that became active that day.
    _collect(out, AllianceMembership.objects.filter(_in("decided_at", b), status="active")
             .values(org=F("alliance__organization_id")).annotate(alliance_joins=Count("pk")), "org")

    # Appeals: opened that day; steps taken that day (closed, sent back, return visits).
    _collect(out, Appeal.objects.filter(_in("created_at", b)).values("organization_id")
             .annotate(appeals_opened=Count("pk")), "organization_id")
    overdue = AppealEvent.objects.filter(appeal=OuterRef("appeal_id"), action="overdue")
    closing = Q(to_state__in=CLOSED_APPEAL_STATES) & ~Q(from_state__in=CLOSED_APPEAL_STATES)
    _collect(out, AppealEvent.objects.filter(_in("created_at", b)).annotate(late=Exists(overdue))
             .values(org=F("appeal__organization_id")).annotate(
        appeals_closed=Count("pk", filter=closing),
        appeals_closed_on_time=Count("pk", filter=closing & Q(late=False)),
        appeals_sent_back=Count("pk", filter=Q(action__in=SEND_BACK_ACTIONS)),
        appeals_satisfied=Count("pk", filter=Q(action="return_visit", data__rating="satisfied")),
        appeals_partly=Count("pk", filter=Q(action="return_visit", data__rating="partly")),
        appeals_not_satisfied=Count("pk", filter=Q(action="return_visit", data__rating="not_satisfied")),
    ), "org")
    return out


def first_response_percentiles(bounds) -> dict[int, tuple[float, float]]:
    """Exact median and 90th percentile of first-response minutes per organisation for questions
    asked in `bounds`: percentile_cont in PostgreSQL; computed in Python on other databases."""
    from community.models import Question

    start, end = bounds
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT organization_id,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_answered_at - clock_started_at)),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM first_answered_at - clock_started_at))
            FROM {Question._meta.db_table}
            WHERE asked_at >= %s AND asked_at < %s AND first_answered_at IS NOT NULL
              AND status <> %s AND moderation_status <> %s
            GROUP BY organization_id"""
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end, REMOVED, REMOVED])
            return {org: (round(float(m) / 60, 1), round(float(p) / 60, 1)) for org, m, p in cursor.fetchall()}
    by_org: dict[int, list[float]] = {}
    rows = (Question.objects.filter(asked_at__gte=start, asked_at__lt=end, first_answered_at__isnull=False)
            .exclude(status=REMOVED).exclude(moderation_status=REMOVED)
            .values_list("organization_id", "first_answered_at", "clock_started_at"))
    for org, answered_at, started in rows:
        by_org.setdefault(org, []).append((answered_at - started).total_seconds())
    return {org: (round(exact_percentile(v, 0.5) / 60, 1), round(exact_percentile(v, 0.9) / 60, 1))
            for org, v in by_org.items()}


# ---------------------------------------------------------------- people

def person_metrics(day: date) -> dict[int, dict]:
    from community.models import Answer, Comment, Invitation, Question
    from community.selectors import answer_on_time
    from stations.models import Booking

    b = day_bounds(day)
    out: dict[int, dict] = {}

    # Answers by staff, experts and official accounts; the clock-stopping ones are first responses.
    rt = Case(
        When(created_at__gte=F("question__clock_started_at"),
             then=ExpressionWrapper(F("created_at") - F("question__clock_started_at"), output_field=DurationField())),
        default=ExpressionWrapper(F("created_at") - F("question__asked_at"), output_field=DurationField()),
        output_field=DurationField(),
    )
    first = Q(stops_clock=True)
    _collect(out, Answer.objects.filter(_in("created_at", b), is_removed=False).exclude(role="peer")
             .exclude(moderation_status=REMOVED).annotate(rt=Case(When(first, then=rt), output_field=DurationField()),
                                                          stored_on_time=answer_on_time())
             .values("author_id").annotate(
        answers=Count("pk"),
        first_responses=Count("pk", filter=first),
        on_time=Count("pk", filter=first & Q(stored_on_time=True)),
        response_seconds=Sum("rt"),
        accepted=Count("pk", filter=Q(accepted_for__isnull=False)),
        **histogram_aggregates("rt"),
    ), "author_id")

    # Outcomes marked that day, credited to the helper: the accepted answer's author, else the
    # author of the first clock-stopping answer (as community credits "solved" points).
    first_author = (Answer.objects.filter(question=OuterRef("pk"), stops_clock=True).exclude(role="peer")
                    .order_by("created_at").values("author_id")[:1])
    helper = Coalesce(Case(When(~Q(accepted_answer__role="peer"), then=F("accepted_answer__author_id")),
                           output_field=BigIntegerField()),
                      Subquery(first_author, output_field=BigIntegerField()), output_field=BigIntegerField())
    _collect(out, Question.objects.filter(_in("outcome_at", b)).exclude(status=REMOVED).annotate(helper=helper)
             .values("helper").annotate(
        solved=Count("pk", filter=Q(outcome="solved")),
        partly=Count("pk", filter=Q(outcome="partly")),
        not_solved=Count("pk", filter=Q(outcome="not_solved")),
        ratings=Count("outcome_rating"),
        rating_sum=Sum("outcome_rating"),
    ), "helper")

    # Comments by cadres (youths' comments are not appraised).
    _collect(out, Comment.objects.filter(_in("created_at", b), is_removed=False).annotate(cadre=_cadre_exists("author_id"))
             .filter(cadre=True).values("author_id").annotate(comments=Count("pk")), "author_id")

    # Invitations received, answered to, and handled that day.
    _collect(out, Invitation.objects.filter(Q(_in("created_at", b)) | Q(_in("responded_at", b)) | Q(_in("answered_at", b)))
             .values("invitee_id").annotate(
        invitations_received=Count("pk", filter=_in("created_at", b)),
        invitations_accepted=Count("pk", filter=_in("responded_at", b) & Q(status__in=("accepted", "answered"))),
        invitations_declined=Count("pk", filter=_in("responded_at", b) & Q(status="declined")),
        invitations_answered=Count("pk", filter=_in("answered_at", b)),
    ), "invitee_id")

    # Bookings answered by station admins that day; ratings of the services they delivered.
    _collect(out, Booking.objects.filter(_in("responded_at", b), responded_by__isnull=False).values("responded_by_id")
             .annotate(bookings_handled=Count("pk"),
                       bookings_on_time=Count("pk", filter=Q(responded_at__lte=F("respond_by")))), "responded_by_id")
    _collect(out, Booking.objects.filter(_in("rated_at", b), rating__isnull=False, completed_by__isnull=False)
             .values("completed_by_id").annotate(ratings=Count("pk"), rating_sum=Sum("rating")), "completed_by_id")

    # Promotion work held that day, credited to its liaison officer (A1 第三条).
    from .models import PromotionActivity

    _collect(out, PromotionActivity.objects.filter(held_on=day, liaison__isnull=False).values("liaison_id")
             .annotate(promotions=Count("pk"), promotion_reach=Sum("reach")), "liaison_id")
    return out
