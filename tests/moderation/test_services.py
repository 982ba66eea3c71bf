"""Sanctions, rate limits, word lists and alert handling through services and the API."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from freezegun import freeze_time

from core.errors import Conflict, Forbidden, Invalid, TooManyRequests
from moderation import services
from moderation.domain.matcher import Action
from moderation.models import Alert, AlertKind, AlertStatus, AllowedWord, Sanction, SensitiveWord
from notifications.models import Notification
from organizations.models import StaffRole
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def words(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        SensitiveWord.objects.create(word="色情", category="porn", action="block")
        SensitiveWord.objects.create(word="代开发票", category="fraud", action="hold")
        SensitiveWord.objects.create(word="傻逼", category="abuse", action="mask")
        AllowedWord.objects.create(word="白色情人节")


def test_screen_texts_uses_the_current_list(engine, words, django_capture_on_commit_callbacks):
    assert services.screen_texts({"body": "祝你白色情人节快乐"}).action == Action.ALLOW
    with pytest.raises(Invalid) as exc:
        services.screen_texts({"title": "你好", "body": "色 情"})
    assert exc.value.code == "blocked_words"
    s = services.screen_texts({"body": "你个傻逼"})
    assert s.fields["body"] == "你个＊＊" and s.action == Action.MASK
    assert services.screen_texts({"body": "代開發票"}).held
    # a change to the list is seen at the next post (the version is bumped on commit)
    with django_capture_on_commit_callbacks(execute=True):
        SensitiveWord.objects.filter(word="代开发票").update(action="block")
        SensitiveWord.objects.get(word="代开发票").save()
    with pytest.raises(Invalid):
        services.screen_texts({"body": "代开发票"})


@pytest.fixture
def old_user(db):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30))


def test_duplicate_text_within_five_minutes(old_user):
    with freeze_time("2026-11-26 10:00:00"):
        services.check_rate_limits(user=old_user, kind="question", text="考研复试怎么准备")
        services.record_post(user=old_user, kind="question", text="考研复试怎么准备")
        with pytest.raises(TooManyRequests):
            services.check_rate_limits(user=old_user, kind="answer", text="考研复试  怎么准备")
    with freeze_time("2026-11-26 10:05:01"):
        services.check_rate_limits(user=old_user, kind="question", text="考研复试怎么准备")


def test_everyone_at_most_20_questions_a_day(old_user):
    with freeze_time("2026-11-26 08:00:00"):
        for i in range(20):
            services.record_post(user=old_user, kind="question", text=f"问题{i}")
        with pytest.raises(TooManyRequests) as exc:
            services.check_rate_limits(user=old_user, kind="question", text="第二十一个")
        assert exc.value.status == 429
        services.check_rate_limits(user=old_user, kind="answer", text="回答不受问题上限影响")
    with freeze_time("2026-11-27 08:00:01"):
        services.check_rate_limits(user=old_user, kind="question", text="第二天")


def test_new_user_limits(db):
    with freeze_time("2026-11-26 09:00:00"):
        new = UserFactory()
        services.record_post(user=new, kind="question", text="第一个")
    with freeze_time("2026-11-26 09:01:00"):
        with pytest.raises(TooManyRequests):  # one question per 2 minutes
            services.check_rate_limits(user=new, kind="question", text="第二个")
    with freeze_time("2026-11-26 09:02:01"):
        services.record_post(user=new, kind="question", text="第二个")
    with freeze_time("2026-11-26 09:05:00"):
        services.record_post(user=new, kind="question", text="第三个")
    with freeze_time("2026-11-26 09:10:00"):
        with pytest.raises(TooManyRequests):  # three questions on the first day
            services.check_rate_limits(user=new, kind="question", text="第四个")
        for i in range(10):
            services.record_post(user=new, kind="answer", text=f"回答{i}")
        with pytest.raises(TooManyRequests):
            services.check_rate_limits(user=new, kind="answer", text="第十一个回答")
    with freeze_time("2026-11-27 09:10:00"):
        services.check_rate_limits(user=new, kind="question", text="第二天的问题")


def test_sanction_scope_and_effect(tree, make_staff, youth, django_capture_on_commit_callbacks):
    gz_mod = make_staff(tree.guangzhou, StaffRole.MODERATOR)
    sz_mod = make_staff(tree.shenzhen, StaffRole.MODERATOR)
    province_admin = make_staff(tree.province, StaffRole.ORG_ADMIN)
    with pytest.raises(Invalid):
        services.impose_sanction(moderator=gz_mod, user=youth, organization=tree.guangzhou, kind="mute", hours=24, reason=" ")
    with pytest.raises(Forbidden):  # a youth of Tianhe is not Shenzhen's to sanction
        services.impose_sanction(moderator=sz_mod, user=youth, organization=tree.guangzhou, kind="mute", hours=24, reason="x")
    with pytest.raises(Forbidden):  # nor is a provincial admin a city's
        services.impose_sanction(moderator=gz_mod, user=province_admin, organization=tree.guangzhou, kind="ban",
                                 hours=24, reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        s = services.impose_sanction(moderator=gz_mod, user=youth, organization=tree.guangzhou, kind="mute", hours=24,
                                     reason="多次发布广告", appeal_note="可向广州团市委申诉")
    assert Notification.objects.filter(recipient=youth, kind="sanction").exists()
    with pytest.raises(Forbidden) as exc:
        services.check_can_post(youth)
    assert exc.value.code == "sanctioned"
    assert authenticate(username=youth.username, password=PASSWORD) == youth  # muted users can still log in
    with freeze_time(timezone.now() + timedelta(hours=25)):
        services.check_can_post(youth)  # lifted automatically when it ends
    services.lift_sanction(moderator=gz_mod, sanction=s, reason="申诉成立")
    services.check_can_post(youth)


def test_banned_user_cannot_log_in(tree, make_staff, youth):
    mod = make_staff(tree.province, StaffRole.MODERATOR)
    services.impose_sanction(moderator=mod, user=youth, organization=tree.province, kind="ban", hours=2, reason="违法内容")
    assert authenticate(username=youth.username, password=PASSWORD) is None


def test_word_import_reports_bad_lines_and_keeps_list(tree, make_staff, django_capture_on_commit_callbacks):
    mod = make_staff(tree.province, StaffRole.MODERATOR)
    SensitiveWord.objects.create(word="旧词", action="block")
    with pytest.raises(Invalid) as exc:
        services.import_word_list(actor=mod, data="好词,ads,block\n,porn,block\n坏词,nosuch,block\n好词,ads,mask\n",
                                  replace=True)
    assert set(exc.value.fields) == {"2", "3", "4"}
    assert list(SensitiveWord.objects.values_list("word", flat=True)) == ["旧词"]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.import_word_list(actor=mod, data="# comment\n好词,ads,block\n另一个词\n", replace=True)
    assert result == {"imported": 2, "new": 2}
    assert set(SensitiveWord.objects.values_list("word", flat=True)) == {"好词", "另一个词"}
    with pytest.raises(Invalid):
        services.screen_texts({"body": "好 词"})
    with pytest.raises(Forbidden):
        services.import_word_list(actor=make_staff(tree.guangzhou, StaffRole.MODERATOR), data="x\n")


def test_alert_workflow_with_report_upward(tree, make_staff, youth, client_for):
    gz_liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    province_liaison = make_staff(tree.province, StaffRole.LIAISON)
    sz_liaison = make_staff(tree.shenzhen, StaffRole.LIAISON)
    now = timezone.now()
    alert = Alert.objects.create(kind=AlertKind.CONCENTRATED, organization=tree.guangzhou, title="广州集中诉求：创业补贴",
                                 window_start=now - timedelta(hours=1), window_end=now, thread_count=200, user_count=150,
                                 evidence={"user_ids": [youth.pk]}, fingerprint="concentrated:x:补贴")
    c = client_for(gz_liaison)
    url = f"/api/moderation/alerts/{alert.pk}/steps/"
    assert client_for(sz_liaison).post(url, {"step": "verify"}, content_type="application/json").status_code == 404
    assert c.post(url, {"step": "report", "comment": "x"}, content_type="application/json").status_code == 409
    assert c.post(url, {"step": "verify"}, content_type="application/json").status_code == 200
    r = c.post(url, {"step": "report", "comment": ""}, content_type="application/json")
    assert r.status_code == 400
    r = c.post(url, {"step": "report", "comment": "涉及全市创业补贴发放"}, content_type="application/json")
    assert r.json()["reported_to_id"] == tree.province.pk
    assert Notification.objects.filter(recipient=province_liaison, kind="alert_reported").exists()
    # the superior organisation now sees it and can handle it
    pc = client_for(province_liaison)
    assert any(a["id"] == alert.pk for a in pc.get("/api/moderation/alerts/").json()["items"])
    assert pc.post(url, {"step": "handle"}, content_type="application/json").status_code == 200
    assert pc.post(url, {"step": "feedback", "comment": "已协调人社部门，本月底前发放"},
                   content_type="application/json").status_code == 200
    assert Notification.objects.filter(recipient=youth, kind="alert_feedback").exists()
    body = pc.post(url, {"step": "close"}, content_type="application/json").json()
    assert body["status"] == AlertStatus.CLOSED
    assert [s["to_status"] for s in body["steps"]] == ["verified", "reported", "handling", "feedback", "closed"]
    assert all(s["actor_id"] for s in body["steps"])


def test_moderation_api_refuses_non_staff(tree, youth, client_for):
    c = client_for(youth)
    assert c.get("/api/moderation/queue/").status_code == 403
    assert c.get("/api/moderation/alerts/").status_code == 403
    assert client_for().get("/api/moderation/queue/").status_code == 401


def test_reporting_unknown_kind_is_400(tree, youth, client_for):
    r = client_for(youth).post("/api/moderation/reports/", {"content_kind": "nosuch", "object_id": 1, "reason": "spam"},
                               content_type="application/json")
    assert r.status_code == 400


def test_conflict_is_409_json(tree, client_for, youth):
    assert Conflict.status == 409


def test_a_ban_ends_a_live_session_at_once_and_its_lifting_restores_it(tree, make_staff, youth, client_for):
    """Every authenticated request asks whether the user is banned; the answer is cached per user
    and dropped when one of their sanctions changes, so neither a ban nor its lifting waits."""
    mod = make_staff(tree.province, StaffRole.MODERATOR)
    c = client_for(youth)
    assert c.get("/api/stations/bookings").status_code == 200  # "no bans" is now cached
    s = services.impose_sanction(moderator=mod, user=youth, organization=tree.province, kind="ban", hours=2,
                                 reason="违法内容")
    assert c.get("/api/stations/bookings").status_code == 401
    services.lift_sanction(moderator=mod, sanction=s, reason="申诉成立")
    assert c.get("/api/stations/bookings").status_code == 200
    services.impose_sanction(moderator=mod, user=youth, organization=tree.province, kind="mute", hours=2,
                             reason="刷屏")
    assert c.get("/api/stations/bookings").status_code == 200  # a mute does not log out
    with freeze_time(timezone.now() + timedelta(hours=1)):
        later = Sanction.objects.create(user=youth, kind="ban", organization=tree.province, reason="定时封禁",
                                        starts_at=timezone.now() + timedelta(hours=1),
                                        ends_at=timezone.now() + timedelta(hours=3))
        assert services.is_banned(youth) is False  # not started yet
    with freeze_time(later.starts_at + timedelta(minutes=1)):
        assert services.is_banned(youth) is True  # starts without any write: the cached span says when
    with freeze_time(later.ends_at + timedelta(minutes=1)):
        assert services.is_banned(youth) is False
