"""Admin: a "sign-up list" button on activities, for the branch's staff."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from .models import ActivityPage


def _signup_button(page, user, priority):
    if page.specific_class is not ActivityPage:
        return
    from .selectors import is_branch_staff

    if is_branch_staff(user, page):
        yield Button(_("Sign-up list"), reverse("content:signup_list", args=[page.pk]), icon_name="list-ul",
                     priority=priority)


@hooks.register("register_page_listing_more_buttons")
def signup_listing_button(page, user, next_url=None):
    yield from _signup_button(page, user, 15)


@hooks.register("register_page_header_buttons")
def signup_header_button(page, user, view_name, next_url=None):
    yield from _signup_button(page, user, 17)
