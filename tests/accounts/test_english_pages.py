"""The account pages in English (issue 19): a browser that chooses English gets the sign-up, login,
password-reset, profile, privacy and cadre pages -- their labels, help texts, errors, flash messages
and the reset e-mail -- in English, with no Chinese left except what users and organisations wrote
(names) and the brand 青年之声. In zh-hans the same pages keep their Chinese (tests/test_chinese_ui.py
checks that no English is left there)."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from organizations import services as org_services
from organizations.models import CadreApplication, Organization, StaffRole
from tests.factories import UserFactory
from tests.test_chinese_ui import _Text

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GOOD = "Qingnian-2026!"
BRAND = "青年之声"
# The language switch names itself; "注册" is the frame's sign-up link (youthvoice/templates/base.html, not an
# account page: left for the frame's owner -- remove it here once the frame translates it).
FRAME = {"简体中文"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]+")

PUBLIC = ["/accounts/signup/", "/accounts/login/code/", "/accounts/password/reset/", "/accounts/password/reset/email/",
          "/accounts/password/reset/email/sent/", "/accounts/password/reset/email/done/",
          "/accounts/password/reset/email/MQ/bad-token/", "/accounts/privacy/"]
LOGGED_IN = ["/accounts/profile/", "/accounts/profile/phone/", "/accounts/profile/close/", "/accounts/cadre/apply/"]


def chinese_runs(html: str, allowed: set[str]) -> set[str]:
    """Runs of CJK characters a user reads (text nodes, placeholder/aria-label/title/alt; not the
    language menu's options) that are not part of an allowed text (names, the brand)."""
    parser = _Text()
    parser.feed(html)
    runs = set(CJK.findall(" ".join(parser.parts)))
    return {r for r in runs if not any(r in text for text in allowed)}


def _allowed() -> set[str]:
    from accounts.models import User

    names = {BRAND} | FRAME
    for org in Organization.objects.all():
        names |= {org.name, org.short_name}
    for user in User.objects.all():
        names |= {user.display_name, user.real_name}
    for application in CadreApplication.objects.all():
        names |= {application.real_name, application.position, application.reason}
    return {n for n in names if n}


def _check(client, pages, **extra):
    """`pages`: URLs (GET) or (label, response) pairs. Returns {page: status or Chinese runs}."""
    found = {}
    for page in pages:
        label, response = (page, client.get(page, **(extra or EN))) if isinstance(page, str) else page
        if response.status_code not in (200, 400):
            found[label] = response.status_code
            continue
        runs = chinese_runs(response.content.decode(), _allowed())
        if runs:
            found[label] = sorted(runs)
    return found


@pytest.fixture
def youth(tree):
    return UserFactory(username="youth", phone="13512345679", organization=tree.tianhe, display_name="青年甲")


def test_public_account_pages_are_english(client, tree):
    assert _check(client, PUBLIC) == {}


def test_the_language_cookie_chooses_english_too(client, tree):
    client.cookies["django_language"] = "en"
    response = client.get("/accounts/signup/")
    assert "Sign up with your mobile number" in response.content.decode()
    assert _check(client, ["/accounts/signup/"], HTTP_ACCEPT_LANGUAGE="zh-hans") == {}


def test_logged_in_account_pages_are_english(client, youth):
    client.force_login(youth)
    assert _check(client, LOGGED_IN) == {}


def test_errors_and_messages_are_english(client, tree, youth):
    phone = "13512345670"
    pages = [
        ("signup: nothing", client.post("/accounts/signup/", {"action": "signup"}, **EN)),
        ("signup: passwords differ", client.post("/accounts/signup/", {
            "phone": phone, "password1": "a", "password2": "b", "action": "signup"}, **EN)),
        ("signup: code sent", client.post("/accounts/signup/", {"phone": phone, "action": "send"}, **EN)),
        ("signup: a bad nickname and code", client.post("/accounts/signup/", {
            "phone": phone, "code": "000000", "password1": GOOD, "password2": GOOD, "action": "signup"}, **EN)),
        ("reset: passwords differ", client.post("/accounts/password/reset/", {
            "phone": phone, "password1": "a", "password2": "b", "action": "reset"}, **EN)),
    ]
    for n in range(6):  # enough codes from one address to ask for the picture code
        response = client.post("/accounts/login/code/", {"phone": f"1351234568{n}", "action": "send"}, **EN)
    pages.append(("login by code: picture code", response))
    text = pages[1][1].content.decode()
    assert "The two passwords do not match" in text
    assert "Code sent; it is valid for 5 minutes" in pages[2][1].content.decode()
    assert "Enter the picture code before asking for an SMS code" in response.content.decode()

    client.force_login(youth)
    pages += [
        ("profile: bad", client.post("/accounts/profile/", {"display_name": "", "email": "bad"}, **EN)),
        ("close: nothing", client.post("/accounts/profile/close/", {}, **EN)),
        ("cadre apply: nothing", client.post("/accounts/cadre/apply/", {}, **EN)),
    ]
    client.post("/accounts/profile/", {"display_name": "青年甲", "organization": tree.tianhe.pk,
                                       "email": "z@example.com"}, **EN)
    saved = client.get("/accounts/profile/", **EN)
    assert "Your profile has been saved" in saved.content.decode()
    assert "A confirmation e-mail has been sent to z@example.com" in saved.content.decode()
    pages.append(("profile: saved", saved))
    client.post("/accounts/cadre/apply/", {"organization": tree.tianhe.pk, "role": "duty", "real_name": "张三",
                                           "position": "干事", "sensitive_consent": "on"}, **EN)
    applied = client.get("/accounts/profile/", **EN)
    assert "Application submitted" in applied.content.decode()
    pages.append(("profile: applied", applied))
    assert _check(client, pages) == {}


def test_cadre_review_is_english(client, tree, make_staff):
    applicant = UserFactory(organization=tree.tianhe, display_name="申请人")
    org_services.apply_for_staff_role(user=applicant, organization=tree.tianhe, role=StaffRole.DUTY, real_name="张三",
                                      position="干事", sensitive_consent=True)
    client.force_login(make_staff(tree.tianhe, StaffRole.ORG_ADMIN))
    assert _check(client, ["/accounts/cadre/review/"]) == {}
    application = applicant.cadre_applications.get()
    client.post(f"/accounts/cadre/{application.pk}/decide/", {"decision": "approve"}, **EN)
    response = client.get("/accounts/cadre/review/", **EN)
    assert "Approved: the real name is verified" in response.content.decode()
    assert _check(client, [("decided", response)]) == {}


def test_the_reset_email_is_in_the_language_of_the_request(client, tree):
    user = UserFactory(phone="13512345600", organization=tree.tianhe, email="y@example.com", display_name="小明")
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    client.post("/accounts/password/reset/email/", {"email": "y@example.com"}, **EN)
    message = mail.outbox[-1]
    assert message.subject == "Youth Voice: reset your password"
    assert message.body.startswith("Hello 小明,")
    assert set(CJK.findall(message.body)) == {"小明"}
    client.post("/accounts/password/reset/email/", {"email": "y@example.com"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert mail.outbox[-1].subject == "青年之声：重置密码"
    assert "有人申请重置您在青年之声的密码" in mail.outbox[-1].body
