"""Activity sign-up: capacity, deadline, duplicates, the staff list and CSV, and the race."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from home import services
from home.models import ActivitySignup, SignupSheet
from organizations.models import StaffRole
from tests.factories import UserFactory
from tests.home.conftest import make_activity

URL = "/api/content/activities/{}/signup"
FORM = {"name": "小明", "phone": "13900000001"}


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_sign_up_then_twice_is_409(activity, youth, client_for):
    c = client_for(youth)
    r = post_json(c, URL.format(activity.pk), FORM)
    assert r.status_code == 201, r.content
    assert r.json() == {**r.json(), "state": "open", "taken": 1, "remaining": 9, "signed_up": True}
    r = post_json(c, URL.format(activity.pk), FORM)
    assert r.status_code == 409 and r.json()["code"] == "already_signed_up"
    assert ActivitySignup.objects.count() == 1 and SignupSheet.objects.get().taken == 1


def test_sign_up_requires_login_and_valid_details(activity, youth, client_for):
    assert post_json(client_for(), URL.format(activity.pk), FORM).status_code == 401
    r = post_json(client_for(youth), URL.format(activity.pk), {"name": "小明", "phone": "abc"})
    assert r.status_code == 400 and "phone" in r.json()["errors"]
    assert post_json(client_for(youth), URL.format(999999), FORM).status_code == 404
    assert not ActivitySignup.objects.exists()


def test_full_activity_is_409_and_nothing_written(activity, client_for):
    activity = make_activity(activity.get_parent(), capacity=1, slug="small")
    assert post_json(client_for(UserFactory()), URL.format(activity.pk), FORM).status_code == 201
    r = post_json(client_for(UserFactory()), URL.format(activity.pk), FORM)
    assert r.status_code == 409 and r.json()["code"] == "full"
    assert "名额已满" in r.json()["detail"]
    assert activity.signups.count() == 1


def test_after_deadline_is_409(activity, youth, client_for):
    activity = make_activity(activity.get_parent(), deadline_days=2, slug="deadline")
    with freeze_time(timezone.now() + timedelta(days=2, seconds=1)):
        r = post_json(client_for(youth), URL.format(activity.pk), FORM)
    assert r.status_code == 409 and r.json()["code"] == "signup_ended"
    assert not activity.signups.exists()


def test_cancel_frees_the_seat(activity, youth, client_for):
    c = client_for(youth)
    post_json(c, URL.format(activity.pk), FORM)
    r = c.delete(URL.format(activity.pk))
    assert r.status_code == 200 and r.json()["taken"] == 0 and r.json()["signed_up"] is False
    assert c.delete(URL.format(activity.pk)).status_code == 404


def test_html_form_signs_up_and_shows_the_message(activity, youth, client_for):
    c = client_for(youth)
    r = c.post(f"/content/activities/{activity.pk}/signup/", FORM, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert "报名成功" in html or "You have signed up" in html
    assert activity.signups.filter(user=youth).exists()


def test_signup_list_for_branch_staff_only(activity, tree, make_staff, client_for):
    for n in range(3):
        services.sign_up(actor=UserFactory(), activity_id=activity.pk, name=f"青年{n}", phone="13900000000",
                         note="=cmd" if n == 0 else "")
    gz_editor = make_staff(tree.guangzhou, StaffRole.EDITOR)
    sz_editor = make_staff(tree.shenzhen, StaffRole.EDITOR)
    url = f"/api/content/activities/{activity.pk}/signups"
    r = client_for(gz_editor).get(url)
    assert r.status_code == 200 and r.json()["count"] == 3
    assert [s["name"] for s in r.json()["items"]] == ["青年0", "青年1", "青年2"]
    assert client_for(sz_editor).get(url).status_code == 403
    assert client_for(UserFactory()).get(url).status_code == 403
    csv = client_for(gz_editor).get(f"/content/activities/{activity.pk}/signups/?format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,姓名,电话") and "青年2" in text
    assert "'=cmd" in text  # spreadsheet formulas are defused
    assert client_for(sz_editor).get(f"/content/activities/{activity.pk}/signups/").status_code == 403


def test_signup_list_query_count_does_not_grow(activity, tree, make_staff, client_for):
    for _ in range(8):
        services.sign_up(actor=UserFactory(), activity_id=activity.pk, name="青年", phone="13900000000")
    c = client_for(make_staff(tree.guangzhou, StaffRole.EDITOR))
    url = f"/api/content/activities/{activity.pk}/signups"

    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, {"limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(2) == count(8)


@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_concurrent_signups(tree):
    """50 threads, capacity 10: exactly 10 seats are taken (row lock + check constraint)."""
    from home.models import ActivityIndexPage
    from tests.home.conftest import publish

    index = publish(tree.guangzhou.branch.specific, ActivityIndexPage(title="主题活动", slug="activities"))
    activity = make_activity(index, capacity=10, slug="race")
    users = [UserFactory() for _ in range(50)]
    results, barrier = [], threading.Barrier(len(users))

    def attempt(user):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.sign_up(actor=user, activity_id=activity.pk, name="并发", phone="13900000000")
            results.append("ok")
        except Exception as e:  # noqa: BLE001 - the test counts outcomes
            results.append(type(e).__name__)
        finally:
            conn.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 10, results
    assert set(results) == {"ok", "Conflict"}
    assert ActivitySignup.objects.filter(activity=activity).count() == 10
    assert SignupSheet.objects.get(activity=activity).taken == 10
