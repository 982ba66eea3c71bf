"""The whole loop through the HTTP API with frozen time: ask → branch feed → invite an expert →
expert accepts and answers → asker accepts → notifications; overdue → the sweep escalates."""

from freezegun import freeze_time

from community import services
from community.models import EventKind, Question, QuestionEvent
from notifications.models import Notification, OutboxMessage
from organizations.models import StaffRole


def test_ask_invite_answer_accept_and_notifications(tree, youth, expert, tags, client_for, post, make_staff):
    youth.email = "youth@example.com"
    youth.save()
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    asker = client_for(youth)
    with freeze_time("2026-11-25 10:00:00+08:00"):
        r = post(asker, "/api/community/questions/", {
            "title": "实习单位不签劳动合同怎么办", "body": "暑期实习两个月，公司说实习生不用签合同。", "domain": "legal",
            "tags": ["劳动合同"]})
        assert r.status_code == 201, r.content
        qid = r.json()["id"]
        assert r.json()["organization"]["short_name"] == "天河区"
        assert r.json()["deadline_hours"] == 3
        # in the branch feeds of 天河区 and of 广州 (its parent), by tag and domain, and unanswered
        for params in ({"org": tree.tianhe.pk}, {"branch": "guangzhou"}, {"tag": "labor"},
                       {"domain": "legal", "sort": "unanswered"}, {"sort": "hot"}):
            ids = [i["id"] for i in client_for().get("/api/community/questions/", params).json()["items"]]
            assert qid in ids, params
        assert qid not in [i["id"] for i in client_for().get("/api/community/questions/", {"branch": "shenzhen"}).json()["items"]]
        assert Notification.objects.filter(recipient=duty, kind="question").exists()

        r = post(asker, f"/api/community/questions/{qid}/invitations/", {"invitee_id": expert.pk, "message": "请王律师解答"})
        assert r.status_code == 201, r.content
        inv_id = r.json()["id"]
        assert Notification.objects.filter(recipient=expert, kind="invitation").exists()

    lawyer = client_for(expert)
    with freeze_time("2026-11-25 10:30:00+08:00"):
        mine = lawyer.get("/api/community/invitations/").json()["items"]
        assert [i["id"] for i in mine] == [inv_id]
        r = post(lawyer, f"/api/community/invitations/{inv_id}/respond/", {"accept": True})
        assert r.json()["status"] == "accepted" and r.json()["deadline_at"].startswith("2026-11-25T05:30")
        r = post(lawyer, f"/api/community/questions/{qid}/answers/", {
            "body": "实习期间如与单位建立劳动关系，应签订书面劳动合同；在校生实习一般签三方实习协议。",
            "source": "《劳动合同法》第十条", "is_copied": True})
        assert r.status_code == 201, r.content
        answer_id = r.json()["id"]
        assert r.json() == {"id": answer_id, "role": "expert", "stops_clock": True}

    q = Question.objects.get(pk=qid)
    assert q.status == "answered" and q.answered_on_time is True
    assert Notification.objects.filter(recipient=youth, kind="answer").exists()
    assert OutboxMessage.objects.filter(to_email="youth@example.com").exists()

    r = post(asker, f"/api/community/answers/{answer_id}/accept/")
    assert r.status_code == 200
    assert Notification.objects.filter(recipient=expert, kind="accepted").exists()
    expert.refresh_from_db()
    assert expert.points >= 2 + 10 + 15  # answer + on time + accepted
    detail = client_for().get(f"/api/community/questions/{qid}/").json()
    assert detail["answers"][0]["is_accepted"] and detail["answers"][0]["source"] == "《劳动合同法》第十条"

    # 回访: not solved reopens the question with a new deadline
    with freeze_time("2026-11-25 22:00:00+08:00"):
        r = post(asker, f"/api/community/questions/{qid}/outcome/", {"outcome": "not_solved", "rating": 2})
        assert r.json()["status"] == "open"
        assert r.json()["deadline_at"].startswith("2026-11-26T02:00")  # evening → 12 h (UTC shown)


