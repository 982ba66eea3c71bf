"""The bottom knows nothing of the top (issue 24): accounts, organizations and moderation call the
apps above them only through named hooks and signals those apps fill in their AppConfig.ready().
Every hook must be filled (a missing registration would otherwise skip a ban check or a
screening), an empty hook fails loudly, and the behaviour behind each hook holds end to end."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from freezegun import freeze_time

from accounts import hooks as account_hooks
from accounts.models import SmsMessage
from accounts.sms.backends import last_code
from core.hooks import Hook, Providers
from moderation import hooks as moderation_hooks
from organizations import hooks as organization_hooks
from organizations import signals as organization_signals
from tests.factories import PASSWORD, UserFactory


def test_every_hook_is_filled_by_the_app_above():
    import appeals.registrations
    import community.registrations
    import home.registrations
    import home.selectors
    import moderation.services
    import stations.registrations
    from accounts import services as account_services

    assert account_hooks.is_banned._impl is moderation.services.is_banned
    assert account_hooks.screen_public_texts._impl is moderation.services.screen_public_texts
    providers = dict(zip(account_hooks.personal_data.keys(), account_hooks.personal_data, strict=True))
    assert providers["community"].export is community.registrations.export_personal_data
    assert providers["community"].after_close is community.registrations.invalidate_posts
    assert providers["stations"].export is stations.registrations.export_personal_data
    assert providers["stations"].erase is stations.registrations.erase_personal_data
    assert organization_hooks.branch_urls._impl is home.selectors.branch_urls
    assert organization_hooks.record_sensitive_consent._impl is account_services.record_sensitive_consent
    assert moderation_hooks.appeal_for_alert_ref._impl is appeals.registrations.appeal_for_alert_ref
    assert moderation_hooks.open_appeal_for_alert._impl is appeals.registrations.open_appeal_for_alert
    from community.services import refer_question_by_id
    from stations import hooks as station_hooks

    assert station_hooks.question_referral._impl is refer_question_by_id
    import alliances.registrations
    from community import hooks as community_hooks

    assert community_hooks.expert_directory._impl is alliances.registrations.expert_directory
    for signal in (organization_signals.organization_created, organization_signals.organization_renamed):
        receivers = [entry[1]() for entry in signal.receivers]  # (key, weak reference, is_async)
        assert home.registrations._branch_page in receivers


def test_an_empty_hook_fails_loudly_and_a_second_implementation_is_refused():
    hook = Hook("test.empty")
    assert not hook.registered
    with pytest.raises(ImproperlyConfigured, match=r"test\.empty"):
        hook(object())
    hook.register(len)
    hook.register(len)  # ready() twice: the same function again is fine
    assert hook([1, 2]) == 2
    with pytest.raises(ImproperlyConfigured):
        hook.register(sum)
    providers = Providers("test.providers")
    providers.register("a", len)
    with pytest.raises(ImproperlyConfigured):
        providers.register("a", sum)
    assert list(providers) == [len]


def test_an_unfilled_ban_hook_refuses_every_login(monkeypatch, tree):
    """Fail closed: without moderation's answer nobody is let in (rather than everyone)."""
    from accounts.backends import PhoneOrUsernameBackend

    user = UserFactory(phone="13512345678")
    monkeypatch.setattr(account_hooks.is_banned, "_impl", None)
    with pytest.raises(ImproperlyConfigured):
        PhoneOrUsernameBackend().authenticate(None, username="13512345678", password=PASSWORD)
    assert user.is_active


@pytest.mark.django_db
def test_a_banned_user_gets_no_login_code_and_cannot_log_in(client, tree):
    from moderation.models import Sanction, SanctionKind

    user = UserFactory(phone="13512345678", organization=tree.tianhe)
    Sanction.objects.create(user=user, kind=SanctionKind.BAN, organization=tree.province,
                            starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(days=3),
                            reason="spam")
    assert client.post("/accounts/login/", {"username": "13512345678", "password": PASSWORD}).status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/code/", {"phone": "13512345678", "action": "send"})
    assert response.status_code == 200  # the same answer as for anyone: nothing revealed
    assert not SmsMessage.objects.filter(phone="13512345678").exists()  # but no code is delivered
    other = UserFactory(phone="13612345678", organization=tree.tianhe)
    with freeze_time(timezone.now() + timedelta(minutes=2)):
        client.post("/accounts/login/code/", {"phone": "13612345678", "action": "send"})
        assert client.post("/accounts/login/code/", {"phone": "13612345678", "code": last_code("13612345678"),
                                                     "action": "login"}).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


@pytest.mark.django_db
def test_the_data_copy_and_closing_reach_the_bookings(client, tree):
    """stations fills accounts.hooks.personal_data: the copy lists the bookings, closing blanks their notes."""
    from accounts.services import close_account
    from stations import services as station_services
    from stations.domain.calendar import CHINA
    from stations.models import Booking, ServiceSlot
    from tests.stations.conftest import make_station

    now = datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)  # a Wednesday morning: the station is open

    user = UserFactory(phone="13512345678", organization=tree.tianhe)
    station = make_station(tree.tianhe)
    with freeze_time(now):
        station_services.generate_slots(station=station, days=3, start=now.date())
        slot = ServiceSlot.objects.filter(station=station).order_by("starts_at").first()
        booking = station_services.request_booking(user=user, slot_id=slot.pk, note="我的电话 13512345678")
    client.force_login(user)
    data = json.loads(client.get("/accounts/profile/data.json").content)
    assert data["bookings"] == [{"id": booking.pk, "station": str(station), "status": "pending",
                                 "created_at": booking.requested_at.isoformat()}]
    assert {"questions", "answers", "comments", "consents", "cadre_applications"} <= set(data)
    close_account(user=user, password=PASSWORD)
    assert Booking.objects.get(pk=booking.pk).note == ""
