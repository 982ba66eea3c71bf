"""Moderation through the real Q&A stack: screening on posting, the review queue, removal and
restore with history, reports, sanctions, and the monitoring job on real questions."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

import youthvoice.urls  # noqa: F401  (build the API schemas before freezegun patches time)
from community.models import Question
from moderation import monitoring, services
from moderation.models import Alert, AlertKind, CaseStatus, ModerationCase, SensitiveWord
from notifications.models import Notification
from organizations.models import StaffRole
from tests.factories import UserFactory


@pytest.fixture
def words(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        SensitiveWord.objects.create(word="色情", category="porn", action="block")
        SensitiveWord.objects.create(word="代开发票", category="fraud", action="hold")
        SensitiveWord.objects.create(word="傻逼", category="abuse", action="mask")


@pytest.fixture
def asker(tree):
    return UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=60))


def ask(client, title, body="请大家帮忙看看这个问题", **extra):
    return client.post("/api/community/questions/", {"title": title, "body": body, "domain": "employment", **extra},
                       content_type="application/json")


def test_blocked_masked_and_held_posts(engine, tree, words, asker, client_for, make_staff):
    c = client_for(asker)
    r = ask(c, "这里有色 情内容吗")
    assert r.status_code == 400 and r.json()["code"] == "blocked_words"
    assert not Question.objects.exists()
    r = ask(c, "实习单位的主管是个傻逼怎么办")
    assert r.status_code == 201
    assert Question.objects.get().title == "实习单位的主管是个＊＊怎么办"
    r = ask(c, "有人能代開發票吗，报销用", body="急需")
    assert r.status_code == 201
    held = Question.objects.get(title__contains="發票")
    assert held.moderation_status == "held"
    feed = client_for().get("/api/community/questions/").json()
    titles = [q["title"] for q in feed.get("items", feed.get("results", []))]
    assert held.title not in titles
    case = ModerationCase.objects.get()
    assert case.reason == "held" and case.status == CaseStatus.OPEN and case.organization == tree.tianhe
    mod = make_staff(tree.guangzhou, StaffRole.MODERATOR)
    assert client_for(mod).get("/api/moderation/queue/").json()["items"][0]["id"] == case.pk
    sz_mod = make_staff(tree.shenzhen, StaffRole.MODERATOR)
    assert client_for(sz_mod).get("/api/moderation/queue/").json()["items"] == []
    r = client_for(sz_mod).post(f"/api/moderation/queue/{case.pk}/decision/", {"action": "remove", "reason": "x"},
                                content_type="application/json")
    assert r.status_code == 403


def test_remove_and_restore_keep_history_and_notify(tree, words, asker, client_for, make_staff,
                                                    django_capture_on_commit_callbacks):
    c = client_for(asker)
    qid = ask(c, "毕业档案去哪里查询").json()["id"]
    reporter = UserFactory()
    rc = client_for(reporter)
    report = {"content_kind": "question", "object_id": qid, "reason": "spam"}
    assert rc.post("/api/moderation/reports/", report, content_type="application/json").status_code == 201
    assert rc.post("/api/moderation/reports/", report, content_type="application/json").status_code == 409
    mod = make_staff(tree.guangzhou, StaffRole.MODERATOR)
    m = client_for(mod)
    case_id = m.get("/api/moderation/queue/").json()["items"][0]["id"]
    url = f"/api/moderation/queue/{case_id}/decision/"
    assert m.post(url, {"action": "remove", "reason": ""}, content_type="application/json").status_code == 400
    assert m.post(url, {"action": "remove", "reason": "广告"}, content_type="application/json").status_code == 200
    assert Question.objects.get(pk=qid).moderation_status == "removed"  # soft: still there
    assert client_for().get(f"/api/community/questions/{qid}/").status_code == 404
    assert Notification.objects.filter(recipient=asker, kind="moderation_remove").exists()
    r = m.post(url, {"action": "restore", "reason": "误删，已复核"}, content_type="application/json")
    assert [d["action"] for d in r.json()["decisions"]] == ["remove", "restore"]
    assert client_for().get(f"/api/community/questions/{qid}/").status_code == 200


def test_muted_user_cannot_post_and_rate_limit_is_429(tree, asker, client_for, make_staff):
    c = client_for(asker)
    assert ask(c, "考研复试怎么准备").status_code == 201
    assert ask(c, "考研复试怎么准备").status_code == 429  # the same text within 5 minutes
    mod = make_staff(tree.guangzhou, StaffRole.MODERATOR)
    services.impose_sanction(moderator=mod, user=asker, organization=tree.guangzhou, kind="mute", hours=24, reason="刷屏")
    r = ask(c, "另一个完全不同的问题")
    assert r.status_code == 403 and r.json()["code"] == "sanctioned"


def _burst_questions(tree):
    """16 background questions an hour for 25 hours from 150 users; in the last hour also 200 about
    创业补贴 from the same 150 users. Returns the first hour."""
    rng = random.Random(3)
    users = [UserFactory(organization=tree.tianhe) for _ in range(150)]
    background = ["考研复试怎么准备", "租房合同押金不退怎么办", "心理压力大睡不着", "公益志愿活动在哪里报名",
                  "实习单位不签三方协议", "婚恋交友活动有哪些", "团员组织关系怎么转接", "毕业档案去哪里查"]
    variants = ["创业补贴什么时候发放", "创业补贴申请了三个月还没到账", "请问创业补贴到账时间", "创业补贴迟迟不发怎么办"]
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=25)
    rows = []
    for hour in range(25):
        at = start + timedelta(hours=hour, minutes=10)
        for i in range(16):
            rows.append(Question(asker=users[(hour * 16 + i) % 150], title=rng.choice(background), domain="employment",
                                 organization=tree.tianhe, asked_at=at, deadline_at=at, last_activity_at=at, clock_started_at=at, remind_at=at))
        if hour == 24:
            for i in range(200):
                rows.append(Question(asker=users[i % 150], title=rng.choice(variants) + rng.choice(["", "？", "，急"]),
                                     domain="entrepreneurship", organization=tree.tianhe, asked_at=at,
                                     deadline_at=at, last_activity_at=at, clock_started_at=at, remind_at=at))
    Question.objects.bulk_create(rows)
    return start


def test_monitoring_finds_one_concentrated_demand(tree, make_staff):
    """200 questions about 补贴 from 150 users in one hour in one city → exactly one alert; steady
    background traffic (the same mix every hour for a day) → none."""
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    start = _burst_questions(tree)
    for hour in range(25):  # the hourly job, run at the end of each hour
        with freeze_time(start + timedelta(hours=hour + 1, minutes=1)):
            alerts = monitoring.run(window="hour")
            if hour < 24:
                assert alerts == []
    concentrated = Alert.objects.filter(kind=AlertKind.CONCENTRATED)
    assert concentrated.count() == 1
    alert = concentrated.get()
    assert alert.organization == tree.guangzhou
    assert alert.thread_count == 200 and alert.user_count == 150
    assert Notification.objects.filter(recipient=liaison, kind="monitoring_alert").exists()


def test_baselines_rebuilt_out_of_band_then_the_hourly_and_weekly_jobs(tree, make_staff):
    """manage.py monitoring_baselines writes the rows the hourly job would have written; the next
    hourly job then finds the one concentrated demand; the daily and weekly jobs run over them."""
    from django.core.management import call_command

    from moderation.models import TermWindowCount

    make_staff(tree.guangzhou, StaffRole.LIAISON)
    start = _burst_questions(tree)
    with freeze_time(start + timedelta(hours=24, minutes=1)):
        call_command("monitoring_baselines", "--days", "2")
    rebuilt = {(r.hour, r.posts): r.counts for r in TermWindowCount.objects.all()}
    assert len(rebuilt) == 24
    TermWindowCount.objects.all().delete()
    for hour in range(24):
        with freeze_time(start + timedelta(hours=hour + 1, minutes=1)):
            monitoring.run(window="hour")
    assert {(r.hour, r.posts): r.counts for r in TermWindowCount.objects.all()} == rebuilt
    with freeze_time(start + timedelta(hours=25, minutes=1)):
        alerts = monitoring.run(window="hour")
        concentrated = [(a.thread_count, a.user_count) for a in alerts if a.kind == AlertKind.CONCENTRATED]
        assert concentrated == [(200, 150)]
        monitoring.run(window="day")
        monitoring.run(window="week")
    assert Alert.objects.filter(kind=AlertKind.CONCENTRATED).count() == 1  # the same finding stays one alert