def test_sweep_reminds_then_escalates_overdue_to_parent_duty_staff(tree, youth, make_staff):
    duty = make_staff(tree.tianhe, StaffRole.DUTY, email="duty@example.com")
    gz_duty = make_staff(tree.guangzhou, StaffRole.DUTY, email="gzduty@example.com")
    with freeze_time("2026-11-25 10:00:00+08:00"):
        q = services.ask_question(asker=youth, title="团员证遗失怎么补办", domain="league")
    with freeze_time("2026-11-25 11:59:00+08:00"):
        assert services.sweep_deadlines() == {"reminded": 0, "escalated": 0, "invitations": 0}
    with freeze_time("2026-11-25 12:00:00+08:00"):  # 2/3 of 3 hours
        assert services.sweep_deadlines() == {"reminded": 1, "escalated": 0, "invitations": 0}
        assert services.sweep_deadlines() == {"reminded": 0, "escalated": 0, "invitations": 0}  # idempotent
    assert Notification.objects.filter(recipient=duty, kind="reminder").count() == 1
    msg = OutboxMessage.objects.get(to_email="duty@example.com", subject__contains="即将超时")
    assert msg.not_before is None  # on duty now: mail at once
    with freeze_time("2026-11-25 13:00:01+08:00"):
        assert services.sweep_deadlines() == {"reminded": 0, "escalated": 1, "invitations": 0}
        assert services.sweep_deadlines() == {"reminded": 0, "escalated": 0, "invitations": 0}
    q.refresh_from_db()
    assert q.escalated_to == tree.guangzhou and q.escalated_at is not None
    assert Notification.objects.filter(recipient=gz_duty, kind="escalation").count() == 1
    assert QuestionEvent.objects.filter(question=q, kind=EventKind.OVERDUE, to_organization=tree.guangzhou).exists()


def test_off_duty_reminder_mail_waits_for_duty_hours(tree, youth, make_staff):
    liaison = make_staff(tree.tianhe, StaffRole.LIAISON, email="liaison@example.com")
    with freeze_time("2026-11-27 22:00:00+08:00"):  # Friday night: 12 h window, reminder at 06:00 Saturday
        services.ask_question(asker=youth, title="周末能去青年之家自习吗", domain="volunteering")
    with freeze_time("2026-11-28 06:00:00+08:00"):
        assert services.sweep_deadlines()["reminded"] == 1
    assert Notification.objects.filter(recipient=liaison, kind="reminder").exists()  # in-site at once
    msg = OutboxMessage.objects.get(to_email="liaison@example.com")
    assert msg.not_before.isoformat() == "2026-11-30T01:00:00+00:00"  # Monday 09:00 Beijing


def test_peer_answer_does_not_stop_the_clock_unless_configured(tree, youth, settings):
    from tests.factories import UserFactory

    peer = UserFactory()
    q = services.ask_question(asker=youth, title="考研还是工作怎么选", domain="employment")
    a = services.answer_question(actor=peer, question=q, body="看个人规划，我选了先工作。")
    q.refresh_from_db()
    assert a.role == "peer" and not a.stops_clock and q.status == "open" and q.answer_count == 1
    settings.YV_QA_PEER_ANSWER_STOPS_CLOCK = True
    services.answer_question(actor=UserFactory(), question=q, body="我觉得可以先考研。")
    q.refresh_from_db()
    assert q.status == "answered"


def test_official_account_answer_records_the_real_author(tree, youth, make_staff, client_for, post):
    staff = make_staff(tree.guangzhou, StaffRole.LIAISON)
    q = services.ask_question(asker=youth, title="广州团市委的青年人才政策", domain="employment")
    r = post(client_for(staff), f"/api/community/questions/{q.pk}/answers/",
             {"body": "请关注广州共青团公众号发布的最新政策。", "as_organization_id": tree.guangzhou.pk})
    assert r.status_code == 201 and r.json()["role"] == "organization"
    detail = client_for().get(f"/api/community/questions/{q.pk}/").json()
    assert detail["answers"][0]["author"] == "广州市"
    from community.models import Answer

    assert Answer.objects.get(pk=r.json()["id"]).author == staff
    # someone else's organisation: refused
    other = make_staff(tree.shenzhen, StaffRole.LIAISON)
    r = post(client_for(other), f"/api/community/questions/{q.pk}/answers/",
             {"body": "冒充回答", "as_organization_id": tree.guangzhou.pk})
    assert r.status_code == 403


def test_anonymous_question_hides_the_asker_from_public_not_from_staff(tree, youth, make_staff, client_for):
    q = services.ask_question(asker=youth, title="心理压力大不想和家人说", domain="psychology", is_anonymous=True)
    assert client_for().get(f"/api/community/questions/{q.pk}/").json()["asker"] == "匿名青年"
    staff = make_staff(tree.tianhe, StaffRole.DUTY)
    assert youth.public_name in client_for(staff).get(f"/api/community/questions/{q.pk}/").json()["asker"]


def test_accepted_invitation_past_its_deadline_is_chased(tree, youth, expert):
    with freeze_time("2026-11-25 10:00:00+08:00"):
        q = services.ask_question(asker=youth, title="劳动仲裁时效是多久", domain="legal")
        inv = services.invite(actor=youth, question=q, invitee=expert)
    with freeze_time("2026-11-25 11:00:00+08:00"):
        services.respond_invitation(actor=expert, invitation=inv, accept=True)
    inv.refresh_from_db()
    assert inv.deadline_at.isoformat() == "2026-11-25T06:00:00+00:00"  # 11:00 + 3 h, Beijing
    with freeze_time("2026-11-25 14:00:01+08:00"):
        assert services.sweep_deadlines()["invitations"] == 1
        assert services.sweep_deadlines()["invitations"] == 0
    assert Notification.objects.filter(recipient=expert, kind="reminder", title__contains="邀请已超时").count() == 1
    assert Notification.objects.filter(recipient=youth, kind="reminder").count() == 1


