"""Q&A questions in the editorial content: editors feature a question in a slot, hot slots merge the
branch's visible questions with its pages, topics gather questions carrying their tag, and the
topic and category pages send askers to a prefilled question form."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import QuestionStatus, QuestionTag
from community.services import ask_question
from home import selectors
from home.models import CategoryFeaturedItem, CategoryPage, FeaturedItem
from moderation.models import ModerationStatus
from tests.factories import UserFactory
from tests.home.conftest import publish


@pytest.fixture
def asker(tree):
    return UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))


@pytest.fixture
def ask(asker):
    def make(title, *, domain="employment", tags=(), organization=None, views=0, answers=0):
        for name in tags:
            QuestionTag.objects.get_or_create(name=name, defaults={"slug": f"t{QuestionTag.objects.count()}"})
        q = ask_question(asker=asker, title=title, body="我是应届毕业生，想了解具体的办理流程和材料。", domain=domain,
                         tags=list(tags), organization=organization)
        if views or answers:
            type(q).objects.filter(pk=q.pk).update(view_count=views, answer_count=answers)
            q.refresh_from_db()
        return q
    return make


def _set_items(page, *items, slots=3):
    page.featured_items.clear()
    for n, item in enumerate(items):
        item.sort_order = n
        page.featured_items.add(item)
    page.featured_slots = slots
    page.save_revision().publish()
    return page


def _hide(question, how):
    if how == "held":
        type(question).objects.filter(pk=question.pk).update(moderation_status=ModerationStatus.HELD)
    else:
        type(question).objects.filter(pk=question.pk).update(status=QuestionStatus.REMOVED)


def test_editor_features_a_question_on_the_branch_home(content, tree, client, ask):
    q = ask("广州应届生就业见习补贴怎么申请？")
    gz = _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_question=q, summary="专家已作答"), slots=1)
    [item] = selectors.featured_for(gz)
    assert (item.kind, item.source, item.href, item.title) == ("question", "editor", f"/qa/{q.pk}/", q.title)
    html = client.get("/guangzhou/").content.decode()
    assert f'href="/qa/{q.pk}/"' in html and "专家已作答" in html
    body = client.get(f"/api/v2/pages/{gz.pk}/").json()
    assert body["featured_items"][0]["kind"] == "question"
    assert body["featured_items"][0]["link_question_id"] == q.pk
    assert body["featured"][0] == {**body["featured"][0], "kind": "question", "question_id": q.pk,
                                   "href": f"/qa/{q.pk}/", "source": "editor"}


@pytest.mark.parametrize("how", ["held", "removed"])
def test_held_or_removed_featured_question_leaves_its_slot(content, tree, ask, how):
    q = ask("广州应届生就业见习补贴怎么申请？")
    gz = _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_question=q), slots=2)
    _hide(q, how)
    assert all(i.href != f"/qa/{q.pk}/" for i in selectors.featured_for(gz))


def test_featured_item_targets_are_exclusive(content, ask):
    from django.core.exceptions import ValidationError

    q = ask("广州应届生就业见习补贴怎么申请？")
    FeaturedItem(link_question=q).clean()  # a question alone is enough, its title is the default
    assert FeaturedItem(link_question=q).display_title == q.title
    with pytest.raises(ValidationError):
        FeaturedItem(link_question=q, link_page=content.article).clean()
    with pytest.raises(ValidationError):
        FeaturedItem(link_question=q, external_url="https://example.org", title="x").clean()


def test_hot_slots_merge_the_subtree_questions(content, tree, ask):
    hot = ask("天河区实习单位不签合同怎么办？", organization=tree.tianhe, views=500, answers=8)
    held = ask("天河区租房押金不退怎么办？", organization=tree.tianhe, views=900, answers=9)
    _hide(held, "held")
    removed = ask("天河区考研租房哪里便宜？", organization=tree.tianhe, views=900, answers=9)
    _hide(removed, "removed")
    elsewhere = ask("南山区创业补贴怎么申请？", organization=tree.nanshan, views=900, answers=9)
    gz = _set_items(tree.guangzhou.branch.specific, slots=4)
    items = selectors.featured_for(gz)
    assert items[0].kind == "question" and items[0].href == f"/qa/{hot.pk}/" and items[0].source == "hot"
    hrefs = {i.href for i in items}
    assert {f"/qa/{held.pk}/", f"/qa/{removed.pk}/", f"/qa/{elsewhere.pk}/"}.isdisjoint(hrefs)
    assert any(i.kind == "page" for i in items)  # pages still fill the other slots


def test_curated_question_is_not_repeated_by_hot(content, tree, ask):
    q = ask("天河区实习单位不签合同怎么办？", organization=tree.tianhe, views=500, answers=8)
    gz = _set_items(tree.guangzhou.branch.specific, FeaturedItem(link_question=q), slots=6)
    assert [i.href for i in selectors.featured_for(gz)].count(f"/qa/{q.pk}/") == 1


def test_category_page_hot_questions_are_of_its_domain(content, tree, ask, client):
    legal = ask("天河区劳动仲裁怎么申请？", domain="legal", organization=tree.tianhe, views=300, answers=3)
    jobs = ask("天河区有哪些见习岗位？", domain="employment", organization=tree.tianhe, views=300, answers=3)
    page = publish(tree.guangzhou.branch.specific,
                   CategoryPage(title="法律服务", slug="legal", domain="legal", featured_slots=4))
    hrefs = [i.href for i in selectors.featured_for(page)]
    assert f"/qa/{legal.pk}/" in hrefs and f"/qa/{jobs.pk}/" not in hrefs
    page.featured_items.add(CategoryFeaturedItem(link_question=jobs, sort_order=0))
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert f'href="/qa/{jobs.pk}/"' in html  # an editor may still pick any question
    assert 'href="/qa/ask/?domain=legal"' in html


def test_topic_gathers_questions_with_its_tag(content, tree, client, ask):
    tagged = ask("应届生就业季有哪些招聘会？", tags=["广州就业季"])
    held = ask("就业季的招聘会靠谱吗？", tags=["广州就业季"])
    _hide(held, "held")
    untagged = ask("应届生户口怎么迁？")
    html = client.get(content.topic.url).content.decode()
    assert f'href="/qa/{tagged.pk}/"' in html and tagged.title in html
    assert f"/qa/{held.pk}/" not in html and f"/qa/{untagged.pk}/" not in html
    assert content.article.title in html  # the tagged page is still there
    items = selectors.tagged_items("广州就业季")
    assert items[0].title == tagged.title  # newest first: the question was asked after the article
    assert 'href="/qa/ask/?tags=%E5%B9%BF%E5%B7%9E%E5%B0%B1%E4%B8%9A%E5%AD%A3&amp;topic=' in html
    assert "参与议题" in html


def test_ask_form_prefills_tags_and_domain(content, client_for, youth, ask):
    ask("应届生就业季有哪些招聘会？", tags=["广州就业季"])
    c = client_for(youth)
    html = c.get(content.topic.ask_url).content.decode()
    assert 'value="广州就业季" checked' in html or 'checked value="广州就业季"' in html or \
        ('value="广州就业季"' in html and "checked" in html.split('value="广州就业季"')[1][:40])
    html = c.get("/qa/ask/?domain=legal").content.decode()
    assert '<option value="legal" selected>' in html


def _queries(client, url) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_questions(content, tree, client, ask):
    gz = tree.guangzhou.branch.specific
    ask("应届生就业季有哪些招聘会？", tags=["广州就业季"], organization=tree.tianhe, views=10, answers=1)
    first = _set_items(gz, FeaturedItem(link_question=ask("见习补贴怎么领？", organization=tree.tianhe)), slots=6)
    home_before, topic_before = _queries(client, "/guangzhou/"), _queries(client, content.topic.url)
    for n in range(8):
        ask(f"天河区第{n + 2}个就业问题是什么？", tags=["广州就业季"], organization=tree.tianhe, views=n, answers=n)
    _set_items(first, *[FeaturedItem(link_question=q) for q in
                        type(first.featured_items.first().link_question).objects.order_by("-pk")[:3]], slots=6)
    assert _queries(client, "/guangzhou/") == home_before
    assert _queries(client, content.topic.url) == topic_before


def test_featured_item_uses_a_question_chooser(content, tree, ask, client):
    from django.contrib.auth import get_user_model

    q = ask("天河区实习单位不签合同怎么办？", organization=tree.tianhe)
    held = ask("天河区实习押金不退怎么办？", organization=tree.tianhe)
    _hide(held, "held")
    admin = get_user_model().objects.create_superuser("chief", "chief@example.org", "x")
    client.force_login(admin)
    edit = client.get(f"/admin/pages/{tree.guangzhou.branch.pk}/edit/").content.decode()
    assert "/admin/home/question-chooser/" in edit and f'<option value="{q.pk}"' not in edit
    modal = client.get("/admin/home/question-chooser/").json()["html"]
    assert q.title in modal and held.title not in modal
    results = client.get("/admin/home/question-chooser/results/", {"q": "实习"})
    assert results.status_code == 200 and held.title not in results.content.decode()
    chosen = client.get(f"/admin/home/question-chooser/chosen/{q.pk}/").json()
    assert chosen["result"]["title"] == q.title


def test_a_held_question_leaves_cached_pages_at_once(content, tree, client, ask, settings,
                                                   django_capture_on_commit_callbacks):
    from django.core.cache import cache

    settings.YV_PAGE_CACHE_ENABLED = True
    cache.clear()
    q = ask("天河区实习单位不签合同怎么办？", tags=["广州就业季"], organization=tree.tianhe, views=500, answers=8)
    _set_items(tree.guangzhou.branch.specific, slots=4)
    for url in ("/guangzhou/", content.topic.url):
        assert f"/qa/{q.pk}/" in client.get(url).content.decode()
        assert client.get(url)["X-YV-Cache"] == "hit"
    q.moderation_status = ModerationStatus.HELD  # as moderation.services.decide saves it
    with django_capture_on_commit_callbacks(execute=True):
        q.save(update_fields=["moderation_status"])
    for url in ("/guangzhou/", content.topic.url):
        assert f"/qa/{q.pk}/" not in client.get(url).content.decode()
