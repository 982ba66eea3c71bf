"""Where the statistics, matching and demand analysis read Q&A (and station) data.

The Q&A models live in `community/` (and stations in `stations/`), built in parallel with this app.
Selectors here never import them: they read through these small descriptions of a queryset and the
field paths they need, so any model with those fields works (the tests and the bench use stand-in
tables). `community_sources()` is the ONE function that binds them to the real models; if the field
names in community differ, adjust the defaults below at merge (docs/alliances.md lists them).
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet


@dataclass(frozen=True)
class AnswerSource:
    queryset: QuerySet
    author: str = "author_id"
    question: str = "question_id"
    created: str = "created_at"
    question_created: str = "question__created_at"
    deadline: str = "question__deadline"
    accepted: str = "accepted"
    rating: str | None = "rating"  # None when answers carry no rating
    domain: str = "question__domain"
    # Where the question records its accepted answer (community: question.accepted_answer): then an
    # answer is accepted when that id is its own, read through the join to questions that response
    # times need anyway (`accepted` is not used).
    accepted_answer: str | None = None
    # Where ratings belong to the asker's outcome of the whole question (community: outcome_rating):
    # the rating counts for the expert whose answer helped: the accepted answer, or, with none
    # accepted, the answers that stopped the question's clock (`helped`, a boolean field of the answer).
    outcome_rating: str | None = None
    helped: str | None = None
    # Optional, faster: if answers store their response time (seconds since the question) and whether
    # they met the deadline when they are written, statistics need no join to questions.
    response_seconds: str | None = None
    on_time: str | None = None


@dataclass(frozen=True)
class InvitationSource:
    queryset: QuerySet
    invitee: str = "invitee_id"
    question: str = "question_id"
    created: str = "created_at"
    status: str = "status"
    deadline: str = "question__deadline"
    question_title: str = "question__title"
    accepted_statuses: tuple[str, ...] = ("accepted", "answered")
    # When the Q&A app records on the invitation when the invitee answered and the deadline it gave
    # them (community: answered_at, deadline_at set on acceptance), "answered on time" is read from the
    # invitation alone; otherwise it is derived from the answers (an EXISTS over answers and questions).
    answered_at: str | None = None
    own_deadline: str | None = None
    open_statuses: tuple[str, ...] = ("pending", "accepted")  # count towards an expert's current load


@dataclass(frozen=True)
class QuestionSource:
    queryset: QuerySet
    created: str = "created_at"
    domain: str = "domain"
    org_path: str = "organization__path"


@dataclass(frozen=True)
class OfflineServiceSource:
    """Delivered station services (community: completed bookings, delivered when completed)."""

    queryset: QuerySet
    station: str = "station_id"
    delivered: str = "delivered_at"


@dataclass(frozen=True)
class CommunitySources:
    answers: AnswerSource
    invitations: InvitationSource | None = None
    questions: QuestionSource | None = None
    offline: OfflineServiceSource | None = None


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def community_sources() -> CommunitySources | None:
    """The live sources, or None while the Q&A app has no Question/Answer models (pages then say so)."""
    answer, question = _model("community.Answer"), _model("community.Question")
    if answer is None or question is None:
        return None
    invitation = _model("community.Invitation")
    booking = _model("stations.Booking")

    # community's names: questions are asked_at with a deadline_at; "accepted" is the question's
    # accepted_answer; ratings belong to the asker's outcome of the question (outcome_rating), credited
    # to the accepted answer or else the clock-stopping ones; invitations record answered_at and their
    # own deadline_at; offline services are completed bookings at the station.
    offline = None
    if booking is not None and _has_field(booking, "completed_at"):
        offline = OfflineServiceSource(booking.objects.filter(status="completed", completed_at__isnull=False),
                                       delivered="completed_at")
    # "On time" is community's stored truth (community.selectors.answer_on_time), never the question's
    # current deadline for answers written before a reopen moved it.
    from community.selectors import answer_on_time

    return CommunitySources(
        answers=AnswerSource(answer.objects.filter(is_removed=False).annotate(stored_on_time=answer_on_time()),
                             rating=None, on_time="stored_on_time",
                             question_created="question__asked_at", deadline="question__deadline_at",
                             accepted_answer="question__accepted_answer_id",
                             outcome_rating="question__outcome_rating", helped="stops_clock"),
        invitations=(InvitationSource(invitation.objects.all(), deadline="question__deadline_at",
                                      answered_at="answered_at", own_deadline="deadline_at")
                     if invitation is not None else None),
        questions=QuestionSource(question.objects.all(), created="asked_at"),
        offline=offline,
    )
