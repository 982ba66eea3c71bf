"""Appraisal to awards: promotion work counted in the liaison score; a yearly round per organisation
whose candidates are ranked by the documented scores, nominated, approved by the parent organisation
and published as the branch's 推优评选 (honours) page. Bad nominations are refused whole."""

from datetime import date

import pytest

from core.errors import Conflict, Forbidden, Invalid
from home.models import ContestPage
from insights import services
from insights.models import AwardNomination, AwardRoundStatus, NominationStatus, PromotionActivity
from organizations.models import StaffRole

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 1)


@pytest.fixture
def people(tree, make_staff):
    from types import SimpleNamespace

    p = SimpleNamespace(
        gz_admin=make_staff(tree.guangzhou, StaffRole.ORG_ADMIN),
        province_admin=make_staff(tree.province, StaffRole.ORG_ADMIN),
        active=make_staff(tree.tianhe, StaffRole.LIAISON, real_name="陈联络", display_name="天河联络员"),
        idle=make_staff(tree.tianhe, StaffRole.LIAISON),
        outsider=make_staff(tree.nanshan, StaffRole.LIAISON),
    )
    tianhe_admin = make_staff(tree.tianhe, StaffRole.ORG_ADMIN)
    services.record_promotion(actor=tianhe_admin, organization=tree.tianhe, kind="media", title="广州日报专题报道",
                              channel="广州日报", held_on=DAY, reach=5000, liaison=p.active)
    services.record_promotion(actor=p.outsider, organization=tree.nanshan, kind="event", title="南山青年夜跑",
                              held_on=DAY, reach=300)
    services.aggregate_day(DAY)
    return p


def test_promotion_work_counts_in_the_liaison_score(tree, people):
    from insights.selectors import people_totals

    rows = {r["user_id"]: r for r in people_totals(tree.province, date(2026, 1, 1), date(2026, 12, 31), "liaison")}
    assert rows[people.active.pk]["promotions"] == 1 and rows[people.active.pk]["promotion_reach"] == 5000
    assert rows[people.active.pk]["score"] == 8.0  # 3 per activity + 0.001 per person reached
    assert rows[people.outsider.pk]["score"] == 3.3
    assert rows[people.idle.pk]["score"] == 0


def test_bad_promotion_records_are_refused_whole(tree, people):
    before = PromotionActivity.objects.count()
    with pytest.raises(Invalid) as exc:
        services.record_promotion(actor=people.gz_admin, organization=tree.guangzhou, kind="tv", title="",
                                  held_on=date(2099, 1, 1), reach=-5, liaison=people.outsider)
    assert set(exc.value.fields) == {"kind", "title", "held_on", "reach", "liaison"}
    with pytest.raises(Forbidden):
        services.record_promotion(actor=people.outsider, organization=tree.guangzhou, kind="media", title="x",
                                  held_on=DAY)
    assert PromotionActivity.objects.count() == before


