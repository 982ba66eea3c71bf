"""Sign-up by mobile number, login and reset by SMS code, limits, profile, data copy, closing (issue 20)."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from freezegun import freeze_time

from accounts import captcha
from accounts.models import BlockedPhone, Consent, PhoneCode, SmsMessage
from accounts.selectors import default_organization_for
from accounts.sms.backends import last_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD = "Qingnian-2026!"


def send(client, phone, action="send", **extra):
    return client.post("/accounts/signup/", {"phone": phone, "action": action, **extra})


def signup(client, phone, code, org, **extra):
    data = {"phone": phone, "code": code, "display_name": "新青年", "organization": org.pk, "birth_year": 2000,
            "password1": GOOD, "password2": GOOD, "agree_privacy": "on", "action": "signup", **extra}
    return client.post("/accounts/signup/", data)


def test_sign_up_with_the_code_from_the_outbox(client, tree):
    assert send(client, "13512345678").status_code == 200
    message = SmsMessage.objects.get(phone="13512345678")
    assert message.backend == "outbox" and "验证码" in message.body
    code = last_code("13512345678")
    assert PhoneCode.objects.get().code_hash != code  # only a hash is stored
    response = signup(client, "13512345678", code, tree.tianhe)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(phone="13512345678")
    assert user.organization == tree.tianhe and user.phone_verified_at and user.display_name == "新青年"
    assert default_organization_for(user) == tree.tianhe
    consent = Consent.objects.get(user=user)
    assert consent.kind == "privacy" and consent.version
    assert client.get("/accounts/profile/").status_code == 200  # logged in


def test_wrong_expired_and_reused_codes_write_nothing(client, tree):
    with freeze_time("2026-12-07 10:00:00") as frozen:
        send(client, "13512345678")
        code = last_code("13512345678")
        wrong = "000000" if code != "000000" else "111111"
        response = signup(client, "13512345678", wrong, tree.tianhe)
        assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()
        frozen.tick(timedelta(minutes=5, seconds=1))
        response = signup(client, "13512345678", code, tree.tianhe)
        assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()
        assert not User.objects.filter(phone="13512345678").exists()
        frozen.tick(timedelta(minutes=1))
        send(client, "13512345678")
        code = last_code("13512345678")
        assert signup(client, "13512345678", code, tree.tianhe).status_code == 302
    other = type(client)()
    response = other.post("/accounts/password/reset/", {"phone": "13512345678", "code": code, "password1": GOOD + "x",
                                                        "password2": GOOD + "x", "action": "reset"})
    assert response.status_code == 400  # a sign-up code is no reset code, and it is spent anyway


def test_a_code_dies_after_five_wrong_guesses(client, tree):
    send(client, "13512345678")
    code = last_code("13512345678")
    for _ in range(5):
        signup(client, "13512345678", "999999" if code != "999999" else "888888", tree.tianhe)
    assert signup(client, "13512345678", code, tree.tianhe).status_code == 400
    assert not User.objects.filter(phone="13512345678").exists()


def test_registered_number_weak_password_and_privacy_are_refused(client, tree):
    UserFactory(phone="13512345678")
    response = send(client, "13512345678")
    assert response.status_code == 409 and "该手机号已注册" in response.content.decode()
    assert not SmsMessage.objects.exists()
    send(client, "13612345678")
    code = last_code("13612345678")
    response = signup(client, "13612345678", code, tree.tianhe, password1="12345678", password2="12345678")
    assert response.status_code == 400 and "密码" in response.content.decode()
    response = signup(client, "13612345678", code, tree.tianhe, agree_privacy="")
    assert response.status_code == 400 and "隐私政策" in response.content.decode()
    assert not User.objects.filter(phone="13612345678").exists()
    assert signup(client, "13612345678", code, tree.tianhe).status_code == 302  # the code was not spent


def test_a_child_under_14_needs_the_guardians_code(client, tree):
    year = timezone.localdate().year - 12
    send(client, "13512345678")
    code = last_code("13512345678")
    response = signup(client, "13512345678", code, tree.tianhe, birth_year=year)
    assert response.status_code == 400 and "监护人" in response.content.decode()
    assert not User.objects.filter(phone="13512345678").exists()
    client.post("/accounts/signup/", {"phone": "13512345678", "guardian_phone": "13712345678", "action": "send_guardian"})
    guardian_code = last_code("13712345678")
    assert "监护人" in SmsMessage.objects.filter(phone="13712345678").get().body
    response = signup(client, "13512345678", code, tree.tianhe, birth_year=year, guardian_phone="13712345678",
                      guardian_code=guardian_code)
    assert response.status_code == 302
    user = User.objects.get(phone="13512345678")
    assert user.guardian_phone == "13712345678" and user.guardian_verified_at
    assert set(Consent.objects.filter(user=user).values_list("kind", flat=True)) == {"privacy", "guardian"}


def test_send_limits_with_frozen_time(client, tree, settings):
    settings.YV_SMS_LIMITS = {**settings.YV_SMS_LIMITS, "captcha_after": 100}
    with freeze_time("2026-12-07 10:00:00") as frozen:
        assert send(client, "13512345678").status_code == 200
        response = send(client, "13512345678")
        assert response.status_code == 429 and "秒后再试" in response.content.decode()
        for _ in range(4):
            frozen.tick(timedelta(seconds=61))
            assert send(client, "13512345678").status_code == 200
        frozen.tick(timedelta(seconds=61))
        response = send(client, "13512345678")  # the 6th in an hour
        assert response.status_code == 429 and "次数过多" in response.content.decode()
        frozen.tick(timedelta(hours=1))
        assert send(client, "13512345678").status_code == 200
        assert SmsMessage.objects.count() == 6
        settings.YV_SMS_LIMITS = {**settings.YV_SMS_LIMITS, "ip_hour": 3}
        for n in range(2):
            assert send(client, f"1371234567{n}").status_code == 200
        response = send(client, "13712345679")  # the address's 4th in this hour
        assert response.status_code == 429 and "当前网络" in response.content.decode()
        frozen.tick(timedelta(days=1, seconds=1))
        assert send(client, "13712345679").status_code == 200


def test_repeated_sends_need_the_captcha(client, tree):
    with freeze_time("2026-12-07 10:00:00") as frozen:
        send(client, "13512345678")
        frozen.tick(timedelta(seconds=61))
        send(client, "13612345678")
        frozen.tick(timedelta(seconds=61))
        response = send(client, "13712345678")
        assert response.status_code == 400 and "图形验证码" in response.content.decode()
        assert 'src="/accounts/captcha.png' in response.content.decode()
        assert client.get("/accounts/captcha.png")["Content-Type"] == "image/png"
        answer = client.session[captcha.SESSION_KEY]["answer"]
        assert send(client, "13712345678", captcha=str(int(answer) + 1)).status_code == 400
        client.get("/accounts/captcha.png")
        answer = client.session[captcha.SESSION_KEY]["answer"]
        assert send(client, "13712345678", captcha=answer).status_code == 200
        assert SmsMessage.objects.filter(phone="13712345678").count() == 1


def test_login_by_code_and_reset_reveal_nothing(client, tree, settings):
    settings.YV_SMS_LIMITS = {**settings.YV_SMS_LIMITS, "captcha_after": 100}
    user = UserFactory(phone="13512345678")
    r1 = client.post("/accounts/password/reset/", {"phone": "13512345678", "action": "send"})
    r2 = client.post("/accounts/password/reset/", {"phone": "13612345678", "action": "send"})
    assert r1.status_code == r2.status_code == 200
    assert "如该号码可用" in r1.content.decode() and "如该号码可用" in r2.content.decode()
    assert not SmsMessage.objects.filter(phone="13612345678").exists()
    code = last_code("13512345678")
    weak = client.post("/accounts/password/reset/", {"phone": "13512345678", "code": code, "password1": "abc",
                                                     "password2": "abc", "action": "reset"})
    assert weak.status_code == 400
    response = client.post("/accounts/password/reset/", {"phone": "13512345678", "code": code, "password1": GOOD,
                                                         "password2": GOOD, "action": "reset"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)
    c = type(client)()
    with freeze_time(timezone.now() + timedelta(minutes=2)):
        c.post("/accounts/login/code/", {"phone": "13512345678", "action": "send"})
        response = c.post("/accounts/login/code/", {"phone": "13512345678", "code": last_code("13512345678"),
                                                    "action": "login"})
    assert response.status_code == 302
    assert c.get("/accounts/profile/").status_code == 200
    unknown = type(client)().post("/accounts/login/code/", {"phone": "13612345678", "code": "123456", "action": "login"})
    assert unknown.status_code == 400 and "验证码错误或已过期" in unknown.content.decode()


def test_login_page_links_and_password_login_by_phone(client, tree):
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/signup/" in page and "/accounts/password/reset/" in page and "/accounts/login/code/" in page
    UserFactory(phone="13512345678", username="someone")
    response = client.post("/accounts/login/", {"username": "13512345678", "password": PASSWORD})
    assert response.status_code == 302


def test_profile_change_of_number_data_copy_and_closing(client, tree):
    from community.services import ask_question

    user = UserFactory(phone="13512345678", organization=tree.tianhe, display_name="小青")
    client.force_login(user)
    response = client.post("/accounts/profile/", {"display_name": "小青年", "organization": tree.yuexiu.pk,
                                                  "service_domains": ["legal", "employment"], "notify_site": "on",
                                                  "notify_sms": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.organization, user.service_domains) == ("小青年", tree.yuexiu, ["legal", "employment"])
    assert user.notify_sms and not user.notify_email
    q = ask_question(asker=user, title="天河区哪里可以做职业规划咨询？", body="", domain="employment")
    assert q.organization == tree.yuexiu  # the user's location is the default branch
    client.post("/accounts/profile/phone/", {"phone": "13612345678", "action": "send"})
    response = client.post("/accounts/profile/phone/", {"phone": "13612345678", "code": "000000", "action": "change"})
    user.refresh_from_db()
    if last_code("13612345678") != "000000":
        assert response.status_code == 400 and user.phone == "13512345678"
    client.post("/accounts/profile/phone/", {"phone": "13612345678", "code": last_code("13612345678"), "action": "change"})
    user.refresh_from_db()
    assert user.phone == "13612345678"
    data = json.loads(client.get("/accounts/profile/data.json").content)
    assert data["account"]["mobile"] == "13612345678" and data["questions"][0]["title"] == q.title
    assert client.post("/accounts/profile/close/", {"password": "nope", "confirm": "on"}).status_code == 400
    assert client.post("/accounts/profile/close/", {"password": PASSWORD, "confirm": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.phone is None and user.display_name == "已注销用户" and not user.is_active and user.closed_at
    assert "已注销用户" in type(client)().get(q.get_absolute_url()).content.decode()
    # the number is free again for someone new
    with freeze_time(timezone.now() + timedelta(minutes=2)):
        assert type(client)().post("/accounts/signup/", {"phone": "13612345678", "action": "send"}).status_code == 200


def test_avatar_upload_is_bounded(client, tree):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # a transactional test elsewhere flushed it
        Collection.add_root(name="Root")
    user = UserFactory(organization=tree.tianhe)
    client.force_login(user)
    base = {"display_name": "头像用户", "organization": tree.tianhe.pk}
    fake = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    assert client.post("/accounts/profile/", {**base, "avatar": fake}).status_code == 400
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(buf, "PNG")
    ok = SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")
    assert client.post("/accounts/profile/", {**base, "avatar": ok}).status_code == 302
    user.refresh_from_db()
    assert user.avatar is not None


def test_a_banned_number_cannot_sign_up_again(client, tree):
    from moderation.models import Sanction, SanctionKind

    user = UserFactory(phone="13512345678", organization=tree.tianhe)
    Sanction.objects.create(user=user, kind=SanctionKind.BAN, organization=tree.province, starts_at=timezone.now() - timedelta(hours=1),
                            ends_at=timezone.now() + timedelta(days=30), reason="spam")
    from accounts.services import close_account

    close_account(user=user, password=PASSWORD)
    assert BlockedPhone.objects.count() == 1
    response = client.post("/accounts/signup/", {"phone": "13512345678", "action": "send"})
    assert response.status_code == 400 and "无法注册" in response.content.decode()
    assert not SmsMessage.objects.exists()


def test_the_api_signs_up_and_refuses_bad_input_in_chinese(client, tree):
    r = client.post("/api/accounts/sms-code/", {"phone": "13512345678", "purpose": "signup"}, content_type="application/json")
    assert r.status_code == 200
    body = {"phone": "13512345678", "code": "000000", "password": GOOD, "display_name": "接口用户",
            "organization_id": tree.tianhe.pk, "birth_year": 2000, "agree_privacy": True}
    if last_code("13512345678") != "000000":
        r = client.post("/api/accounts/signup/", body, content_type="application/json")
        assert r.status_code == 400 and r.json()["detail"].startswith("验证码错误或已过期")
    r = client.post("/api/accounts/signup/", {**body, "code": last_code("13512345678"), "password": "123"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "weak_password"
    r = client.post("/api/accounts/signup/", {**body, "code": last_code("13512345678")}, content_type="application/json")
    assert r.status_code == 201 and r.json()["organization_id"] == tree.tianhe.pk
    r = client.post("/api/accounts/sms-code/", {"phone": "13512345678", "purpose": "signup"}, content_type="application/json")
    assert r.status_code == 409 and "已注册" in r.json()["detail"]
    assert User.objects.filter(phone="13512345678").count() == 1
