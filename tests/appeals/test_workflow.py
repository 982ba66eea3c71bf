"""The whole handling path of attachment 4 through the HTTP API, send-backs, co-handling, the
youth's view, roles and bad input."""

import json

import pytest

from appeals.domain.workflow import TRANSITIONS, Role, State
from appeals.models import Appeal, AppealEvent
from notifications.models import Notification
from tests.appeals.conftest import new_question


def open_collective(api, handlers, tree, **extra):
    data = {"organization_id": tree.province.pk, "theme": "高校毕业生租房押金难退", "youth_group": "广州高校应届毕业生",
            "period_start": "2026-03-01", "period_end": "2026-03-31", "thread_count": 3, "user_count": 41,
            "location": "广州市天河区", "thread_refs": [{"question_id": new_question(tree.guangzhou).pk, "title": "押金不退怎么办"}]}
    data.update(extra)
    r = api.post(handlers.ops, "/collective/", data)
    assert r.status_code == 201, r.content
    return r.json()


def run_to_in_progress(api, h, tree, appeal_id, co=()):
    assert api.step(h.ops, appeal_id, "verify", comment="已收到，正在核实").status_code == 200
    r = api.step(h.ops, appeal_id, "propose", fields={"details_and_proposal": "建议交广州团市委牵头协调。"})
    assert r.status_code == 200, r.content
    r = api.step(h.coord, appeal_id, "assign", fields={"coordination_opinion": "同意，交广州团市委办理。"},
                 lead_organization_id=tree.guangzhou.pk, co_handler_ids=list(co))
    assert r.status_code == 200, r.content
    r = api.step(h.gz_handler, appeal_id, "accept", comment="联合住建部门约谈中介。")
    assert r.status_code == 200, r.content
    return r.json()


def finish(api, h, appeal_id, youth_user=None):
    r = api.step(h.gz_handler, appeal_id, "record_result", fields={"result_feedback": "已督促退还押金，涉及41人。"})
    assert r.status_code == 200, r.content
    r = api.step(h.leader, appeal_id, "instruct", fields={"leader_instruction": "办得好，总结经验。"})
    assert r.status_code == 200, r.content
    r = api.step(h.ops, appeal_id, "deliver_result", comment="押金已陆续退还，感谢您的反映。")
    assert r.json()["state"] == State.AWAITING_VISIT
    return r


def test_collective_whole_path(api, handlers, tree, youth):
    h = handlers
    a = open_collective(api, h, tree)
    assert a["state"] == State.RECEIVED and a["thread_count"] == 3 and a["step_due_at"]
    run_to_in_progress(api, h, tree, a["id"])
    assert api.step(h.gz_handler, a["id"], "feedback", comment="已约谈3家中介").status_code == 200
    assert api.step(h.ops, a["id"], "relay", comment="正在协调，请耐心等待").status_code == 200
    finish(api, h, a["id"])
    # collective: ops records the telephone return visit
    r = api.step(h.ops, a["id"], "return_visit", rating="partly", comment="大部分已退")
    assert r.json()["state"] == State.VISITED
    r = api.step(h.coord, a["id"], "archive")
    body = r.json()
    assert body["state"] == State.ARCHIVED
    actions = [e["action"] for e in body["events"]]
    assert actions == ["open", "verify", "propose", "assign", "accept", "feedback", "relay", "record_result",
                       "instruct", "deliver_result", "return_visit", "archive"]
    assert all(e["actor_id"] for e in body["events"]) and all(e["created_at"] for e in body["events"])
    appeal = Appeal.objects.get(pk=a["id"])
    assert appeal.details_and_proposal and appeal.coordination_opinion and appeal.result_feedback
    assert appeal.leader_instruction and appeal.archived_at
    # every step reached somebody
    assert Notification.objects.filter(recipient=h.coord, kind="appeal").count() >= 2
    assert Notification.objects.filter(recipient=h.leader).exists()
    assert Notification.objects.filter(recipient=h.gz_handler).exists()
    # archived is immutable: no step, no edit
    r = api.step(h.coord, a["id"], "archive")
    assert r.status_code == 409
    r = api.post(h.ops, f"/{a['id']}/transitions/relay/", {"comment": "x"})
    assert r.status_code == 409
    from appeals.services import update_form
    from core.errors import Conflict

    with pytest.raises(Conflict):
        update_form(actor=h.ops, appeal_id=a["id"], theme="改")


