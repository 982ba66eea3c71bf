"""Fuzzing regressions for /api/appeals/: bounded pages and counts (422, not a database overflow),
referenced ids that do not exist are a JSON 404."""

import pytest


def test_my_appeals_page_is_bounded(tree, youth, api):
    for params in ({"offset": 28788368145861616599040}, {"offset": 10**7}, {"limit": 101}, {"offset": -1}):
        r = api.get(youth, "/mine/", params)
        assert r.status_code == 422 and r.json()["code"] == "invalid", params
    assert api.get(youth, "/mine/", {"offset": 1_000_000}).status_code == 200


def test_counts_beyond_the_integer_column_are_422(tree, handlers, api):
    base = {"organization_id": tree.province.pk, "theme": "就业", "youth_group": "高校毕业生"}
    for extra in ({"thread_count": 2**31}, {"user_count": 2**31}, {"thread_refs": [{"question_id": 2**31}]}):
        r = api.post(handlers.ops, "/collective/", {**base, **extra})
        assert r.status_code == 422, (extra, r.content)
    r = api.post(handlers.ops, "/collective/", {**base, "thread_count": 2**31 - 1})
    assert r.status_code == 201, r.content


def test_unknown_references_are_404(tree, handlers, api, youth):
    r = api.post(handlers.ops, "/collective/", {"organization_id": 10**20, "theme": "就业", "youth_group": "毕业生"})
    assert r.status_code == 404 and r.json()["errors"] == {"organization_id": 10**20}
    r = api.post(handlers.ops, "/individual/", {"organization_id": tree.province.pk, "theme": "就业",
                                                "requester_id": 10**20})
    assert r.status_code == 404
    appeal_id = api.post(handlers.ops, "/collective/", {"organization_id": tree.province.pk, "theme": "就业",
                                                        "youth_group": "毕业生"}).json()["id"]
    r = api.step(handlers.ops, appeal_id, "assign", co_handler_ids=[2**70, tree.guangzhou.pk])
    assert r.status_code == 404 and r.json()["code"] == "not_found", r.content


@pytest.mark.parametrize("bad", ["false", "-8702", "99999999999999999999999"])
def test_malformed_path_ids(tree, handlers, api, youth, bad):
    assert api.get(handlers.ops, f"/{bad}/form.pdf").status_code in (404, 422)
    assert api.get(handlers.ops, f"/{bad}/").status_code == 404
    assert api.post(youth, f"/mine/{bad}/withdraw/", {"reason": "不需要了"}).status_code == 404


def test_nul_characters_are_dropped_not_a_500(tree, youth, api):
    """PostgreSQL cannot store NUL in text: the fuzzer's theme "\\x17\\x00íD" was a 500."""
    r = api.post(youth, "/mine/", {"theme": "\x17\x00\u00edD", "consent": True, "details": "organization\x00 的问题说明"})
    assert r.status_code == 201, r.content
    from appeals.models import Appeal

    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert appeal.theme == "\x17\u00edD" and "\x00" not in appeal.details
    r = api.post(youth, "/mine/", {"theme": "\x00", "consent": True, "details": "organization"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "theme"
