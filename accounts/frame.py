"""The page frame's user area (login state, name, unread notifications, log-out form) as one small
per-user fragment: base.html includes accounts/frame.html for a full render, and core.page_cache
composes the same fragment, rendered here and cached per user, into a shared cached page for a
logged-in user (issue 23, docs/performance.md)."""

from django.template.loader import render_to_string


def render(user) -> tuple[str, bool]:
    """(HTML, personal): personal for users who may open the Wagtail admin, whose pages carry
    Wagtail's per-page user bar — they get the full render."""
    from core.page_cache import CSRF_MARKER
    from notifications.services import unread_count

    html = render_to_string("accounts/frame.html", {
        "frame_user": user, "unread_notifications": unread_count(user), "csrf_token": CSRF_MARKER,
    })
    return html, user.has_perm("wagtailadmin.access_admin")


def fingerprint(user) -> str:
    """What of the user row the fragment depends on: a new name makes a new entry by itself."""
    return f"{user.public_name}|{user.is_staff}|{user.is_superuser}|{user.is_active}"
