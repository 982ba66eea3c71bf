"""Featured slots: editors' items in their display window first, hot content of the branch in the
empty slots; category pages by domain; the slots in the Wagtail API v2."""

from datetime import timedelta

from django.utils import timezone
from freezegun import freeze_time

from home import selectors, services
from home.models import CategoryPage, FeaturedItem
from tests.home.conftest import publish


def _set_items(page, *items, slots=3):
    page.featured_items.clear()
    for n, item in enumerate(items):
        item.sort_order = n
        page.featured_items.add(item)
    page.featured_slots = slots
    page.save_revision().publish()
    return page


def test_empty_slots_fall_back_to_hot_items_of_the_branch(content, tree):
    gz = _set_items(tree.guangzhou.branch.specific,
                    FeaturedItem(external_url="https://example.org/v", title="注册志愿者"), slots=3)
    for _ in range(5):
        services.record_view(page_id=content.offer.pk)
    items = selectors.featured_for(gz)
    assert len(items) == 3
    assert items[0].title == "注册志愿者" and items[0].source == "editor" and items[0].kind == "link"
    assert items[1].page_id == content.offer.pk and items[1].source == "hot"  # most viewed first
    hot_ids = {i.page_id for i in items[1:]}
    assert content.sz_article.pk not in hot_ids  # another branch's content never fills this branch's slots


def test_editor_items_fill_every_slot_without_hot(content, tree):
    gz = _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_page=content.activity),
                    FeaturedItem(link_page=content.contest), slots=2)
    items = selectors.featured_for(gz)
    assert [i.page_id for i in items] == [content.activity.pk, content.contest.pk]
    assert all(i.source == "editor" for i in items)
    assert items[0].href == content.activity.url


def test_hot_item_already_curated_is_not_repeated(content, tree):
    gz = _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_page=content.offer), slots=6)
    ids = [i.page_id for i in selectors.featured_for(gz)]
    assert ids.count(content.offer.pk) == 1


def test_display_window(content, tree):
    now = timezone.now()
    gz = _set_items(tree.guangzhou.branch.specific,
                    FeaturedItem(link_page=content.activity, starts_at=now + timedelta(days=1),
                                 ends_at=now + timedelta(days=3)),
                    FeaturedItem(link_page=content.contest, ends_at=now - timedelta(minutes=1)), slots=1)
    first = selectors.featured_for(gz)[0]
    assert first.source == "hot"  # neither editor item is showing now
    with freeze_time(now + timedelta(days=2)):
        first = selectors.featured_for(gz)[0]
        assert first.page_id == content.activity.pk and first.source == "editor"
    with freeze_time(now + timedelta(days=3)):
        assert selectors.featured_for(gz)[0].source == "hot"  # the end is exclusive


def test_unpublished_page_leaves_its_slot(content, tree):
    gz = _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_page=content.article), slots=1)
    content.article.unpublish()
    assert all(i.page_id != content.article.pk for i in selectors.featured_for(gz))


def test_category_page_hot_items_are_of_its_domain(content, tree):
    gz = tree.guangzhou.branch.specific
    legal = publish(gz, CategoryPage(title="法律服务", slug="legal", domain="legal", featured_slots=4))
    items = selectors.featured_for(legal)
    assert [i.page_id for i in items] == [content.article.pk]  # the only legal page


def test_home_page_renders_featured_and_sections(content, tree, client):
    _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_page=content.activity, summary="名额有限"), slots=4)
    html = client.get("/guangzhou/").content.decode()
    assert "名额有限" in html and "青年志愿服务行动" in html
    assert "团青资讯" in html and "广州启动青年之声服务周" in html  # latest news section
    assert "共青团广州市天河区委员会" in html or "天河区" in html  # sub-branches still listed


def test_api_v2_home_detail_has_its_slot_items(content, tree, client):
    home = tree.province.branch.specific
    _set_items(home, FeaturedItem(external_url="https://example.org/a", title="省级精品", summary="摘要"), slots=2)
    body = client.get(f"/api/v2/pages/{home.pk}/").json()
    assert body["meta"]["type"] == "home.HomePage"
    assert body["featured_slots"] == 2
    assert body["featured_items"][0]["display_title"] == "省级精品"
    assert body["featured_items"][0]["kind"] == "link"
    featured = body["featured"]
    assert featured[0] == {**featured[0], "title": "省级精品", "source": "editor", "href": "https://example.org/a"}
    assert len(featured) == 2 and featured[1]["source"] == "hot"


def test_featured_item_needs_exactly_one_target(content):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        FeaturedItem(title="x").clean()
    with pytest.raises(ValidationError):
        FeaturedItem(link_page=content.article, external_url="https://example.org").clean()
    with pytest.raises(ValidationError):
        FeaturedItem(external_url="https://example.org").clean()  # an external link needs a title
    FeaturedItem(link_page=content.article).clean()
