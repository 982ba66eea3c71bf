"""Registration-form CSV import (all or nothing, errors by line) and the admin coverage report."""

from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.models import StaffRole
from stations.models import StationPage
from tests.factories import UserFactory

from .conftest import make_station

HEADER = "站点名称,所属组织,阵地类型,批次,地址,纬度,经度,服务项目,服务时间,承载人数,联系人,联系电话,站点管理员,牌匾,服务岗,电脑\n"
GOOD = ("天河区青年之家·体育中心站,440106,团属阵地,1,广州市天河区天河路 299 号,23.1380,113.3230,"
        "心理咨询:60:2|就业指导:30:5,1-5 09:00-17:30; 6 09:00-12:00,30,邓老师,020-38880000,stationadmin1,是,是,是\n")
SECOND = ("越秀区青年之家·北京路站,越秀区,公共场所,2,广州市越秀区北京路 1 号,23.1270,113.2690,"
          "法律咨询:30:3,1-7 10:00-20:00,15,李老师,,stationadmin1,是,否,是\n")


def upload(client, text):
    f = SimpleUploadedFile("stations.csv", text.encode("utf-8-sig"), content_type="text/csv")
    return client.post("/admin/stations/import/", {"file": f})


def test_valid_file_imports_every_row(tree, make_staff, client_for):
    UserFactory(username="stationadmin1")
    admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    r = upload(client_for(admin), HEADER + GOOD + SECOND)
    assert r.status_code == 200
    assert "Imported 2 stations" in r.content.decode() or "导入" in r.content.decode()
    s = StationPage.objects.get(title="天河区青年之家·体育中心站")
    assert s.organization == tree.tianhe and s.batch == 1 and s.live
    assert [(x.name, x.duration_minutes, x.slot_capacity) for x in s.services.all()] == [("心理咨询", 60, 2), ("就业指导", 30, 5)]
    assert s.hours.filter(weekday=5).count() == 1 and s.admins.get().username == "stationadmin1"
    assert StationPage.objects.get(title="越秀区青年之家·北京路站").base_type == "public"


def test_one_bad_line_imports_nothing_and_reports_lines(tree, make_staff, client_for):
    UserFactory(username="stationadmin1")
    admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    bad_coords = GOOD.replace("23.1380,113.3230", "48.85,2.35").replace("体育中心站", "另一站")
    bad_many = SECOND.replace("越秀区,", "火星区,").replace("1-7 10:00-20:00", "每天").replace("stationadmin1", "nobody")
    r = upload(client_for(admin), HEADER + GOOD + bad_coords + bad_many + GOOD)
    html = r.content.decode()
    assert StationPage.objects.count() == 0
    assert "<td>3</td>" in html and "中国" in html  # line 3: coordinates
    assert "<td>4</td>" in html and "火星区" in html and "nobody" in html and "每天" in html
    assert "<td>5</td>" in html and "重复" in html  # line 5 repeats line 2


def test_import_refuses_other_cities(tree, make_staff, client_for):
    UserFactory(username="stationadmin1")
    sz_admin = make_staff(tree.shenzhen, StaffRole.ORG_ADMIN)
    r = upload(client_for(sz_admin), HEADER + GOOD)
    assert "无权" in r.content.decode() and StationPage.objects.count() == 0


def test_import_and_coverage_are_staff_only(tree, client_for, youth):
    assert client_for(youth).get("/admin/stations/coverage/").status_code in (302, 403)
    assert upload(client_for(youth), HEADER + GOOD).status_code in (302, 403)


def test_coverage_admin_page_has_chart_and_gaps(tree, make_staff, client_for):
    make_station(tree.guangzhou, title="广州市青年之家")
    r = client_for(make_staff(tree.guangzhou, StaffRole.LIAISON)).get("/admin/stations/coverage/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and "越秀区" in html and "深圳市" in html


def test_station_editor_uses_local_leaflet_and_requires_an_admin(tree, client_for):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    station = make_station(tree.tianhe)
    r = client_for(superuser).get(f"/admin/pages/{station.pk}/edit/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "stations/vendor/leaflet-1.9.4/leaflet.js" in html and "unpkg.com" not in html
    assert 'data-controller="leaflet-field"' in html


def test_station_page_clean_reads_the_widget_point_and_rejects_far_away_points(tree):
    import pytest
    from django.core.exceptions import ValidationError

    station = make_station(tree.tianhe)
    station.location = "SRID=4326;POINT(113.400001 23.200002)"
    station.clean()
    assert (str(station.latitude), str(station.longitude)) == ("23.200002", "113.400001")
    station.location = "SRID=4326;POINT(2.35 48.85)"
    with pytest.raises(ValidationError):
        station.clean()
