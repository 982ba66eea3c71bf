"""A branch home page computed with nothing cached (after a cache flush or a server start) costs the
same number of queries however many featured items, sections and cards it shows; an idle branch
page (its five-minute entries expired) recomputes only its featured slots (issue 23)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import ActivityPage, ArticlePage, FeaturedItem, TopicPage

from .conftest import make_activity, publish


def _image(title):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    return Image.objects.create(title=title, file=get_test_image_file())


def _grow(content, start, n):
    """n more articles, activities and topics with images, each article also featured."""
    branch = content.gz_articles.get_parent().specific
    topics = content.topic.get_parent()
    for i in range(start, start + n):
        article = publish(content.gz_articles, ArticlePage(title=f"服务周第{i}期", slug=f"week-{i}", summary="就业服务",
                                                           image=_image(f"配图{i}")))
        make_activity(content.gz_activities, slug=f"act-{i}", title=f"志愿行动{i}", image=_image(f"活动{i}"))
        publish(topics, TopicPage(title=f"议题{i}", slug=f"topic-{i}", intro="说说你的看法", tag=f"议题{i}",
                                  image=_image(f"议题{i}")))
        branch.featured_items.add(FeaturedItem(link_page=article))  # the card takes the article's image
    branch.featured_slots = 12
    branch.save_revision().publish()
    return branch


def _flush():
    for alias in django_settings.CACHES:
        caches[alias].clear()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"][:140] for q in ctx.captured_queries], response.content.decode()


def test_an_uncached_branch_page_costs_the_same_whatever_it_shows(content, root_collection, client, settings):
    settings.YV_PAGE_CACHE_ENABLED = False  # every request renders
    branch = _grow(content, 0, 1)
    client.get(branch.url)  # renditions exist, as on a site visited before
    _flush()
    small, html = _queries(client, branch.url)
    assert "服务周第0期" in html and "志愿行动0" in html and "议题0" in html
    _grow(content, 1, 5)
    client.get(branch.url)
    _flush()
    large, html = _queries(client, branch.url)
    assert "服务周第5期" in html and "志愿行动5" in html and "议题5" in html
    assert len(large) == len(small), "\n".join(large)
    assert ActivityPage.objects.child_of(content.gz_activities).count() == 7


@pytest.mark.skipif(not django_settings.CACHES["default"]["BACKEND"].startswith("django_redis"),
                    reason="expires entries by their time to live in Redis")
def test_an_idle_branch_page_recomputes_only_its_featured_slots(content, root_collection, client, settings):
    """What is kept under a generation (sections, chrome, routes, renditions) lives an hour or more;
    only the featured slots (display windows, hot scores) are recomputed after five idle minutes."""
    from django.core.cache import cache

    settings.YV_PAGE_CACHE_ENABLED = False
    branch = _grow(content, 0, 6)
    client.get(branch.url)
    client.get(branch.url)
    expired = [key for key in cache.keys("*") if cache.ttl(key) not in (None, 0) and cache.ttl(key) <= 300]
    cache.delete_many(expired)
    sql, html = _queries(client, branch.url)
    assert "服务周第5期" in html
    assert len(sql) <= 12, "\n".join(sql)
    assert not any("home_articlepage" in q or "home_topicindexpage" in q for q in sql), "\n".join(sql)


def test_warm_caches_leaves_the_first_visit_a_warm_render(content, root_collection, client, settings):
    """`manage.py warm_caches` (after a deploy or a flush; the demo loader runs it): the first visit
    to a branch page then costs what a visit after a publish costs."""
    from django.core.management import call_command

    settings.YV_PAGE_CACHE_ENABLED = False
    branch = _grow(content, 0, 3)
    client.get(branch.url)
    _flush()
    cold, _html = _queries(client, branch.url)
    _flush()
    call_command("warm_caches", stdout=__import__("io").StringIO())
    warmed, html = _queries(client, branch.url)
    assert "服务周第2期" in html
    assert len(warmed) <= 12 < len(cold), (len(warmed), len(cold))
