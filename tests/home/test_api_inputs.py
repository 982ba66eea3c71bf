"""Fuzzing regressions for /api/content/: malformed path ids are a JSON 404 or 422, never a redirect to
the page tree (APPEND_SLASH) or a 500."""

import pytest

BAD_IDS = ["false", "-8702", "99999999999999999999999", "１２"]
PATHS = [
    ("get", "/api/content/activities/{}/signup"),
    ("post", "/api/content/activities/{}/signup"),
    ("delete", "/api/content/activities/{}/signup"),
    ("get", "/api/content/activities/{}/signups"),
    ("get", "/api/content/contests/{}/voting"),
    ("post", "/api/content/contests/{}/votes"),
    ("post", "/api/content/pages/{}/view"),
]


@pytest.mark.parametrize("method,path", PATHS)
def test_malformed_path_ids_are_json_4xx(tree, youth, client_for, method, path):
    client = client_for(youth)
    for bad in BAD_IDS:
        url = path.format(bad)
        r = client.post(url, {"candidate_id": 1}, content_type="application/json") if method == "post" \
            else getattr(client, method)(url)
        assert r.status_code in (404, 422), (path, bad, r.status_code)
        body = r.json()
        assert " / " in body["detail"] and body["code"], body


def test_sign_up_list_bounds_its_page(tree, activity, make_staff, client_for):
    r = client_for(make_staff(tree.province)).get(f"/api/content/activities/{activity.pk}/signups",
                                                    {"offset": 10**20, "limit": 10**20})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
