"""The staff workbench in Wagtail admin is scoped to the subtree and has fixed query counts."""

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from community import services
from organizations.models import StaffRole


def _admin_user(make_staff, org, role=StaffRole.DUTY):
    user = make_staff(org, role)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_queue_and_overdue_are_scoped_and_sorted(tree, youth, make_staff, client_for):
    with freeze_time("2026-11-25 08:00:00+08:00"):  # 12 h window
        late = services.ask_question(asker=youth, title="天河区早上提问的问题", domain="league")
    with freeze_time("2026-11-25 10:00:00+08:00"):  # 3 h window: due sooner
        soon = services.ask_question(asker=youth, title="天河区上午提问的问题", domain="league")
        sz = services.ask_question(asker=youth, title="深圳南山的问题", domain="league", organization=tree.nanshan)
    gz = _admin_user(make_staff, tree.guangzhou)
    c = client_for(gz)
    with freeze_time("2026-11-25 11:00:00+08:00"):
        html = c.get("/admin/qa/queue/").content.decode()
        assert html.index(soon.title) < html.index(late.title)
        assert sz.title not in html
    with freeze_time("2026-11-25 14:00:00+08:00"):
        html = c.get("/admin/qa/overdue/").content.decode()
        assert soon.title in html and late.title not in html and sz.title not in html
        assert "共青团广州市天河区委员会" in html
        r = c.get(f"/admin/qa/overdue/?org={tree.nanshan.pk}")
        assert r.status_code in (302, 403) and "南山" not in r.content.decode()
    assert client_for(youth).get("/admin/qa/queue/").status_code in (302, 403)


def test_workbench_query_count_is_fixed(tree, youth, make_staff, client_for):
    gz = _admin_user(make_staff, tree.guangzhou)
    c = client_for(gz)

    def n():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/admin/qa/queue/").status_code == 200
        return len(ctx.captured_queries)

    services.ask_question(asker=youth, title="第一个问题的标题", domain="league")
    n()
    first = n()
    for i in range(8):
        services.ask_question(asker=youth, title=f"更多的问题标题{i}", domain="league", organization=tree.yuexiu)
    assert n() == first


def test_calendar_override_admin(tree, client_for, django_user_model):
    admin = django_user_model.objects.create_superuser("root", None, "x")
    c = client_for(admin)
    assert c.get("/admin/calendar/").status_code == 200
    r = c.post("/admin/calendar/new/", {"date": "2031-10-01", "is_workday": "", "note": "国庆节"})
    assert r.status_code == 302
    from organizations.models import CalendarOverride

    assert CalendarOverride.objects.get(note="国庆节").is_workday is False


def test_duty_staff_land_on_their_queue(tree, youth, make_staff, client_for):
    """The admin dashboard opens with the answering queue, soonest deadline first (issue 19)."""
    with freeze_time("2026-11-25 08:00:00+08:00"):
        late = services.ask_question(asker=youth, title="天河区早上提问的问题", domain="league")
    with freeze_time("2026-11-25 10:00:00+08:00"):
        soon = services.ask_question(asker=youth, title="天河区上午提问的问题", domain="league")
    duty = _admin_user(make_staff, tree.tianhe)
    with freeze_time("2026-11-25 11:00:00+08:00"):
        html = client_for(duty).get("/admin/").content.decode()
    panel = html[html.index('id="qa-queue-panel"'):]
    assert panel.index(soon.title) < panel.index(late.title)
    assert "/admin/qa/queue/" in panel
    editor = make_staff(tree.tianhe, StaffRole.EDITOR)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert 'id="qa-queue-panel"' not in client_for(editor).get("/admin/").content.decode()
