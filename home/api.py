"""Content API (django-ninja) at /api/content/: activity sign-ups, contest votes and results, and a
view beacon. Page content itself is the Wagtail API v2 at /api/v2/pages/."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from accounts.services import record_personal_data_access
from core.pagination import LimitOffsetPagination
from core.schemas import StrictInt

from . import selectors, services
from .models import ActivityPage, ContestPage

router = Router()


class SignupIn(Schema):
    name: str = Field("", max_length=40, description="Defaults to the user's real or display name")
    phone: str = Field("", max_length=20, description="Defaults to the user's phone")
    note: str = Field("", max_length=200)


class SignupState(Schema):
    state: str = Field(..., description="open | full | ended | closed")
    capacity: int | None
    taken: int
    remaining: int | None
    deadline: datetime | None
    signed_up: bool = False


class SignupOut(Schema):
    id: int
    user_id: int
    name: str
    phone: str
    note: str
    created_at: datetime


class VoteIn(Schema):
    candidate_id: StrictInt


class CandidateResult(Schema):
    candidate_id: int
    name: str
    votes: int


class VotingOut(Schema):
    state: str = Field(..., description="not_started | open | closed")
    results_visible: bool
    results: list[CandidateResult] | None = None
    voted_today: list[int] = Field(default_factory=list, description="Candidates the user voted for today")


def _state(request, activity) -> dict:
    data = selectors.signup_summary(activity)
    user = request.user
    data["signed_up"] = bool(user.is_authenticated and activity.signups.filter(user=user).exists())
    return data


@router.get("/activities/{activity_id}/signup", response=SignupState, summary="Sign-up state of an activity")
def signup_state(request, activity_id: int):
    return _state(request, get_object_or_404(ActivityPage.objects.live(), pk=activity_id))


@router.post("/activities/{activity_id}/signup", response={201: SignupState}, auth=django_auth,
             summary="Sign up for an activity (409 when full, ended or already signed up)")
def sign_up(request, activity_id: int, payload: SignupIn):
    services.sign_up(actor=request.user, activity_id=activity_id, **payload.dict())
    return 201, _state(request, ActivityPage.objects.get(pk=activity_id))


@router.delete("/activities/{activity_id}/signup", response=SignupState, auth=django_auth,
               summary="Cancel my sign-up")
def cancel_signup(request, activity_id: int):
    services.cancel_signup(actor=request.user, activity_id=activity_id)
    return _state(request, ActivityPage.objects.get(pk=activity_id))


@router.get("/activities/{activity_id}/signups", response=list[SignupOut], auth=django_auth,
            summary="The sign-up list (the branch's editors and administrators)")
@paginate(LimitOffsetPagination, pass_parameter="page_params")
def signup_list(request, activity_id: int, **kwargs):
    activity = get_object_or_404(ActivityPage, pk=activity_id)
    services.check_signup_list_access(actor=request.user, activity=activity)
    signups = selectors.signups_for(activity)
    page = kwargs.get("page_params")
    shown = signups[page.offset:page.offset + page.limit] if page is not None else signups
    # Organisers see the names and numbers people gave them; the page they received is logged.
    record_personal_data_access(viewer=request.user, subjects=[s.user for s in shown], fields=["real_name", "phone"],
                                where=f"api:content signups (activity {activity.pk})", request=request)
    return signups


def _voting(request, contest) -> dict:
    staff = selectors.is_branch_staff(request.user, contest)
    data = selectors.voting_summary(contest, is_staff=staff)
    if request.user.is_authenticated:
        from django.utils import timezone

        data["voted_today"] = list(contest.votes.filter(user=request.user, day=timezone.localdate())
                                   .values_list("candidate_id", flat=True))
    return data


@router.get("/contests/{contest_id}/voting", response=VotingOut, summary="Voting state and (if visible) results")
def voting(request, contest_id: int):
    return _voting(request, get_object_or_404(ContestPage.objects.live(), pk=contest_id))


@router.post("/contests/{contest_id}/votes", response={201: VotingOut}, auth=django_auth,
             summary="Vote for a candidate (once per candidate per day, while voting is open)")
def vote(request, contest_id: int, payload: VoteIn):
    services.vote(actor=request.user, contest_id=contest_id, candidate_id=payload.candidate_id)
    return 201, _voting(request, ContestPage.objects.get(pk=contest_id))


@router.post("/pages/{page_id}/view", response={204: None}, summary="Count a view (beacon from the page)")
def page_view(request, page_id: int):
    visitor = f"u{request.user.pk}" if request.user.is_authenticated else request.META.get("REMOTE_ADDR", "")
    services.record_view(page_id=page_id, visitor=visitor)
    return 204, None