def test_a_round_from_ranking_to_the_honours_page(tree, people, client_for):
    rnd = services.open_award_round(actor=people.gz_admin, organization=tree.guangzhou, year=2026)
    candidates = services.award_candidates(rnd, "liaison")
    assert [c["user_id"] for c in candidates] == [people.active.pk]  # ranked, in the subtree, with figures
    assert candidates[0]["score"] == 8.0 and candidates[0]["figures"]["promotion_reach"] == 5000

    # refused, and nothing written: outside the subtree, without figures, by someone outside
    with pytest.raises(Invalid) as exc:
        services.nominate(actor=people.gz_admin, award_round=rnd, category="liaison", user=people.outsider,
                          citation="南山的联络专员")
    assert exc.value.fields == {"candidate": "outside_subtree"}
    with pytest.raises(Invalid) as exc:
        services.nominate(actor=people.gz_admin, award_round=rnd, category="liaison", user=people.idle,
                          citation="没有数据")
    assert exc.value.fields == {"candidate": "no_figures"}
    with pytest.raises(Forbidden):
        services.nominate(actor=people.outsider, award_round=rnd, category="liaison", user=people.active,
                          citation="越权提名")
    assert not AwardNomination.objects.exists()

    n = services.nominate(actor=people.gz_admin, award_round=rnd, category="liaison", user=people.active,
                          citation="全年组织媒体推广，覆盖 5000 人")
    assert (n.name, n.score, n.rank) == ("陈联络", 8.0, 1)
    with pytest.raises(Conflict):
        services.nominate(actor=people.gz_admin, award_round=rnd, category="liaison", user=people.active,
                          citation="再次提名")
    with pytest.raises(Invalid):  # not before the parent organisation has decided
        services.publish_award_round(actor=people.gz_admin, award_round=rnd)
    with pytest.raises(Forbidden):  # approval is the parent organisation's (the province's)
        services.decide_nomination(actor=people.gz_admin, nomination=n, approve=True)
    n = services.decide_nomination(actor=people.province_admin, nomination=n, approve=True)
    assert n.status == NominationStatus.APPROVED

    rnd = services.publish_award_round(actor=people.gz_admin, award_round=rnd)
    assert rnd.status == AwardRoundStatus.PUBLISHED
    page = ContestPage.objects.get(pk=rnd.honours_page_id)
    assert page.live and page.get_parent().get_parent().specific.organization == tree.guangzhou
    assert [c.name for c in page.candidates.all()] == ["陈联络（优秀联络专员）"]
    html = client_for().get(page.url).content.decode()
    assert "陈联络" in html and "覆盖 5000 人" in html
    with pytest.raises(Conflict):  # a published round is closed
        services.nominate(actor=people.gz_admin, award_round=rnd, category="liaison", user=people.active,
                          citation="x")


def test_the_awards_admin_from_opening_to_publishing(tree, people, client_for):
    gz = client_for(people.gz_admin)
    assert gz.get("/admin/insights/awards/").status_code == 200
    r = gz.post("/admin/insights/awards/", {"organization": tree.guangzhou.pk, "year": "2026"})
    assert r.status_code == 302
    url = r["Location"]
    page = gz.get(url).content.decode()
    assert "陈联络" in page and "8.0" in page  # the ranked candidate with its score
    assert gz.post(url, {"action": "nominate", "category": "liaison", "candidate": f"user:{people.outsider.pk}",
                         "citation": "越界"}).status_code == 302  # refused with a message, never a 500
    assert not AwardNomination.objects.exists()
    gz.post(url, {"action": "nominate", "category": "liaison", "candidate": f"user:{people.active.pk}",
                  "citation": "推广覆盖 5000 人"})
    n = AwardNomination.objects.get()
    gz.post(url, {"action": "approve", "nomination": n.pk})  # not the parent: refused
    n.refresh_from_db()
    assert n.status == NominationStatus.NOMINATED
    client_for(people.province_admin).post(url, {"action": "approve", "nomination": n.pk})
    n.refresh_from_db()
    assert n.status == NominationStatus.APPROVED
    gz.post(url, {"action": "publish"})
    n.round.refresh_from_db()
    assert n.round.status == AwardRoundStatus.PUBLISHED and n.round.honours_page is not None


def test_the_promotion_admin_refuses_bad_input_with_form_errors(tree, people, client_for):
    gz = client_for(people.gz_admin)
    assert gz.get("/admin/insights_promotion/").status_code == 200
    before = PromotionActivity.objects.count()
    r = gz.post("/admin/insights_promotion/new/", {"organization": tree.guangzhou.pk, "kind": "media",
                                                  "title": "广州电视台专访", "held_on": "2099-01-01", "reach": "10"})
    assert r.status_code == 200 and "日期不能晚于今天" in r.content.decode()
    assert PromotionActivity.objects.count() == before
    r = gz.post("/admin/insights_promotion/new/", {"organization": tree.guangzhou.pk, "kind": "media",
                                                  "title": "广州电视台专访", "held_on": "2026-05-04", "reach": "20000"})
    assert r.status_code == 302 and PromotionActivity.objects.count() == before + 1
