"""Bad input is a clear 4xx and writes nothing; routing (transfer, decline, three-transfer rule);
fixed query counts on lists and the detail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import Answer, Comment, EventKind, Invitation, Question, QuestionEvent
from notifications.models import Notification
from organizations.models import StaffRole
from tests.factories import UserFactory

URL = "/api/community/questions/"


def counts():
    return (Question.objects.count(), Answer.objects.count(), Comment.objects.count(), Invitation.objects.count())


@pytest.mark.parametrize("payload, status, field", [
    ({"title": "", "domain": "legal"}, 422, "title"),  # the schema states the service's limits
    ({"title": "太短", "domain": "legal"}, 422, "title"),
    ({"title": "标" * 81, "domain": "legal"}, 422, "title"),
    ({"title": "正常的问题标题", "body": "长" * 5001, "domain": "legal"}, 422, "body"),
    ({"title": "正常的问题标题", "domain": "astrology"}, 422, None),
    ({"title": "正常的问题标题", "domain": "legal", "tags": ["不存在的标签"]}, 404, "tags"),  # names nothing
    ({"title": "正常的问题标题", "domain": "legal", "target_kind": "organization", "target_id": 999999}, 404, "target_id"),
    ({"title": "正常的问题标题", "domain": "legal", "target_kind": "expert", "target_id": 1}, 404, "target_id"),
    ({"title": "<script>alert(1)</script>", "domain": "legal"}, 400, "title"),  # nothing left after sanitising
])
def test_bad_questions_are_refused_and_nothing_is_written(tree, youth, client_for, post, payload, status, field):
    before = counts()
    r = post(client_for(youth), URL, payload)
    assert r.status_code == status, r.content
    body = r.json()
    assert "/" in body["detail"]  # bilingual
    if field and status == 422:
        assert [e["loc"][-1] for e in body["errors"]] == [field]
    elif field:
        assert field in body["errors"]
    assert counts() == before


def test_anonymous_users_read_but_cannot_write(tree, youth, client_for, post):
    q = services.ask_question(asker=youth, title="如何申请青年创业补贴", domain="entrepreneurship")
    anon = client_for()
    assert anon.get(URL).status_code == 200
    assert anon.get(f"{URL}{q.pk}/").status_code == 200
    for url, data in [(URL, {"title": "匿名用户提问", "domain": "legal"}), (f"{URL}{q.pk}/answers/", {"body": "回答"}),
                      (f"{URL}{q.pk}/comments/", {"body": "评论"}), (f"{URL}{q.pk}/like/", {}),
                      (f"{URL}{q.pk}/follow/", {})]:
        assert post(anon, url, data).status_code == 401, url
    assert counts() == (1, 0, 0, 0)


def test_html_is_stripped_to_plain_text(tree, youth):
    q = services.ask_question(asker=youth, title="<b>创业</b>贷款怎么申请", body="<img src=x onerror=alert(1)>请问<a href='javascript:x'>流程</a>",
                              domain="entrepreneurship")
    assert q.title == "创业贷款怎么申请" and q.body == "请问流程"


def test_answering_closed_or_removed_and_accepting_others(tree, youth, client_for, post, make_staff):
    peer = UserFactory()
    q = services.ask_question(asker=youth, title="社区志愿服务时长怎么认证", domain="volunteering")
    a = services.answer_question(actor=peer, question=q, body="在志愿汇上登记即可。")
    # accepting an answer on someone else's question
    r = post(client_for(peer), f"/api/community/answers/{a.pk}/accept/")
    assert r.status_code == 403
    services.mark_outcome(actor=youth, question=q, outcome="solved", rating=5)
    r = post(client_for(peer), f"{URL}{q.pk}/answers/", {"body": "补充一下"})
    assert r.status_code == 409 and "关闭" in r.json()["detail"]
    q2 = services.ask_question(asker=youth, title="这是一条违规内容测试", domain="league")
    services.remove_question(actor=make_staff(tree.province, StaffRole.MODERATOR), question=q2, reason="违规")
    assert post(client_for(peer), f"{URL}{q2.pk}/answers/", {"body": "回答"}).status_code == 404
    assert client_for().get(f"{URL}{q2.pk}/").status_code == 404
    assert Answer.objects.count() == 1


def test_copied_answer_needs_a_source(tree, youth, client_for, post):
    q = services.ask_question(asker=youth, title="劳动仲裁需要准备什么", domain="legal")
    r = post(client_for(UserFactory()), f"{URL}{q.pk}/answers/", {"body": "准备劳动合同和工资流水。", "is_copied": True})
    assert r.status_code == 400 and "source" in r.json()["errors"]
    assert Answer.objects.count() == 0


def test_inviting_a_non_expert_is_refused(tree, youth, client_for, post):
    q = services.ask_question(asker=youth, title="劳动仲裁需要准备什么", domain="legal")
    r = post(client_for(youth), f"{URL}{q.pk}/invitations/", {"invitee_id": UserFactory().pk})
    assert r.status_code == 400 and r.json()["errors"] == {"invitee_id": "not_an_expert"}
    assert Invitation.objects.count() == 0


def test_transfer_within_subtree_tells_the_asker_and_records_why(tree, youth, make_staff, client_for, post):
    gz = make_staff(tree.guangzhou, StaffRole.LIAISON)
    q = services.ask_question(asker=youth, title="越秀区有哪些青年之家", domain="volunteering", organization=tree.guangzhou)
    r = post(client_for(gz), f"{URL}{q.pk}/transfer/", {"to_organization_id": tree.yuexiu.pk, "reason": "属越秀区事务"})
    assert r.status_code == 200 and r.json()["organization"]["short_name"] == "越秀区"
    assert Notification.objects.filter(recipient=youth, kind="transfer").exists()
    ev = QuestionEvent.objects.get(question=q, kind=EventKind.TRANSFERRED)
    assert (ev.actor, ev.from_organization, ev.to_organization, ev.reason) == (gz, tree.guangzhou, tree.yuexiu, "属越秀区事务")
    # outside the subtree: refused, nothing changes
    r = post(client_for(gz), f"{URL}{q.pk}/transfer/", {"to_organization_id": tree.nanshan.pk, "reason": "试试"})
    assert r.status_code == 403 and r.json()["errors"] == {"to_organization_id": "outside_subtree"}
    r = post(client_for(make_staff(tree.shenzhen)), f"{URL}{q.pk}/transfer/", {"to_organization_id": tree.nanshan.pk, "reason": "抢一下"})
    assert r.status_code == 403
    q.refresh_from_db()
    assert q.organization == tree.yuexiu and q.transfer_count == 1
    # a youth cannot transfer
    assert post(client_for(youth), f"{URL}{q.pk}/transfer/", {"to_organization_id": tree.tianhe.pk, "reason": "xx"}).status_code == 403


def test_three_transfers_then_escalates_to_the_parent(tree, youth, make_staff):
    gz = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    q = services.ask_question(asker=youth, title="团组织关系转接卡住了", domain="league", organization=tree.guangzhou)
    services.transfer_question(actor=gz, question=q, to_organization=tree.tianhe, reason="属天河区")
    services.decline_question(actor=gz, question=q, reason="不属于本区")  # back to 广州 (the sender)
    q.refresh_from_db()
    assert q.organization == tree.guangzhou
    services.transfer_question(actor=gz, question=q, to_organization=tree.yuexiu, reason="属越秀区")
    q.refresh_from_db()
    assert q.transfer_count == 3
    q = services.decline_question(actor=gz, question=q, reason="也不属于越秀区")
    assert q.organization == tree.guangzhou and q.routing_locked  # parent of 越秀区, not bounced back
    assert QuestionEvent.objects.filter(question=q, kind=EventKind.ESCALATED).count() == 1
    from core.errors import Conflict

    with pytest.raises(Conflict):
        services.transfer_question(actor=gz, question=q, to_organization=tree.tianhe, reason="再转")


def test_list_and_detail_query_counts_are_fixed(tree, youth, expert, tags, client_for):
    for i in range(12):
        q = services.ask_question(asker=youth, title=f"就业见习岗位申请问题{i}", domain="legal", tags=["劳动合同", "实习"])
        a = services.answer_question(actor=expert, question=q, body=f"回答{i}，请携带身份证。")
        services.add_comment(actor=youth, question=q, body="谢谢", answer=a)
        services.add_comment(actor=UserFactory(), question=q, body="同问")
    for i in range(5):
        services.answer_question(actor=UserFactory(), question=q, body=f"补充回答{i}")
        services.add_comment(actor=youth, question=q, body="收到", answer=Answer.objects.last())
    c = client_for(youth)

    def n(url, params=None):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, params or {}).status_code == 200
        return len(ctx.captured_queries)

    n(URL, {"limit": 1})
    for sort in ("latest", "hot", "unanswered"):
        assert n(URL, {"limit": 2, "sort": sort}) == n(URL, {"limit": 10, "sort": sort})
    assert n(URL, {"limit": 2, "branch": "guangzhou"}) == n(URL, {"limit": 12, "branch": "guangzhou"})
    n("/api/community/mine/", {"limit": 1})  # the user's first authenticated request caches their (no) bans
    assert n("/api/community/mine/", {"limit": 2}) == n("/api/community/mine/", {"limit": 12})
    first = Question.objects.order_by("pk").first()
    assert n(f"{URL}{first.pk}/") == n(f"{URL}{q.pk}/")  # 1 answer vs 6 answers with comments
    assert n(f"{URL}{q.pk}/") <= 12
    assert n("/api/community/invitations/", {"limit": 1}) == n("/api/community/invitations/", {"limit": 50})
    # the question page (one visit first: the frame's per-process and per-user caches are warm for both)
    n(f"/qa/{first.pk}/")
    n(f"/qa/{q.pk}/")  # (and the page's own: its related questions are cached per question)
    assert n(f"/qa/{first.pk}/") == n(f"/qa/{q.pk}/")
    assert n("/qa/", {"sort": "hot"}) <= 15


def test_cursor_pages_through_without_gaps(tree, youth, client_for):
    for i in range(7):
        services.ask_question(asker=youth, title=f"第{i}个关于实习的问题", domain="employment")
    seen, cursor = [], None
    for _ in range(4):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client_for().get(URL, params).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen, reverse=True) == seen and len(set(seen)) == 7
    assert client_for().get(URL, {"cursor": "garbage"}).status_code == 404  # names no page (test_api_inputs)