def _due_questions(youth, n, title="补办团员证需要什么材料"):
    with freeze_time("2026-11-25 10:00:00+08:00"):
        return [services.ask_question(asker=youth, title=f"{title}（{i}）", domain="league") for i in range(n)]


def _sweep_queries(at):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with freeze_time(at), CaptureQueriesContext(connection) as ctx:
        done = services.sweep_deadlines()
    return done, len(ctx.captured_queries)


def test_sweep_queries_do_not_grow_with_the_number_due(tree, youth, make_staff):
    """A sweep batch costs queries per organisation involved, not per question: 3 or 12 due questions
    of one branch, reminded and then escalated, cost the same."""
    make_staff(tree.tianhe, StaffRole.DUTY, email="duty@example.com")
    make_staff(tree.tianhe, StaffRole.LIAISON, email="liaison@example.com")
    make_staff(tree.guangzhou, StaffRole.DUTY, email="gzduty@example.com")
    few = _due_questions(youth, 3)
    done, remind_few = _sweep_queries("2026-11-25 12:00:00+08:00")
    assert done["reminded"] == 3
    done, escalate_few = _sweep_queries("2026-11-25 13:00:01+08:00")
    assert done["escalated"] == 3
    Question.objects.filter(pk__in=[q.pk for q in few]).update(status="closed")
    _due_questions(youth, 12, title="青年之家周末开放吗")
    done, remind_many = _sweep_queries("2026-11-25 12:00:00+08:00")
    assert done["reminded"] == 12
    done, escalate_many = _sweep_queries("2026-11-25 13:00:01+08:00")
    assert done["escalated"] == 12
    assert (remind_many, escalate_many) == (remind_few, escalate_few)
    # each of the 15 questions told each recipient once, with one e-mail each
    assert Notification.objects.filter(kind="reminder").count() == 15 * 2
    assert Notification.objects.filter(kind="escalation").count() == 15
    assert OutboxMessage.objects.filter(subject__contains="即将超时").count() == 15 * 2


def test_sweep_queries_do_not_grow_with_the_number_of_organisations(tree, youth, make_staff):
    """Recipients are looked up for all organisations of a batch at once: due questions of two
    districts cost what those of one cost (escalation adds one UPDATE per parent organisation;
    both districts share 广州)."""
    for org in (tree.tianhe, tree.yuexiu):
        make_staff(org, StaffRole.DUTY)
        make_staff(org, StaffRole.LIAISON)
    make_staff(tree.guangzhou, StaffRole.DUTY)

    def due(orgs):
        with freeze_time("2026-11-25 10:00:00+08:00"):
            return [services.ask_question(asker=youth, title=f"补办团员证需要什么材料（{i}）", domain="league", organization=org)
                    for i, org in enumerate(orgs)]

    one = due([tree.tianhe] * 4)
    counts_one = [_sweep_queries("2026-11-25 12:00:00+08:00"), _sweep_queries("2026-11-25 13:00:01+08:00")]
    Question.objects.filter(pk__in=[q.pk for q in one]).update(status="closed")
    two = due([tree.tianhe, tree.yuexiu] * 2)
    counts_two = [_sweep_queries("2026-11-25 12:00:00+08:00"), _sweep_queries("2026-11-25 13:00:01+08:00")]
    assert [d for d, _ in counts_two] == [{"reminded": 4, "escalated": 0, "invitations": 0},
                                          {"reminded": 0, "escalated": 4, "invitations": 0}]
    assert [n for _, n in counts_two] == [n for _, n in counts_one]
    assert {q.escalated_to for q in Question.objects.filter(pk__in=[q.pk for q in two])} == {tree.guangzhou}
    for q in two:  # each district's own duty staff and liaison were reminded, not the other's
        reminded = set(Notification.objects.filter(kind="reminder", subject=f"community.question:{q.pk}")
                       .values_list("recipient__staff_memberships__organization", flat=True))
        assert reminded == {q.organization_id}


def test_a_batch_notification_skips_existing_and_repeated_dedupe_keys(tree, youth):
    from notifications.services import Notice, notify, notify_many

    notify(recipients=[youth], kind="reminder", title="已有", dedupe_key="k1")
    made = notify_many([
        Notice(recipients=[youth], kind="reminder", title="重复的键", dedupe_key="k1"),
        Notice(recipients=[youth, youth], kind="reminder", title="新的", dedupe_key="k2"),
        Notice(recipients=[youth], kind="reminder", title="同批重复", dedupe_key="k2"),
        Notice(recipients=[youth], kind="reminder", title="无键"),
    ])
    assert [n.title for n in made] == ["新的", "无键"]
    assert Notification.objects.filter(recipient=youth).count() == 3
