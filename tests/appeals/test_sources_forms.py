"""Opening from an alert, the printed forms (PDF -> PNG), exports, deadlines and the overdue sweep,
concurrency and list query counts."""

import io
import shutil
import subprocess
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from appeals import services
from appeals.domain import deadlines
from appeals.domain.workflow import State
from appeals.models import Appeal, AppealStepDeadline
from appeals.pdf import form_rows, render_form
from core.errors import Conflict
from notifications.models import Notification
from tests.appeals.conftest import new_question

TZ = ZoneInfo("Asia/Shanghai")


def cluster(handlers, tree, **kw):
    threads = [new_question(tree.guangzhou, f"宿舍热水供应不稳定 #{i}") for i in range(5)]
    refs = [{"question_id": q.pk, "title": q.title, "url": q.get_absolute_url()} for q in threads]
    return services.open_collective_appeal_from_cluster(
        actor=handlers.ops, organization=tree.province, thread_refs=refs, user_count=37,
        period_start=date(2026, 3, 1), period_end=date(2026, 3, 14), group="中山大学在校学生",
        location="广州市海珠区", theme="宿舍热水供应不稳定", alert_ref="ALERT-2026-031", **kw,
    )


def test_collective_from_alert_keeps_the_alerts_counts(handlers, tree, api):
    appeal = cluster(handlers, tree)
    assert appeal.thread_count == 5 and appeal.user_count == 37
    assert (appeal.period_start, appeal.period_end) == (date(2026, 3, 1), date(2026, 3, 14))
    assert appeal.youth_group == "中山大学在校学生" and appeal.location == "广州市海珠区"
    kinds = list(appeal.sources.values_list("kind", flat=True))
    assert kinds.count("question") == 5 and kinds.count("alert") == 1
    body = api.get(handlers.ops, f"/{appeal.pk}/").json()
    assert body["thread_count"] == 5 and body["user_count"] == 37 and len(body["sources"]) == 6
    assert [r[1] for r in form_rows(appeal)][2] == "5"


def _png_text_pixels(pdf_bytes, tmp_path) -> int:
    """Render page 1 with pdftoppm and count dark pixels (the form's lines and text)."""
    from PIL import Image

    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    img = Image.open(png).convert("L")
    return sum(1 for p in img.getdata() if p < 128), img.size


@pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdffonts") is None, reason="poppler-utils missing")
@pytest.mark.parametrize("kind", ["collective", "individual"])
def test_both_forms_print_with_embedded_chinese_font(handlers, tree, youth, tmp_path, kind):
    if kind == "collective":
        appeal = cluster(handlers, tree, details="")
        title, labels = "集中诉求办理表", ["反映诉求的青年群体", "统计时段", "主题帖数", "青年群体所在地", "诉求主题"]
    else:
        appeal = services.open_individual_case(
            actor=handlers.ops, organization=tree.province, theme="残疾青年求职受阻", user_name="李明",
            reply_count=12, location="广州市越秀区", question_id=new_question(tree.guangzhou, "求职被拒").pk,
            source_title="求职被拒")
        title, labels = "帮扶个案办理表", ["反映诉求的用户姓名", "反映时间", "跟帖数量", "用户所在地", "诉求主题"]
    services.transition(actor=handlers.ops, appeal_id=appeal.pk, name="verify", comment="已核实")
    services.transition(actor=handlers.ops, appeal_id=appeal.pk, name="propose",
                        fields={"details_and_proposal": "经核实情况属实。建议交广州团市委牵头，联系有关部门协调解决。" * 3})
    appeal.refresh_from_db()
    data = render_form(appeal)
    assert data[:5] == b"%PDF-"
    # the font is embedded (pdffonts: emb = yes) and the text is extractable as Chinese
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and " yes " in fonts.splitlines()[2]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for needle in [title, "行文日期", *[part for label in labels for part in (label[:5], label[5:]) if part], "综合协调组意见", "办理结果反馈", "团省委领导批示", "请退回综合协调组存档", appeal.theme]:
        assert needle in flat, needle
    assert "\x0c" not in text.rstrip("\x0c")  # one page
    dark, size = _png_text_pixels(data, tmp_path)
    assert size[0] < size[1]  # A4 portrait
    assert dark > 2000  # lines and glyphs were drawn