def test_individual_whole_path_with_youth_rating(api, handlers, tree, youth, client_for):
    h = handlers
    thread = new_question(tree.guangzhou, "父亲重病怎么申请救助")
    r = api.post(youth, "/mine/", {"theme": "父亲重病家庭困难", "details": "父亲突发重病住院，家里负担不起医药费，能否帮忙申请救助？",
                                   "consent": True, "question_id": thread.pk})
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    appeal = Appeal.objects.get(pk=aid)
    assert appeal.kind == "individual" and appeal.requester == youth and appeal.consent_to_share
    assert appeal.organization == tree.guangzhou  # Guangzhou runs its own mechanism (it has an ops group)
    assert appeal.sources.get().question_id == thread.pk
    # the city's ops group, not the province's, gets the new case first
    assert Notification.objects.filter(recipient=h.gz_ops).exists()
    # Guangzhou's own groups: province handlers still cover it (subtree)
    run_to_in_progress(api, h, tree, aid)
    finish(api, h, aid)
    assert Notification.objects.filter(recipient=youth, kind="appeal").count() >= 2
    r = api.post(youth, f"/mine/{aid}/rate/", {"rating": "satisfied", "comment": "谢谢团委！"})
    assert r.status_code == 200 and r.json()["state"] == State.VISITED
    assert api.step(h.coord, aid, "archive").json()["state"] == State.ARCHIVED


def test_youth_view_hides_internal_opinions(api, handlers, tree, youth):
    h = handlers
    aid = api.post(youth, "/mine/", {"theme": "实习工资被拖欠", "details": "实习三个月公司一直拖欠工资，投诉无门。",
                                     "consent": True}).json()["id"]
    run_to_in_progress(api, h, tree, aid)
    api.step(h.gz_handler, aid, "feedback", comment="内部：企业负责人态度消极")
    api.step(h.ops, aid, "relay", comment="已联系劳动监察部门，正在处理")
    r = api.get(youth, f"/mine/{aid}/")
    assert r.status_code == 200
    text = json.dumps(r.json(), ensure_ascii=False)
    for secret in ("建议交广州团市委牵头协调", "同意，交广州团市委办理", "内部：企业负责人态度消极", "联合住建部门约谈中介"):
        assert secret not in text
    assert "已联系劳动监察部门" in text and "已收到，正在核实" in text
    assert r.json()["state_label"] == "办理中"
    lst = api.get(youth, "/mine/").json()
    assert lst["count"] == 1 and lst["items"][0]["id"] == aid
    # another youth cannot see it; staff endpoints are closed to youths
    from tests.factories import UserFactory

    other = UserFactory()
    assert api.get(other, f"/mine/{aid}/").status_code == 404
    assert api.get(youth, f"/{aid}/").status_code == 403


def test_send_backs_and_hand_on_escalation(api, handlers, tree):
    h = handlers
    a = open_collective(api, h, tree, organization_id=tree.guangzhou.pk)
    aid = a["id"]
    api.step(h.ops, aid, "verify", comment="核实")
    api.step(h.ops, aid, "propose", fields={"details_and_proposal": "拟交天河区"})
    r = api.step(h.coord, aid, "send_back_proposal", comment="意见不具体，请补充")
    assert r.json()["state"] == State.VERIFIED
    api.step(h.ops, aid, "propose", fields={"details_and_proposal": "拟交天河区团委，联系街道"})
    # leader sends a result back for more work
    assign = {"fields": {"coordination_opinion": "交广州"}, "lead_organization_id": tree.guangzhou.pk}
    assert api.step(h.coord, aid, "assign", **assign).status_code == 200
    api.step(h.gz_handler, aid, "accept", comment="方案")
    api.step(h.gz_handler, aid, "record_result", fields={"result_feedback": "已处理"})
    r = api.step(h.leader, aid, "send_back_result", comment="结果不够具体")
    assert r.json()["state"] == State.IN_PROGRESS
    # three hand-backs escalate the record from Guangzhou to the province
    for i in range(3):
        r = api.step(h.gz_handler, aid, "hand_back", comment=f"不属于我单位职责 {i}")
        assert r.status_code == 200, r.content
        if i < 2:
            assert api.step(h.coord, aid, "assign", **assign).status_code == 200
    body = r.json()
    assert body["handoff_count"] == 3 and body["escalation_level"] == 1
    assert body["organization_id"] == tree.province.pk and body["state"] == State.PROPOSED
    assert Notification.objects.filter(recipient=h.coord, title__contains="提级").exists()


