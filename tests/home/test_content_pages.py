"""Editorial pages render, topics gather tagged content, the API v2 shows every type with its state."""

from home import selectors


def test_every_page_type_renders(content, client):
    for page, text in [(content.article, "广州启动青年之声服务周"), (content.activity, "广州市青少年宫"),
                       (content.contest, "林晓彤"), (content.offer, "出示身份证"), (content.topic, "说说你的求职困惑"),
                       (content.gz_articles, "广州启动青年之声服务周")]:
        r = client.get(page.url)
        assert r.status_code == 200, page
        assert text in r.content.decode()


def test_topic_gathers_tagged_pages_and_invites_posts(content, client):
    html = client.get(content.topic.url).content.decode()
    assert "广州启动青年之声服务周" in html  # tagged 广州就业季
    assert "深圳青年创业大赛开幕" not in html
    assert "/qa/ask/?tags=" in html
    assert [p.pk for p in selectors.tagged_items("广州就业季")] == [content.article.pk]
    assert selectors.tagged_items("") == []


def test_api_v2_lists_activities_with_signup_state(content, client):
    r = client.get("/api/v2/pages/", {"type": "home.ActivityPage", "fields": "*"})
    assert r.status_code == 200
    (item,) = r.json()["items"]
    assert item["location"] == "广州市青少年宫"
    assert item["signup"]["state"] == "open" and item["signup"]["capacity"] == 10 and item["signup"]["taken"] == 0


def test_api_v2_contest_and_offer_fields(content, client):
    r = client.get(f"/api/v2/pages/{content.contest.pk}/")
    body = r.json()
    assert [c["name"] for c in body["candidates"]] == ["林晓彤", "陈柏宇"]
    assert body["voting"]["state"] == "open"
    r = client.get(f"/api/v2/pages/{content.offer.pk}/")
    assert r.json()["provider"] == "广州市文化广电旅游局" and r.json()["is_valid"] is True


def test_api_v2_filters_by_branch(content, tree, client):
    r = client.get("/api/v2/pages/", {"type": "home.ArticlePage", "branch": "shenzhen"})
    assert [i["title"] for i in r.json()["items"]] == ["深圳青年创业大赛开幕"]
    r = client.get("/api/v2/pages/", {"type": "home.ArticlePage", "branch": tree.guangzhou.pk})
    assert [i["title"] for i in r.json()["items"]] == ["广州启动青年之声服务周"]
    assert client.get("/api/v2/pages/", {"branch": "atlantis"}).status_code == 400


def test_stream_field_images_leave_the_api_as_renditions(content, client, root_collection):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="配图", file=get_test_image_file())
    article = content.article
    article.body = [("image", {"image": image, "caption": "服务周现场"}), ("quote", {"text": "有回应", "source": ""})]
    article.save_revision().publish()
    body = client.get(f"/api/v2/pages/{article.pk}/").json()["body"]
    assert body[0]["value"]["image"]["url"].startswith("/media/images/")
    assert body[0]["value"]["image"]["width"] > 0
    assert body[1]["value"]["text"] == "有回应"
    html = client.get(article.url).content.decode()
    assert "服务周现场" in html and "有回应" in html


def test_page_view_beacon_counts(content, client):
    from home.models import PageStats

    url = f"/api/content/pages/{content.article.pk}/view"
    assert client.post(url, REMOTE_ADDR="10.0.0.1").status_code == 204
    assert client.post(url, REMOTE_ADDR="10.0.0.1").status_code == 204  # the same visitor again: not counted
    assert client.post(url, REMOTE_ADDR="10.0.0.2").status_code == 204
    assert PageStats.objects.get(page_id=content.article.pk).views == 2
    assert client.post("/api/content/pages/999999/view").status_code == 404


def test_headless_preview_serves_the_draft(content, client, settings):
    from home.models import ArticlePage

    draft = ArticlePage.objects.get(pk=content.article.pk)
    draft.title = "草稿标题"
    preview = draft.create_page_preview()
    r = client.get("/api/v2/page_preview/", {"content_type": "home.articlepage", "token": preview.token})
    assert r.status_code == 200 and r.json()["title"] == "草稿标题"
    assert client.get("/api/v2/page_preview/", {"content_type": "home.articlepage", "token": "forged"}).status_code == 404
    assert client.get("/api/v2/page_preview/", {"content_type": "nonsense", "token": "x"}).status_code == 404
    assert client.get(content.article.url).content.decode().count("草稿标题") == 0  # the live page is unchanged


def test_a_page_shows_its_tags_from_the_cache_and_a_renamed_tag_at_once(content, client, settings,
                                                                         django_capture_on_commit_callbacks,
                                                                         django_assert_num_queries):
    """The tags are cached with the editorial generation: a render reads no tag table, and renaming
    a tag in the admin (no page is published) still shows the new name on the next visit."""
    from taggit.models import Tag

    settings.YV_PAGE_CACHE_ENABLED = True
    assert "#广州就业季" in client.get(content.article.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        tag = Tag.objects.get(name="广州就业季")
        tag.name = "广州青年就业季"
        tag.save()
    html = client.get(content.article.url).content.decode()
    assert "#广州青年就业季" in html and "#广州就业季" not in html
    settings.YV_PAGE_CACHE_ENABLED = False
    client.get(content.article.url)
    with django_assert_num_queries(1):  # the page itself; its tags and its branch bar come from the cache
        assert "#广州青年就业季" in client.get(content.article.url).content.decode()


def test_the_preview_shows_the_drafts_tags(content):
    article = content.article
    article.tags.add("草稿标签")  # in the draft only: not saved
    html = article.make_preview_request().content.decode()
    assert "#草稿标签" in html
    assert "#草稿标签" not in selectors.page_tags(article)


def test_an_activity_shows_its_seats_from_the_routing_query(content, client, settings, youth,
                                                           django_assert_num_queries):
    """The seat counter comes with the page (joined), fresh on every render: a sign-up shows at once."""
    import re

    from home import services

    def places(html):
        return re.search(r"<dd>([^<]*10[^<]*)</dd>", html).group(1)

    settings.YV_PAGE_CACHE_ENABLED = False
    url = content.activity.url
    client.get(url)
    with django_assert_num_queries(1):
        before = places(client.get(url).content.decode())
    services.sign_up(actor=youth, activity_id=content.activity.pk, name="小李", phone="13800000000")
    after = places(client.get(url).content.decode())
    assert "0" in before.replace("10", "") and "1" in after.replace("10", ""), (before, after)


def test_a_branch_pages_cards_show_each_kinds_line(content, client, settings):
    """Each card shows its kind's line (a topic's tag, an activity's time and place, an offer's
    provider, an article's date and summary), chosen by `card_kind` rather than by probing fields."""
    import re

    from home.templatetags.yv_cards import card_kind

    assert [card_kind(p) for p in (content.topic, content.activity, content.offer, content.article,
                                   selectors.QuestionCard(pk=1, title="", url="", summary="", date=None,
                                                          answer_count=0))] == [
        "topic", "activity", "offer", "page", "question"]
    settings.YV_PAGE_CACHE_ENABLED = False
    html = client.get(content.article.get_parent().get_parent().url).content.decode()
    cards = " ".join(re.sub(r"<[^>]+>", " ", card) for card in re.findall(r'<article class="page-card">.*?</article>', html, re.S))
    for text in ("#广州就业季", "广州市青少年宫", "广州市文化广电旅游局", "集中服务一周", "说说你的求职困惑"):
        assert text in cards, text
