"""The unified search with big sources (issue 23, session 10: 10⁶ questions, 2.4M answers).

A source with at least YV_SEARCH_PROBE_WINDOW index entries takes the bounded path: its probe walks
its newest entries testing each one, then (for a word not frequent there) reads its matches through
its own partial GIN index (yvsearch.0005); its candidates are ranked and counted in one statement
(``top_refs``); the small sources beside it are still searched in one statement (``ranked_visible``
with ``partial``). Each of these gives what Wagtail's own ranking and count give."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import Answer, Question
from community.services import answer_question, ask_question
from organizations.models import StaffRole
from tests.factories import UserFactory
from tests.search.test_api import content  # noqa: F401 - the pages and experts fixture

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bounded path is PostgreSQL's")


@pytest.fixture
def qa(tree, make_staff, django_capture_on_commit_callbacks):
    asker = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    staff = make_staff(tree.guangzhou, StaffRole.LIAISON)
    questions = [ask_question(asker=asker, title=f"创业补贴第{i}问：广州怎么申请", body="想了解创业担保贷款和补贴",
                              domain="entrepreneurship" if i % 2 else "employment") for i in range(9)]
    questions.append(ask_question(asker=asker, title="心理咨询预约", body="学校的心理咨询怎么预约", domain="psychology"))
    with django_capture_on_commit_callbacks(execute=True):  # answers are indexed on commit
        answers = [answer_question(actor=staff, question=q, body=f"创业补贴可以在线申请，第{i}种办法")
                   for i, q in enumerate(questions[:6])]
        answers.append(answer_question(actor=staff, question=questions[-1], body="心理咨询可以在青年之家预约"))
    Answer.objects.filter(pk=answers[1].pk).update(is_removed=True)
    return questions, answers


def _page(q, **kwargs):
    from search import selectors

    page = selectors.unified_search(q=q, limit=50, **kwargs)
    return ([(h.type, h.id, h.title_html, h.snippet_html, h.url, round(h.score, 9)) for h in page.hits],
            dict(page.facets), page.total, page.partial, page.total_more)


@pytest.mark.parametrize("q", ["创业", "创业 补贴", "心理咨询", "广州 创业 没有这个词"])
@pytest.mark.parametrize("window,probe", [(3, 4), (3, 1000), (12, 4), (12, 1000), (30000, 4)])
def test_the_bounded_path_gives_what_wagtails_ranking_gives(content, qa, tree, q, window, probe, settings,  # noqa: F811
                                                             monkeypatch):
    """Window 3: every source is big (probe, one ranking statement each); 12: pages and questions big,
    experts and answers small (one statement for those beside the bounded path for the others).
    Against the path before it: Wagtail's ranked query and count per source."""
    from search import selectors

    settings.YV_SEARCH_PROBE_WINDOW = window
    settings.YV_SEARCH_PROBE_SAMPLE = 2
    settings.YV_SEARCH_PROBE = probe
    settings.YV_SEARCH_RANK_CANDIDATES = 3
    settings.YV_SEARCH_COUNT_LIMIT = 3
    filters = [{}, {"branch": tree.guangzhou}, {"domain": "entrepreneurship"}, {"types": ["question"]}, {"offset": 2}]
    with CaptureQueriesContext(connection) as ctx:
        now = [_page(q, **f) for f in filters]
    now_queries = len(ctx.captured_queries)
    backend = selectors.get_search_backend()
    monkeypatch.setattr(type(backend), "ranked_visible", lambda self, searches, take, partial=False: None)
    monkeypatch.setattr(selectors, "_top_refs", lambda search, take: None)
    with CaptureQueriesContext(connection) as ctx:
        before = [_page(q, **f) for f in filters]
    assert now == before
    assert now_queries < len(ctx.captured_queries)


