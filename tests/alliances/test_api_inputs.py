"""Fuzzing regressions for /api/alliances/: malformed ids are a JSON 404 or 422 (never a redirect to the
page tree or a 500), enumerated choices are in the schema (422), and far-off dates are not overflows."""

import pytest

from organizations.models import StaffRole

from .conftest import make_alliance, make_expert

PATHS = [
    ("get", "/api/alliances/experts/{}/staff"),
    ("get", "/api/alliances/experts/{}/statistics"),
    ("post", "/api/alliances/memberships/{}/decision"),
    ("post", "/api/alliances/memberships/{}/response"),
    ("post", "/api/alliances/memberships/{}/suspend"),
    ("post", "/api/alliances/memberships/{}/reinstate"),
    ("post", "/api/alliances/memberships/{}/remove"),
    ("post", "/api/alliances/{}/applications"),
    ("post", "/api/alliances/{}/invitations"),
    ("get", "/api/alliances/{}/statistics"),
]


@pytest.mark.parametrize("method,path", PATHS)
def test_malformed_path_ids_are_json_4xx(tree, make_staff, client_for, method, path):
    client = client_for(make_staff(tree.province, StaffRole.ORG_ADMIN))
    for bad in ("false", "-8702", "99999999999999999999999"):
        url = path.format(bad)
        r = client.post(url, {"approve": True, "accept": True, "expert_id": 1}, content_type="application/json") \
            if method == "post" else client.get(url)
        assert r.status_code in (404, 422), (url, r.status_code)
        assert " / " in r.json()["detail"]


def test_choices_are_in_the_schema(tree, make_staff, client_for, gz_liaison):
    alliance = make_alliance(tree.guangzhou, "legal", liaison=gz_liaison)
    staff = client_for(make_staff(tree.province, StaffRole.ORG_ADMIN))
    assert staff.get("/api/alliances/demand", {"period": "fortnight"}).status_code == 422
    assert staff.get("/api/alliances/demand", {"period": "week"}).status_code == 200
    r = client_for(gz_liaison).get(f"/api/alliances/{alliance.pk}/statistics", {"order": "bogus"})
    assert r.status_code == 422
    assert client_for(gz_liaison).get(f"/api/alliances/{alliance.pk}/statistics", {"order": "rating"}).status_code == 200


@pytest.mark.parametrize("since,until", [("0001-01-01", "0001-01-05"), (None, "0001-01-05"), ("9999-12-01", "9999-12-31"),
                                         (None, "9999-12-31"), ("0001-01-01", None)])
def test_far_off_dates_are_not_overflows(tree, make_staff, client_for, since, until):
    expert = make_expert(tree.guangzhou)
    params = {k: v for k, v in (("since", since), ("until", until)) if v}
    staff = client_for(make_staff(tree.province, StaffRole.ORG_ADMIN))
    for url in (f"/api/alliances/experts/{expert.pk}/statistics", "/api/alliances/demand"):
        r = staff.get(url, params)
        assert r.status_code in (200, 400), (url, params, r.content)
        if r.status_code == 400:  # a reversed range or one over three years: the rule's own message
            assert "三年" in r.json()["detail"] or "晚于" in r.json()["detail"]
