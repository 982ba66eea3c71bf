"""The KPI API: subtree scoping, bad input as clear 4xx, pagination and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .conftest import D

pytestmark = pytest.mark.django_db

RANGE = {"from": D.isoformat(), "to": D.isoformat()}


def client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_city_staff_read_their_subtree(world):
    r = client(world.gz_admin).get(f"/api/insights/orgs/{world.tree.guangzhou.pk}/kpis", RANGE)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["from"] == D.isoformat() and body["granularity"] == "day"
    assert body["totals"]["questions"] == 4 and body["totals"]["answer_rate"] == 0.75
    assert body["series"][0]["period"] == D.isoformat() and body["series"][0]["questions"] == 4
    r = client(world.gz_admin).get(f"/api/insights/orgs/{world.tree.tianhe.pk}/kpis", RANGE)
    assert r.status_code == 200 and r.json()["totals"]["questions"] == 3


@pytest.mark.parametrize("who, target, status", [
    ("gz_admin", "shenzhen", 403), ("gz_admin", "nanshan", 403), ("gz_admin", "province", 403),
    ("tianhe_duty", "guangzhou", 403), ("tianhe_duty", "yuexiu", 403), ("tianhe_duty", "tianhe", 200),
    ("province_admin", "nanshan", 200), ("youth1", "tianhe", 403),
])
def test_subtree_scoping(world, who, target, status):
    org = getattr(world.tree, target)
    for path in ("kpis", "children", "people"):
        r = client(getattr(world, who)).get(f"/api/insights/orgs/{org.pk}/{path}", RANGE)
        assert r.status_code == status, (path, r.content)
        if status == 403:
            assert r.json()["code"] == "forbidden"


def test_anonymous_is_401_and_unknown_org_404(world):
    assert client().get(f"/api/insights/orgs/{world.tree.province.pk}/kpis", RANGE).status_code == 401
    r = client(world.province_admin).get("/api/insights/orgs/99999999/kpis", RANGE)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize("params, status", [
    ({"from": "2026-03-10", "to": "2026-03-01"}, 400),  # inverted
    ({"from": "2024-01-01", "to": "2026-03-10"}, 400),  # over a year by day
    ({"from": "2026-13-01", "to": "2026-03-10"}, 422),  # malformed
    ({"from": "10/03/2026", "to": "2026-03-10"}, 422),
    ({"from": "2026-03-01"}, 422),  # missing
    ({"from": "2026-03-01", "to": "2026-03-10", "granularity": "hour"}, 422),
    ({"from": "9999-12-31", "to": "9999-12-31"}, 400),  # absurd years: 400, never a 500
    ({"from": "2099-12-25", "to": "2099-12-31"}, 200),  # future: empty
    ({"from": "2020-01-01", "to": "2026-03-10", "granularity": "month"}, 400),  # over 5 years by month
    ({"from": "2024-01-01", "to": "2026-03-10", "granularity": "month"}, 200),
])
def test_bad_input_is_a_clear_4xx(world, params, status):
    r = client(world.province_admin).get(f"/api/insights/orgs/{world.tree.province.pk}/kpis", params)
    assert r.status_code == status, r.content
    if status >= 400:
        assert r.json()["detail"]


def test_lists_reject_ranges_over_a_year(world):
    c = client(world.province_admin)
    base = f"/api/insights/orgs/{world.tree.province.pk}"
    long = {"from": "2025-01-01", "to": "2026-03-10"}
    assert c.get(f"{base}/children", long).status_code == 400
    assert c.get(f"{base}/people", {**long, "kind": "expert"}).status_code == 400
    assert c.get(f"{base}/people", {**RANGE, "kind": "mayor"}).status_code == 422
    assert c.get(f"{base}/children", {**RANGE, "limit": 0}).status_code == 422


def test_children_are_ranked_and_paginated(world):
    c = client(world.province_admin)
    r = c.get(f"/api/insights/orgs/{world.tree.province.pk}/children", {**RANGE, "limit": 2})
    body = r.json()
    assert body["count"] == 3  # 广州, 深圳, 中大 (the province has no own-level rows on D)
    assert [i["rank"] for i in body["items"]] == [1, 2]
    assert body["items"][0]["name"] in ("广州市", "深圳市")


def test_people_endpoint(world):
    c = client(world.province_admin)
    r = c.get(f"/api/insights/orgs/{world.tree.province.pk}/people", {**RANGE, "kind": "liaison"})
    items = r.json()["items"]
    assert [i["user_id"] for i in items] == [world.liaison_gz.pk]
    assert items[0]["first_responses"] == 1 and items[0]["on_time_rate"] == 1.0 and items[0]["score"] == 6.0


@pytest.mark.parametrize("path, extra", [("children", {}), ("people", {"kind": "cadre"})])
def test_list_query_count_does_not_grow_with_page_size(world, path, extra):
    c = client(world.province_admin)
    url = f"/api/insights/orgs/{world.tree.province.pk}/{path}"

    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, {**RANGE, **extra, "limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(1) == count(3)


def test_year_series_query_count_is_constant(world):
    c = client(world.province_admin)
    url = f"/api/insights/orgs/{world.tree.province.pk}/kpis"

    def count(days, granularity):
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url, {"from": (D - timedelta(days=days)).isoformat(), "to": D.isoformat(),
                            "granularity": granularity})
            assert r.status_code == 200
        return len(ctx.captured_queries), len(r.json()["series"])

    q_short, n_short = count(6, "day")
    q_long, n_long = count(364, "day")
    # totals read whole months from the monthly table and the edge days from the daily one:
    # at most two more queries, whatever the length
    assert n_short == 7 and n_long == 365 and q_long <= q_short + 2
    assert count(364, "week")[0] == q_long
    assert count(720, "month")[0] == q_long


@pytest.mark.parametrize("org_id", ["0", "-5", "99999999999999999999", "abc"])
def test_absurd_org_ids_are_4xx(world, org_id):
    r = client(world.province_admin).get(f"/api/insights/orgs/{org_id}/kpis", RANGE)
    assert r.status_code in (404, 422)