def test_a_big_sources_ranking_and_count_are_one_statement(content, qa, settings):  # noqa: F811
    """Questions big (a frequent word: the newest candidates ranked, "3+"), answers big with a rare
    word (every match): per big source the probe's walk (and its GIN step when the word is rare
    there) and then one statement; no object of a source is loaded but those shown."""
    from search import selectors

    settings.YV_SEARCH_PROBE_WINDOW = 3
    settings.YV_SEARCH_PROBE_SAMPLE = 2
    settings.YV_SEARCH_PROBE = 4
    settings.YV_SEARCH_RANK_CANDIDATES = 3
    settings.YV_SEARCH_COUNT_LIMIT = 3
    selectors.unified_search(q="创业")  # the sources' sizes are remembered
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.unified_search(q="创业", types=["question", "answer"])
    assert page.facets["question"] == 3 and page.facets["question"].more
    sql = [c["sql"] for c in ctx.captured_queries]
    ranking = [s for s in sql if "WITH ORDINALITY" in s]
    assert len(ranking) == 4  # one per source with matches: pages, experts, questions, answers (no station)
    # the questions' objects are loaded once, by the presentation, not by the ranking
    assert sum(s.startswith('SELECT "community_question"."id", "community_question"."moderation_status"')
               for s in sql) == 1


def test_the_window_walk_tests_each_entry_and_big_sources_have_their_own_gin(content, qa, settings):  # noqa: F811
    """The newest-entries walk must not AND the whole table's GIN bitmap with its range (370,000
    entries for 心理咨询 at 3.4M: 150–175 ms): its vector is a CASE (an entry without a title is its
    body) that no index matches. The GIN step of a big source has a partial index of its own (yvsearch.0005)."""
    from search import selectors

    settings.YV_SEARCH_PROBE_WINDOW = 3
    settings.YV_SEARCH_PROBE_SAMPLE = 2
    with CaptureQueriesContext(connection) as ctx:
        selectors.unified_search(q="心理咨询", types=["answer"])
    walks = [c["sql"] for c in ctx.captured_queries if " BETWEEN COALESCE((SELECT e.id" in c["sql"]]
    assert walks and all('ELSE ("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") END @@'
                         in s for s in walks)
    # the migration's indexes, built again for this database's content type ids (a test flush
    # re-creates the content types under new ids; the test transaction puts the originals back)
    migration = importlib.import_module("search.migrations.0005_indexentry_big_source_gin")
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events: an index may be built
        for model in (Question, Answer):
            cur.execute(f"DROP INDEX IF EXISTS yvsearch_indexentry_{model._meta.model_name}_gin")
        with connection.schema_editor(atomic=False) as editor:
            migration.create(global_apps, editor)
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'yvsearch_indexentry_%%_gin'")
        found = dict(cur.fetchall())
    for model in (Question, Answer):
        ct = ContentType.objects.get_for_model(model)
        definition = found[f"yvsearch_indexentry_{model._meta.model_name}_gin"]
        assert "gin (((title || body)))" in definition and f"WHERE (content_type_id = {ct.pk})" in definition


@pytest.fixture
def many_questions(tree):
    asker = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    return [ask_question(asker=asker, title=f"第{i}个问题：{'创业' if i % 3 == 0 else '就业'}怎么办",
                         body="想了解一下" + ("补贴" if i % 7 == 0 else "政策"), domain="employment")
            for i in range(40)]


@pytest.mark.parametrize("window,sample", [(10, 3), (25, 5), (30000, 5000)])
@pytest.mark.parametrize("probe", [2, 20])
@pytest.mark.parametrize("q", ["创业", "就业", "创业 补贴", "心理"])
def test_the_probe_gives_the_newest_matches(many_questions, window, sample, probe, q, settings):
    """Whatever the sample, window and probe sizes — the sample alone, the walk on from the sample's
    end, or the GIN step —, the probe gives the newest YV_SEARCH_PROBE + 1 matching entries'
    objects, newest first, and says whether that is all of them."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models import F
    from django.db.models.expressions import CombinedExpression
    from modelsearch.backends.database.postgres.postgres import IndexEntry

    from search import selectors
    from search.sources import questions_visible

    settings.YV_SEARCH_PROBE_WINDOW = window
    settings.YV_SEARCH_PROBE_SAMPLE = sample
    settings.YV_SEARCH_PROBE = probe
    backend = selectors.get_search_backend()
    compiler = backend.search(q, questions_visible()).query_compiler
    config = compiler.get_config(backend)
    small, pks = compiler._probe(config)
    vector = CombinedExpression(F("title"), "||", F("body"), output_field=SearchVectorField())
    matches = [int(oid) for oid in IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(Question))
               .annotate(_v=vector).filter(_v=compiler.build_tsquery(compiler.query, config=config))
               .order_by("-id").values_list("object_id", flat=True)]
    assert pks == matches[:probe + 1]
    assert small == (len(matches) <= probe)