def test_co_handling(api, handlers, tree, make_staff):
    h = handlers
    a = open_collective(api, h, tree)
    run_to_in_progress(api, h, tree, a["id"], co=[tree.shenzhen.pk])
    appeal = Appeal.objects.get(pk=a["id"])
    assert list(appeal.co_handlers.all()) == [tree.shenzhen]
    # the co-handler gives stage feedback but cannot record the result (the lead does)
    assert api.step(h.sz_handler, a["id"], "feedback", comment="深圳方面已配合核查").status_code == 200
    assert api.step(h.sz_handler, a["id"], "record_result", fields={"result_feedback": "x"}).status_code == 403
    assert Notification.objects.filter(recipient=h.sz_handler, title__contains="交办").exists()


def test_lead_outside_coordinators_subtree_is_rejected(api, handlers, tree, client_for):
    from appeals.services import add_handler
    from tests.factories import UserFactory

    gz_coord = UserFactory()
    add_handler(actor=None, user=gz_coord, organization=tree.guangzhou, role=Role.COORDINATION)
    a = open_collective(api, handlers, tree, organization_id=tree.guangzhou.pk)
    api.step(handlers.gz_ops, a["id"], "verify", comment="核实")
    api.step(handlers.gz_ops, a["id"], "propose", fields={"details_and_proposal": "拟办"})
    before = AppealEvent.objects.count()
    r = api.step(gz_coord, a["id"], "assign", fields={"coordination_opinion": "交深圳"}, lead_organization_id=tree.shenzhen.pk)
    assert r.status_code == 400 and "lead_organization" in r.json()["errors"]
    r = api.step(gz_coord, a["id"], "assign", fields={"coordination_opinion": "交天河"}, lead_organization_id=tree.tianhe.pk,
                 co_handler_ids=[tree.nanshan.pk])
    assert r.status_code == 400 and "co_handlers" in r.json()["errors"]
    assert AppealEvent.objects.count() == before
    assert Appeal.objects.get(pk=a["id"]).state == State.PROPOSED


@pytest.mark.parametrize("name, field", [("propose", "details_and_proposal"), ("verify", None)])
def test_empty_required_opinion_is_400_and_writes_nothing(api, handlers, tree, name, field):
    a = open_collective(api, handlers, tree)
    if name == "propose":
        api.step(handlers.ops, a["id"], "verify", comment="核实")
    before = (AppealEvent.objects.count(), Appeal.objects.get(pk=a["id"]).version)
    r = api.step(handlers.ops, a["id"], name, fields={field: "   "} if field else {}, comment="")
    assert r.status_code == 400
    assert r.json()["errors"]
    assert (AppealEvent.objects.count(), Appeal.objects.get(pk=a["id"]).version) == before


def test_wrong_state_is_409_and_unknown_step_404(api, handlers, tree):
    a = open_collective(api, handlers, tree)
    r = api.step(handlers.leader, a["id"], "instruct", fields={"leader_instruction": "同意"})
    assert r.status_code == 409 and r.json()["code"] == "wrong_state"
    assert api.step(handlers.ops, a["id"], "teleport", comment="x").status_code == 404
    # a stale version loses
    r = api.step(handlers.ops, a["id"], "verify", comment="核实", version=a["version"] + 5)
    assert r.status_code == 409


