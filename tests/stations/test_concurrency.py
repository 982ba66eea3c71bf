"""Threads race for one slot of capacity 10 — 200 on PostgreSQL, 30 on SQLite (the embedded
default, file-based, WAL, IMMEDIATE transactions): exactly 10 get a place, the others a Conflict,
never an error such as "database is locked". tests/test_sqlite.py runs the race on SQLite."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict
from stations import services
from stations.models import Booking, ServiceSlot
from tests.conftest import build_tree
from tests.factories import UserFactory

from .conftest import make_station

# The test cluster allows 200 connections; keep headroom for the test's own and pytest-django's.
MAX_OPEN_CONNECTIONS = 150


@pytest.mark.django_db(transaction=True)
def test_threads_never_exceed_capacity():
    THREADS = 200 if connection.vendor == "postgresql" else 30
    tree = build_tree()
    station = make_station(tree.tianhe, services_=[{"name": "就业指导", "duration_minutes": 60, "slot_capacity": 10}])
    start = timezone.now() + timedelta(days=1)
    slot = ServiceSlot.objects.create(service=station.services.first(), station=station, capacity=10,
                                      starts_at=start, ends_at=start + timedelta(hours=1))
    users = UserFactory.create_batch(THREADS)
    barrier = threading.Barrier(THREADS)
    gate = threading.BoundedSemaphore(MAX_OPEN_CONNECTIONS)
    ok, full, errors = [], [], []

    def attempt(user):
        barrier.wait()
        with gate:
            try:
                services.request_booking(user=user, slot_id=slot.pk)
                ok.append(user.pk)
            except Conflict as exc:
                (full if exc.code == "full" else errors).append(exc)
            except Exception as exc:  # noqa: BLE001 - anything else is a failure of the locking
                errors.append(exc)
            finally:
                connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [], errors[:3]
    assert len(ok) == 10 and len(full) == THREADS - 10
    slot.refresh_from_db()
    assert slot.booked == 10
    assert Booking.objects.filter(slot=slot, status__in=["pending", "confirmed"]).count() == 10


@pytest.mark.django_db
def test_database_constraint_is_the_backstop(tree):
    from django.db import IntegrityError

    station = make_station(tree.tianhe)
    start = timezone.now() + timedelta(days=1)
    slot = ServiceSlot.objects.create(service=station.services.first(), station=station, capacity=1,
                                      starts_at=start, ends_at=start + timedelta(hours=1))
    with pytest.raises(IntegrityError):
        ServiceSlot.objects.filter(pk=slot.pk).update(booked=2)
