"""core.request_memo: the small keys every page reads, once per request and in one round trip."""

import pytest
from django.core.cache import cache

from core import page_cache, request_memo


class CountingCache:
    """Counts the shared cache's round trips (get / get_many) while it delegates to the real one."""

    def __init__(self, monkeypatch):
        self.calls: list[tuple[str, tuple]] = []
        real_get, real_get_many = cache.get, cache.get_many

        def get(key, *args, **kwargs):
            self.calls.append(("get", (key,)))
            return real_get(key, *args, **kwargs)

        def get_many(keys, *args, **kwargs):
            self.calls.append(("get_many", tuple(keys)))
            return real_get_many(keys, *args, **kwargs)

        monkeypatch.setattr(cache, "get", get)
        monkeypatch.setattr(cache, "get_many", get_many)


@pytest.fixture
def counting(monkeypatch):
    return CountingCache(monkeypatch)


def test_outside_a_request_every_read_goes_to_the_cache(counting):
    cache.set("memo:a", 1)
    assert request_memo.get("memo:a") == 1
    assert request_memo.get("memo:a") == 1
    assert len(counting.calls) == 2


def test_inside_a_request_a_key_is_read_once_and_the_registered_keys_come_with_the_first(counting, monkeypatch):
    monkeypatch.setattr(request_memo, "_PREFETCH", ["memo:p1", "memo:p2"])
    cache.set_many({"memo:a": "A", "memo:p1": 1, "memo:p2": 2})
    with request_memo.scope():
        assert request_memo.get("memo:a") == "A"
        assert request_memo.get("memo:p1") == 1
        assert request_memo.get("memo:p2") == 2
        assert request_memo.get("memo:a") == "A"
        assert request_memo.get("memo:missing") is None
        assert request_memo.get("memo:missing") is None  # a missing key is remembered as missing too
    assert counting.calls == [("get_many", ("memo:a", "memo:p1", "memo:p2")), ("get_many", ("memo:missing",))]


def test_a_request_sees_its_own_invalidation():
    """A request that publishes and then renders reads the new generation, not the memoised one."""
    with request_memo.scope():
        before = page_cache.generation()
        assert page_cache.generation() == before
        page_cache.invalidate()
        assert page_cache.generation() == before + 1


def test_another_request_sees_a_change_made_elsewhere():
    """The memo lives for one request: the next one reads the shared cache again."""
    with request_memo.scope():
        first = page_cache.generation()
    cache.incr(page_cache.GENERATION_KEY)  # another process published
    with request_memo.scope():
        assert page_cache.generation() == first + 1


def test_an_article_render_reads_the_shared_cache_a_few_times(client, tree, counting):
    """Through the whole stack: the generations and counters come in one MGET, so a page render does
    not ask the cache for the same key twice."""
    from home.models import ArticleIndexPage, ArticlePage

    branch = tree.guangzhou.branch.specific
    news = ArticleIndexPage(title="团青资讯", slug="news")
    branch.add_child(instance=news)
    news.save_revision().publish()
    article = ArticlePage(title="广州青年就业服务周", slug="week", summary="就业服务")
    news.add_child(instance=article)
    article.save_revision().publish()
    assert client.get(article.url).status_code == 200
    counting.calls.clear()
    assert client.get(article.url).status_code == 200
    keys = [key for _, keys in counting.calls for key in keys]
    assert len(keys) == len(set(keys)), keys
    assert keys.count(page_cache.GENERATION_KEY) == 1


def test_an_evicted_generation_comes_back_above_every_value_it_had(db):
    """Entries kept under a generation live an hour: a generation evicted from the cache must not
    start again at a value whose entries may still be there."""
    from django.core.cache import cache

    page_cache.invalidate()
    page_cache.invalidate()
    before = page_cache.generation()
    cache.delete(page_cache.GENERATION_KEY)
    request_memo.forget(page_cache.GENERATION_KEY)
    assert page_cache.generation() > before
