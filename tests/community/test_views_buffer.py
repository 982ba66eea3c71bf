"""Question views counted in Redis and applied by `flush_views`: a read writes nothing to PostgreSQL,
and no view is lost when a flush fails or is interrupted."""

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import cache as qa_cache
from community import services, tasks
from community.models import Question
from tests.factories import UserFactory


@pytest.fixture
def buffered(settings):
    settings.YV_QA_BUFFER_VIEWS = True
    settings.YV_QA_VIEWS_LOCAL_SECONDS = 0  # each view sent at once (the per-process sum: tests below)
    qa_cache._local.clear()
    client = qa_cache._redis()
    assert client is not None, "the test settings use Redis"
    cache.clear()
    client.delete(qa_cache.VIEWS_KEY, *client.keys(qa_cache.FLUSHING_PREFIX + "*"))
    qa_cache._down_until = 0.0
    yield client
    qa_cache._down_until = 0.0
    client.delete(qa_cache.VIEWS_KEY, *client.keys(qa_cache.FLUSHING_PREFIX + "*"))


def _question(tree, title):
    youth = UserFactory()
    return services.ask_question(asker=youth, title=title, body="想了解一下具体的申请条件和办理流程，谢谢。",
                                 domain="employment", organization=tree.tianhe)


def test_a_cached_read_writes_nothing_and_the_flush_applies_every_view(db, tree, client, buffered):
    a, b = _question(tree, "大学生创业补贴怎么申请"), _question(tree, "实习合同需要注意什么")
    url_a, url_b = f"/api/community/questions/{a.pk}/", f"/api/community/questions/{b.pk}/"
    first = client.get(url_a)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url_a)
    assert again.status_code == 200 and ctx.captured_queries == []  # cache hit: no SQL at all
    assert again.content == first.content  # the stored bytes are what the first request rendered
    assert again.json()["title"] == "大学生创业补贴怎么申请"
    client.get(url_a)
    client.get(url_b)
    client.get(f"/qa/{b.pk}/")  # the page counts through the same buffer
    assert list(Question.objects.order_by("pk").values_list("view_count", flat=True)) == [0, 0]
    assert services.flush_views() == 5
    assert dict(Question.objects.values_list("pk", "view_count")) == {a.pk: 3, b.pk: 2}
    assert services.flush_views() == 0  # nothing counted twice
    assert dict(Question.objects.values_list("pk", "view_count")) == {a.pk: 3, b.pk: 2}


def test_a_failed_flush_gives_the_views_back(db, tree, client, buffered, monkeypatch):
    q = _question(tree, "大学生创业补贴怎么申请")
    for _ in range(4):
        client.get(f"/api/community/questions/{q.pk}/")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as m:
        m.setattr("django.db.models.query.QuerySet.update", broken)
        with pytest.raises(RuntimeError):
            services.flush_views()
    q.refresh_from_db()
    assert q.view_count == 0 and buffered.keys(qa_cache.FLUSHING_PREFIX + "*") == []
    assert services.flush_views() == 4
    q.refresh_from_db()
    assert q.view_count == 4


def test_a_flush_interrupted_before_its_delete_is_applied_by_the_next(db, tree, buffered):
    q = _question(tree, "大学生创业补贴怎么申请")
    buffered.hset(qa_cache.FLUSHING_PREFIX + "dead-worker", str(q.pk), 7)  # left behind by a killed worker
    services.record_view(q)
    assert services.flush_views() == 8
    q.refresh_from_db()
    assert q.view_count == 8 and buffered.keys(qa_cache.FLUSHING_PREFIX + "*") == []


def test_without_the_buffer_a_view_is_one_update(db, tree, client, settings):
    settings.YV_QA_BUFFER_VIEWS = False
    q = _question(tree, "大学生创业补贴怎么申请")
    client.get(f"/api/community/questions/{q.pk}/")
    q.refresh_from_db()
    assert q.view_count == 1


# ------------------------------------------------------------------ Redis down or restarted (issue 25, finding 7)

