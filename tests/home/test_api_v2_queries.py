"""/api/v2/pages/?fields=* answers in a constant number of queries whatever the limit (issue 23)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import ArticlePage, OfferPage

from .conftest import make_activity, make_contest, publish


@pytest.fixture
def many(content):
    for i in range(6):
        article = ArticlePage(title=f"服务周第{i}场", slug=f"week-{i}")
        article.tags.add("广州就业季", f"第{i}场")
        publish(content.gz_articles, article)
        make_activity(content.gz_activities, slug=f"act-{i}")
        make_contest(content.gz_contests, slug=f"contest-{i}")
        publish(content.offer.get_parent(), OfferPage(title=f"优惠{i}", slug=f"offer-{i}", provider="广州市青少年宫",
                                                                      how_to_redeem="<p>出示团员证</p>"))
    return content


@pytest.mark.parametrize("params", [
    {"fields": "*"}, {}, {"type": "home.ArticlePage", "fields": "*"}, {"type": "home.ActivityPage", "fields": "*"},
    {"type": "home.ContestPage", "fields": "*"}, {"type": "home.OfferPage", "fields": "*"},
])
def test_page_listing_queries_do_not_grow_with_the_limit(many, client, settings, params):
    settings.YV_PAGE_CACHE_ENABLED = False
    counts = {}
    for limit in (2, 6):
        client.get("/api/v2/pages/", {**params, "limit": limit})  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/api/v2/pages/", {**params, "limit": limit})
        assert r.status_code == 200, r.content[:300]
        assert len(r.json()["items"]) == limit
        counts[limit] = [q["sql"][:120] for q in ctx.captured_queries]
    assert len(counts[2]) == len(counts[6]), "\n".join(counts[6])


def test_page_detail_in_three_queries_and_as_wagtail_shows_it(content, client, settings):
    """/api/v2/pages/<id>/ reads the page's type from the cache and the specific page in one query,
    the parent in one (home.api_v2): what it shows is what Wagtail's own way shows; an unpublished or
    restricted page is still a 404."""
    from wagtail.models import PageViewRestriction

    settings.YV_PAGE_CACHE_ENABLED = False
    url = f"/api/v2/pages/{content.article.pk}/"
    client.get(url)  # the type cached
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    assert len(ctx.captured_queries) <= 3, "\n".join(q["sql"][:120] for q in ctx.captured_queries)
    body = r.json()
    assert body["meta"]["type"] == "home.ArticlePage" and body["meta"]["parent"]["id"] == content.gz_articles.pk
    assert body["meta"]["parent"]["meta"]["type"] == "home.ArticleIndexPage"
    assert client.get(url, {"fields": "title"}).json() == body  # a parameter takes Wagtail's own way

    restriction = PageViewRestriction.objects.create(page=content.article, restriction_type="login")
    assert client.get(url).status_code == 404
    restriction.delete()
    assert client.get(url).status_code == 200
    content.article.unpublish()
    assert client.get(url).status_code == 404
    assert client.get("/api/v2/pages/987654/").status_code == 404


def test_a_detail_reads_one_query_and_shows_a_renamed_parent_at_once(content, client, settings,
                                                                    django_assert_num_queries):
    """The page in one query; its parent and tags from the cache, under the editorial generation:
    publishing the parent under a new title shows at once."""
    settings.YV_PAGE_CACHE_ENABLED = False
    url = f"/api/v2/pages/{content.article.pk}/"
    client.get(url)
    with django_assert_num_queries(1):
        data = client.get(url).json()
    assert data["meta"]["parent"]["title"] == "团青资讯" and data["tag_names"] == ["广州就业季"]
    # the parent's address as the caller reaches the site, like the page's own
    assert data["meta"]["html_url"].startswith("http://testserver/")
    assert data["meta"]["parent"]["meta"]["html_url"] == f"http://testserver{content.gz_articles.url}"
    index = content.gz_articles.specific
    index.title = "广州团青资讯"
    index.save_revision().publish()
    assert client.get(url).json()["meta"]["parent"]["title"] == "广州团青资讯"
