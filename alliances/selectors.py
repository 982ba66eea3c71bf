"""Reads about experts that other apps use."""

from .models import ExpertProfile, ExpertStatus


def active_expert(user) -> ExpertProfile | None:
    """The user's expert profile if they are an active expert, else None."""
    if user is None or not user.is_authenticated:
        return None
    profile = ExpertProfile.objects.filter(user=user, status=ExpertStatus.ACTIVE).first()
    return profile


def is_expert(user) -> bool:
    return active_expert(user) is not None


def experts_in_domain(domain: str):
    return ExpertProfile.objects.filter(status=ExpertStatus.ACTIVE, domains__domain=domain).select_related("user")
