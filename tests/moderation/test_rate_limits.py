"""Rate limits on every write a youth can make (issue 25, finding 6), through the HTTP API and the
pages, from the one table settings.YV_RATE_LIMITS (tests/moderation/conftest.py turns them on).

The probe posted, as one established youth within seconds: 60 answers, 60 comments, 60 reports,
20 appeals and 9 alliance applications; a youth registered that day posted 30 comments."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from freezegun import freeze_time

import youthvoice.urls  # noqa: F401  (build the API schemas before freezegun patches time)
from alliances.models import AllianceMembership
from appeals import services as appeals_services
from appeals.domain.workflow import Role
from community.models import Answer, Question
from core.errors import TooManyRequests
from moderation import services
from moderation.domain import ratelimits
from moderation.models import PostRecord, Report
from stations import services as station_services
from stations.models import Booking, ServiceSlot
from tests.alliances.conftest import make_alliance
from tests.factories import UserFactory
from tests.stations.conftest import make_station

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Guangzhou


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def new_question(asker, org, title):
    now = timezone.now()
    return Question.objects.create(
        asker=asker, title=title, domain="employment", organization=org, asked_at=now, clock_started_at=now,
        remind_at=now + timedelta(hours=2), deadline_at=now + timedelta(hours=3), last_activity_at=now)


@pytest.fixture
def veteran(tree):
    return UserFactory(organization=tree.tianhe, date_joined=NOW - timedelta(days=90))


@pytest.fixture
def question(tree):
    return new_question(UserFactory(organization=tree.tianhe, date_joined=NOW - timedelta(days=90)), tree.tianhe,
                        "毕业后档案应该放在哪里")


def assert_429(r):
    assert r.status_code == 429, r.content
    body = r.json()
    assert body["code"] == "rate_limited"
    zh, en = body["detail"].split(" / ")
    assert "请稍后再试" in zh and "please try again later" in en


def flood(send, n):
    """Send n writes; the status codes."""
    return [send(i).status_code for i in range(n)]


@freeze_time(NOW)
def test_answer_and_comment_floods_stop_at_the_minute_limit(veteran, question, client_for):
    c = client_for(veteran)
    codes = flood(lambda i: post(c, f"/api/community/questions/{question.pk}/answers/", {"body": f"第{i}个回答：去人才市场"}), 60)
    assert codes.count(201) == 10 and codes[10:] == [429] * 50
    assert Answer.objects.filter(author=veteran).count() == 10
    assert_429(post(c, f"/api/community/questions/{question.pk}/answers/", {"body": "又一个回答"}))
    codes = flood(lambda i: post(c, f"/api/community/questions/{question.pk}/comments/", {"body": f"评论{i}"}), 60)
    assert codes.count(201) == 10 and codes[10:] == [429] * 50
    with freeze_time(NOW + timedelta(seconds=61)):  # a minute later the minute limit lets the next one through
        assert post(c, f"/api/community/questions/{question.pk}/answers/", {"body": "一分钟后的回答"}).status_code == 201


def test_daily_answer_limit_over_rolling_24_hours(veteran, question, client_for):
    c = client_for(veteran)
    sent = 0
    for minute in range(21):
        with freeze_time(NOW + timedelta(seconds=61 * minute)):
            for i in range(10):
                r = post(c, f"/api/community/questions/{question.pk}/answers/", {"body": f"回答 {minute}-{i}"})
                sent += r.status_code == 201
    assert sent == 200  # 200 a day, however spread
    with freeze_time(NOW + timedelta(minutes=30)):
        assert_429(post(c, f"/api/community/questions/{question.pk}/answers/", {"body": "第201个"}))
    with freeze_time(NOW + timedelta(hours=24, minutes=1)):
        assert post(c, f"/api/community/questions/{question.pk}/answers/", {"body": "第二天"}).status_code == 201


@freeze_time(NOW)
def test_reports_likes_and_appeals_are_limited(tree, veteran, question, client_for):
    c = client_for(veteran)
    other = UserFactory(date_joined=NOW - timedelta(days=90))
    answers = Answer.objects.bulk_create([Answer(question=question, author=other, body=f"回答{i}", created_at=NOW)
                                          for i in range(61)])
    codes = flood(lambda i: post(c, "/api/moderation/reports/",
                                 {"content_kind": "answer", "object_id": answers[i].pk, "reason": "spam"}), 60)
    assert codes.count(201) == 5 and set(codes[5:]) == {429}
    assert Report.objects.filter(reporter=veteran).count() == 5
    assert_429(post(c, "/api/moderation/reports/", {"content_kind": "answer", "object_id": answers[60].pk, "reason": "spam"}))

    codes = flood(lambda i: post(c, f"/api/community/questions/{question.pk}/like/", {"answer_id": answers[i].pk}), 40)
    assert codes.count(200) == 30 and set(codes[30:]) == {429}
    # the limit is checked before the like: a repeat is refused too once it is reached
    assert post(c, f"/api/community/questions/{question.pk}/like/", {"answer_id": answers[0].pk}).status_code == 429

    appeals_services.add_handler(actor=None, user=UserFactory(), organization=tree.province, role=Role.OPS)
    codes = flood(lambda i: post(c, "/api/appeals/mine/", {"theme": f"求助{i}", "details": f"房东不退押金，第{i}次求助，怎么办",
                                                           "consent": True}), 20)
    assert codes.count(201) == 3 and set(codes[3:]) == {429}


@freeze_time(NOW)
def test_alliance_applications_and_bookings_are_limited(tree, veteran, client_for):
    c = client_for(veteran)
    alliances = [make_alliance(tree.guangzhou, domain) for domain in
                 ("legal", "psychology", "employment", "entrepreneurship", "volunteering")]
    codes = [post(c, f"/api/alliances/{a.pk}/applications", {"real_name": "周律师", "domains": ["legal"]}).status_code
             for a in alliances]
    assert codes == [201, 201, 201, 429, 429]
    assert AllianceMembership.objects.filter(expert__user=veteran).count() == 3

    station = make_station(tree.tianhe)
    station_services.generate_slots(station=station, days=7, start=NOW.date())
    slots = list(ServiceSlot.objects.filter(station=station, starts_at__gt=NOW).order_by("starts_at")[:9])
    codes = [post(c, "/api/stations/bookings", {"slot_id": s.pk}).status_code for s in slots]
    assert codes == [201] * 5 + [429] * 4
    assert Booking.objects.filter(user=veteran).count() == 5
    # a refused booking took no place on its slot
    assert ServiceSlot.objects.get(pk=slots[5].pk).booked == 0


def test_new_user_limits_stop_the_first_day_comment_flood(tree, question, client_for):
    with freeze_time(NOW):
        newcomer = UserFactory(organization=tree.tianhe)  # registered today
    c = client_for(newcomer)
    accepted = 0
    for minute in range(10):
        with freeze_time(NOW + timedelta(minutes=minute, seconds=1)):
            codes = flood(lambda i, m=minute: post(c, f"/api/community/questions/{question.pk}/comments/",
                                         {"body": f"新人评论 {m}-{i}"}), 6)
            assert codes[5] == 429  # 5 a minute for a new account
            accepted += codes.count(201)
    assert accepted == 20  # and 20 on the first day (the probe's newcomer posted 30)
    with freeze_time(NOW + timedelta(hours=1)):
        r = post(c, f"/api/community/questions/{question.pk}/comments/", {"body": "一小时后"})
        assert_429(r)
        assert r.json()["detail"].startswith("新注册用户每天最多评论 20 次")
    with freeze_time(NOW + timedelta(days=1, minutes=1)):  # established now
        assert post(c, f"/api/community/questions/{question.pk}/comments/", {"body": "第二天"}).status_code == 201


@freeze_time(NOW)
def test_pages_show_the_limit_in_chinese(veteran, question, client_for):
    c = client_for(veteran)
    for i in range(10):
        assert c.post(f"/qa/{question.pk}/comment/", {"body": f"页面评论{i}"}).status_code == 302
    r = c.post(f"/qa/{question.pk}/comment/", {"body": "第十一条"}, follow=True)
    texts = [str(m) for m in get_messages(r.wsgi_request)] or [r.content.decode()]
    assert any("操作太频繁：每分钟最多评论 10 次" in t for t in texts) or "操作太频繁：每分钟最多评论 10 次" in r.content.decode()
    assert "please" not in r.content.decode()
    assert question.comments.count() == 10


def test_keyed_limits_for_writes_without_a_user(db):
    """The generic call for sign-ups and SMS codes (keyed by an IP or a phone number), counted in the cache."""
    with freeze_time(NOW):
        services.rate_limit(kind="sms_code", key="13800138000")
        with pytest.raises(TooManyRequests) as exc:
            services.rate_limit(kind="sms_code", key="13800138000")
        assert exc.value.status == 429 and exc.value.zh == "操作太频繁：每分钟最多获取验证码 1 次，请稍后再试"
        services.rate_limit(kind="sms_code", key="13900139000")  # another phone
    for minute in range(1, 5):
        with freeze_time(NOW + timedelta(minutes=minute, seconds=1)):
            services.rate_limit(kind="sms_code", key="13800138000")
    with freeze_time(NOW + timedelta(minutes=5, seconds=1)), pytest.raises(TooManyRequests):  # 5 an hour
        services.rate_limit(kind="sms_code", key="13800138000")


def test_limits_off_and_trusted_loaders(veteran, settings):
    with services.rate_limits_suspended():  # load_demo_data: nothing counted, so demo users start fresh
        for i in range(30):
            services.rate_limit(kind="like", user=veteran)
            services.record_post(user=veteran, kind="answer", text=f"演示回答{i}")
    assert not PostRecord.objects.filter(user=veteran).exists()
    settings.YV_RATE_LIMITS_ENABLED = False
    for _ in range(40):
        services.rate_limit(kind="like", user=veteran)


def test_staff_get_the_established_column(tree, make_staff):
    with freeze_time(NOW):
        staff = make_staff(tree.tianhe)  # registered today, but staff
        for i in range(5):
            services.rate_limit(kind="comment", user=staff, text=f"工作人员评论{i}")
        services.check_rate_limits(user=staff, kind="comment", text="第六条")  # a new youth stops at 5


# ---------------------------------------------------------------------------------------------- pure rules

def test_domain_rules():
    row = {60: (10, 3), 86400: (200, None)}
    assert ratelimits.limits_for(row, new_user=True) == {60: 3}
    assert ratelimits.exceeded("answer", row, {60: 2, 86400: 500}, new_user=True) is None
    breach = ratelimits.exceeded("answer", row, {60: 3}, new_user=True)
    assert breach == ratelimits.Breach("answer", 60, 3, True)
    assert ratelimits.message(breach) == ("新注册用户每分钟最多回答 3 次，请稍后再试",
                                          "New accounts may make at most 3 answers a minute; please try again later")
    breach = ratelimits.exceeded("report", {7200: (4, 4)}, {7200: 4}, new_user=False)
    assert ratelimits.message(breach)[0] == "操作太频繁：每 2 小时最多举报 4 次，请稍后再试"


def test_every_kind_in_the_table_is_worded_and_lets_a_normal_user_act(settings):
    table = settings.YV_RATE_LIMITS["kinds"]
    for kind in ("answer", "comment", "like", "report", "appeal", "application", "booking", "signup", "sms_code"):
        assert kind in table and kind in ratelimits.LABELS
        for window, pair in table[kind].items():
            assert all(limit is None or limit >= 1 for limit in pair), (kind, window)
    assert len(max(table, key=len)) <= 12  # PostRecord.kind


@pytest.mark.django_db(transaction=True)
def test_parallel_writes_cannot_all_pass_the_count(settings):
    """Eight reports of one user at the same moment with 5 a minute allowed: exactly 5 pass (the
    per-user advisory lock makes each count see the writes committed before it)."""
    import threading

    from django.db import connection

    from tests.conftest import build_tree

    tree = build_tree()
    reporter = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    q = new_question(UserFactory(), tree.tianhe, "并发举报的问题")
    author = UserFactory()
    answers = Answer.objects.bulk_create([Answer(question=q, author=author, body=f"回答{i}", created_at=timezone.now())
                                          for i in range(8)])
    barrier = threading.Barrier(len(answers))
    outcomes = []

    def report(answer):
        try:
            barrier.wait()
            services.report_content(reporter=reporter, obj=answer, reason="spam")
            outcomes.append("ok")
        except TooManyRequests:
            outcomes.append(429)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(a,)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [429] * 3 + ["ok"] * 5
    assert Report.objects.filter(reporter=reporter).count() == 5
