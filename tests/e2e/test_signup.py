"""In a real browser (issue 20): a youth joins by mobile number with the code from the SMS outbox,
asks a question that goes to their district, resets the password, downloads their data and closes
the account; a cadre joins, applies to 天河区 under their real name, gz_admin approves (sz_admin
cannot), and the cadre answers as verified official staff."""

import json
import os
import tempfile
from pathlib import Path

import pytest

from accounts.sms.backends import last_code
from organizations.models import StaffRole
from organizations.services import add_staff
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
GOOD = "Qingnian-2026!"
SHOTS = Path(os.environ.get("YV_SCREENSHOTS", tempfile.gettempdir()))
NEW = "Xin-mima-2027!"


def sign_up(page, base, phone, name, org):
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="注册新账号").click()
    page.wait_for_url("**/accounts/signup/")
    page.fill("input[name=phone]", phone)
    page.get_by_role("button", name="获取短信验证码").click()
    page.wait_for_selector("text=验证码已发送")
    page.screenshot(path=str(SHOTS / "signup.png"), full_page=True)
    page.fill("input[name=code]", last_code(phone))
    page.fill("input[name=display_name]", name)
    page.select_option("select[name=organization]", str(org.pk))
    page.fill("input[name=birth_year]", "2001")
    page.fill("input[name=password1]", GOOD)
    page.fill("input[name=password2]", GOOD)
    page.check("input[name=agree_privacy]")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url("**/accounts/profile/")


def log_in(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_youth_joins_asks_resets_downloads_and_closes(live_server, page, settings):
    from community.models import Question

    # one code a minute per number: the reset comes seconds after the sign-up here
    settings.YV_SMS_LIMITS = {**settings.YV_SMS_LIMITS, "interval_seconds": 0}

    tree = build_tree()
    base = live_server.url
    sign_up(page, base, "13512340001", "新来的小青", tree.tianhe)
    assert "共青团广州市天河区委员会" in page.locator(".account-facts").inner_text()
    page.screenshot(path=str(SHOTS / "profile.png"), full_page=True)

    page.goto(base + "/qa/ask/")
    page.fill("input[name=title]", "天河区哪里可以咨询实习合同问题")
    page.fill("textarea[name=body]", "想找人看看实习协议。")
    page.select_option("select[name=domain]", "legal")
    page.locator("main form button[type=submit]").last.click()  # the ask form: hidden default, 搜索, 提问
    page.wait_for_url("**/qa/*/")
    question = Question.objects.get()
    assert question.organization == tree.tianhe
    question_url = page.url

    page.locator("form[action='/accounts/logout/'] button").click()
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="忘记密码").click()
    page.fill("input[name=phone]", "13512340001")
    page.get_by_role("button", name="获取短信验证码").click()
    page.wait_for_selector("text=验证码已发送")
    page.fill("input[name=code]", last_code("13512340001"))
    page.fill("input[name=password1]", NEW)
    page.fill("input[name=password2]", NEW)
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_url("**/accounts/login/")
    log_in(page, base, "13512340001", NEW)

    page.goto(base + "/accounts/profile/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载我的个人信息副本（JSON）").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["mobile"] == "13512340001"
    assert data["questions"][0]["title"] == "天河区哪里可以咨询实习合同问题"

    page.get_by_role("link", name="注销账号").click()
    page.fill("input[name=password]", NEW)
    page.check("input[name=confirm]")
    page.get_by_role("button", name="确认注销").click()
    page.wait_for_url(base + "/")
    page.goto(question_url)
    assert "已注销用户" in page.locator("main").inner_text()
    assert "新来的小青" not in page.content()


def test_cadre_joins_applies_is_approved_and_answers_as_staff(live_server, browser, page):
    from community.services import ask_question

    tree = build_tree()
    base = live_server.url
    gz_admin = UserFactory(username="gz_admin")
    add_staff(actor=None, user=gz_admin, organization=tree.guangzhou, role=StaffRole.ORG_ADMIN)
    sz_admin = UserFactory(username="sz_admin")
    add_staff(actor=None, user=sz_admin, organization=tree.shenzhen, role=StaffRole.ORG_ADMIN)
    youth = UserFactory(organization=tree.tianhe)
    question = ask_question(asker=youth, title="天河区暑期志愿活动怎么报名", body="", domain="volunteering")

    sign_up(page, base, "13512340002", "天河团干小李", tree.tianhe)
    page.get_by_role("link", name="申请团干岗位").click()
    page.select_option("select[name=organization]", str(tree.tianhe.pk))
    page.select_option("select[name=role]", "liaison")
    page.fill("input[name=real_name]", "李青")
    page.fill("input[name=position]", "天河区团委组织部干事")
    page.set_input_files("input[name=proof]", files=[{"name": "任职文件.pdf", "mimeType": "application/pdf",
                                                      "buffer": b"%PDF-1.4 appointment"}])
    page.check("input[name=sensitive_consent]")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/accounts/profile/")
    from organizations.models import CadreApplication

    application = CadreApplication.objects.get()

    sz = browser.new_context(locale="zh-CN")
    sz_page = sz.new_page()
    log_in(sz_page, base, "sz_admin", PASSWORD)
    sz_page.goto(base + "/accounts/cadre/review/")
    assert "李青" not in sz_page.locator("main").inner_text()
    status = sz_page.evaluate("""async (url) => {
        const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token},
                                    body: new URLSearchParams({decision: 'approve'})});
        return r.status; }""", f"{base}/accounts/cadre/{application.pk}/decide/")
    assert status == 403
    application.refresh_from_db()
    assert application.status == "pending"
    sz.close()

    gz = browser.new_context(locale="zh-CN")
    gz_page = gz.new_page()
    log_in(gz_page, base, "gz_admin", PASSWORD)
    gz_page.goto(base + "/accounts/cadre/review/")
    assert "李青" in gz_page.locator(f"#application-{application.pk}").inner_text()
    gz_page.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    gz_page.locator(f"#application-{application.pk}").get_by_role("button", name="批准").click()
    gz_page.wait_for_selector("text=已批准")
    gz.close()

    page.goto(base + question.get_absolute_url())
    page.fill("textarea[name=body]", "在“广东青年之声”天河区分支的活动页报名即可，名额有限。")
    page.get_by_role("button", name="发布回答").click()
    answer = page.locator("article.qa-answer").filter(has_text="名额有限")
    answer.wait_for()
    page.screenshot(path=str(SHOTS / "answer.png"), full_page=True)
    text = answer.inner_text()
    assert "已实名" in text
    from community.models import Answer

    assert Answer.objects.get().role == "staff"
