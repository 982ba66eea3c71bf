"""The read-replica router (core/db_router.py): what goes where, pinning after a write, atomic blocks,
read-your-writes across requests, reset between requests and tasks.

The replica is the test settings' MIRROR of the test database (youthvoice/settings/test.py) with a
connection of its own: inside a test's transaction it sees only committed rows — a replica that lags
behind every write of the test, which is what read-your-writes must survive."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, connections, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.models import PhoneCode
from community import services
from community.models import Question, QuestionTag
from core import db_router
from organizations.models import Organization
from tests.factories import UserFactory

DBS = ["default", "replica"]


@pytest.fixture
def routed(settings):
    settings.YV_DB_REPLICAS = ["replica"]
    settings.DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    middleware = list(django_settings.MIDDLEWARE)
    middleware.insert(1, "core.db_router.ReplicaPinMiddleware")
    middleware.insert(middleware.index("accounts.otp.AdminOTPMiddleware") + 1, "core.db_router.PrimaryAuthMiddleware")
    settings.MIDDLEWARE = middleware
    db_router.reset()
    yield
    db_router.reset()
    wrappers = connections["default"].execute_wrappers  # the write watcher stays with this test
    if db_router._watch_writes in wrappers:
        wrappers.remove(db_router._watch_writes)


def queries(alias):
    return CaptureQueriesContext(connections[alias])


def test_without_a_replica_nothing_is_routed(settings):
    assert django_settings.DATABASE_ROUTERS == [] and "core.db_router.ReplicaPinMiddleware" not in settings.MIDDLEWARE
    assert db_router.ReplicaRouter().db_for_read(Organization) is None
    assert db_router.ReplicaRouter().db_for_write(Organization) is None
    assert Organization.objects.all().db == "default"


@pytest.mark.django_db(databases=DBS)
def test_reads_go_to_the_replica_writes_and_later_reads_to_the_primary(routed):
    assert Organization.objects.all().db == "replica"
    assert Question.objects.filter(pk=1).db == "replica"
    assert not db_router.is_pinned()
    with queries("replica") as rq, queries("default") as dq:
        list(Organization.objects.all())
    assert len(rq) == 1 and len(dq) == 0
    QuestionTag.objects.create(name="测试", slug="test-tag")  # a write: this flow is pinned
    assert db_router.is_pinned()
    assert Organization.objects.all().db == "default"
    with queries("replica") as rq:
        assert QuestionTag.objects.filter(slug="test-tag").exists()  # read-your-writes
    assert len(rq) == 0
    db_router.reset()  # the next request or task starts unpinned
    assert Organization.objects.all().db == "replica"


@pytest.mark.django_db(databases=DBS)
def test_select_for_update_atomic_blocks_and_authentication_models_use_the_primary(routed):
    assert Organization.objects.select_for_update().db == "default"
    db_router.reset()
    with transaction.atomic():
        assert Organization.objects.all().db == "default"
        with transaction.atomic():
            assert Organization.objects.all().db == "default"
    assert Organization.objects.all().db == "replica"  # a read-only block pins nothing
    assert not db_router.is_pinned()
    assert Session.objects.all().db == "default"
    assert PhoneCode.objects.all().db == "default"  # a code sent in one request is checked in the next
    assert UserFactory._meta.model.objects.all().db == "replica"  # authors, lists: the replica
    with db_router.primary():
        assert Organization.objects.all().db == "default"
    assert Organization.objects.all().db == "replica"


@pytest.mark.django_db(databases=DBS)
def test_asking_where_to_write_is_not_a_write(routed):
    from wagtail.models import Page

    Page(title="只是构造")  # Django asks db_for_write when a related object is assigned
    QuestionTag(name="未保存")
    assert not db_router.is_pinned() and Organization.objects.all().db == "replica"


@pytest.mark.django_db(databases=DBS)
def test_the_request_user_is_loaded_from_the_primary(routed):
    youth = UserFactory(organization=None)  # not on the lagging replica
    c = Client()
    c.force_login(youth)
    db_router.reset()
    with queries("replica") as rq:
        r = c.get("/qa/ask/")
    assert r.status_code == 200  # signed in: the user came from the primary (the replica has no such user)
    assert not any("accounts_user" in q["sql"].split("WHERE")[0] and "LIMIT 21" in q["sql"] for q in rq.captured_queries)


@pytest.mark.django_db(databases=DBS)
def test_a_raw_sql_write_on_the_primary_pins_too(routed):
    db_router.watch_primary()  # (the router installs it on its first decision; here no ORM query ran yet)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert not db_router.is_pinned()
        cursor.execute("UPDATE organizations_organization SET name = name WHERE id = -1")
    assert db_router.is_pinned()


def test_migrations_only_on_the_primary_and_relations_across_the_pool(settings):
    settings.YV_DB_REPLICAS = ["replica"]
    r = db_router.ReplicaRouter()
    assert r.allow_migrate("replica", "community") is False
    assert r.allow_migrate("default", "community") is None
    a, b = Organization(name="a"), Organization(name="b")
    a._state.db, b._state.db = "replica", "default"
    assert r.allow_relation(a, b) is True
    b._state.db = "other"
    assert r.allow_relation(a, b) is None


@pytest.mark.django_db(databases=DBS)
def test_the_lagging_replica_does_not_see_a_new_question_but_its_asker_does(routed, tree):
    youth = UserFactory(organization=tree.tianhe)
    q = services.ask_question(asker=youth, title="租房押金被扣怎么办才好", domain="legal")
    db_router.reset()  # as if asked in an earlier request: nothing pinned in this one
    from django.core.cache import cache

    cache.clear()  # the question's cached render (filled from the primary) would answer before any read
    visitor = Client()
    with queries("replica") as rq:
        assert visitor.get(f"/qa/{q.pk}/").status_code == 404  # the replica has not got it yet
    assert len(rq) > 0
    # the asker's next request carries the short cookie set after their write: it reads the primary
    asker = Client()
    asker.cookies[db_router.PIN_COOKIE] = str(int(time.time()) + 5)
    with queries("replica") as rq:
        r = asker.get(f"/qa/{q.pk}/")
    assert r.status_code == 200 and q.title in r.content.decode() and len(rq) == 0
    # an expired cookie pins nothing
    asker.cookies[db_router.PIN_COOKIE] = str(int(time.time()) - 1)
    cache.clear()
    assert asker.get(f"/qa/{q.pk}/").status_code == 404


@pytest.mark.django_db(databases=DBS, transaction=True)
def test_post_redirect_get_reads_its_write_and_other_requests_read_the_replica(routed, tree):
    youth = UserFactory(organization=tree.tianhe)
    c = Client()
    c.force_login(youth)
    with queries("replica") as rq, queries("default") as dq:
        r = c.post("/qa/ask/", {"title": "在天河区租房押金被扣怎么办", "body": "房东扣了一半押金", "domain": "legal"})
    assert r.status_code == 302, r.content.decode()[:500]
    assert any(q["sql"].startswith("INSERT") for q in dq.captured_queries)
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in rq.captured_queries)
    cookie = r.cookies[db_router.PIN_COOKIE]
    assert int(cookie.value) > time.time() and cookie["max-age"] == django_settings.YV_DB_REPLICA_PIN_SECONDS
    with queries("replica") as rq:
        page = c.get(r["Location"])  # the redirect: the primary, though the write was in the last request
    assert page.status_code == 200 and "押金" in page.content.decode() and len(rq) == 0
    assert db_router.PIN_COOKIE not in page.cookies  # a GET sets no pin
    # another visitor, and the state is reset between requests: the replica
    with queries("replica") as rq:
        assert Client().get(r["Location"]).status_code == 200
    assert len(rq) > 0
    # the admin and sign-in paths always read the primary
    with queries("replica") as rq:
        Client().get("/accounts/login/")
    assert len(rq) == 0


@pytest.mark.django_db(databases=DBS)
def test_an_api_client_without_cookies_is_pinned_by_its_authorization_header(routed):
    from django.core.cache import cache

    def create(request):
        QuestionTag.objects.create(name="接口", slug="x-api")
        return HttpResponse(status=201)

    rf = RequestFactory()
    mw = db_router.ReplicaPinMiddleware(create)
    db_router.reset()
    mw(rf.post("/api/qa/questions/", HTTP_AUTHORIZATION="Bearer abc"))
    assert cache.get(db_router._auth_key(rf.get("/", HTTP_AUTHORIZATION="Bearer abc")))
    db_router.reset()
    assert db_router._pinned_by_client(rf.get("/api/qa/questions/1/", HTTP_AUTHORIZATION="Bearer abc")) == "token"
    assert db_router._pinned_by_client(rf.get("/api/qa/questions/1/", HTTP_AUTHORIZATION="Bearer other")) == ""
    assert db_router._pinned_by_client(rf.get("/admin/pages/")) == "path"
    cache.delete(db_router._auth_key(rf.get("/", HTTP_AUTHORIZATION="Bearer abc")))


def test_tasks_published_by_a_writer_read_the_primary_and_start_fresh_otherwise(settings):
    settings.YV_DB_REPLICAS = ["replica"]

    class Req:
        is_eager = False

        def __init__(self, headers):
            self.headers = headers

    class Task:
        def __init__(self, headers):
            self.request = Req(headers)

    db_router.reset()
    headers = {}
    db_router._on_task_publish(headers=headers)
    assert headers == {}  # an unpinned publisher adds nothing
    db_router.pin()
    db_router._on_task_publish(headers=headers)
    assert headers["yv_primary_until"] > time.time()
    db_router.reset()
    db_router._on_task_start(task=Task(headers))
    assert db_router.is_pinned()
    db_router._on_task_end(task=Task(headers))
    assert not db_router.is_pinned()
    db_router._on_task_start(task=Task({"yv_primary_until": time.time() - 1}))
    assert not db_router.is_pinned()
    db_router.reset()


@pytest.mark.django_db(databases=DBS)
def test_an_unreachable_replica_sends_reads_to_the_primary(routed, settings, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(db_router, "_down_until", {})
    with monkeypatch.context() as m:
        m.setattr(connections["replica"], "ensure_connection", refuse)
        db_router.reset()
        assert Organization.objects.all().db == "default"
    assert db_router._down_until["replica"] > time.monotonic()
    db_router.reset()
    assert Organization.objects.all().db == "default"  # skipped for a while, even though it answers again
    db_router._down_until["replica"] = 0
    db_router.reset()
    assert Organization.objects.all().db == "replica"


@pytest.mark.django_db(databases=DBS)
def test_a_write_by_a_client_already_pinned_renews_its_pin(routed):
    def create(request):
        QuestionTag.objects.create(name="再写", slug="again")
        return HttpResponse(status=201)

    request = RequestFactory().post("/qa/x/")
    request.COOKIES[db_router.PIN_COOKIE] = str(int(time.time()) + 1)  # pinned by its previous write
    db_router.reset()
    response = db_router.ReplicaPinMiddleware(create)(request)
    assert int(response.cookies[db_router.PIN_COOKIE].value) >= time.time() + 4


@pytest.mark.django_db(databases=DBS)
def test_a_render_for_the_shared_page_cache_reads_the_primary(routed, settings, tree):
    from django.core.cache import cache

    settings.YV_PAGE_CACHE_EARLY = True
    cache.clear()
    youth = UserFactory(organization=tree.tianhe)
    q = services.ask_question(asker=youth, title="缓存页面必须来自主库吗", domain="legal")
    db_router.reset()
    with queries("replica") as rq:
        r = Client().get(f"/qa/{q.pk}/")  # stored for every visitor: rendered from the primary
    assert r.status_code == 200 and q.title in r.content.decode() and len(rq) == 0
    settings.YV_PAGE_CACHE_EARLY = False
    cache.clear()  # the question's cached render too (community.cache), filled from the primary above
    assert Client().get(f"/qa/{q.pk}/").status_code == 404  # not for the shared cache: the (lagging) replica
    cache.clear()
