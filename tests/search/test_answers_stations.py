"""Answers and youth stations are searched sources: a Chinese query finds a visible answer (shown
with its question's title, linking to the answer on the question page) and a live station (as a
station, not also as a page); removed and held answers, answers of held questions and unpublished
stations are never found; the query count does not grow with the page size."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import Answer, Question
from community.services import answer_question, ask_question
from moderation.models import ModerationStatus
from organizations.models import StaffRole
from tests.factories import UserFactory
from tests.stations.conftest import make_station


@pytest.fixture
def qa(tree, make_staff, django_capture_on_commit_callbacks):
    asker = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    staff = make_staff(tree.guangzhou, StaffRole.LIAISON)
    q1 = ask_question(asker=asker, title="实习单位不给签合同怎么办", body="在天河区一家公司实习三个月", domain="legal")
    q2 = ask_question(asker=asker, title="毕业后档案放在哪里", body="想问问档案的去向", domain="employment")
    q3 = ask_question(asker=asker, title="社保断缴会有什么影响", body="换工作中间断了两个月", domain="employment")
    # answers are indexed on commit (search.signals): run the on-commit handlers as a commit would
    with django_capture_on_commit_callbacks(execute=True):
        good = answer_question(actor=staff, question=q1, body="可以向劳动监察大队投诉，并保留考勤和工资流水作为证据。")
        removed = answer_question(actor=staff, question=q2, body="档案可以存放在人才交流中心，也可以投诉到劳动监察大队咨询。")
        held = answer_question(actor=staff, question=q3, body="断缴期间可以找劳动监察大队了解补缴办法。")
        other = answer_question(actor=staff, question=q3, body="补缴后缴费年限可以连续计算。")
    Answer.objects.filter(pk=removed.pk).update(is_removed=True)
    Answer.objects.filter(pk=held.pk).update(moderation_status=ModerationStatus.HELD)
    return {"good": good, "removed": removed, "held": held, "other": other, "q1": q1, "q3": q3}


@pytest.fixture
def stations(tree):
    live = make_station(tree.tianhe, title="天河区体育西青年之家", summary="提供心理咨询和就业指导")
    gone = make_station(tree.tianhe, title="天河区石牌青年之家", summary="心理咨询", slug="gone")
    gone.unpublish()
    far = make_station(tree.nanshan, title="南山区蛇口青年之家", summary="心理咨询", lat="22.48", lng="113.91", slug="far")
    return {"live": live, "gone": gone, "far": far}


def _ids(client, **params):
    r = client.get("/api/search/", params)
    assert r.status_code == 200, r.content
    return r.json()


def test_a_chinese_query_finds_visible_answers_only(qa, client):
    body = _ids(client, q="劳动监察", type="answer")
    assert [i["id"] for i in body["items"]] == [qa["good"].pk]
    item = body["items"][0]
    assert item["type"] == "answer" and item["title"] == "实习单位不给签合同怎么办"
    assert item["url"] == f"/qa/{qa['q1'].pk}/#a{qa['good'].pk}"
    assert "<mark>劳动</mark>" in item["snippet_html"] or "<mark>劳动监察</mark>" in item["snippet_html"]
    assert item["domain"] == "legal" and item["organization_id"] == qa["q1"].organization_id
    assert body["facets"][[f["type"] for f in body["facets"]].index("answer")]["count"] == 1


def test_answers_of_held_or_removed_questions_are_not_found(qa, client):
    assert [i["id"] for i in _ids(client, q="补缴", type="answer")["items"]] == [qa["other"].pk]
    Question.objects.filter(pk=qa["q3"].pk).update(moderation_status=ModerationStatus.HELD)
    assert _ids(client, q="补缴", type="answer")["items"] == []


def test_answer_filters_by_branch_and_domain(qa, client, tree):
    assert [i["id"] for i in _ids(client, q="劳动监察", type="answer", branch=tree.guangzhou.pk)["items"]] == [qa["good"].pk]
    assert _ids(client, q="劳动监察", type="answer", branch=tree.shenzhen.pk)["items"] == []
    assert _ids(client, q="劳动监察", type="answer", domain="employment")["items"] == []


def test_a_chinese_query_finds_live_stations_as_stations(stations, client, tree):
    body = _ids(client, q="青年之家 心理咨询")
    stations_found = [i for i in body["items"] if i["type"] == "station"]
    assert {i["id"] for i in stations_found} == {stations["live"].pk, stations["far"].pk}
    assert all(i["id"] not in {s.pk for s in stations.values()} for i in body["items"] if i["type"] == "page")
    live = next(i for i in stations_found if i["id"] == stations["live"].pk)
    assert live["url"] == stations["live"].url and "体育西路" in live["snippet_html"]
    assert live["organization_id"] == tree.tianhe.pk
    branch = _ids(client, q="青年之家 心理咨询", type="station", branch=tree.guangzhou.pk)
    assert [i["id"] for i in branch["items"]] == [stations["live"].pk]


def test_search_page_shows_answers_and_stations(qa, stations, client):
    html = client.get("/search/", {"q": "劳动监察"}).content.decode()
    assert f"/qa/{qa['q1'].pk}/#a{qa['good'].pk}" in html and f"#a{qa['removed'].pk}" not in html
    html = client.get("/search/", {"q": "体育西", "type": "station"}).content.decode()
    assert stations["live"].url in html and "gone" not in html


def test_query_count_does_not_grow_with_page_size(qa, stations, client, make_staff, tree,
                                                  django_capture_on_commit_callbacks):
    staff = make_staff(tree.guangzhou, StaffRole.LIAISON)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            answer_question(actor=staff, question=qa["q1"], body=f"第{n + 1}条建议：心理咨询可以去青年之家预约，也可找劳动监察。")
    for n in range(4):
        make_station(tree.tianhe, title=f"天河区第{n + 1}个青年之家", summary="心理咨询", slug=f"more-{n}")

    def count(limit, type=""):
        with CaptureQueriesContext(connection) as ctx:
            body = _ids(client, q="青年之家 心理咨询", limit=limit, type=type)
        return len(ctx.captured_queries), len(body["items"]), {i["type"] for i in body["items"]}

    count(1)
    for type in ("answer", "station"):
        (small, n_small, _), (large, n_large, _) = count(1, type), count(20, type)
        assert n_large > n_small and small == large  # a fixed number of queries per source, not per hit
    (small, _, types_small), (large, n_large, types_large) = count(12), count(50)
    assert {"answer", "station"} <= types_small and types_small == types_large and small == large
