"""Item 3 of issue 11: lockout, password length by role, session rotation and invalidation, cookie
flags in production, and the TOTP step in front of the Wagtail admin. All through the test client."""

import base64
import json
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.models import User
from organizations.models import StaffRole
from tests.factories import PASSWORD, UserFactory
from tests.test_platform import _run

LOGIN = "/accounts/login/"


def _login(client, username, password=PASSWORD, ip="10.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- login throttle (accounts/security.py; issue 25, finding 1) --------------------------------------------


def test_five_failures_then_the_account_must_wait_even_with_the_right_password(db):
    UserFactory(username="ahua", phone="13911112222")
    c = Client()
    for _ in range(5):
        assert _login(c, "ahua", "wrong-password").status_code == 200  # the form again, with its error
    r = _login(c, "ahua")  # right password, but the attempt must wait: not even checked
    assert r.status_code == 429
    text = r.content.decode()
    # one language per page (issue 19): the page's language, not "中文 / English"
    assert "登录失败次数过多，请 15 秒后再试。" in text and "try again in" not in text
    assert r["Retry-After"] == "15"
    assert "_auth_user_id" not in c.session
    english = c.post(LOGIN, {"username": "ahua", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1",
                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Login temporarily locked" in english and "Please try again in 15 seconds." in english
    assert "登录失败次数过多" not in english


def test_interleaved_successes_as_another_account_do_not_reset_the_victims_count(db):
    """The probe's attack (issue 25): from one address, 4 wrong passwords for the victim, then a
    successful login as the attacker's own account, six times over. Django-axes deleted every failure
    row of the address at each success: 24 guesses, no lock, and the victim's password still worked."""
    UserFactory(username="victim")
    UserFactory(username="attacker")
    checked = 0
    for _round in range(6):
        for _ in range(4):
            r = _login(Client(), "victim", "wrong", ip="10.6.6.6")
            assert r.status_code in (200, 429)
            checked += r.status_code == 200
        assert _login(Client(), "attacker", ip="10.6.6.6").status_code in (302, 429)
    assert checked == 5  # only the free failures were ever checked against the password
    r = _login(Client(), "victim", ip="10.6.6.6")  # the right password: still refused
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    # From another address too: the count is the account's, not the address's.
    assert _login(Client(), "victim", ip="10.7.7.7").status_code == 429


def test_guessing_cannot_shut_the_owner_out_of_a_browser_they_logged_in_from(db):
    UserFactory(username="ahua")
    owner = Client()
    assert _login(owner, "ahua", ip="10.1.1.1").status_code == 302
    assert owner.cookies["yv_login_device"]["httponly"]
    owner.post("/accounts/logout/")
    for _ in range(8):
        _login(Client(), "ahua", "wrong", ip="10.66.0.1")
    assert _login(Client(), "ahua", ip="10.66.0.2").status_code == 429  # a stranger's browser waits
    assert _login(owner, "ahua", ip="10.1.1.1").status_code == 302  # the owner's does not
    # The device cookie is bound to its account: it does not help with another one.
    UserFactory(username="other")
    for _ in range(6):
        _login(Client(), "other", "wrong", ip="10.66.0.3")
    assert _login(owner, "other", ip="10.1.1.1").status_code == 429


def test_the_wait_doubles_and_is_capped(db):
    UserFactory(username="ahua")
    start = timezone.now()
    with freeze_time(start) as frozen:
        c = Client()
        for _ in range(5):
            _login(c, "ahua", "wrong")
        assert _login(c, "ahua").status_code == 429
        frozen.tick(timedelta(seconds=16))
        assert _login(c, "ahua", "wrong").status_code == 200  # the 6th failure: now 30 s
        r = _login(c, "ahua")
        assert r.status_code == 429 and r["Retry-After"] == "30"
        frozen.tick(timedelta(seconds=31))
        assert _login(c, "ahua").status_code == 302  # the right password after the wait


def test_username_and_phone_count_as_one_account_from_different_addresses(db):
    UserFactory(username="ahua", phone="13911112222")
    c = Client()
    for i in range(3):
        _login(c, "ahua", "wrong", ip=f"10.0.1.{i}")
    for i in range(2):
        _login(c, "13911112222", "wrong", ip=f"10.0.2.{i}")
    # Five failures against one account from five addresses: the account waits everywhere.
    assert _login(c, "13911112222", ip="10.0.3.1").status_code == 429
    assert _login(Client(), "ahua", ip="10.0.3.2").status_code == 429


def test_twenty_failures_from_one_address_slow_that_address_for_every_account(db):
    UserFactory(username="victim")
    UserFactory(username="attacker")
    c = Client()
    for i in range(19):
        _login(c, f"guess{i}", "wrong", ip="10.9.9.9")
    assert _login(Client(), "attacker", ip="10.9.9.9").status_code == 302  # resets nothing of the address
    _login(c, "guess19", "wrong", ip="10.9.9.9")
    assert _login(Client(), "victim", ip="10.9.9.9").status_code == 429
    # Another address still logs the same (untouched) account in.
    assert _login(Client(), "victim", ip="10.9.9.10").status_code == 302


def test_never_more_than_a_hundred_failures_an_hour_and_never_long_locked(db):
    from accounts.domain import login_throttle as rule

    now = timezone.now()
    # ASVS 2.2.1: with the doubling delay, an hour of relentless guessing checks few passwords.
    t, checked, failures = now, 0, []
    while t < now + timedelta(hours=1):
        wait = rule.retry_after(rule.ACCOUNT, failures, t)
        if wait:
            t += timedelta(seconds=wait)
            continue
        failures.append(t)
        checked += 1
    assert checked <= 15
    # The explicit cap holds even for a policy without delays.
    flat = rule.Policy(free=10_000, base_delay=0, max_delay=0)
    hundred = [now - timedelta(minutes=59, seconds=59 - i // 2) for i in range(100)]
    assert rule.retry_after(flat, hundred, now) > 0
    # And no victim waits longer than 15 minutes after the last guess.
    assert rule.retry_after(rule.ACCOUNT, [now - timedelta(seconds=1)] * 60, now) <= 15 * 60
    assert rule.retry_after(rule.ACCOUNT, [now - timedelta(minutes=15)] * 60, now) == 0


def test_wagtail_admin_login_is_throttled_too(tree, make_staff):
    make_staff(tree.guangzhou, username="gzadmin")
    c = Client()
    for _ in range(5):
        _login(c, "gzadmin", "wrong", url="/admin/login/")
    r = _login(c, "gzadmin", url="/admin/login/")
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode()
    assert c.get("/admin/").status_code == 302  # not logged in


def test_lockout_response_is_json_under_the_api(rf):
    from accounts.security import lockout_response

    r = lockout_response(rf.post("/api/anything"), 120)
    assert r.status_code == 429 and r["Retry-After"] == "120"
    body = json.loads(r.content)
    assert body["code"] == "locked_out" and "2 分钟" in body["detail"] and "2 minutes" in body["detail"]


def test_client_ip_reads_the_trusted_proxy_hop(rf):
    from accounts.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    with override_settings(YV_TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.7"  # the spoofable left-most entry is ignored


# --- passwords ---------------------------------------------------------------------------------------------


def test_staff_need_twelve_characters_youths_eight(tree, make_staff):
    staff = make_staff(tree.tianhe, role=StaffRole.DUTY)
    youth = UserFactory()
    with pytest.raises(ValidationError) as err:
        validate_password("Kp7#wq9!zLm", staff)  # 11 characters
    assert "12" in str(err.value)
    validate_password("Kp7#wq9!zLmx", staff)
    validate_password("Kp7#wq9!", youth)
    with pytest.raises(ValidationError):
        validate_password("Kp7#wq9", youth)
    with pytest.raises(ValidationError):
        validate_password("Kp7#wq9!zL", User(username="new", is_staff=True))


def test_admin_refuses_a_short_password_for_a_new_superuser(tree, client_for):
    admin = UserFactory(is_superuser=True, is_staff=True)
    c = client_for(admin)
    data = {"username": "newadmin", "email": "n@example.org", "first_name": "晓", "last_name": "陈",
            "password1": "Kp7#wq9!zL", "password2": "Kp7#wq9!zL", "is_superuser": "on",
            "real_name_status": "none", "is_active": "on"}
    r = c.post("/admin/users/new/", data)
    assert r.status_code == 200
    assert not User.objects.filter(username="newadmin").exists()
    assert "12" in r.content.decode()
    data.update(password1="Kp7#wq9!zLmx-2026", password2="Kp7#wq9!zLmx-2026")
    r = c.post("/admin/users/new/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert User.objects.filter(username="newadmin").exists()


def test_staff_password_change_in_admin_account_needs_twelve(tree, make_staff, client_for):
    staff = make_staff(tree.guangzhou)
    c = client_for(staff)
    r = c.post("/admin/account/", {"password-old_password": PASSWORD, "password-new_password1": "Kp7#wq9!zL",
                                   "password-new_password2": "Kp7#wq9!zL", "name_email-first_name": "",
                                   "name_email-last_name": "", "name_email-email": "s@example.org",
                                   "locale-preferred_language": "zh-hans", "locale-current_time_zone": "",
                                   "theme-theme": "system", "theme-density": "default",
                                   "theme-contrast": "system", "theme-keyboard_shortcuts": "on"})
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    assert "12" in r.content.decode()


# --- sessions ------------------------------------------------------------------------------------------------


def test_login_rotates_the_session_key(db):
    UserFactory(username="ahua")
    c = Client()
    s = c.session
    s["before_login"] = "kept"
    s.save()
    old_key = s.session_key
    c.cookies["sessionid"] = old_key
    assert _login(c, "ahua").status_code == 302
    new_key = c.cookies["sessionid"].value
    assert new_key != old_key
    assert c.session["before_login"] == "kept"  # cycle_key keeps data, changes the key
    assert not SessionStore().exists(old_key)  # the pre-login key is gone from the store


def test_logout_invalidates_the_old_session_cookie(tree, make_staff):
    make_staff(tree.guangzhou, username="gzadmin")
    c = Client()
    assert _login(c, "gzadmin").status_code == 302
    stolen = c.cookies["sessionid"].value
    assert c.get("/admin/").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = stolen
    r = replay.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_production_cookie_flags():
    code = ("from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k) for k in "
            "['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE','CSRF_COOKIE_SECURE',"
            "'CSRF_COOKIE_SAMESITE','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS','YV_OTP_REQUIRED']}))")
    r = _run("youthvoice.settings.production", {
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-1234567890-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "yv.example.org", "YV_OTP_REQUIRED": "false",
    }, "shell", "-c", code)
    assert r.returncode == 0, r.stderr
    flags = json.loads(r.stdout.strip().splitlines()[-1])
    assert flags["SESSION_COOKIE_SECURE"] and flags["CSRF_COOKIE_SECURE"] and flags["SESSION_COOKIE_HTTPONLY"]
    assert flags["SESSION_COOKIE_SAMESITE"] == "Lax" and flags["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert flags["SECURE_SSL_REDIRECT"] and flags["SECURE_HSTS_SECONDS"] >= 31536000
    assert flags["YV_OTP_REQUIRED"] is True  # the environment cannot switch TOTP off in production


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_session_cookie_is_sent_secure_and_httponly(db):
    UserFactory(username="ahua")
    r = _login(Client(), "ahua")
    morsel = r.cookies["sessionid"]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"


# --- TOTP (django-otp) -----------------------------------------------------------------------------------------

otp_on = override_settings(YV_OTP_REQUIRED=True)


def _code(device, at=None):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@otp_on
def test_provincial_admin_must_enrol_before_the_admin(tree, make_staff):
    make_staff(tree.province, username="prov")
    c = Client()
    r = _login(c, "prov", url="/admin/login/")
    assert r.status_code == 302
    r = c.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/setup/")
    page = c.get(r["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user__username="prov", confirmed=False)
    assert 'class="otp-qr"><svg' in html
    assert base64.b32encode(device.bin_key).decode().rstrip("=") in html  # the key, for typing in
    assert c.post("/accounts/otp/setup/", {"token": "000000", "next": "/admin/"}).status_code == 400
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        r = c.post("/accounts/otp/setup/", {"token": _code(device), "next": "/admin/"})
        assert r.status_code == 302 and r["Location"] == "/admin/"
        device.refresh_from_db()
        assert device.confirmed
        assert c.get("/admin/").status_code == 200


@otp_on
def test_enrolled_staff_pass_the_verification_step_at_each_login(tree, make_staff):
    user = make_staff(tree.guangzhou, username="gzadmin")  # optional for a city: enrolled by choice
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    c = Client()
    _login(c, "gzadmin", url="/admin/login/")
    r = c.get("/admin/pages/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/verify/")
    assert "next=%2Fadmin%2Fpages%2F" in r["Location"]
    bad = c.post("/accounts/otp/verify/", {"token": "123456", "next": "/admin/pages/"})
    assert bad.status_code == 400 and c.get("/admin/").status_code == 302
    with freeze_time(timezone.now() + timedelta(seconds=5)):  # past the throttle delay of one failure
        r = c.post("/accounts/otp/verify/", {"token": _code(device), "next": "/admin/pages/"})
        assert r.status_code == 302 and r["Location"] == "/admin/pages/"
        assert c.get("/admin/").status_code == 200
    # A fresh login needs a fresh code.
    c.post("/accounts/logout/")
    c2 = Client()
    _login(c2, "gzadmin", url="/admin/login/")
    assert c2.get("/admin/").status_code == 302


@otp_on
def test_verify_step_refuses_an_offsite_next(tree, make_staff):
    user = make_staff(tree.guangzhou, username="gzadmin")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    c = Client()
    _login(c, "gzadmin", url="/admin/login/")
    r = c.post("/accounts/otp/verify/", {"token": _code(device), "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/admin/"


@otp_on
def test_city_staff_without_a_device_are_not_forced(tree, make_staff):
    make_staff(tree.guangzhou, username="gzadmin")
    c = Client()
    _login(c, "gzadmin", url="/admin/login/")
    assert c.get("/admin/").status_code == 200


@override_settings(YV_OTP_REQUIRED=False)
def test_demo_switch_lets_provincial_admins_in_without_a_device(tree, make_staff):
    make_staff(tree.province, username="prov")
    c = Client()
    _login(c, "prov", url="/admin/login/")
    assert c.get("/admin/").status_code == 200


def test_youths_cannot_open_enrolment(youth, client_for):
    assert client_for(youth).get("/accounts/otp/setup/").status_code == 403
    assert Client().get("/accounts/otp/verify/").status_code == 302  # to the login page
