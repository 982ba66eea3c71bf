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
    open_statuses: tuple[str, ...] = ("pending", "accepted")  # count towards an expert's current load


@dataclass(frozen=True)
class QuestionSource:
    queryset: QuerySet
    created: str = "created_at"
    domain: str = "domain"
    org_path: str = "organization__path"


@dataclass(frozen=True)
class OfflineServiceSource:
    """Delivered station services (bookings with a recorded result)."""

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
    from django.db.models import Exists, OuterRef

    # community's names: questions are asked_at with a deadline_at; "accepted" is the question's
    # accepted_answer (annotated onto each answer); ratings belong to the asker's outcome, not answers.
    accepted = Exists(question.objects.filter(accepted_answer=OuterRef("pk")))
    return CommunitySources(
        answers=AnswerSource(answer.objects.filter(is_removed=False).annotate(accepted=accepted), rating=None,
                             question_created="question__asked_at", deadline="question__deadline_at"),
        invitations=(InvitationSource(invitation.objects.all(), deadline="question__deadline_at")
                     if invitation is not None else None),
        questions=QuestionSource(question.objects.all(), created="asked_at"),
        offline=(OfflineServiceSource(booking.objects.filter(delivered_at__isnull=False))
                 if booking is not None and _has_field(booking, "delivered_at") else None),
    )