class DeadRedis:
    """A client whose server is gone: every command raises what redis-py raises then."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


def test_question_pages_count_views_in_the_database_while_redis_is_down(db, tree, client, buffered, monkeypatch):
    """Was: GET /qa/<id>/ → 500 (redis.ConnectionError from buffer_view, past IGNORE_EXCEPTIONS)."""
    q = _question(tree, "大学生创业补贴怎么申请")
    monkeypatch.setattr(qa_cache, "_redis", lambda: DeadRedis())
    assert client.get(f"/qa/{q.pk}/").status_code == 200
    assert client.get(f"/api/community/questions/{q.pk}/").status_code == 200
    q.refresh_from_db()
    assert q.view_count == 2  # counted directly, none lost
    assert tasks.flush_views() == 0  # the beat task logs and waits for Redis
    monkeypatch.undo()
    qa_cache._down_until = 0.0  # Redis back (after DOWN_SECONDS in real life): buffered again
    client.get(f"/qa/{q.pk}/")
    q.refresh_from_db()
    assert q.view_count == 2 and services.flush_views() == 1


def test_an_unreachable_redis_cache_never_breaks_a_question_page(db, tree, settings):
    """The whole cache on a dead Redis, as production configures it (IGNORE_EXCEPTIONS)."""
    from django.test import Client

    q = _question(tree, "大学生创业补贴怎么申请")
    settings.YV_QA_BUFFER_VIEWS = True
    settings.YV_QA_VIEWS_LOCAL_SECONDS = 0
    qa_cache._down_until = 0.0
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2,
                                               "IGNORE_EXCEPTIONS": True}}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    try:
        c = Client()
        for url in (f"/qa/{q.pk}/", f"/api/community/questions/{q.pk}/", f"/qa/{q.pk}/"):
            assert c.get(url).status_code == 200, url
        q.refresh_from_db()
        assert q.view_count == 3
    finally:
        qa_cache._down_until = 0.0


def test_a_redis_restart_without_persistence_loses_at_most_the_views_since_the_last_flush(db, tree, client, buffered,
                                                                                          settings):
    """The buffer is drained, not persistent (the documented choice): beat flushes it every
    YV_QA_VIEWS_FLUSH_SECONDS (10 s), and a restart that empties Redis loses only what was counted
    after the last flush. The probe's restart lost 22 views of up to a minute (the old interval)."""
    from django.conf import settings as conf

    assert conf.CELERY_BEAT_SCHEDULE["community-flush-views"]["schedule"] == settings.YV_QA_VIEWS_FLUSH_SECONDS <= 10
    q = _question(tree, "大学生创业补贴怎么申请")
    for _ in range(22):
        client.get(f"/api/community/questions/{q.pk}/")
    assert services.flush_views() == 22  # the beat tick
    for _ in range(3):  # counted in the seconds before the restart
        client.get(f"/api/community/questions/{q.pk}/")
    buffered.flushall()  # Redis restarted without persistence: every key gone
    assert services.flush_views() == 0
    q.refresh_from_db()
    assert q.view_count == 22  # every view counted before the last flush kept; the 3 after it are the bound


# ------------------------------------------------------------------ added up per process (issue 23)

def test_views_are_added_up_in_the_process_and_sent_in_one_round_trip(db, tree, client, buffered, settings):
    """A question page from the page cache was the slowest cache hit: one Redis round trip per view."""
    settings.YV_QA_VIEWS_LOCAL_SECONDS = 3600
    a, b = _question(tree, "大学生创业补贴怎么申请"), _question(tree, "实习合同需要注意什么")
    for q in (a, a, b):
        services.record_view(q)
    assert buffered.hgetall(qa_cache.VIEWS_KEY) == {}  # nothing sent yet
    assert services.flush_views() == 3  # the flush sends this process's own first
    assert dict(Question.objects.values_list("pk", "view_count")) == {a.pk: 2, b.pk: 1}
    for _ in range(qa_cache.LOCAL_MAX):
        services.record_view(a)
    assert buffered.hgetall(qa_cache.VIEWS_KEY) == {str(a.pk).encode(): str(qa_cache.LOCAL_MAX).encode()}
    qa_cache._push_at_exit()  # a process that exits sends what it holds
    assert services.flush_views() == qa_cache.LOCAL_MAX


def test_views_added_up_while_redis_went_down_reach_the_rows(db, tree, buffered, settings, monkeypatch):
    settings.YV_QA_VIEWS_LOCAL_SECONDS = 3600
    q = _question(tree, "大学生创业补贴怎么申请")
    services.record_view(q)
    services.record_view(q)
    monkeypatch.setattr(qa_cache, "_redis", lambda: DeadRedis())
    assert qa_cache.push_local_views() == 2
    q.refresh_from_db()
    assert q.view_count == 2  # applied to the row, none lost
    qa_cache._down_until = 0.0


def test_without_redis_views_are_added_up_in_the_process_and_applied_to_the_rows(db, tree, settings, monkeypatch):
    """The embedded default (local-memory cache, no Redis): a view is no query of its own; the sums
    reach the rows in one UPDATE per question once the window has passed."""
    settings.YV_QA_BUFFER_VIEWS = True
    settings.YV_QA_VIEWS_LOCAL_SECONDS = 60
    monkeypatch.setattr(qa_cache, "_has_redis", False)
    monkeypatch.setattr(qa_cache, "_redis", lambda: None)
    qa_cache._local.clear()
    qa_cache._down_until = 0.0
    question = _question(tree, "青年驿站可以住几天")
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            services.record_view_id(question.pk)
    assert len(ctx.captured_queries) == 0
    assert Question.objects.get(pk=question.pk).view_count == 0
    assert qa_cache.push_local_views() == 5  # the window's end (or the process's exit)
    assert Question.objects.get(pk=question.pk).view_count == 5
