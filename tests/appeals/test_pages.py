"""Admin views per role and the youth's pages, through the real stack."""

from appeals import services
from appeals.domain.workflow import State
from appeals.models import Appeal
from tests.appeals.conftest import new_question


def _open(handlers, tree):
    return services.open_collective_appeal_from_cluster(
        actor=handlers.ops, organization=tree.province, thread_refs=[{"question_id": new_question(tree.guangzhou, "食堂涨价").pk, "title": "食堂涨价"}],
        user_count=20, period_start=None, period_end=None, group="在校学生", location="广州", theme="高校食堂饭菜涨价",
    )


def test_admin_queue_record_and_step(handlers, tree, client_for):
    appeal = _open(handlers, tree)
    ops = client_for(handlers.ops)
    r = ops.get("/admin/appeals/")
    assert r.status_code == 200 and "高校食堂饭菜涨价" in r.content.decode()
    r = ops.get(f"/admin/appeals/{appeal.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "核实并初步回应" in html and "集中诉求办理表" in html and "食堂涨价" in html
    r = ops.post(f"/admin/appeals/{appeal.pk}/step/verify/", {"comment": "已核实", "version": appeal.version})
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.VERIFIED
    # a stale form (old version) is refused with a message, nothing written
    r = ops.post(f"/admin/appeals/{appeal.pk}/step/propose/", {"field_details_and_proposal": "拟办", "version": 0}, follow=True)
    assert "已被他人处理" in r.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).state == State.VERIFIED
    # queues: the coordination group has nothing yet; overdue tab and exports work
    coord = client_for(handlers.coord)
    assert "高校食堂饭菜涨价" not in coord.get("/admin/appeals/").content.decode()
    assert "高校食堂饭菜涨价" in coord.get("/admin/appeals/?view=all").content.decode()
    assert coord.get("/admin/appeals/?view=overdue").status_code == 200
    assert coord.get("/admin/appeals/export.csv?view=all").status_code == 200
    assert ops.get(f"/admin/appeals/{appeal.pk}/form.pdf")["Content-Type"] == "application/pdf"
    # Shenzhen's handler cannot open it
    assert client_for(handlers.sz_handler).get(f"/admin/appeals/{appeal.pk}/").status_code == 404


def test_youth_pages(handlers, tree, youth, client_for):
    c = client_for(youth)
    r = c.post("/appeals/new/", {"theme": "求助", "details": "太短"})
    assert r.status_code == 400 and Appeal.objects.count() == 0
    r = c.post("/appeals/new/", {"theme": "大学生创业场地难找", "details": "想在天河区创业，找不到便宜的办公场地，希望得到帮助。",
                                 "consent": "on"})
    assert r.status_code == 302
    appeal = Appeal.objects.get()
    services.transition(actor=handlers.gz_ops, appeal_id=appeal.pk, name="verify", comment="已收到，正在联系创业孵化基地")
    services.transition(actor=handlers.gz_ops, appeal_id=appeal.pk, name="propose",
                        fields={"details_and_proposal": "内部意见：交天河区团委"})
    html = c.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "已收到，正在联系创业孵化基地" in html and "内部意见" not in html
    assert "大学生创业场地难找" in c.get("/appeals/").content.decode()
    r = c.post(f"/appeals/{appeal.pk}/withdraw/", {"reason": "已自行解决"})
    assert Appeal.objects.get().state == State.WITHDRAWN
    from tests.factories import UserFactory

    assert client_for(UserFactory()).get(f"/appeals/{appeal.pk}/").status_code == 404
    assert client_for(None).get("/appeals/").status_code == 302


def test_progress_on_the_question_and_openapi(handlers, tree, youth, client):
    from appeals.selectors import progress_for_question

    appeal = services.request_help(actor=youth, theme="考研调剂信息不透明", details="调剂系统信息更新不及时，希望协调公开。",
                                   consent=True, question_id=(thread := new_question(tree.guangzhou, "考研调剂")).pk)
    [p] = progress_for_question(thread.pk, youth)
    assert p["id"] == appeal.pk and p["state_label"] == "已收到，正在核实"
    assert progress_for_question(thread.pk, handlers.ops) == []
    assert progress_for_question(999, youth) == []
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and "/api/appeals/{appeal_id}/transitions/{name}/" in r.json()["paths"]


def test_superuser_configures_roles_and_deadlines(tree, client_for):
    from appeals.models import AppealHandler, AppealStepDeadline
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    target = UserFactory()
    c = client_for(admin)
    assert c.get("/admin/appeal_handlers/").status_code == 200
    r = c.post("/admin/appeal_handlers/new/", {"user": target.pk, "organization": tree.shenzhen.pk, "role": "ops",
                                               "is_active": "on"})
    assert r.status_code == 302, r.content[:500]
    h = AppealHandler.objects.get(user=target)
    assert h.role == "ops" and target.groups.exists()  # the service gave admin access
    r = c.post("/admin/appeal_step_deadlines/new/", {"kind": "individual", "state": "in_progress", "working_days": 10})
    assert r.status_code == 302 and AppealStepDeadline.objects.get().working_days == 10
