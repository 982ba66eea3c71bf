import re
from html import unescape

import pytest
import requests
from django.test import Client

from demo import partners as partners_demo
from partners.models import Partner


@pytest.fixture
def demo_partner(db, tree):
    partners_demo.load()
    partner = Partner.objects.get(name="广东志愿者平台 (demo)")
    partner.organizations.set([tree.province])
    return partner


def browser_for(live_server, user) -> requests.Session:
    """A browser logged in to the live server as `user` (the session cookie of a force_login)."""
    c = Client()
    c.force_login(user)
    s = requests.Session()
    s.cookies.set("sessionid", c.cookies["sessionid"].value, domain="localhost.local")
    s.cookies.set("sessionid", c.cookies["sessionid"].value)
    return s


def submit_consent(browser, html: str, url: str, allow=True):
    form = re.search(r'<form id="authorizationForm" method="post">(.*?)</form>', html, re.S).group(1)
    fields = {unescape(n): unescape(v) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    if allow:
        fields["allow"] = "Authorize"
    return browser.post(url, data=fields, headers={"Referer": url}, allow_redirects=False)


@pytest.fixture(autouse=True)
def _forget_registry_caches():
    """The registry caches (footer, subscriptions) live in Redis, which outlives the test database:
    forget them after each test here, so that no other test sees this one's partners."""
    yield
    from partners.events import forget_subscriptions
    from partners.selectors import forget_footer

    forget_subscriptions()
    forget_footer()
