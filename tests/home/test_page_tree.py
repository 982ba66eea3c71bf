"""The page tree as the models declare it (issue 24, point 5): for every page type its allowed parents and
children, where an editor can create it (and where not: never at the root, never under a page it does not
belong to), the one-per-branch indexes, and that a page of each type routes and renders.

    root (wagtailcore.Page)
    └── HomePage (the province's branch; made with the site, max 1)
        ├── BranchHomePage (one per organisation, made by organizations.services.create_organization)
        │   └── … (a branch holds what the home page holds)
        ├── ArticleIndexPage → ArticlePage      ┐
        ├── ActivityIndexPage → ActivityPage    │ ListingPage (abstract): one of each per branch
        ├── ContestIndexPage → ContestPage      │
        ├── OfferIndexPage → OfferPage          │
        ├── TopicIndexPage → TopicPage          ┘
        ├── CategoryPage (one per service domain)
        ├── StationIndexPage → StationPage (one index per branch)
        └── AllianceIndexPage → AlliancePage (one index per branch)

ContentPage is the concrete base of the four content types and is never created itself."""

from wagtail.models import Page, get_page_models
from wagtail.test.utils import WagtailPageTestCase

from alliances.models import AllianceIndexPage, AlliancePage
from core.domains import ServiceDomain
from home.models import (
    ActivityIndexPage,
    ActivityPage,
    ArticleIndexPage,
    ArticlePage,
    BranchHomePage,
    CategoryPage,
    ContentPage,
    ContestIndexPage,
    ContestPage,
    HomePage,
    ListingPage,
    OfferIndexPage,
    OfferPage,
    TopicIndexPage,
    TopicPage,
)
from stations.models import StationIndexPage, StationPage
from tests.alliances.conftest import make_alliance
from tests.conftest import build_tree
from tests.home.conftest import make_activity, make_contest, publish
from tests.stations.conftest import make_station

BRANCHES = {HomePage, BranchHomePage}
INDEXES = {  # index page -> the one page type it lists
    ArticleIndexPage: ArticlePage,
    ActivityIndexPage: ActivityPage,
    ContestIndexPage: ContestPage,
    OfferIndexPage: OfferPage,
    TopicIndexPage: TopicPage,
    StationIndexPage: StationPage,
    AllianceIndexPage: AlliancePage,
}
UNDER_A_BRANCH = {*INDEXES, CategoryPage}  # what an editor adds to a branch
LEAVES = {*INDEXES.values()}
PROJECT_TYPES = BRANCHES | UNDER_A_BRANCH | LEAVES | {ContentPage}


class PageTreeRules(WagtailPageTestCase):
    """Type-level rules: no database needed beyond Wagtail's content types."""

    def test_every_page_type_of_the_project_is_covered(self):
        self.assertEqual({m for m in get_page_models() if m is not Page}, PROJECT_TYPES)
        self.assertTrue(ListingPage._meta.abstract)  # covered through its five index pages

    def test_only_the_home_page_may_hang_on_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        for model in PROJECT_TYPES - {HomePage, ContentPage}:
            self.assertCanNotCreateAt(Page, model)
        self.assertEqual(Page.creatable_subpage_models(), [])  # and the home page is made with the site
        self.assertFalse(HomePage.is_creatable)
        self.assertEqual(HomePage.max_count, 1)

    def test_branches(self):
        self.assertAllowedParentPageTypes(BranchHomePage, BRANCHES)
        for parent in BRANCHES:
            # a branch holds its sub-branches, the indexes and the category pages; only the base types
            # Page and ContentPage (never creatable) are also allowed by the type rules
            self.assertAllowedSubpageTypes(parent, UNDER_A_BRANCH | {BranchHomePage, ContentPage, Page})
            self.assertEqual(set(parent.creatable_subpage_models()), UNDER_A_BRANCH)
            for leaf in LEAVES:
                self.assertCanNotCreateAt(parent, leaf)
        # branches come with their organisation (organizations.services.create_organization), not the editor
        self.assertFalse(BranchHomePage.is_creatable)

    def test_indexes_and_category_pages_hang_on_branches(self):
        for model in UNDER_A_BRANCH:
            self.assertAllowedParentPageTypes(model, BRANCHES)
            self.assertTrue(model.is_creatable)
            for parent in BRANCHES:
                self.assertCanCreateAt(parent, model)
            for other in UNDER_A_BRANCH | LEAVES:
                self.assertCanNotCreateAt(other, model)
        for index in INDEXES:
            self.assertEqual(index.max_count_per_parent, 1)
        self.assertEqual(CategoryPage.max_count_per_parent, len(ServiceDomain.choices))
        self.assertAllowedSubpageTypes(CategoryPage, set())

    def test_each_index_lists_one_page_type_and_leaves_have_no_children(self):
        for index, leaf in INDEXES.items():
            self.assertAllowedSubpageTypes(index, {leaf})
            self.assertAllowedParentPageTypes(leaf, {index})
            self.assertCanCreateAt(index, leaf)
            self.assertTrue(leaf.is_creatable)
            for other_index in set(INDEXES) - {index}:
                self.assertCanNotCreateAt(other_index, leaf)
            for parent in BRANCHES | {Page}:
                self.assertCanNotCreateAt(parent, leaf)
            self.assertAllowedSubpageTypes(leaf, set())

    def test_content_page_is_only_a_base(self):
        self.assertFalse(ContentPage.is_creatable)
        self.assertAllowedSubpageTypes(ContentPage, set())
        for parent in BRANCHES | set(INDEXES):
            self.assertNotIn(ContentPage, parent.creatable_subpage_models())


