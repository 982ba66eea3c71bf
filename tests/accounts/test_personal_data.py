"""Item 5 of issue 11: personal data masked for everyone who does not need it, every clear staff view
logged (and readable by provincial administrators), exports limited to the exporter's subtree."""

import csv
import io

import pytest
from django.test import Client

from accounts.domain.masking import mask, mask_id_number, mask_name, mask_phone, mask_phones_in_text
from accounts.models import PersonalDataAccess
from accounts.selectors import may_see_personal_data, reveal
from appeals import services as appeal_services
from appeals.domain.workflow import Role
from community import services as qa
from home import services as home_services
from home.models import ActivityIndexPage
from organizations.models import StaffRole
from tests.alliances.conftest import make_alliance
from tests.factories import UserFactory
from tests.home.conftest import make_activity, publish

# --- the one masking helper (pure) ----------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "masked"), [
    ("phone", "13812345678", "138****5678"),
    ("phone", "", ""),
    ("phone", None, ""),
    ("real_name", "张三", "张*"),
    ("real_name", "张小三", "张*三"),
    ("real_name", "欧阳小明", "欧**明"),
    ("real_name", "李", "*"),
    ("id_number", "44010619900101123X", "440106********123X"),
    ("id_number", "12345", "*****"),
])
def test_masking(field, value, masked):
    assert mask(field, value) == masked


def test_masking_helpers_and_free_text():
    assert mask_phone("13800000001") == "138****0001"
    assert mask_name("陈志远") == "陈*远"
    assert mask_id_number("440106199001011234") == "440106********1234"
    assert mask_phones_in_text("联系 13912345678，或 020-12345678") == "联系 139****5678，或 020-12345678"
    assert mask_phones_in_text("订单 213912345678") == "订单 213912345678"  # not a mobile number


# --- who may see ---------------------------------------------------------------------------------------------


def test_who_may_see_a_youths_data(tree, youth, make_staff):
    assert may_see_personal_data(youth, youth)
    assert may_see_personal_data(make_staff(tree.tianhe, role=StaffRole.DUTY), youth)
    assert may_see_personal_data(make_staff(tree.guangzhou), youth)  # parent
    assert may_see_personal_data(make_staff(tree.province), youth)
    assert not may_see_personal_data(make_staff(tree.yuexiu), youth)  # sibling
    assert not may_see_personal_data(make_staff(tree.shenzhen), youth)
    assert not may_see_personal_data(UserFactory(), youth)
    assert not may_see_personal_data(None, youth)
    placeless = UserFactory()
    assert not may_see_personal_data(make_staff(tree.guangzhou), placeless)
    assert may_see_personal_data(make_staff(tree.province), placeless)


def test_reveal_masks_or_logs(tree, youth, make_staff, rf):
    youth.real_name = "陈小明"
    values = {"phone": youth.phone, "real_name": youth.real_name}
    outsider = make_staff(tree.shenzhen)
    assert reveal(outsider, youth, values, where="test") == {"phone": mask_phone(youth.phone), "real_name": "陈*明"}
    assert not PersonalDataAccess.objects.exists()
    insider = make_staff(tree.guangzhou)
    request = rf.get("/somewhere", REMOTE_ADDR="10.1.2.3")
    assert reveal(insider, youth, values, where="test view", request=request) == values
    row = PersonalDataAccess.objects.get()
    assert (row.viewer, row.subject, row.fields, row.where, row.ip_address) == (
        insider, youth, "phone,real_name", "test view", "10.1.2.3")
    reveal(youth, youth, values, where="own profile")  # one's own data is not logged
    assert PersonalDataAccess.objects.count() == 1


# --- public pages and APIs ---------------------------------------------------------------------------------------


def test_a_mobile_number_used_as_username_is_masked_on_public_pages_and_the_api(tree, client_for):
    asker = UserFactory(username="13922223333", display_name="", organization=tree.tianhe)
    q = qa.ask_question(asker=asker, title="天河区租房押金被扣怎么办", domain="legal")
    html = Client().get(f"/qa/{q.pk}/").content.decode()
    assert "139****3333" in html and "13922223333" not in html
    api = Client().get(f"/api/community/questions/{q.pk}/").content.decode()
    assert "13922223333" not in api
    feed = Client().get("/qa/").content.decode()
    assert "13922223333" not in feed


# --- sign-up lists: organisers only, every view logged ------------------------------------------------------------


@pytest.fixture
def signups(tree):
    index = publish(tree.guangzhou.branch.specific, ActivityIndexPage(title="主题活动", slug="activities"))
    activity = make_activity(index)
    people = [UserFactory(organization=tree.tianhe), UserFactory(organization=tree.nanshan)]
    for n, person in enumerate(people):
        home_services.sign_up(actor=person, activity_id=activity.pk, name=f"陈小{n}", phone=f"1390000000{n}")
    return activity, people