# For every step: a handler in the wrong role gets 403 and nothing is written.
STATE_PATH = ["verify", "propose", "assign", "accept", "record_result", "instruct", "deliver_result", "return_visit"]
FILLS = {"propose": {"details_and_proposal": "拟办"}, "assign": {"coordination_opinion": "同意"},
         "record_result": {"result_feedback": "结果"}, "instruct": {"leader_instruction": "批示"}}


def _advance(api, h, tree, aid, until):
    who = {"verify": h.ops, "propose": h.ops, "assign": h.coord, "accept": h.gz_handler,
           "record_result": h.gz_handler, "instruct": h.leader, "deliver_result": h.ops, "return_visit": h.ops}
    for name in STATE_PATH:
        if name == until:
            return
        extra = {"lead_organization_id": tree.guangzhou.pk} if name == "assign" else {}
        extra |= {"rating": "satisfied"} if name == "return_visit" else {}
        r = api.step(who[name], aid, name, comment="意见", fields=FILLS.get(name, {}), **extra)
        assert r.status_code == 200, (name, r.content)


def test_forbidden_transition_for_every_role(api, handlers, tree):
    """For every step, brought to a state where it is possible: each role that may not take it
    gets 403 (or 404 when it cannot even see the record), and nothing is written."""
    from appeals.permissions import can_view

    h = handlers
    target = {"send_back_proposal": "assign", "hand_back": "accept", "feedback": "record_result",
              "relay": "record_result", "send_back_result": "instruct", "archive": None, "withdraw": "verify"}
    by_role = {Role.OPS: h.ops, Role.COORDINATION: h.coord, Role.LEADER: h.leader, Role.HANDLER: h.gz_handler}
    for name, rule in TRANSITIONS.items():
        a = open_collective(api, h, tree)
        _advance(api, h, tree, a["id"], target.get(name, name))
        appeal = Appeal.objects.get(pk=a["id"])
        assert appeal.state in rule.sources, (name, appeal.state)
        wrong = [user for role, user in by_role.items() if role not in rule.roles]
        wrong.append(h.sz_handler)  # a handler of another city, never the lead here
        before = AppealEvent.objects.count()
        for user in wrong:
            extra = {"lead_organization_id": tree.guangzhou.pk} if name == "assign" else {}
            r = api.step(user, a["id"], name, comment="越权", fields=FILLS.get(name, {}), rating="satisfied", **extra)
            # a handler who cannot see the record at all gets 404 (its existence is not disclosed)
            expected = 403 if can_view(user, appeal) else 404
            assert r.status_code == expected, (name, user.username, r.status_code)
        assert AppealEvent.objects.count() == before
        assert Appeal.objects.get(pk=a["id"]).state == appeal.state


def test_withdrawal_needs_reason_and_requester(api, handlers, tree, youth):
    aid = api.post(youth, "/mine/", {"theme": "想申请助学", "details": "家庭困难，想了解助学金申请渠道。", "consent": True}).json()["id"]
    assert api.post(youth, f"/mine/{aid}/withdraw/", {"reason": ""}).status_code == 400
    r = api.post(youth, f"/mine/{aid}/withdraw/", {"reason": "已通过学校解决"})
    assert r.status_code == 200 and r.json()["state"] == State.WITHDRAWN
    assert api.post(youth, f"/mine/{aid}/withdraw/", {"reason": "again"}).status_code == 409


