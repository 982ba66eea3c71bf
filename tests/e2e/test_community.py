import pytest

from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_youth_asks_and_sees_the_question_with_its_deadline(live_server, page):
    tree = build_tree()
    UserFactory(username="xiaoming", display_name="小明", organization=tree.tianhe)
    page.goto(live_server.url + "/qa/ask/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "xiaoming")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url("**/qa/ask/")
    page.fill("input[name=title]", "实习单位不签劳动合同怎么办")
    page.fill("textarea[name=body]", "暑期实习两个月，公司说实习生不用签合同。")
    page.select_option("select[name=domain]", "legal")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/qa/*/")
    assert page.locator("h1").inner_text() == "实习单位不签劳动合同怎么办"
    # 3 hours on a workday 09:00–21:00, else 12 (Beijing time): the page counts down from the stored one
    from community.models import Question

    hours = Question.objects.get().deadline_hours
    assert hours in (3, 12)
    shown = page.locator(".qa-deadline").inner_text()
    assert f"{hours} 小时" in shown or f"{hours - 1} 小时" in shown, shown
    page.goto(live_server.url + "/qa/?branch=guangzhou")
    assert page.get_by_role("link", name="实习单位不签劳动合同怎么办").is_visible()
