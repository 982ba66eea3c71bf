"""Logged-in users on shared cached pages (core.page_cache, issue 23): the page is the anonymous entry,
the frame's user area is the user's own fragment (accounts/frame.py); the session is checked as Django
does; pages showing the user's own state stay personal renders. Two users and an anonymous visitor on
the same pages: none ever sees another's name, notification count, CSRF token or nonce."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_NONCE = re.compile(r'nonce-([A-Za-z0-9_\-+/=]+)')


pytestmark = pytest.mark.usefixtures("early_cache")  # tests/conftest.py: the early page cache on


@pytest.fixture
def two(tree, client_for):
    a = UserFactory(display_name="张小青")
    b = UserFactory(display_name="李小年")
    return a, b, client_for(a), client_for(b)


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return r, r.content.decode(), len(ctx.captured_queries)


def _frame(html: str) -> str:
    return html[html.index("<!--yv:frame-->"):html.index("<!--/yv:frame-->")]


def _tokens_are_own(client, html):
    secret = client.cookies["csrftoken"].value
    tokens = _TOKEN.findall(html)
    assert tokens and all(_unmask_cipher_token(t) == secret for t in tokens)


def test_shared_pages_serve_each_user_their_own_frame(content, two):
    _, _, ca, cb = two
    for url in ("/", content.article.url, content.topic.url, "/search/?q=就业"):
        anon = Client()
        assert anon.get(url)["X-YV-Cache"] == "miss"  # an anonymous visitor stores the shared page
        ra, html_a, _ = _get(ca, url)
        rb, html_b, queries = _get(cb, url)
        assert ra["X-YV-Cache"] == rb["X-YV-Cache"] == "hit", url
        assert "张小青" in _frame(html_a) and "李小年" not in html_a
        assert "李小年" in _frame(html_b) and "张小青" not in html_b
        assert "/accounts/logout/" in html_a and "/accounts/login/?next" not in _frame(html_a)
        # nothing a shared cache (nginx, a CDN) may keep, and each gets their own CSRF token and nonce
        assert rb["Cache-Control"] == "private, no-cache" and "ETag" not in rb
        _tokens_are_own(ca, html_a), _tokens_are_own(cb, html_b)
        assert "__YV_" not in html_a + html_b
        na, nb = _NONCE.findall(ra["Content-Security-Policy"]), _NONCE.findall(rb["Content-Security-Policy"])
        assert na != nb or not na
        r_anon, html_anon, anon_queries = _get(Client(), url)
        assert r_anon["X-YV-Cache"] == "hit" and anon_queries == 0
        assert "张小青" not in html_anon and "李小年" not in html_anon and "/accounts/login/?next" in html_anon
        assert r_anon["Cache-Control"] == "public, max-age=0, must-revalidate"
    # a logged-in hit whose frame is cached costs the session check alone: session + user
    _, _, queries = _get(cb, content.article.url)
    assert queries <= 2


def test_pages_with_the_users_own_state_stay_personal(content, tree, two, make_staff):
    from community import services
    from tests.stations.conftest import make_station

    a, _, ca, cb = two
    question = services.ask_question(asker=a, title="毕业生三方协议违约金怎么算？", body="签了三方协议想换工作",
                                     organization=tree.guangzhou, domain="legal")
    station = make_station(tree.tianhe)
    # (the question page is shared since issue 23's Q&A part: tests/community/test_shared_question_page.py)
    for url in ("/qa/", f"{station.url}?referral=1", content.activity.url, content.contest.url):
        Client().get(url)
        ra, html_a, _ = _get(ca, url)
        rb, html_b, _ = _get(cb, url)
        assert ra.get("X-YV-Cache") != "hit" and rb.get("X-YV-Cache") != "hit", url
        assert "张小青" in _frame(html_a) and "李小年" not in html_a
        assert "李小年" in _frame(html_b) and "张小青" not in _frame(html_b)
        anon = Client().get(url)
        assert "张小青" not in _frame(anon.content.decode()) and "李小年" not in anon.content.decode()
    # a new answer shows at once to the logged-in asker and to the visitor whose copy was cached
    url = f"/qa/{question.pk}/"
    Client().get(url)
    assert Client().get(url)["X-YV-Cache"] == "hit"
    services.answer_question(actor=make_staff(tree.guangzhou, "duty"), question=question,
                             body="违约金以三方协议约定为准，一般不超过5000元。")
    assert "违约金以三方协议约定为准" in ca.get(url).content.decode()
    assert "违约金以三方协议约定为准" in Client().get(url).content.decode()


def test_a_publish_reaches_logged_in_users_at_once(content, two):
    _, _, ca, _ = two
    url = content.article.url
    Client().get(url)
    assert ca.get(url)["X-YV-Cache"] == "hit"
    article = content.article
    article.title = "广州青年之声服务周延长"
    article.save_revision().publish()
    r = ca.get(url)
    assert r.get("X-YV-Cache") != "hit" and "服务周延长" in r.content.decode()
    Client().get(url)
    r = ca.get(url)
    assert r["X-YV-Cache"] == "hit" and "服务周延长" in r.content.decode() and "张小青" in _frame(r.content.decode())


def test_the_notification_count_is_the_users_own_and_current(content, two):
    from notifications import services

    a, _, ca, cb = two
    url = content.article.url
    Client().get(url)
    assert "unread" not in _frame(ca.get(url).content.decode())
    services.notify(recipients=[a], kind="system", title="你的提问有了新回答")
    services.notify(recipients=[a], kind="system", title="你的预约已确认")
    frame_a = _frame(ca.get(url).content.decode())
    assert "badge" in frame_a and ">2</span>" in frame_a
    frame_b = _frame(cb.get(url).content.decode())
    assert "badge" not in frame_b
    services.mark_read(user=a)
    r = ca.get(url)
    assert r["X-YV-Cache"] == "hit" and "badge" not in _frame(r.content.decode())


def test_logout_takes_effect_at_once(content, two):
    _, _, ca, _ = two
    url = content.article.url
    Client().get(url)
    assert "张小青" in ca.get(url).content.decode()
    stolen = Client()
    stolen.cookies["sessionid"] = ca.cookies["sessionid"].value
    assert "张小青" in _frame(stolen.get(url).content.decode())
    page = ca.get(url).content.decode()
    ca.post("/accounts/logout/", {"csrfmiddlewaretoken": _TOKEN.findall(page)[0]})
    for client in (ca, stolen):  # the browser that logged out, and a copy of its old cookie
        r, html, _ = _get(client, url)
        assert r["X-YV-Cache"] == "hit" and "张小青" not in html and "/accounts/login/?next" in _frame(html)
    # the stale cookie is dropped, as SessionMiddleware does
    assert stolen.cookies["sessionid"].value == ""


def test_deactivated_banned_and_password_changed_accounts_see_no_user(content, tree, client_for):
    from moderation.models import Sanction, SanctionKind

    url = content.article.url
    Client().get(url)
    closed, banned, changed = (UserFactory(display_name=n) for n in ("王注销", "赵封禁", "钱改密"))
    clients = {u.pk: client_for(u) for u in (closed, banned, changed)}
    for user in (closed, banned, changed):
        assert user.display_name in _frame(clients[user.pk].get(url).content.decode())
    closed.is_active = False
    closed.save()
    now = timezone.now()
    Sanction.objects.create(user=banned, kind=SanctionKind.BAN, organization=tree.province, reason="辱骂他人",
                            starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=7))
    changed.set_password("a-new-password-2026")
    changed.save()
    for user in (closed, banned, changed):
        r = clients[user.pk].get(url)
        html = r.content.decode()
        assert r.status_code == 200 and user.display_name not in html and "/accounts/login/?next" in _frame(html)


def test_editors_get_the_full_render(content, make_staff, client_for):
    from django.contrib.auth import get_user_model

    url = content.article.url
    Client().get(url)
    admin = get_user_model().objects.create_superuser("editor", password="x-long-password-1")
    r = client_for(admin).get(url)
    assert r.get("X-YV-Cache") != "hit" and r.status_code == 200


def test_a_session_with_pending_messages_gets_the_full_render(content, two):
    _, _, ca, _ = two
    url = content.article.url
    Client().get(url)
    session = ca.session
    session["_messages"] = '[["__json_message",0,20,"已保存"]]'
    session.save()
    assert ca.get(url).get("X-YV-Cache") != "hit"


def test_station_page_is_shared_and_my_bookings_come_from_one_small_request(tree, two):
    from stations import selectors, services
    from tests.stations.conftest import make_station

    a, b, ca, cb = two
    admin = UserFactory(display_name="站长老周")
    station = make_station(tree.tianhe, admins=[admin])
    services.generate_slots(station=station)
    slot = selectors.upcoming_slots(station).first()
    services.request_booking(user=a, slot_id=slot.pk, note="想咨询心理问题")
    url = station.url
    assert Client().get(url)["X-YV-Cache"] == "miss"
    me = f"/stations/me/{station.pk}/"
    for client, name, other in ((ca, "张小青", "李小年"), (cb, "李小年", "张小青")):
        r, html, _ = _get(client, url)
        assert r["X-YV-Cache"] == "hit" and name in _frame(html) and other not in html
        assert 'data-yv-me="' + me + '"' in html and "想咨询心理问题" not in html
        _tokens_are_own(client, html)
    # the user's own state: A's booking to A only, the manager's link to the station's admin only
    r = ca.get(me)
    assert r["Cache-Control"] == "private, no-store" and "心理咨询" in r.content.decode()
    assert "/stations/manage/" not in r.content.decode()
    assert "心理咨询" not in cb.get(me).content.decode()
    admin_client = Client()
    admin_client.force_login(admin)
    assert "/stations/manage/" in admin_client.get(me).content.decode()
    assert Client().get(me).status_code == 204
    # a booking that changes the free places reaches the shared copy at once, for users too
    services.request_booking(user=b, slot_id=slot.pk)
    assert cb.get(url).get("X-YV-Cache") != "hit"
