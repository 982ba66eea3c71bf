"""Fuzzing regressions for /api/stations/: malformed ids are a JSON 404 or 422 (never a redirect or a
500), and a question id beyond the column's range is refused by the schema."""

import pytest

from organizations.models import StaffRole


@pytest.mark.parametrize("path", ["/api/stations/{}", "/api/stations/{}/slots", "/api/stations/{}/ratings"])
def test_malformed_station_ids(tree, client, path):
    for bad in ("false", "-8702", "99999999999999999999999", "v"):
        r = client.get(path.format(bad))
        assert r.status_code in (404, 422), (path, bad, r.status_code)
        assert " / " in r.json()["detail"]


def test_referrals_route_is_not_shadowed_by_station_ids(tree, station, make_staff, client_for, youth):
    """`/{station_id}` is declared last: POST /referrals must reach its own endpoint."""
    staff = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    payload = {"question_id": 2**31, "asker_id": youth.pk, "station_id": station.pk}
    r = client_for(staff).post("/api/stations/referrals", payload, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "question_id"
    payload["question_id"] = 2**31 - 1  # in range: the endpoint itself answers (no such question)
    r = client_for(staff).post("/api/stations/referrals", payload, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found", r.content
