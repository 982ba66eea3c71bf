"""The outbox under faults: concurrent deliveries, a worker killed mid-send, a broker that is down
at commit. Deliveries must be neither lost nor sent twice (bench/chaos.py does this for real)."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from notifications import services
from notifications.models import OutboxMessage, OutboxStatus
from notifications.tasks import deliver_outbox_message, sweep_outbox
from tests.factories import UserFactory


def _message(user, **kw):
    return OutboxMessage.objects.create(to_email=user.email, subject="s", body="b", enqueued_at=timezone.now(), **kw)


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.org")


def test_every_email_carries_the_rows_stable_message_id(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="x", title="t", email=True)
    msg = OutboxMessage.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"] == msg.message_id
    assert msg.message_id == OutboxMessage.objects.get().message_id  # not regenerated per attempt
    assert services.deliver(msg.pk) == "sent" and len(mail.outbox) == 1


def test_a_live_lease_blocks_a_second_worker(alice):
    msg = _message(alice)
    OutboxMessage.objects.filter(pk=msg.pk).update(status=OutboxStatus.SENDING,
                                                   claimed_until=timezone.now() + timedelta(minutes=5))
    assert services.deliver(msg.pk) == "locked"
    assert sweep_outbox() == 0
    assert len(mail.outbox) == 0


def test_a_worker_killed_mid_send_is_redelivered_after_its_lease(alice):
    """The claim was committed, then the worker died (no send, no 'sent'): the row is in `sending`."""
    msg = _message(alice)
    OutboxMessage.objects.filter(pk=msg.pk).update(status=OutboxStatus.SENDING, attempts=1,
                                                   claimed_until=timezone.now() + timedelta(minutes=5))
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert services.stuck_message_ids() == [msg.pk]
        assert sweep_outbox() == 1  # re-published (eager in tests: delivered)
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.SENT and msg.attempts == 2 and msg.claimed_until is None
    assert len(mail.outbox) == 1 and mail.outbox[0].extra_headers["Message-ID"] == msg.message_id


def test_broker_down_at_commit_neither_fails_the_caller_nor_loses_the_email(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*a, **k):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(deliver_outbox_message, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="x", title="t", email=True)  # does not raise
    msg = OutboxMessage.objects.get()
    assert msg.status == OutboxStatus.PENDING and len(mail.outbox) == 0
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert sweep_outbox() == 0  # still down: nothing published, the row is kept for next time
        msg.refresh_from_db()
        assert msg.enqueued_at is None
    monkeypatch.undo()
    assert sweep_outbox() == 1
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.SENT and len(mail.outbox) == 1


def test_sweep_leaves_recently_published_and_future_rows_alone(alice):
    _message(alice)  # published just now: its task is in the queue
    _message(alice, not_before=timezone.now() + timedelta(hours=1))
    assert services.stuck_message_ids() == []
    assert sweep_outbox() == 0


def test_sweep_works_in_batches(alice):
    old = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.bulk_create([OutboxMessage(to_email=alice.email, subject="s", body="b", enqueued_at=old)
                                       for _ in range(7)])
    assert services.sweep(batch=3) == 7
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 7 and len(mail.outbox) == 7


def test_failed_after_max_attempts_is_not_retried(alice, monkeypatch):
    msg = _message(alice)
    OutboxMessage.objects.filter(pk=msg.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    monkeypatch.setattr("django.core.mail.EmailMessage.send", lambda self: 1 / 0)
    assert services.deliver(msg.pk) == "error"
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.FAILED and "ZeroDivisionError" in msg.last_error
    assert services.deliver(msg.pk) == "failed"


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_message_send_it_once(monkeypatch):
    user = UserFactory(email="bob@example.org")
    msg = _message(user)
    sends = []
    real_send = services._send

    def slow_send(m):
        sends.append(m.pk)
        threading.Event().wait(0.3)  # hold the lease while the others try
        real_send(m)

    monkeypatch.setattr(services, "_send", slow_send)
    results = []

    def worker():
        try:
            results.append(services.deliver(msg.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sends == [msg.pk] and len(mail.outbox) == 1
    assert len(results) == 6 and set(results) <= {"locked", "sent"}
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
