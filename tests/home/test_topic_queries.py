"""A topic page (the page a campaign sends everyone to) costs the same number of queries however
many pinned items and gathered pages with images it shows (issue 23)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import ArticlePage, TopicPinnedItem

from .conftest import publish


def _image(title):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    return Image.objects.create(title=title, file=get_test_image_file())


def _add(content, start, n):
    for i in range(start, start + n):
        article = ArticlePage(title=f"就业季第{i}期", slug=f"jobs-{i}", summary="就业服务", image=_image(f"配图{i}"))
        article.tags.add("广州就业季")
        article = publish(content.gz_articles, article)
        if i % 2 == 0:  # half pinned, half gathered by the tag (a pinned page is not gathered again)
            content.topic.pinned_items.add(TopicPinnedItem(page=article))
    content.topic.save_revision().publish()


def _render_queries(client, url):
    client.get(url)  # renditions created, fragment caches filled
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_topic_page_queries_do_not_grow_with_pinned_and_gathered_items(content, root_collection, client, settings):
    settings.YV_PAGE_CACHE_ENABLED = False  # every request renders
    _add(content, 0, 2)
    small, html = _render_queries(client, content.topic.url)
    assert html.count("就业季第") == 2  # one pinned, one gathered
    _add(content, 2, 6)
    large, html = _render_queries(client, content.topic.url)
    assert "就业季第7期" in html and "就业季第6期" in html
    assert large == small, (small, large)
    assert large <= 12
