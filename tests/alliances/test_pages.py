"""Public pages and staff pages through the real stack: directory, expert page, alliance page with
the liaison's approval forms, statistics with CSV/XLSX export, demand charts, the expert's queue."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from alliances.models import AllianceMembership, MembershipStatus

from . import standins
from .conftest import make_alliance, make_expert
from .test_domain import T0
from .test_statistics import load_fixture

pytestmark = pytest.mark.django_db


def test_directory_lists_and_filters_experts(tree, client):
    make_expert(tree.tianhe, name="王律师")
    make_expert(tree.nanshan, domains=("psychology",), name="林老师")
    r = client.get("/alliances/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "王律师" in html and "林老师" in html
    html = client.get("/alliances/", {"domain": "psychology"}).content.decode()
    assert "林老师" in html and "王律师" not in html
    html = client.get("/alliances/", {"city": tree.guangzhou.pk}).content.decode()
    assert "王律师" in html and "林老师" not in html
    # Garbage filters are ignored, never a 500.
    assert client.get("/alliances/", {"city": "abc", "domain": "x", "page": "zz", "station": "?"}).status_code == 200


def test_expert_page_hides_staff_fields_from_the_public(tree, client, client_for, gz_liaison):
    e = make_expert(tree.tianhe, name="王律师", contact_phone="13712345678", id_number="440106199001011234",
                    staff_notes="内部备注", bio="劳动争议十年")
    public = client.get(f"/alliances/experts/{e.pk}/").content.decode()
    assert "劳动争议十年" in public
    for secret in ("13712345678", "440106199001011234", "内部备注"):
        assert secret not in public
    staff = client_for(gz_liaison).get(f"/alliances/experts/{e.pk}/").content.decode()
    assert "13712345678" in staff
    assert client.get("/alliances/experts/999999/").status_code == 404


def test_alliance_page_apply_and_liaison_approves(tree, gz_legal, gz_liaison, youth, client_for):
    c = client_for(youth)
    r = c.get(gz_legal.url)
    assert r.status_code == 200 and "章程" in r.content.decode()
    r = c.post(f"/alliances/{gz_legal.pk}/apply/", {"real_name": "周律师", "message": "希望加入"})
    assert r.status_code == 302
    m = AllianceMembership.objects.get(alliance=gz_legal)
    assert m.status == MembershipStatus.APPLIED
    liaison = client_for(gz_liaison)
    assert "周律师" in liaison.get(gz_legal.url).content.decode()
    r = liaison.post(f"/alliances/memberships/{m.pk}/approve/", {"next": "https://evil.example/"})
    assert r.status_code == 302 and "evil" not in r["Location"]
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE
    # A youth cannot act on memberships.
    assert c.post(f"/alliances/memberships/{m.pk}/suspend/", {"reason": "x"}).status_code == 403
    assert c.post(f"/alliances/memberships/{m.pk}/explode/").status_code == 404


def test_statistics_page_and_exports(community, tree, gz_legal, gz_liaison, client_for, monkeypatch, youth):
    e = make_expert(tree.tianhe, name="甲")
    AllianceMembership.objects.create(alliance=gz_legal, expert=e, status=MembershipStatus.ACTIVE)
    load_fixture({10: e.user_id, 20: youth.pk})
    monkeypatch.setattr("alliances.views.community_sources", lambda: community)
    c = client_for(gz_liaison)
    params = {"alliance": gz_legal.pk, "since": (T0 - timedelta(days=1)).date().isoformat(),
              "until": (T0 + timedelta(days=30)).date().isoformat()}
    r = c.get("/alliances/statistics/", params)
    assert r.status_code == 200 and "甲" in r.content.decode()
    r = c.get("/alliances/statistics/", {**params, "format": "csv"})
    assert r["Content-Type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("排名,姓名") and lines[1].split(",")[:5] == ["1", "甲", "律师", tree.tianhe.name, "3"]
    r = c.get("/alliances/statistics/", {**params, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["B2"].value == "甲" and ws["E2"].value == 3 and ws["F2"].value == 1
    assert c.get("/alliances/statistics/", {"since": "2026-05-01", "until": "2026-01-01"}).status_code == 400
    assert client_for(youth).get("/alliances/statistics/").status_code == 403


def test_demand_page_draws_charts_for_staff(community, tree, gz_liaison, client_for, monkeypatch, youth):
    standins.SQuestion.objects.create(title="问", domain="legal", org_path=tree.tianhe.path, created_at=T0)
    monkeypatch.setattr("alliances.views.community_sources", lambda: community)
    r = client_for(gz_liaison).get("/alliances/demand/", {"since": "2026-01-01", "until": "2026-06-30"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "bar-chart" in html and tree.guangzhou.name in html
    assert client_for(youth).get("/alliances/demand/").status_code == 403
    assert client_for().get("/alliances/demand/").status_code == 302  # to the login page


def test_demand_page_without_community_says_so(tree, gz_liaison, client_for):
    r = client_for(gz_liaison).get("/alliances/demand/")
    assert r.status_code == 200


def test_expert_queue(community, tree, client_for, monkeypatch, youth):
    e = make_expert(tree.tianhe)
    q = standins.SQuestion.objects.create(title="公司拖欠工资怎么办", domain="legal", created_at=T0, deadline=T0)
    standins.SInvitation.objects.create(question=q, invitee_id=e.user_id, created_at=T0, status="pending")
    monkeypatch.setattr("alliances.views.community_sources", lambda: community)
    html = client_for(e.user).get("/alliances/queue/").content.decode()
    assert "公司拖欠工资怎么办" in html and "overdue" in html
    assert client_for(youth).get("/alliances/queue/").status_code == 403


def test_alliance_index_page_lists_alliances(tree, gz_legal, client):
    make_alliance(tree.guangzhou, "psychology")
    index = gz_legal.get_parent()
    html = client.get(index.url).content.decode()
    assert gz_legal.title in html


def test_directory_and_expert_page_are_cached_for_visitors_and_forgotten_on_a_change(
        tree, client, client_for, youth, early_cache, django_assert_num_queries, django_capture_on_commit_callbacks):
    """Issue 23: the expert directory and expert pages are shared anonymous pages like the others;
    an expert's change (through its service) shows at once; signed-in users are never served them."""
    from alliances.services import update_expert_profile

    expert = make_expert(tree.tianhe, name="王律师")
    for url in ("/alliances/", f"/alliances/experts/{expert.pk}/"):
        assert client.get(url)["X-YV-Cache"] == "miss"
        with django_assert_num_queries(0):
            hit = client.get(url)
        assert hit["X-YV-Cache"] == "hit" and "王律师" in hit.content.decode()
        signed_in = client_for(youth).get(url)
        assert signed_in.get("X-YV-Cache") != "hit"
    with django_capture_on_commit_callbacks(execute=True):
        update_expert_profile(actor=expert.user, expert=expert, title="资深律师")
    for url in ("/alliances/", f"/alliances/experts/{expert.pk}/"):
        response = client.get(url)
        assert response["X-YV-Cache"] == "miss", url
    assert "资深律师" in client.get(f"/alliances/experts/{expert.pk}/").content.decode()
