"""Fuzzing regressions for /api/community/: ids and cursors that name nothing are a JSON 404, texts the
service would refuse are refused by the schema (422), and the OpenAPI schema describes what is sent."""

import base64
import json

import pytest

URL = "/api/community/questions/"


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize("cursor", [
    "register_admin_urls", "%%%", "/ó", _cursor({"a": 1}), _cursor(["x", "y"]), _cursor(["2026-01-01T00:00:00", 5]),
    _cursor(["2026-01-01T00:00:00+08:00", 10**30]), _cursor(["2026-01-01T00:00:00+08:00", True]), _cursor([1, 2, 3]),
])
def test_cursors_we_did_not_issue_are_404(tree, youth, client_for, cursor):
    for sort in ("latest", "hot"):
        r = client_for().get(URL, {"cursor": cursor, "sort": sort})
        assert r.status_code == 404, (cursor, sort, r.content)
        assert r.json()["code"] == "invalid_cursor" and " / " in r.json()["detail"]
    r = client_for(youth).get("/api/community/mine/", {"cursor": cursor})
    assert r.status_code == 404 and r.json()["code"] == "invalid_cursor", (cursor, r.content)
    if cursor != _cursor(["2026-01-01T00:00:00", 5]):  # invitations page by id only: the value is not read
        r = client_for(youth).get("/api/community/invitations/", {"cursor": cursor})
        assert r.status_code == 404 and r.json()["code"] == "invalid_cursor", (cursor, r.content)


def test_hot_cursor_carries_a_number(tree, client_for):
    assert client_for().get(URL, {"sort": "hot", "cursor": _cursor(["1e999", 3])}).status_code == 404
    assert client_for().get(URL, {"sort": "hot", "cursor": _cursor([1.5, 3])}).status_code == 200


def test_unknown_organisation_filter_is_404(tree, client_for):
    for params in ({"branch": "\x11"}, {"branch": "nowhere"}, {"org": 10**20}, {"org": -1}):
        r = client_for().get(URL, params)
        assert r.status_code == 404 and r.json()["errors"] == {"org": "unknown"}, params


def test_ask_schema_states_the_service_limits(tree, youth, client_for):
    c = client_for(youth)
    r = c.post(URL, {"title": "x" * 81, "domain": "employment"}, content_type="application/json")
    assert r.status_code == 422
    r = c.post(URL, {"title": "工作", "domain": "employment"}, content_type="application/json")
    assert r.status_code == 422
    r = c.post(URL, {"title": "怎么找实习工作", "domain": "employment", "tags": ["不存在的标签"]},
               content_type="application/json")
    assert r.status_code == 404 and "标签不存在" in r.json()["detail"]


def test_malformed_path_ids_are_json_404(tree, youth, client_for):
    for bad in ("false", "-8702", "99999999999999999999999"):
        for path in (f"/api/community/questions/{bad}/", f"/api/community/questions/{bad}/follow/"):
            r = client_for(youth).post(path) if path.endswith("follow/") else client_for().get(path)
            assert r.status_code == 404 and r.json()["code"] == "not_found", (path, r.status_code)


def test_question_detail_schema_is_communitys_own():
    """Two routers' schemas named EventOut once overwrote each other in the OpenAPI components."""
    from youthvoice.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    assert "kind" in components["QuestionEventOut"]["properties"]
    assert "action" in components["AppealEventOut"]["properties"]


@pytest.mark.parametrize("title", ["0\x00\x00\x00", "    ", " a b ", "\x7f\x7fab"])
def test_titles_blank_after_cleaning_are_refused_by_the_schema(tree, youth, client_for, title):
    """The schema's pattern counts the characters the service keeps: never a 400 "too short" for a title the
    schema allowed."""
    r = client_for(youth).post(URL, {"title": title, "domain": "legal"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "title"
    r = client_for(youth).post(URL, {"title": f"问问{title}答题", "domain": "legal"}, content_type="application/json")
    assert r.status_code == 201, r.content
