"""Questions asked to a station (青年之家) and referral of a question to a station (转介)."""

import pytest

from community.models import EventKind, Question
from notifications.models import Notification
from organizations.models import StaffRole
from stations.models import Referral
from tests.factories import UserFactory
from tests.stations.conftest import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree):
    return make_station(tree.tianhe, admins=[UserFactory(username="tianhe_admin")])


def ask(client, **extra):
    data = {"title": "想找人聊聊考研压力怎么办", "body": "最近睡不好", "domain": "psychology", **extra}
    return client.post("/api/community/questions/", data, content_type="application/json")


def test_question_to_a_station_goes_to_its_organisation_and_admins(tree, youth, client_for, station):
    r = ask(client_for(youth), target_kind="station", target_id=station.pk)
    assert r.status_code == 201, r.content
    assert r.json()["target_kind"] == "station" and r.json()["target"] == station.title
    q = Question.objects.get()
    assert q.target_station == station and q.organization == tree.tianhe
    notified = set(Notification.objects.filter(kind="question").values_list("recipient__username", flat=True))
    assert "tianhe_admin" in notified, notified


def test_unknown_or_unpublished_station_is_refused(youth, client_for, station):
    r = ask(client_for(youth), target_kind="station", target_id=station.pk + 999)
    assert r.status_code == 404 and r.json()["errors"] == {"target_id": "unknown"}
    station.unpublish()
    r = ask(client_for(youth), target_kind="station", target_id=station.pk)
    assert r.status_code == 404 and not Question.objects.exists()


def test_ask_page_names_the_station_and_targets_it(youth, client_for, station):
    c = client_for(youth)
    page = c.get(f"/qa/ask/?station={station.pk}")
    assert page.status_code == 200 and station.title in page.content.decode()
    r = c.post(f"/qa/ask/?station={station.pk}", {"title": "想预约心理咨询可以吗", "domain": "psychology",
                                                  "target_station": station.pk})
    assert r.status_code == 302
    q = Question.objects.get()
    assert q.target_station == station
    assert station.title in c.get(q.get_absolute_url()).content.decode()


def test_staff_refer_a_question_to_a_station(tree, youth, client_for, make_staff, station):
    ask(client_for(youth))
    q = Question.objects.get()
    staff = make_staff(q.organization, StaffRole.DUTY)
    outsider = make_staff(tree.shenzhen, StaffRole.DUTY)
    url = f"/api/community/questions/{q.pk}/referrals/"
    body = {"station_id": station.pk, "note": "可以到站点当面咨询"}
    assert client_for().post(url, body, content_type="application/json").status_code == 401
    assert client_for(youth).post(url, body, content_type="application/json").status_code == 403
    assert client_for(outsider).post(url, body, content_type="application/json").status_code == 403
    r = client_for(staff).post(url, {"station_id": 10**6}, content_type="application/json")
    assert r.status_code == 404
    r = client_for(staff).post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["booking_url"].endswith(f"?referral={r.json()['id']}#book")
    referral = Referral.objects.get()
    assert referral.question_id == q.pk and referral.asker == youth and referral.referred_by == staff
    assert Notification.objects.filter(recipient=youth, kind="station_referral").exists()
    assert q.events.filter(kind=EventKind.REFERRED, actor=staff).exists()
    assert client_for(staff).post(url, body, content_type="application/json").status_code == 409


def test_referral_form_on_the_question_page(tree, youth, client_for, make_staff, station):
    ask(client_for(youth))
    q = Question.objects.get()
    staff = client_for(make_staff(q.organization, StaffRole.DUTY))
    page = staff.get(q.get_absolute_url()).content.decode()
    assert f'value="{station.pk}"' in page and "ref-station" in page
    assert "ref-station" not in client_for(youth).get(q.get_absolute_url()).content.decode()
    r = staff.post(f"/qa/{q.pk}/refer/", {"station": station.pk, "note": ""})
    assert r.status_code == 302 and Referral.objects.filter(question_id=q.pk, station=station).exists()


def test_invite_refuses_an_away_expert(tree, youth, client_for):
    from alliances.models import Availability, ExpertProfile, ExpertStatus

    ask(client_for(youth))
    q = Question.objects.get()
    expert_user = UserFactory(username="away_expert")
    ExpertProfile.objects.create(user=expert_user, real_name="李律师", status=ExpertStatus.ACTIVE,
                                 availability=Availability.AWAY, organization=tree.guangzhou)
    r = client_for(youth).post(f"/api/community/questions/{q.pk}/invitations/", {"invitee_id": expert_user.pk},
                               content_type="application/json")
    assert r.status_code == 409, r.content