def test_pdf_endpoint_is_scoped(api, handlers, tree, youth):
    appeal = cluster(handlers, tree)
    r = api.get(handlers.ops, f"/{appeal.pk}/form.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert api.get(handlers.sz_handler, f"/{appeal.pk}/form.pdf").status_code == 404
    assert api.get(youth, f"/{appeal.pk}/form.pdf").status_code == 403


def test_exports_csv_and_xlsx(api, handlers, tree):
    cluster(handlers, tree)
    services.open_collective_appeal(actor=handlers.ops, organization=tree.province, theme="=HYPERLINK(1)",
                                    youth_group="x", period_start=None, period_end=None, thread_count=1, location="")
    r = api.get(handlers.ops, "/export.csv")
    assert r.status_code == 200
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,类别,状态,行文日期,反映诉求的青年群体")
    assert "宿舍热水供应不稳定" in text and "'=HYPERLINK(1)" in text
    r = api.get(handlers.ops, "/export.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "编号" and len(rows) == 3
    assert api.get(handlers.ops, "/export.pdf").status_code == 404


def test_deadlines_follow_the_chinese_calendar():
    # 2026-09-30 (Wed) + 1 working day: 1-7 October is the National Day holiday (假期), so the 8th
    start = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    due = deadlines.add_working_days(start, 1)
    assert due.date() == date(2026, 10, 9) or due.date() == date(2026, 10, 8)
    assert due.hour == 18
    # a plain Friday + 1 working day is the Monday
    assert deadlines.add_working_days(datetime(2026, 11, 20, 9, tzinfo=TZ), 1).date() == date(2026, 11, 23)
    assert deadlines.step_due("individual", State.ARCHIVED, start) is None
    assert deadlines.step_due("individual", State.RECEIVED, start, {("individual", State.RECEIVED): 0}) == start
    assert deadlines.is_overdue(start, datetime(2026, 9, 30, 11, tzinfo=TZ))


def test_step_deadline_override_and_overdue_sweep(handlers, tree, api):
    AppealStepDeadline.objects.create(kind="collective", state=State.RECEIVED, working_days=2)
    with freeze_time("2026-11-23 02:00:00"):  # Monday 10:00 in Guangzhou
        appeal = cluster(handlers, tree)
    assert appeal.step_due_at.astimezone(TZ) == datetime(2026, 11, 25, 18, 0, tzinfo=TZ)
    with freeze_time("2026-11-26 02:00:00"):
        assert services.sweep_overdue() == 1
        assert services.sweep_overdue() == 0  # once per step
        assert Notification.objects.filter(recipient=handlers.coord, kind="appeal_overdue").count() == 1
        r = api.get(handlers.coord, "/", {"view": "overdue"})
        assert [a["id"] for a in r.json()["items"]] == [appeal.pk]
        services.transition(actor=handlers.ops, appeal_id=appeal.pk, name="verify", comment="核实")
        assert api.get(handlers.coord, "/", {"view": "overdue"}).json()["count"] == 0


def test_my_tasks_per_role(api, handlers, tree):
    appeal = cluster(handlers, tree)
    assert [a["id"] for a in api.get(handlers.ops, "/", {"view": "tasks"}).json()["items"]] == [appeal.pk]
    assert api.get(handlers.coord, "/", {"view": "tasks"}).json()["count"] == 0
    assert api.get(handlers.gz_handler, "/", {"view": "tasks"}).json()["count"] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_one_wins_other_409(tree):
    from tests.appeals.conftest import Handlers  # noqa: F401  (fixture types)
    from tests.factories import UserFactory

    ops = UserFactory(username="ops_c")
    services.add_handler(actor=None, user=ops, organization=tree.province, role="ops")
    appeal = services.open_collective_appeal(actor=ops, organization=tree.province, theme="并发", youth_group="青年",
                                             period_start=None, period_end=None, thread_count=1, location="")
    barrier = threading.Barrier(2)
    results = []

    def go(n):
        try:
            barrier.wait()
            services.transition(actor=ops, appeal_id=appeal.pk, name="verify", comment=f"核实{n}")
            results.append("ok")
        except Conflict:
            results.append("409")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["409", "ok"]
    assert Appeal.objects.get(pk=appeal.pk).events.filter(action="verify").count() == 1


def test_list_query_count_does_not_grow(api, handlers, tree, youth):
    for i in range(8):
        services.open_collective_appeal(actor=handlers.ops, organization=tree.province, theme=f"主题{i}",
                                        youth_group="青年", period_start=None, period_end=None, thread_count=i, location="")
        services.request_help(actor=youth, theme=f"求助{i}", details="具体情况说明具体情况说明", consent=True)

    def count(user, path, limit):
        api.get(user, path, {"limit": 1})
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(user, path, {"limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    assert count(handlers.ops, "/", 2) == count(handlers.ops, "/", 8)
    assert count(youth, "/mine/", 2) == count(youth, "/mine/", 8)
