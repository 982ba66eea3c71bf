"""Statistics, loads, matching and demand computed by the database selectors over stand-in Q&A tables
must equal the hand-computed fixture (the same one the pure functions are checked against)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances import selectors
from alliances.models import AllianceMembership, Availability, MembershipStatus

from . import standins
from .conftest import make_expert
from .test_domain import EXPECTED, T0, hand_fixture

pytestmark = pytest.mark.django_db


def load_fixture(user_ids):
    """Write the hand fixture into the stand-in tables, mapping fixture users 10/20 to real ids."""
    answers, invitations = hand_fixture()
    questions = {}
    for a in answers:
        if a["question_id"] not in questions:
            questions[a["question_id"]] = standins.SQuestion.objects.create(
                title=f"问题{a['question_id']}", domain="legal", org_path="", created_at=a["question_created_at"],
                deadline=a["deadline"])
    for i in invitations:
        if i["question_id"] not in questions:
            raise AssertionError("fixture invitations refer to answered questions only")
    for a in answers:
        standins.SAnswer.objects.create(
            question=questions[a["question_id"]], author_id=user_ids[a["author_id"]], created_at=a["created_at"],
            accepted=a["accepted"], rating=a["rating"],
            response_seconds=(a["created_at"] - a["question_created_at"]).total_seconds(),
            on_time=a["deadline"] is None or a["created_at"] <= a["deadline"])
    for i in invitations:
        standins.SInvitation.objects.create(question=questions[i["question_id"]], invitee_id=user_ids[i["invitee_id"]],
                                            created_at=i["created_at"], status=i["status"])


@pytest.mark.parametrize("denormalised", [False, True])
def test_database_statistics_match_the_hand_computed_fixture(community, tree, denormalised):
    community = standins.sources(denormalised=denormalised)
    e10, e20 = make_expert(tree.tianhe, name="甲"), make_expert(tree.nanshan, name="乙")
    ids = {10: e10.user_id, 20: e20.user_id}
    load_fixture(ids)
    with CaptureQueriesContext(connection) as ctx:
        out = selectors.expert_statistics(sources=community, since=T0 - timedelta(days=1),
                                          until=T0 + timedelta(days=30))
    selects = [q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 3  # one aggregate over answers, two over invitations; no per-expert loop
    for fixture_id, expected in EXPECTED.items():
        got = out[ids[fixture_id]].as_dict()
        for key, value in expected.items():
            assert got[key] == pytest.approx(value), (fixture_id, key)


def test_alliance_statistics_rank_members_including_idle_ones(community, tree, gz_legal):
    e10, e20, idle = make_expert(tree.tianhe, name="甲"), make_expert(tree.tianhe, name="乙"), make_expert(tree.tianhe, name="丙")
    for e in (e10, e20, idle):
        AllianceMembership.objects.create(alliance=gz_legal, expert=e, status=MembershipStatus.ACTIVE)
    load_fixture({10: e10.user_id, 20: e20.user_id})
    rows = selectors.alliance_statistics(alliance=gz_legal, sources=community, since=T0 - timedelta(days=1),
                                         until=T0 + timedelta(days=30))
    by_name = {r["expert"].real_name: r["stats"] for r in rows}
    assert by_name["甲"].answers == 3 and by_name["乙"].answers == 1 and by_name["丙"].answers == 0
    totals = selectors.alliance_totals(rows)
    assert totals["answers"] == 4 and totals["members"] == 3 and totals["active_members"] == 2


def test_matching_picks_idle_local_expert_before_busy_or_distant(community, tree):
    idle_local = make_expert(tree.tianhe, name="闲本地")
    busy_local = make_expert(tree.tianhe, name="忙本地")
    make_expert(tree.nanshan, name="闲外地")
    make_expert(tree.tianhe, domains=("psychology",), name="错领域")
    make_expert(tree.tianhe, name="离开", availability=Availability.AWAY)
    q = standins.SQuestion.objects.create(title="欠薪", domain="legal", created_at=T0)
    for _ in range(3):
        standins.SInvitation.objects.create(question=q, invitee_id=busy_local.user_id, created_at=T0, status="pending")
    standins.SInvitation.objects.create(question=q, invitee_id=idle_local.user_id, created_at=T0, status="answered")
    with CaptureQueriesContext(connection) as ctx:
        got = selectors.suggest_experts(domain="legal", organization=tree.tianhe, sources=community)
    assert len(ctx.captured_queries) == 3
    names = [s["expert"].real_name for s in got]
    # idle local 30, busy local 30 - 3×8 = 6, idle in another city 0; wrong domain and away never.
    assert names == ["闲本地", "忙本地", "闲外地"]
    assert [s["score"] for s in got] == [30, 6, 0]
    assert got[0]["load"] == 0 and next(s for s in got if s["expert"] == busy_local)["load"] == 3


def test_full_expert_is_not_suggested(community, tree):
    full = make_expert(tree.tianhe, name="满载", max_open_questions=2)
    q = standins.SQuestion.objects.create(title="欠薪", domain="legal", created_at=T0)
    for _ in range(2):
        standins.SInvitation.objects.create(question=q, invitee_id=full.user_id, created_at=T0, status="accepted")
    assert selectors.suggest_experts(domain="legal", organization=tree.tianhe, sources=community) == []


def test_expert_queue_orders_by_deadline(community, tree):
    e = make_expert(tree.tianhe)
    late = standins.SQuestion.objects.create(title="晚", domain="legal", created_at=T0, deadline=T0 + timedelta(hours=12))
    soon = standins.SQuestion.objects.create(title="早", domain="legal", created_at=T0, deadline=T0 + timedelta(hours=3))
    done = standins.SQuestion.objects.create(title="已答", domain="legal", created_at=T0, deadline=T0)
    for q, status in ((late, "pending"), (soon, "accepted"), (done, "answered")):
        standins.SInvitation.objects.create(question=q, invitee_id=e.user_id, created_at=T0, status=status)
    assert [i["title"] for i in selectors.expert_queue(e.user, community)] == ["早", "晚"]


def test_demand_by_domain_region_and_month(community, tree):
    rows = [("legal", tree.tianhe.path, T0), ("legal", tree.yuexiu.path, T0 + timedelta(days=31)),
            ("psychology", tree.nanshan.path, T0), ("legal", tree.nanshan.path, T0 - timedelta(days=800))]
    for domain, path, ts in rows:
        standins.SQuestion.objects.create(title="问", domain=domain, org_path=path, created_at=ts)
    with CaptureQueriesContext(connection) as ctx:
        data = selectors.demand(sources=community, since=T0 - timedelta(days=10), until=T0 + timedelta(days=60))
    assert len(ctx.captured_queries) == 2  # the grouped count and the region names
    assert data["total"] == 3
    assert data["by_region"]["row_totals"] == {tree.guangzhou.name: 2, tree.shenzhen.name: 1}
    assert data["by_domain"]["row_totals"] == {"legal": 2, "psychology": 1}
    assert [s["count"] for s in data["series"]] == [2, 1]
    inner = selectors.demand(sources=community, since=T0 - timedelta(days=10), until=T0 + timedelta(days=60),
                             region=tree.guangzhou, domain="legal")
    assert inner["by_region"]["row_totals"] == {tree.tianhe.name: 1, tree.yuexiu.name: 1}


def test_alliance_with_community_connected_via_api(community, tree, gz_legal, gz_liaison, client_for, monkeypatch):
    e10 = make_expert(tree.tianhe, name="甲")
    AllianceMembership.objects.create(alliance=gz_legal, expert=e10, status=MembershipStatus.ACTIVE)
    load_fixture({10: e10.user_id, 20: make_expert(tree.tianhe, name="乙").user_id})
    monkeypatch.setattr("alliances.api.community_sources", lambda: community)
    params = {"since": (T0 - timedelta(days=1)).date().isoformat(), "until": (T0 + timedelta(days=30)).date().isoformat()}
    r = client_for(gz_liaison).get(f"/api/alliances/{gz_legal.pk}/statistics", params)
    assert r.status_code == 200, r.content
    assert r.json()["members"][0]["stats"]["answers"] == 3 and r.json()["available"] is True
    r = client_for(gz_liaison).get("/api/alliances/demand", {**params, "period": "week"})
    assert r.status_code == 200 and r.json()["total"] == 3, r.json()
    assert client_for(gz_liaison).get("/api/alliances/demand", {"period": "year"}).status_code == 422  # an enum
    assert client_for(gz_liaison).get("/api/alliances/demand", {"since": "2026-05-01", "until": "2026-04-01"}).status_code == 400
    r = client_for(gz_liaison).get("/api/alliances/suggestions", {"domain": "legal", "organization": tree.tianhe.pk})
    assert r.status_code == 200 and r.json()[0]["expert"]["real_name"] in {"甲", "乙"}
    assert "contact_phone" not in r.json()[0]["expert"]


def test_statistics_and_demand_are_refused_to_the_public(tree, gz_legal, youth, client_for):
    assert client_for(youth).get(f"/api/alliances/{gz_legal.pk}/statistics").status_code == 403
    assert client_for(youth).get("/api/alliances/demand").status_code == 403
    assert client_for(youth).get("/api/alliances/suggestions", {"domain": "legal"}).status_code == 403
    assert client_for().get("/api/alliances/demand").status_code == 401


@pytest.mark.parametrize("flag", [False, True])
def test_answers_outside_the_domain_are_counted_only_when_configured(community, tree, settings, flag):
    settings.YV_ALLIANCES_FLAG_OUT_OF_DOMAIN = flag
    lawyer = make_expert(tree.tianhe, domains=("legal",))
    for domain in ("legal", "psychology", "psychology"):
        q = standins.SQuestion.objects.create(title="问", domain=domain, created_at=T0)
        standins.SAnswer.objects.create(question=q, author_id=lawyer.user_id, created_at=T0 + timedelta(hours=1))
    out = selectors.expert_statistics(sources=community, since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))
    assert out[lawyer.user_id].answers == 3
    assert out[lawyer.user_id].out_of_domain == (2 if flag else None)
