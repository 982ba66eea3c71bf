"""Question views counted in Redis and applied by `flush_views`: a read writes nothing to PostgreSQL,
and no view is lost when a flush fails or is interrupted."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import cache as qa_cache
from community import services
from community.models import Question
from tests.factories import UserFactory


@pytest.fixture
def buffered(settings):
    settings.YV_QA_BUFFER_VIEWS = True
    client = qa_cache._redis()
    assert client is not None, "the test settings use Redis"
    cache.clear()
    client.delete(qa_cache.VIEWS_KEY, *client.keys(qa_cache.FLUSHING_PREFIX + "*"))
    yield client
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