def test_bad_input_on_open(api, handlers, tree, youth):
    r = api.post(youth, "/mine/", {"theme": "求助", "details": "家里有困难需要帮助啊啊", "consent": False})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "consent"  # the schema requires consent
    for details in ("太短", "  短短短短短短短短  ", " " * 12):
        r = api.post(youth, "/mine/", {"theme": "求助", "details": details, "consent": True})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "details"
    r = api.post(youth, "/mine/", {"theme": "   ", "details": "家里有困难需要帮助啊啊", "consent": True})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "theme"
    r = api.post(handlers.ops, "/collective/", {"organization_id": tree.province.pk, "theme": "", "youth_group": "x"})
    assert r.status_code == 400
    r = api.post(handlers.ops, "/collective/", {"organization_id": tree.province.pk, "theme": "t", "youth_group": "x",
                                                "period_start": "2026-04-01", "period_end": "2026-03-01"})
    assert r.status_code == 400 and "period_start" in r.json()["errors"]
    r = api.post(handlers.ops, "/collective/", {"organization_id": 999999, "theme": "t", "youth_group": "x"})
    assert r.status_code == 404  # names no organisation
    r = api.post(handlers.ops, "/collective/", {"organization_id": tree.province.pk, "theme": "t", "youth_group": "x",
                                                "thread_count": -1})
    assert r.status_code == 422
    # a city's ops group cannot open for the province
    r = api.post(handlers.gz_ops, "/collective/", {"organization_id": tree.province.pk, "theme": "t", "youth_group": "x"})
    assert r.status_code == 403
    assert Appeal.objects.count() == 0
    assert api.post(None, "/mine/", {"theme": "t", "details": "x" * 20, "consent": True}).status_code == 401


def test_not_satisfied_returns_to_coordination(api, handlers, tree, youth):
    h = handlers
    aid = api.post(youth, "/mine/", {"theme": "创业补贴迟迟未发", "details": "申请的创业补贴半年未发放，多次询问无果。",
                                     "consent": True}).json()["id"]
    run_to_in_progress(api, h, tree, aid)
    finish(api, h, aid)
    assert api.post(youth, f"/mine/{aid}/rate/", {"rating": "not_satisfied"}).status_code == 400  # needs a reason
    r = api.post(youth, f"/mine/{aid}/rate/", {"rating": "not_satisfied", "comment": "补贴还是没有到账"})
    assert r.status_code == 200
    appeal = Appeal.objects.get(pk=aid)
    assert appeal.state == State.PROPOSED and appeal.rating == "not_satisfied" and appeal.handoff_count == 1
    assert Notification.objects.filter(recipient=h.coord, title__contains="不满意").exists()


def test_patch_header_and_archived_is_immutable(api, handlers, tree, client_for):
    a = open_collective(api, handlers, tree)

    def patch(user, data):
        return client_for(user).patch(f"/api/appeals/{a['id']}/", data, content_type="application/json")

    r = patch(handlers.ops, {"thread_count": 9, "location": "广州市番禺区"})
    assert r.status_code == 200 and r.json()["thread_count"] == 9
    assert patch(handlers.coord, {"thread_count": 1}).status_code == 403
    assert patch(handlers.ops, {"period_start": "2026-05-01"}).status_code == 400  # after the period's end
    assert patch(handlers.ops, {"theme": "  "}).status_code == 400
    _advance(api, handlers, tree, a["id"], None)
    assert api.step(handlers.coord, a["id"], "archive").json()["state"] == State.ARCHIVED
    before = Appeal.objects.get(pk=a["id"]).version
    r = patch(handlers.ops, {"location": "改"})
    assert r.status_code == 409 and "存档" in r.json()["detail"]
    assert Appeal.objects.get(pk=a["id"]).version == before


def test_unknown_source_question_is_refused(api, handlers, tree):
    data = {"organization_id": tree.province.pk, "theme": "高校毕业生租房押金难退", "youth_group": "广州高校应届毕业生",
            "period_start": "2026-03-01", "period_end": "2026-03-31", "thread_count": 1, "user_count": 4,
            "location": "广州市天河区", "thread_refs": [{"question_id": 987654, "title": "押金不退怎么办"}]}
    r = api.post(handlers.ops, "/collective/", data)
    assert r.status_code == 400, r.content
    assert "987654" in r.json()["detail"] and not Appeal.objects.exists()
    thread = new_question(tree.guangzhou, "毕业生押金不退")
    data["thread_refs"] = [{"question_id": thread.pk}]
    r = api.post(handlers.ops, "/collective/", data)
    assert r.status_code == 201, r.content
    source = Appeal.objects.get().sources.get()
    assert source.question == thread and source.title == "毕业生押金不退" and source.url == thread.get_absolute_url()
