from django.contrib.auth import authenticate

from accounts.models import level_for_points
from tests.factories import PASSWORD, UserFactory


def test_login_by_username_or_phone(db):
    user = UserFactory(username="xiaoming", phone="13912345678")
    assert authenticate(username="xiaoming", password=PASSWORD) == user
    assert authenticate(username="13912345678", password=PASSWORD) == user
    assert authenticate(username="13912345678", password="wrong") is None
    assert authenticate(username="nobody", password=PASSWORD) is None


def test_inactive_user_cannot_log_in(db):
    user = UserFactory(phone="13900000099")
    user.is_active = False
    user.save()
    assert authenticate(username="13900000099", password=PASSWORD) is None


def test_login_page_accepts_phone(db, client):
    UserFactory(username="ahua", phone="13911112222")
    r = client.post("/accounts/login/", {"username": "13911112222", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/accounts/login/").context["user"].username == "ahua"


def test_levels_follow_points():
    assert level_for_points(0) == 1
    assert level_for_points(49) == 1
    assert level_for_points(50) == 2
    assert level_for_points(10_000) == 8
