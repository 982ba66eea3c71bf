"""In a real browser (issue 19): Chromium asking for English gets the sign-up page and the profile in
English, and asking for Chinese gets them in Chinese, as they were. Screenshots in $YV_SCREENSHOTS."""

import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("YV_SCREENSHOTS", tempfile.gettempdir()))
SEEN = {
    "en-US": {"signup": ["Sign up with your mobile number", "Get an SMS code", "Guardian's consent (under 14)",
                         "Code sent; it is valid for 5 minutes"],
              "profile": ["Your profile", "Phone", "Branch", "Service domains you follow", "Apply for a League cadre post"]},
    "zh-CN": {"signup": ["手机号注册", "获取短信验证码", "监护人同意（未满 14 周岁）", "验证码已发送，5 分钟内有效"],
              "profile": ["个人资料", "手机号", "关注的服务领域", "申请团干岗位"]},
}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_signup_and_profile_in_the_browsers_language(live_server, browser, locale):
    tree = build_tree()
    UserFactory(username=f"reader-{locale}", organization=tree.tianhe, display_name="小青")
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server.url + "/accounts/signup/")
        page.fill("input[name=phone]", "13512340009")
        page.locator("button[value=send]").click()
        page.wait_for_selector(".messages")
        text = page.locator("main").inner_text()
        assert all(s in text for s in SEEN[locale]["signup"]), text
        page.screenshot(path=str(SHOTS / f"signup-{locale}.png"), full_page=True)

        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", f"reader-{locale}")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(live_server.url + "/accounts/profile/")
        text = page.locator("main").inner_text()
        assert all(s in text for s in SEEN[locale]["profile"]), text
        page.screenshot(path=str(SHOTS / f"profile-{locale}.png"), full_page=True)
    finally:
        context.close()
