"""Password reset by a verified e-mail address (issue 20 leftover): the profile's e-mail change sends a
confirmation link; only confirmed addresses get a reset link; the page never says whether one matched."""

import re

from django.core import mail

from tests.factories import UserFactory


def _link(message, pattern):
    return re.search(pattern, message.body).group(0)


def _profile_post(user, email):
    return {"display_name": user.display_name or "小青", "organization": user.organization_id or "", "email": email,
            "notify_site": "on"}


def test_email_change_is_confirmed_by_link_then_reset_by_email_works(tree, client_for, django_capture_on_commit_callbacks):
    user = UserFactory(username="youth", organization=tree.tianhe, display_name="小青", email="")
    user.set_password("Old-pass-2026!")
    user.save()
    c = client_for(user)
    assert "用已验证的邮箱" in client_for().get("/accounts/password/reset/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/accounts/profile/", _profile_post(user, "qing@example.com"))
    assert r.status_code == 302, r.content.decode()[:3000]
    user.refresh_from_db()
    assert user.email == "qing@example.com" and user.email_verified_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["qing@example.com"]
    confirm = _link(mail.outbox[0], r"http://testserver/accounts/email/confirm/\S+/")
    # Not verified yet: no reset mail, and the same answer as for an unknown address.
    anon = client_for()
    r1 = anon.post("/accounts/password/reset/email/", {"email": "qing@example.com"})
    r2 = anon.post("/accounts/password/reset/email/", {"email": "nobody@example.com"})
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == r2["Location"]
    assert anon.get(r1["Location"]).content.decode().count("如该邮箱已验证") == 1
    assert len(mail.outbox) == 1
    assert client_for().get(confirm.replace("http://testserver", "")[:-5] + "xx/").status_code == 302  # tampered
    user.refresh_from_db()
    assert user.email_verified_at is None
    r = c.get(confirm.replace("http://testserver", ""), follow=True)
    assert "邮箱已验证" in r.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert "已验证，可用于找回密码" in c.get("/accounts/profile/").content.decode()
    # Verified: the reset link arrives and sets a new password (validators apply).
    r = anon.post("/accounts/password/reset/email/", {"email": "QING@example.com"})
    assert r["Location"] == r1["Location"] and len(mail.outbox) == 2
    assert "重置密码" in mail.outbox[1].subject
    link = _link(mail.outbox[1], r"http://testserver/accounts/password/reset/email/\S+/\S+/").replace("http://testserver", "")
    r = anon.get(link, follow=True)
    assert "设置新密码" in r.content.decode()
    form_url = r.redirect_chain[-1][0]
    r = anon.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    r = anon.post(form_url, {"new_password1": "New-pass-2026!x", "new_password2": "New-pass-2026!x"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/email/done/"
    user.refresh_from_db()
    assert user.check_password("New-pass-2026!x")
    assert "链接无效" in anon.get(link, follow=True).content.decode()  # single use
    # Changing the address again makes it unverified.
    with django_capture_on_commit_callbacks(execute=True):
        c.force_login(user)
        c.post("/accounts/profile/", _profile_post(user, "other@example.com"))
    user.refresh_from_db()
    assert user.email_verified_at is None
    assert confirm and client_for().get(confirm.replace("http://testserver", "")).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is None  # the old link confirms only the old address