class PageTreeInstances(WagtailPageTestCase):
    """The tree of tests/conftest.py with one page of each type: the per-parent limits, and that each
    page routes and renders."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = build_tree()
        cls.home = HomePage.objects.get()
        cls.gz = BranchHomePage.objects.get(organization=cls.tree.guangzhou)
        cls.articles = publish(cls.gz, ArticleIndexPage(title="团青资讯", slug="news"))
        cls.activities = publish(cls.gz, ActivityIndexPage(title="主题活动", slug="activities"))
        cls.contests = publish(cls.gz, ContestIndexPage(title="推优评选", slug="contests"))
        cls.offers = publish(cls.gz, OfferIndexPage(title="青年优惠", slug="offers"))
        cls.topics = publish(cls.gz, TopicIndexPage(title="议题设置", slug="topics"))
        cls.category = publish(cls.gz, CategoryPage(title="法律服务", slug="legal", domain="legal"))
        cls.article = publish(cls.articles, ArticlePage(title="广州启动青年之声服务周", slug="week"))
        cls.activity = make_activity(cls.activities)
        cls.contest = make_contest(cls.contests)
        cls.offer = publish(cls.offers, OfferPage(title="青年文化场馆优惠", slug="museum", provider="广州市文化广电旅游局",
                                                  how_to_redeem="<p>出示身份证</p>"))
        cls.topic = publish(cls.topics, TopicPage(title="广州青年就业季", slug="jobs", intro="说说你的求职困惑", tag="就业"))
        cls.station = StationPage.objects.get(pk=make_station(cls.tree.tianhe).pk)
        cls.alliance = make_alliance(cls.tree.guangzhou)
        cls.alliance.save_revision().publish()

    def test_one_index_of_each_kind_per_branch(self):
        for index in (ArticleIndexPage, ActivityIndexPage, ContestIndexPage, OfferIndexPage, TopicIndexPage,
                      AllianceIndexPage):
            self.assertFalse(index.can_create_at(self.gz), index)  # the Guangzhou branch has one
            self.assertTrue(index.can_create_at(self.home), index)  # the province has none yet
        self.assertFalse(StationIndexPage.can_create_at(self.station.get_parent()))  # a station index, not a branch
        self.assertTrue(CategoryPage.can_create_at(self.gz))  # one per domain: more than one per branch
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))  # the one home page exists
        self.assertFalse(BranchHomePage.can_create_at(self.gz))

    def test_every_page_routes_and_renders(self):
        pages = [self.home, self.gz, self.articles, self.activities, self.contests, self.offers, self.topics,
                 self.category, self.article, self.activity, self.contest, self.offer, self.topic,
                 self.station, self.station.get_parent().specific, self.alliance, self.alliance.get_parent().specific]
        self.assertEqual({type(p) for p in pages}, PROJECT_TYPES - {ContentPage})
        for page in pages:
            with self.subTest(page=type(page).__name__):
                self.assertPageIsRoutable(page)
                self.assertPageIsRenderable(page)
