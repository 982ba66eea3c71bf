"""The admin dashboard, supervision pages, exports and training records through the real stack."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from core.errors import Forbidden, Invalid
from insights.models import TrainingRecord
from insights.services import add_training_record

from .conftest import D

pytestmark = pytest.mark.django_db

RANGE = f"from={D.isoformat()}&to={D.isoformat()}"


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_dashboard_shows_the_subtree_with_drilldown(world):
    r = client(world.gz_admin).get(f"/admin/insights/?{RANGE}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "广州市" in html and "天河区" in html and "越秀区" in html
    assert "<svg" in html and 'role="img"' in html
    assert 'id="yv-ins-map-data"' in html
    # No inline scripts (a CSP is coming): only external script tags and the JSON data block
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert f"?org={world.tree.tianhe.pk}&amp;" in html  # drill-down link
    r = client(world.gz_admin).get(f"/admin/insights/?org={world.tree.tianhe.pk}&{RANGE}")
    assert r.status_code == 200 and "天河区" in r.content.decode()


@pytest.mark.parametrize("query, status", [
    ("org={shenzhen}&" + RANGE, 403),
    ("org={province}&" + RANGE, 403),
    ("org=abc&" + RANGE, 400),
    ("from=2026-99-01&to=2026-03-10", 400),
    ("from=2026-03-10&to=2026-03-01", 400),
    ("from=2020-01-01&to=2026-03-10&granularity=day", 400),
    ("granularity=minute", 400),
    ("export=pdf&table=series&" + RANGE, 400),
    ("org=999999&" + RANGE, 404),
])
def test_dashboard_bad_input_is_a_clear_4xx(world, query, status):
    query = query.format(shenzhen=world.tree.shenzhen.pk, province=world.tree.province.pk)
    r = client(world.gz_admin).get(f"/admin/insights/?{query}")
    assert r.status_code == status
    assert "/" in r.content.decode()  # the bilingual message is shown


def test_youth_cannot_open_the_dashboard(world):
    r = client(world.youth1).get("/admin/insights/")
    assert r.status_code in (302, 403)


@pytest.mark.parametrize("table", ["series", "children", "cadre", "liaison", "expert"])
def test_every_table_exports_as_csv_and_xlsx(world, table):
    c = client(world.province_admin)
    r = c.get(f"/admin/insights/?{RANGE}&export=csv&table={table}")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert len(text.splitlines()) >= 2
    r = c.get(f"/admin/insights/?{RANGE}&export=xlsx&table={table}")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row >= 2


def test_children_export_has_known_figures(world):
    r = client(world.province_admin).get(f"/admin/insights/?{RANGE}&export=csv&table=children")
    lines = r.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    gz = next(line.split(",") for line in lines if "广州市" in line)
    assert gz[header.index("提问数")] == "4" and gz[header.index("回答率（%）")] == "75.0"


def test_staff_supervision_and_person_page(world):
    c = client(world.gz_admin)
    r = c.get(f"/admin/insights/staff/?{RANGE}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "值班员甲" in html and "/admin/roster/" in html
    r = c.get(f"/admin/insights/staff/{world.staff_t.pk}/?from=2026-01-01&to=2026-03-31")
    assert r.status_code == 200 and "2026-03" in r.content.decode()
    # someone outside the viewer's subtree is not found
    assert client(world.sz_admin).get(f"/admin/insights/staff/{world.staff_t.pk}/").status_code == 404


def test_appraisal_sheet(world):
    add_training_record(actor=world.gz_admin, user=world.staff_t, organization=world.tree.tianhe,
                        title="平台操作培训", held_on=D, hours="3.5")
    r = client(world.gz_admin).get(f"/admin/insights/staff/{world.staff_t.pk}/appraisal-2026.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "青年之声 2026 年度工作考核表"
    assert values[1][1] == "值班员甲"
    march = next(row for row in values if row[0] == "2026-03")
    assert march[2] == 2 and march[3] == 2  # answers, first responses
    assert any(row[1] == "平台操作培训" for row in values)
    assert client(world.sz_admin).get(f"/admin/insights/staff/{world.staff_t.pk}/appraisal-2026.xlsx").status_code == 404


def test_training_records_rules(world):
    with pytest.raises(Forbidden):
        add_training_record(actor=world.sz_admin, user=world.staff_t, organization=world.tree.tianhe,
                            title="培训", held_on=D, hours=2)
    with pytest.raises(Invalid) as exc:
        add_training_record(actor=world.gz_admin, user=world.youth1, organization=world.tree.tianhe,
                            title="", held_on=D + timedelta(days=3650), hours=0)
    assert set(exc.value.fields) == {"title", "held_on", "hours", "user"}


def test_training_admin_is_scoped(world):
    add_training_record(actor=world.gz_admin, user=world.staff_t, organization=world.tree.tianhe,
                        title="政策培训", held_on=D, hours=2)
    assert client(world.gz_admin).get("/admin/insights_training/").status_code == 200
    assert "政策培训" in client(world.gz_admin).get("/admin/insights_training/").content.decode()
    assert "政策培训" not in client(world.sz_admin).get("/admin/insights_training/").content.decode()
    r = client(world.gz_admin).post("/admin/insights_training/new/", {
        "organization": world.tree.tianhe.pk, "user": world.staff_t.pk, "title": "服务技能", "kind": "service",
        "provider": "团市委", "held_on": D.isoformat(), "hours": "4", "passed": "on", "note": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert TrainingRecord.objects.filter(title="服务技能", created_by=world.gz_admin).exists()
