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


def test_uncached_topic_render_shows_each_change_at_once(content, tree, client, settings,
                                                         django_capture_on_commit_callbacks):
    """The topic's pages and questions are kept in the shared cache between renders
    (home.selectors.TaggedFeed): a publish, a new tagged question, an answer count and a moderation
    decision still show on the next render."""
    from community.models import QuestionTag
    from community.services import ask_question
    from moderation.models import ModerationStatus
    from tests.factories import UserFactory

    settings.YV_PAGE_CACHE_ENABLED = False  # every request renders
    url = content.topic.url
    html = client.get(url).content.decode()
    assert content.article.title in html
    QuestionTag.objects.get_or_create(name="广州就业季", defaults={"slug": "gz-jobs"})
    with django_capture_on_commit_callbacks(execute=True):
        q = ask_question(asker=UserFactory(organization=tree.tianhe), title="应届生就业季有哪些招聘会？",
                         body="想了解招聘会的时间和地点。", domain="employment", tags=["广州就业季"])
    html = client.get(url).content.decode()
    assert f'href="/qa/{q.pk}/"' in html

    with django_capture_on_commit_callbacks(execute=True):  # a new tagged article
        article = ArticlePage(title="就业季新一期招聘会", slug="jobs-new", summary="招聘会")
        article.tags.add("广州就业季")
        publish(content.gz_articles, article)
    assert "就业季新一期招聘会" in client.get(url).content.decode()

    q.moderation_status = ModerationStatus.HELD  # as moderation.services.decide saves it
    with django_capture_on_commit_callbacks(execute=True):
        q.save(update_fields=["moderation_status"])
    html = client.get(url).content.decode()
    assert f"/qa/{q.pk}/" not in html and "就业季新一期招聘会" in html

    with django_capture_on_commit_callbacks(execute=True):  # unpublished: gone at once
        article.unpublish()
    assert "就业季新一期招聘会" not in client.get(url).content.decode()
