"""The whole UI in Chinese (issue 19): every public page and the main admin pages, rendered in
zh-hans, show no English word outside a short allow-list (names of products and formats, the
language switch, user names). Text is what a user reads: text nodes and the placeholder, aria-label,
title and alt attributes, not scripts or styles."""

import re
from datetime import time
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission

from community import services as qa
from organizations.models import StaffRole
from stations import services as st

ALLOWED = {
    "English",  # the language switch
    "API", "CSV", "XLSX", "PDF", "TOTP", "URL", "Wagtail", "OpenStreetMap", "Leaflet", "echarts", "china",
    "cities", "MIT", "iPhone", "offer", "app", "App", "km",
    "None",  # Wagtail 8 prints a hidden side-panel counter's empty value as "None"
}
SKIP_TAGS = {"script", "style", "template", "svg", "code", "pre", "noscript"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        if tag == "option":  # the language list and time zones name themselves in their own language
            return
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(html: str, allowed: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(html)
    words = set(re.findall(r"[A-Za-z][A-Za-z’'-]{2,}", " ".join(parser.parts)))
    return {w for w in words if w not in allowed}


@pytest.fixture
def site(tree, youth, make_staff):
    duty = make_staff(tree.tianhe, StaffRole.DUTY, real_name="吴浩然")
    duty.user_permissions.add(Permission.objects.get(codename="access_admin"))
    moderator = make_staff(tree.province, StaffRole.MODERATOR)
    moderator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    editor = make_staff(tree.guangzhou, StaffRole.EDITOR)
    q = qa.ask_question(asker=youth, title="实习单位不签劳动合同怎么办", body="暑期实习两个月，公司说实习生不用签合同。",
                        domain="legal")
    qa.answer_question(actor=duty, question=q, body="建议与单位签订三方实习协议，约定报酬和保险。")
    station = st.create_station(
        actor=None, organization=tree.tianhe, title="天河青年之家", address="天河路 1 号", latitude="23.13",
        longitude="113.33", admins=[duty], services=[{"name": "心理咨询", "duration_minutes": 60, "slot_capacity": 2}],
        hours={d: [(time(9), time(18))] for d in range(7)}, follows_public_holidays=False)
    st.generate_slots(station=station, days=2)
    return {"question": q, "station": station, "duty": duty, "moderator": moderator, "editor": editor}


def _check(client, urls, allowed):
    found = {}
    for url in urls:
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if r.status_code != 200:
            found[url] = r.status_code
            continue
        words = english_words(r.content.decode(), allowed)
        if words:
            found[url] = sorted(words)
    assert found == {}, found


def test_public_pages_are_chinese(site, client, youth, tree):
    from accounts.models import User

    names = {w for u in User.objects.values_list("username", flat=True) for w in re.findall(r"[A-Za-z]+", u)}
    public = ["/", "/qa/", site["question"].get_absolute_url(), "/stations/", site["station"].url, "/alliances/",
              "/search/?q=实习", "/accounts/login/"]
    _check(client, public, ALLOWED | names)
    client.force_login(youth)
    _check(client, ["/qa/ask/", "/qa/mine/", "/stations/my/", "/notifications/", "/appeals/",
                    site["question"].get_absolute_url()], ALLOWED | names)


def test_main_admin_pages_are_chinese(site, client, tree):
    from accounts.models import User
    from home.models import BranchHomePage

    names = {w for u in User.objects.values_list("username", flat=True) for w in re.findall(r"[A-Za-z]+", u)}
    branch = BranchHomePage.objects.get(organization=tree.tianhe)
    client.force_login(site["duty"])
    _check(client, ["/admin/", "/admin/qa/queue/", "/admin/roster/"], ALLOWED | names)
    client.force_login(site["moderator"])
    _check(client, ["/admin/", "/admin/moderation/queue/"], ALLOWED | names)
    client.force_login(site["editor"])
    _check(client, ["/admin/", f"/admin/pages/{branch.pk}/", "/admin/pages/search/?q=天河"], ALLOWED | names)


def test_account_pages_are_chinese(site, client, youth, tree, make_staff):
    """The account pages (issue 19): their English msgids all have Chinese (tests/accounts/
    test_english_pages.py checks the English side)."""
    from accounts.models import User
    from organizations import services as org

    org.apply_for_staff_role(user=youth, organization=tree.tianhe, role=StaffRole.DUTY, real_name="张三",
                             position="干事", sensitive_consent=True)
    admin = make_staff(tree.tianhe, StaffRole.ORG_ADMIN)
    names = {w for u in User.objects.values_list("username", flat=True) for w in re.findall(r"[A-Za-z]+", u)}
    allowed = ALLOWED | names | {"JSON", "JPG", "PNG", "GIF", "WebP"}  # file formats
    _check(client, ["/accounts/signup/", "/accounts/login/code/", "/accounts/password/reset/",
                    "/accounts/password/reset/email/", "/accounts/password/reset/email/sent/",
                    "/accounts/password/reset/email/done/", "/accounts/password/reset/email/MQ/bad-token/",
                    "/accounts/privacy/"], allowed)
    client.force_login(youth)
    _check(client, ["/accounts/profile/", "/accounts/profile/phone/", "/accounts/profile/close/",
                    "/accounts/cadre/apply/"], allowed)
    client.force_login(admin)
    _check(client, ["/accounts/cadre/review/"], allowed)