def test_staff_invite_the_suggested_experts_in_one_action(tree, youth, client_for, make_staff):
    from alliances.models import ExpertDomain, ExpertProfile, ExpertStatus
    from community.models import Invitation

    ask(client_for(youth))
    q = Question.objects.get()
    experts = []
    for i, org in enumerate([tree.tianhe, tree.guangzhou, tree.shenzhen]):
        e = ExpertProfile.objects.create(user=UserFactory(username=f"psy{i}"), real_name=f"心理咨询师{i}",
                                         status=ExpertStatus.ACTIVE, organization=org)
        ExpertDomain.objects.create(expert=e, domain="psychology")
        experts.append(e)
    staff = make_staff(q.organization, StaffRole.DUTY)
    r = client_for(staff).get(f"/api/community/questions/{q.pk}/suggestions/")
    assert r.status_code == 200, r.content
    suggested = [s["expert_id"] for s in r.json()]
    assert set(suggested) == {e.pk for e in experts} and suggested[0] == experts[0].pk  # same district first
    assert client_for(youth).get(f"/api/community/questions/{q.pk}/suggestions/").status_code == 403
    page = client_for(staff).get(q.get_absolute_url()).content.decode()
    assert "心理咨询师0" in page and "同一组织" in page
    url = f"/api/community/questions/{q.pk}/invitations/suggested/"
    assert client_for(youth).post(url, {"expert_ids": suggested}, content_type="application/json").status_code == 403
    r = client_for(staff).post(url, {"expert_ids": suggested[:2] + [10**6]}, content_type="application/json")
    assert r.status_code == 404 and not Invitation.objects.exists()  # all or nothing
    r = client_for(staff).post(url, {"expert_ids": suggested[:2]}, content_type="application/json")
    assert r.status_code == 201 and len(r.json()) == 2
    assert set(Invitation.objects.values_list("invitee_id", flat=True)) == {experts[0].user_id, experts[1].user_id}
    assert [s["expert_id"] for s in client_for(staff).get(f"/api/community/questions/{q.pk}/suggestions/").json()] == [experts[2].pk]


def test_question_detail_is_cached_and_dropped_on_every_write(tree, youth, client_for, make_staff):
    """The public detail is served from the cache (one UPDATE for the view count) and reflects an
    answer, a like and a moderation removal as soon as they commit."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from community import services
    from moderation.models import ReportReason
    from moderation.services import decide, report_content

    cache.clear()
    ask(client_for(youth), is_anonymous=True)
    q = Question.objects.get()
    anon = client_for()
    url = f"/api/community/questions/{q.pk}/"
    assert anon.get(url).json()["asker"] == "匿名青年"
    with CaptureQueriesContext(connection) as ctx:
        assert anon.get(url).status_code == 200
    assert [x["sql"].split()[0] for x in ctx.captured_queries] == ["UPDATE"]  # cache hit: only the view count (buffering off in tests)
    assert client_for(youth).get(url).json()["asker"].endswith("（匿名）")  # the asker sees their own name
    staff_user = make_staff(q.organization, StaffRole.DUTY)
    assert client_for(staff_user).get(url).json()["asker"].endswith("（匿名）")
    assert client_for(make_staff(tree.shenzhen, StaffRole.DUTY)).get(url).json()["asker"] == "匿名青年"

    answer = services.answer_question(actor=staff_user, question=q, body="可以到天河青年之家预约心理咨询，周一到周五都有老师值班。")
    data = anon.get(url).json()
    assert data["status"] == "answered" and [a["id"] for a in data["answers"]] == [answer.pk]
    services.like(actor=UserFactory(), question=q, answer=answer)
    assert anon.get(url).json()["answers"][0]["like_count"] == 1
    report = report_content(reporter=youth, obj=answer, reason=ReportReason.values[0])
    decide(moderator=make_staff(tree.province, StaffRole.MODERATOR), case=report.case, action="remove", reason="测试删除")
    assert anon.get(url).json()["answers"] == []


def test_my_questions_page_ignores_a_cursor_it_did_not_issue(youth, client_for):
    ask(client_for(youth))
    r = client_for(youth).get("/qa/mine/?cursor=garbage")
    assert r.status_code == 200 and "想找人聊聊考研压力怎么办" in r.content.decode()
