"""With DEBUG on (make run), bad requests are the 400/404 that production answers, not 500s
(issue 25, finding 8): a multipart body without a boundary, a JSON body over 5 MB
(DATA_UPLOAD_MAX_MEMORY_SIZE) and ids above 2^63 - 1, on the API and on page routes."""

import json
import sqlite3
from urllib.parse import urlencode

import pytest
from django.test import Client

from community import selectors
from tests.factories import UserFactory

HUGE_ID = 2**63  # one more than a BigAutoField holds


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture(params=[False, True], ids=["client", "csrf-checked"])
def youth_client(request, db, tree):
    """Also as a browser-less client whose CSRF check reads the form body (where the 500 came from)."""
    token = "k" * 32
    c = Client(enforce_csrf_checks=request.param, HTTP_X_CSRFTOKEN=token)
    c.cookies["csrftoken"] = token
    c.force_login(UserFactory(organization=tree.tianhe))
    return c


def test_multipart_without_boundary_is_400(debug, youth_client):
    for url in ("/api/community/questions/", "/qa/ask/"):
        r = youth_client.post(url, data=b"--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n--x--",
                              content_type="multipart/form-data")
        assert r.status_code == 400, (url, r.status_code, r.content[:300])
        if url.startswith("/api/"):
            assert r.json()["code"] in ("bad_request", "http_400")


def test_body_over_5_mb_is_400(debug, youth_client):
    body = json.dumps({"title": "考研复试怎么准备", "body": "啊" * (2 * 1024 * 1024), "domain": "employment"})
    assert len(body.encode()) > 5 * 1024 * 1024
    r = youth_client.post("/api/community/questions/", data=body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "bad_request", r.content[:300]
    # pages read forms: the same size as a form body
    r = youth_client.post("/qa/ask/", data=urlencode({"title": "考研复试怎么准备", "body": "a" * (5 * 1024 * 1024 + 1)}),
                          content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400


def test_ids_above_2_63_are_404(debug, db, client):
    """PostgreSQL (here): Django answers an out-of-range id with no rows."""
    assert client.get(f"/api/community/questions/{HUGE_ID}/").status_code == 404
    assert client.get(f"/qa/{HUGE_ID}/").status_code == 404


def test_sqlite_id_overflow_is_404(debug, db, client, monkeypatch):
    """SQLite (make run) refuses to bind such an id (OverflowError, a 500 before): the same lookup,
    failing as SQLite fails, is a 404 on the API and the page."""
    def lookup_on_sqlite(pk, user):
        sqlite3.connect(":memory:").execute("SELECT ?", (pk,))  # what Django's SQLite backend does with it

    monkeypatch.setattr(selectors, "question_detail", lookup_on_sqlite)
    assert client.get(f"/api/community/questions/{HUGE_ID}/").status_code == 404
    assert client.get(f"/qa/{HUGE_ID}/").status_code == 404


def test_other_overflow_errors_are_not_hidden(db, client, monkeypatch, settings):
    settings.DEBUG = False

    def broken(pk, user):
        raise OverflowError("math range error")

    monkeypatch.setattr(selectors, "question_detail", broken)
    client.raise_request_exception = False
    assert client.get("/api/community/questions/1/").status_code == 500
    assert client.get("/qa/1/").status_code == 500