def test_signup_list_views_are_logged_and_limited_to_the_branch(tree, make_staff, client_for, signups):
    activity, people = signups
    organiser = make_staff(tree.guangzhou, role=StaffRole.EDITOR)
    c = client_for(organiser)
    html = c.get(f"/content/activities/{activity.pk}/signups/").content.decode()
    assert "13900000000" in html  # the organiser needs the numbers people gave them
    logged = PersonalDataAccess.objects.filter(viewer=organiser)
    assert {r.subject for r in logged} == set(people)
    assert all(r.fields == "phone,real_name" and "signup_list" in r.where for r in logged)
    c.get(f"/content/activities/{activity.pk}/signups/?format=csv")
    assert PersonalDataAccess.objects.filter(viewer=organiser, where__contains="csv").count() == 2
    r = c.get(f"/api/content/activities/{activity.pk}/signups", {"limit": 1})
    assert r.status_code == 200
    assert PersonalDataAccess.objects.filter(viewer=organiser, where__startswith="api:").count() == 1  # one page
    # Staff of another city: neither the list, the export nor the API.
    other = client_for(make_staff(tree.shenzhen))
    assert other.get(f"/content/activities/{activity.pk}/signups/?format=csv").status_code == 403
    assert other.get(f"/api/content/activities/{activity.pk}/signups").status_code == 403
    assert not PersonalDataAccess.objects.exclude(viewer=organiser).exists()


# --- appeals: the requester's name ---------------------------------------------------------------------------------


@pytest.fixture
def appeal(tree, youth):
    ops = UserFactory(username="ops")
    appeal_services.add_handler(actor=None, user=ops, organization=tree.province, role=Role.OPS)
    youth.real_name = "陈小明"
    youth.save(update_fields=["real_name"])
    record = appeal_services.open_individual_case(
        actor=ops, organization=tree.province, theme="实习工资被拖欠", user_name="陈小明", requester=youth,
        location="广州市天河区", details="实习三个月未发工资", source_kind="report", source_title="热线来电")
    record.lead_organization = tree.guangzhou
    record.save(update_fields=["lead_organization"])
    record.co_handlers.set([tree.shenzhen])
    return record


def _handler(org, role=Role.HANDLER, name=None):
    user = UserFactory(**({"username": name} if name else {}))
    appeal_services.add_handler(actor=None, user=user, organization=org, role=role)
    return user


def test_appeal_requester_name_is_clear_for_the_lead_and_masked_for_co_handlers(tree, appeal, client_for):
    lead = _handler(tree.guangzhou)
    co = _handler(tree.shenzhen)
    r = client_for(lead).get(f"/api/appeals/{appeal.pk}/")
    assert r.status_code == 200 and r.json()["user_name"] == "陈小明"
    r = client_for(co).get(f"/api/appeals/{appeal.pk}/")
    assert r.status_code == 200 and r.json()["user_name"] == "陈*明"
    assert PersonalDataAccess.objects.filter(viewer=lead, subject=appeal.requester, fields="real_name").count() == 1
    assert not PersonalDataAccess.objects.filter(viewer=co).exists()
    html = client_for(co).get(f"/admin/appeals/{appeal.pk}/").content.decode()
    assert "陈*明" in html and "陈小明" not in html


def test_appeal_exports_are_limited_to_the_subtree_and_mask_outside_it(tree, appeal, client_for):
    ops = UserFactory._meta.model.objects.get(username="ops")
    rows = list(csv.reader(io.StringIO(client_for(ops).get("/api/appeals/export.csv").content.decode("utf-8-sig"))))
    assert len(rows) == 2 and "陈小明" in rows[1]
    assert PersonalDataAccess.objects.filter(viewer=ops, where="appeals:export").count() == 1
    co = _handler(tree.shenzhen)
    rows = list(csv.reader(io.StringIO(client_for(co).get("/api/appeals/export.csv").content.decode("utf-8-sig"))))
    assert len(rows) == 2 and "陈*明" in rows[1] and "陈小明" not in rows[1]
    # A handler of a sibling with no part in it exports nothing of it.
    sibling = _handler(tree.sysu)
    rows = list(csv.reader(io.StringIO(client_for(sibling).get("/api/appeals/export.csv").content.decode("utf-8-sig"))))
    assert len(rows) == 1
    xlsx = client_for(sibling).get("/admin/appeals/export.xlsx")
    assert xlsx.status_code == 200


def test_alliance_statistics_export_stays_in_the_liaisons_subtree(tree, make_staff, client_for):
    gz_alliance = make_alliance(tree.guangzhou, "legal")
    sz_liaison = make_staff(tree.shenzhen, role=StaffRole.LIAISON)
    make_alliance(tree.shenzhen, "legal")
    r = client_for(sz_liaison).get("/alliances/statistics/", {"alliance": gz_alliance.pk, "format": "csv"})
    assert r.status_code == 200
    assert f"alliance-{gz_alliance.pk}-" not in r["Content-Disposition"]  # falls back to their own alliance
    assert client_for(UserFactory()).get("/alliances/statistics/", {"format": "csv"}).status_code == 403


# --- the log in the admin ------------------------------------------------------------------------------------------


def test_opening_a_user_in_the_admin_is_logged_and_the_log_is_for_provincial_admins(tree, youth, make_staff,
                                                                                      client_for):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert client_for(superuser).get(f"/admin/users/edit/{youth.pk}/").status_code == 200
    row = PersonalDataAccess.objects.get()
    assert row.viewer == superuser and row.subject == youth and row.where.startswith("admin:user-edit")
    provincial = make_staff(tree.province)
    r = client_for(provincial).get("/admin/personal_data_access/")
    assert r.status_code == 200 and youth.username in r.content.decode()
    city = make_staff(tree.guangzhou)
    assert client_for(city).get("/admin/personal_data_access/").status_code in (302, 403)
    assert client_for(provincial).get("/admin/personal_data_access/new/").status_code in (302, 403)
    assert client_for(provincial).post(f"/admin/personal_data_access/delete/{row.pk}/").status_code in (302, 403)
    assert PersonalDataAccess.objects.filter(pk=row.pk).exists()
