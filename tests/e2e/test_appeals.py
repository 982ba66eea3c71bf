import pytest
from django.conf import settings
from django.test import Client

from appeals import services
from appeals.models import Appeal
from tests.conftest import build_tree
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    c = Client()
    c.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_youth_asks_for_help_and_follows_progress(live_server, page):
    tree = build_tree()
    ops = UserFactory(username="e2e_ops")
    services.add_handler(actor=None, user=ops, organization=tree.province, role="ops")
    youth = UserFactory(username="e2e_youth", organization=tree.tianhe)
    _login(page, live_server, youth)
    page.goto(live_server.url + "/appeals/new/")
    page.fill("#theme", "毕业生档案转递受阻")
    page.fill("#details", "毕业离校后人事档案一直没有转到人才市场，影响入职手续办理。")
    page.check("input[name=consent]")
    page.locator("form.appeal-form button[type=submit]").click()
    page.wait_for_url("**/appeals/*/")
    appeal = Appeal.objects.get()
    assert appeal.requester == youth and appeal.organization == tree.province
    services.transition(actor=ops, appeal_id=appeal.pk, name="verify", comment="已联系学校就业指导中心核实档案去向。")
    services.transition(actor=ops, appeal_id=appeal.pk, name="propose", fields={"details_and_proposal": "内部拟办：交学校部"})
    page.reload()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert "已联系学校就业指导中心核实档案去向" in body
    assert "内部拟办" not in page.content()
    page.goto(live_server.url + "/appeals/")
    assert page.get_by_role("link", name="毕业生档案转递受阻").is_visible()
