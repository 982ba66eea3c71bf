from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from notifications import services
from notifications.models import Notification, OutboxMessage, OutboxStatus
from notifications.tasks import sweep_outbox
from tests.factories import UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.org")


def test_notify_writes_rows_and_sends_email_after_commit(alice, django_capture_on_commit_callbacks):
    bob = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(recipients=[alice, bob, alice], kind="answer", title="你的问题有了新回答",
                                  url="/qa/1/", email=True)
    assert len(created) == 2  # alice once, bob once
    assert OutboxMessage.objects.count() == 1  # bob has no address
    assert len(mail.outbox) == 1 and "你的问题有了新回答" in mail.outbox[0].subject
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_actor_is_not_notified_and_dedupe_key_holds(alice):
    services.notify(recipients=[alice], kind="x", title="t", actor=alice)
    assert Notification.objects.count() == 0
    bob = UserFactory()
    services.notify(recipients=[bob], kind="reminder", title="t", dedupe_key="reminder:q1")
    services.notify(recipients=[bob], kind="reminder", title="t", dedupe_key="reminder:q1")
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_delivery_is_idempotent_and_waits_for_not_before(alice, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="reminder", title="值班提醒", email=True, email_not_before=later)
    msg = OutboxMessage.objects.get()
    assert services.deliver(msg.pk) == "not-due"
    assert len(mail.outbox) == 0
    with freeze_time(later + timedelta(minutes=1)):
        assert sweep_outbox() == 0  # the ETA task is due now; the sweep waits for it a while
    with freeze_time(later + timedelta(minutes=6)):  # …and re-publishes it when it never ran
        assert sweep_outbox() == 1
        assert services.deliver(msg.pk) == "sent"  # a second delivery sends nothing more
    assert len(mail.outbox) == 1


def test_failed_send_is_kept_for_retry(alice, monkeypatch, django_capture_on_commit_callbacks):
    def boom(*a, **k):
        raise ConnectionError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", boom)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="x", title="t", email=True)
    msg = OutboxMessage.objects.get()
    assert msg.status == OutboxStatus.PENDING and msg.attempts == 1 and "smtp down" in msg.last_error
    monkeypatch.undo()
    assert sweep_outbox() == 0  # retried after the re-send window, not in a tight loop
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert sweep_outbox() == 1
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.SENT


def test_api_lists_counts_and_marks_read(alice, client_for):
    for i in range(5):
        services.notify(recipients=[alice], kind="x", title=f"通知{i}")
    c = client_for(alice)
    assert c.get("/api/notifications/unread-count/").json() == {"unread": 5}
    r = c.get("/api/notifications/", {"page_size": 2})
    assert r.status_code == 200
    body = r.json()
    assert [n["title"] for n in body["results"]] == ["通知4", "通知3"]
    assert body["next"]
    first = body["results"][0]["id"]
    assert c.post("/api/notifications/read/", {"ids": [first]}, content_type="application/json").json() == {"marked": 1}
    assert c.post("/api/notifications/read/", {}, content_type="application/json").status_code == 422
    assert c.post("/api/notifications/read/", {"ids": None}, content_type="application/json").json() == {"marked": 4}
    assert c.get("/api/notifications/unread-count/").json() == {"unread": 0}


def test_api_list_query_count_is_flat(alice, client_for):
    for i in range(12):
        services.notify(recipients=[alice], kind="x", title=f"n{i}")
    c = client_for(alice)

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/notifications/", {"page_size": size}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(2) == count(10)


def test_api_requires_login_and_shows_only_own(alice, client_for):
    bob = UserFactory()
    services.notify(recipients=[bob], kind="x", title="bob's")
    assert client_for().get("/api/notifications/").status_code == 401
    assert client_for(alice).get("/api/notifications/").json()["results"] == []
    assert client_for(alice).post("/api/notifications/read/", {"ids": [Notification.objects.get().pk]},
                                  content_type="application/json").json() == {"marked": 0}


def test_centre_page_and_header_badge(tree, alice, client_for):
    services.notify(recipients=[alice], kind="x", title="新回答", url="/qa/1/")
    c = client_for(alice)
    html = c.get("/notifications/").content.decode()
    assert "新回答" in html and 'class="unread"' in html
    assert 'class="badge badge-light"' in c.get("/").content.decode()
    assert c.post("/notifications/read/").status_code == 302
    assert Notification.objects.get().read_at is not None
    assert client_for().get("/notifications/").status_code == 302  # to the login page
