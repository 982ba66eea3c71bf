"""Public API: public fields only, filters, pagination with constant query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.models import AllianceMembership, ExpertStatus, MembershipStatus

from .conftest import make_alliance, make_expert

pytestmark = pytest.mark.django_db

FORBIDDEN_KEYS = {"phone", "contact_phone", "id_number", "user_id", "user", "staff_notes", "status_reason",
                  "verified_by"}


def _keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _keys(v)


@pytest.fixture
def populated(tree, gz_liaison):
    alliance = make_alliance(tree.guangzhou, "legal", liaison=gz_liaison)
    experts = []
    for i in range(8):
        e = make_expert(tree.tianhe if i % 2 else tree.nanshan, domains=("legal",) if i < 6 else ("psychology",),
                        name=f"专家{i}", contact_phone=f"1370000000{i}", id_number=f"44010619900101{i:04d}",
                        contact_email=f"e{i}@example.org", contact_public=i == 0, staff_notes="内部备注")
        experts.append(e)
        AllianceMembership.objects.create(alliance=alliance, expert=e, status=MembershipStatus.ACTIVE)
    make_expert(tree.tianhe, name="暂停专家", status=ExpertStatus.SUSPENDED)
    return alliance, experts


def test_public_api_never_exposes_phone_or_id_fields(populated, client):
    alliance, experts = populated
    bodies = [client.get("/api/alliances/experts").json(), client.get(f"/api/alliances/experts/{experts[0].pk}/").json(),
              client.get(f"/api/alliances/{alliance.pk}/").json(), client.get("/api/alliances/").json(),
              client.get(f"/api/alliances/experts/{experts[0].pk}/statistics").json()]
    for body in bodies:
        assert not FORBIDDEN_KEYS & set(_keys(body)), body
        text = json.dumps(body, ensure_ascii=False)
        assert "1370000000" not in text and "4401061990" not in text and "内部备注" not in text
    assert bodies[1]["email"] == "e0@example.org"  # chose to show it
    assert client.get(f"/api/alliances/experts/{experts[1].pk}/").json()["email"] == ""


def test_staff_endpoint_shows_staff_fields_only_to_managers(populated, client_for, gz_liaison, youth, make_staff, tree):
    _, experts = populated
    url = f"/api/alliances/experts/{experts[1].pk}/staff"
    assert client_for().get(url).status_code == 401
    assert client_for(youth).get(url).status_code == 403
    from organizations.models import StaffRole

    assert client_for(make_staff(tree.sysu, StaffRole.LIAISON)).get(url).status_code == 403
    r = client_for(gz_liaison).get(url)
    assert r.status_code == 200 and r.json()["contact_phone"] == "13700000001"


def test_directory_filters(populated, client, tree):
    _, experts = populated
    names = lambda r: {e["real_name"] for e in r.json()["items"]}  # noqa: E731
    assert len(client.get("/api/alliances/experts").json()["items"]) == 8  # suspended hidden
    assert names(client.get("/api/alliances/experts", {"domain": "psychology"})) == {"专家6", "专家7"}
    assert names(client.get("/api/alliances/experts", {"city": tree.shenzhen.pk})) == {"专家0", "专家2", "专家4", "专家6"}
    assert names(client.get("/api/alliances/experts", {"q": "专家3"})) == {"专家3"}
    from tests.stations.conftest import make_station

    station = make_station(tree.tianhe)
    experts[3].home_station = station
    experts[3].save()
    assert names(client.get("/api/alliances/experts", {"station": station.pk})) == {"专家3"}


@pytest.mark.parametrize("params", [{"domain": "astrology"}, {"city": "x"}, {"limit": "-1"}, {"q": "x" * 41}])
def test_bad_directory_filters_are_422(populated, client, params):
    assert client.get("/api/alliances/experts", params).status_code == 422


@pytest.mark.parametrize("url", ["/api/alliances/experts", "/api/alliances/", "/api/alliances/member-organizations"])
def test_list_query_count_does_not_grow_with_page_size(populated, client, url, tree):
    from alliances.services import create_member_organization

    for i in range(6):
        create_member_organization(actor=None, organization=tree.guangzhou, name=f"成员单位{i}", kind="social",
                                   domains=["legal"])
    for i in range(5):
        make_alliance(tree.shenzhen if i % 2 else tree.province, ["legal", "psychology", "employment"][i % 3]) \
            if i < 3 else None

    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(2) == count(6)


def test_alliance_detail_lists_members_and_liaisons(populated, client):
    alliance, _ = populated
    body = client.get(f"/api/alliances/{alliance.pk}/").json()
    assert len(body["experts"]) == 8 and body["liaisons"] and body["domain"] == "legal"


def test_alliance_pages_in_wagtail_api_v2(populated, client):
    _alliance, _ = populated
    r = client.get("/api/v2/pages/", {"type": "alliances.AlliancePage", "fields": "domain,intro,member_count"})
    assert r.status_code == 200
    item = r.json()["items"][0]
    assert item["domain"] == "legal" and item["member_count"] == 8


@pytest.mark.parametrize("caller", ["anonymous", "youth"])
def test_no_public_endpoint_exposes_phone_numbers_or_id_numbers(populated, client, client_for, youth, tree, caller):
    """Every public read (experts, alliances, member organisations, statistics, Wagtail API v2 with
    every field asked for), anonymous or as a logged-in youth: no phone number, ID number, user id
    or staff note, neither as a key nor anywhere in the text."""
    from alliances.services import create_member_organization

    alliance, experts = populated
    member_org = create_member_organization(actor=None, organization=tree.guangzhou, name="广州青年律师协会",
                                            kind="social", licence_number="51440100MJL000000X",
                                            contact_name="联系人", contact_phone="13899990000")
    AllianceMembership.objects.create(alliance=alliance, member_organization=member_org, status=MembershipStatus.ACTIVE)
    http = client if caller == "anonymous" else client_for(youth)
    urls = ["/api/alliances/", f"/api/alliances/{alliance.pk}/", "/api/alliances/experts?limit=100",
            f"/api/alliances/experts/{experts[1].pk}/", f"/api/alliances/experts/{experts[1].pk}/statistics",
            "/api/alliances/member-organizations",
            f"/api/v2/pages/{alliance.pk}/",
            "/api/v2/pages/?type=alliances.AlliancePage&fields=*"]
    for url in urls:
        r = http.get(url)
        assert r.status_code == 200, url
        body = r.json()
        assert not FORBIDDEN_KEYS & set(_keys(body)), url
        text = json.dumps(body, ensure_ascii=False)
        for secret in ("1370000000", "13899990000", "4401061990", "内部备注"):
            assert secret not in text, (url, secret)
