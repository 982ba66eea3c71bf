from datetime import time

import pytest

import youthvoice.urls  # noqa: F401  (build the API schemas before freezegun patches datetime)
from organizations.models import StaffRole
from stations import services
from tests.factories import UserFactory

WEEKDAY_HOURS = {d: [(time(9), time(12)), (time(14), time(18))] for d in range(5)}


def make_station(org, *, admins=None, title="天河青年之家", lat="23.135", lng="113.330", services_=None, hours=None, **kw):
    admins = admins or [UserFactory()]
    return services.create_station(
        actor=None, organization=org, title=title, address="广州市天河区体育西路 1 号", latitude=lat, longitude=lng,
        services=services_ or [{"name": "心理咨询", "duration_minutes": 60, "slot_capacity": 3}],
        hours=WEEKDAY_HOURS if hours is None else hours, admins=admins, **kw,
    )


@pytest.fixture
def station_admin(tree):
    return UserFactory(username="station_admin")


@pytest.fixture
def station(tree, station_admin):
    return make_station(tree.tianhe, admins=[station_admin])


@pytest.fixture
def tianhe_liaison(tree, make_staff):
    return make_staff(tree.guangzhou, StaffRole.LIAISON)
