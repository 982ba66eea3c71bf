"""Editorial content under the Guangzhou and Shenzhen branches of the shared test tree."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from home.models import (
    ActivityIndexPage,
    ActivityPage,
    ArticleIndexPage,
    ArticlePage,
    ContestCandidate,
    ContestIndexPage,
    ContestPage,
    OfferIndexPage,
    OfferPage,
    TopicIndexPage,
    TopicPage,
)


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@dataclass
class Content:
    gz_articles: ArticleIndexPage
    gz_activities: ActivityIndexPage
    gz_contests: ContestIndexPage
    article: ArticlePage
    activity: ActivityPage
    contest: ContestPage
    offer: OfferPage
    topic: TopicPage
    sz_article: ArticlePage


def make_activity(index, *, capacity=10, days=10, deadline_days=None, slug="act", **kw):
    now = timezone.now()
    return publish(index, ActivityPage(
        title=kw.pop("title", "青年志愿服务行动"), slug=slug, starts_at=now + timedelta(days=days), location="广州市青少年宫",
        capacity=capacity, signup_enabled=True,
        signup_deadline=None if deadline_days is None else now + timedelta(days=deadline_days), **kw))


def make_contest(index, *, opens=-1, closes=5, visibility="always", slug="contest"):
    now = timezone.now()
    contest = ContestPage(title="最美青年推选", slug=slug, voting_starts_at=now + timedelta(days=opens),
                          voting_ends_at=now + timedelta(days=closes), results_visibility=visibility)
    contest.candidates.add(ContestCandidate(name="林晓彤", sort_order=0))
    contest.candidates.add(ContestCandidate(name="陈柏宇", sort_order=1))
    return publish(index, contest)


@pytest.fixture
def content(tree) -> Content:
    gz = tree.guangzhou.branch.specific
    sz = tree.shenzhen.branch.specific
    articles = publish(gz, ArticleIndexPage(title="团青资讯", slug="news"))
    activities = publish(gz, ActivityIndexPage(title="主题活动", slug="activities"))
    contests = publish(gz, ContestIndexPage(title="推优评选", slug="contests"))
    offers = publish(gz, OfferIndexPage(title="青年优惠", slug="offers"))
    topics = publish(gz, TopicIndexPage(title="议题设置", slug="topics"))
    article = ArticlePage(title="广州启动青年之声服务周", slug="week", summary="集中服务一周", domain="legal")
    article.tags.add("广州就业季")
    article = publish(articles, article)
    activity = make_activity(activities)
    contest = make_contest(contests)
    offer = publish(offers, OfferPage(title="青年文化场馆优惠", slug="museum", provider="广州市文化广电旅游局",
                                      how_to_redeem="<p>出示身份证</p>"))
    topic = publish(topics, TopicPage(title="广州青年就业季", slug="jobs", intro="说说你的求职困惑", tag="广州就业季"))
    sz_articles = publish(sz, ArticleIndexPage(title="深圳资讯", slug="news"))
    sz_article = publish(sz_articles, ArticlePage(title="深圳青年创业大赛开幕", slug="contest-news"))
    return Content(articles, activities, contests, article, activity, contest, offer, topic, sz_article)


@pytest.fixture
def activity(tree) -> ActivityPage:
    """One activity (capacity 10) in Guangzhou's activity index — lighter than `content`."""
    index = publish(tree.guangzhou.branch.specific, ActivityIndexPage(title="主题活动", slug="activities"))
    return make_activity(index)


@pytest.fixture
def contest(tree) -> ContestPage:
    """An open contest (results always visible) with two candidates in Guangzhou's contest index."""
    index = publish(tree.guangzhou.branch.specific, ContestIndexPage(title="推优评选", slug="contests"))
    return make_contest(index)


@pytest.fixture
def root_collection(db):
    """Transactional tests flush Wagtail's root collection from a reused database; images need it."""
    from wagtail.models import Collection

    return Collection.get_first_root_node() or Collection.add_root(name="Root")


@pytest.fixture(autouse=True)
def _skip_search_indexing(monkeypatch):
    """Publishing pages re-indexes them for search (a task per save); that is the search app's
    concern and about a quarter of the cost of every page these tests publish."""
    import modelsearch.signal_handlers as handlers

    class _NoIndex:
        @staticmethod
        def enqueue(*args, **kwargs):
            return None

    monkeypatch.setattr(handlers, "insert_or_update_object_task", _NoIndex)
