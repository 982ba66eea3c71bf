"""Notices to one user coalesced (issue 25, finding 6): 25 comments on one question raised another
youth's unread count from 39 to 64; now they are one unread notice that counts 25."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from community import services as qa
from community.models import Question
from notifications import services
from notifications.models import Notification, OutboxMessage
from tests.factories import UserFactory


def new_question(asker, org, title="毕业后档案应该放在哪里"):
    now = timezone.now()
    return Question.objects.create(
        asker=asker, title=title, domain="employment", organization=org, asked_at=now, clock_started_at=now,
        remind_at=now + timedelta(hours=2), deadline_at=now + timedelta(hours=3), last_activity_at=now)


@pytest.fixture
def asker(tree):
    return UserFactory(organization=tree.tianhe, email="asker@example.org")


def test_a_comment_flood_is_one_unread_notice(tree, asker, client_for):
    q = new_question(asker, tree.tianhe)
    Notification.objects.bulk_create([Notification(recipient=asker, kind="x", title=f"旧通知{i}") for i in range(39)])
    commenter = UserFactory(display_name="刷屏者")
    for i in range(25):
        qa.add_comment(actor=commenter, question=q, body=f"评论 {i}")
    assert services.unread_count(asker) == 40  # was 64
    notice = Notification.objects.get(recipient=asker, kind="comment")
    assert notice.count == 25 and notice.body == "评论 24"
    r = client_for(asker).get("/api/notifications/?page_size=1")
    assert r.json()["results"][0]["count"] == 25  # the newest on top
    page = client_for(asker).get("/notifications/").content.decode()
    assert "共 25 条" in page


def test_what_is_not_coalesced(tree, asker):
    q1, q2 = new_question(asker, tree.tianhe), new_question(asker, tree.tianhe, "另一个问题")
    commenter = UserFactory()
    with freeze_time("2026-11-25 10:00:00"):
        qa.add_comment(actor=commenter, question=q1, body="第一条")
        qa.add_comment(actor=commenter, question=q2, body="另一个问题的评论")  # another subject
    assert Notification.objects.filter(recipient=asker).count() == 2
    services.mark_read(user=asker)
    with freeze_time("2026-11-25 10:01:00"):
        qa.add_comment(actor=commenter, question=q1, body="读过之后")  # the first was read: a new notice
    with freeze_time("2026-11-25 11:01:01"):
        qa.add_comment(actor=commenter, question=q1, body="一小时之后")  # outside the window: a new notice
    assert list(Notification.objects.filter(recipient=asker, subject=f"community.question:{q1.pk}")
                .order_by("created_at").values_list("count", flat=True)) == [1, 1, 1]
    # kinds that are not coalesced (e.g. a booking's steps) stay one notice each
    services.notify(recipients=[asker], kind="station_booking", title="预约已确认", subject="stations.booking:1")
    services.notify(recipients=[asker], kind="station_booking", title="预约已取消", subject="stations.booking:1")
    assert Notification.objects.filter(recipient=asker, kind="station_booking").count() == 2


def test_coalesced_answers_send_one_email_and_a_constant_number_of_queries(tree, asker,
                                                                          django_capture_on_commit_callbacks):
    q = new_question(asker, tree.tianhe)
    experts = [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        qa.answer_question(actor=experts[0], question=q, body="先去档案馆问问")
        qa.answer_question(actor=experts[1], question=q, body="可以托管在人才中心")
    assert Notification.objects.get(recipient=asker, kind="answer").count == 2
    assert OutboxMessage.objects.filter(to_email="asker@example.org").count() == 1
    notice = dict(recipients=[asker], kind="answer", title="t", subject=f"community.question:{q.pk}")
    with CaptureQueriesContext(connection) as ctx:
        services.notify(**notice)
    assert len(ctx.captured_queries) == 2  # the candidates, the fold
