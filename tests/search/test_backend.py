"""The Chinese database backend through Wagtail's own entry points: Page.objects.search(),
autocomplete, model search, and index freshness."""

import pytest
from django.db import transaction
from wagtail.models import Page

from alliances.models import ExpertDomain, ExpertProfile, ExpertStatus
from home.services import ensure_wagtail_root
from search import segmenter
from search.models import DictionaryTerm, SearchableExpert
from tests.factories import UserFactory


@pytest.fixture
def pages(db):
    root = ensure_wagtail_root()  # also after a transactional test flushed the database
    made = {}
    for slug, title in [("p1", "青年创业补贴政策解读"), ("p2", "就业见习岗位报名指南"), ("p3", "青年之家预约须知")]:
        made[slug] = root.add_child(instance=Page(title=title, slug=slug, live=True))
    return made


def test_two_character_word_found_by_page_search(pages):
    assert list(Page.objects.search("创业")) == [pages["p1"]]
    assert list(Page.objects.search("見習")) == [pages["p2"]]  # traditional
    assert list(Page.objects.search("补贴 政策")) == [pages["p1"]]


def test_stock_backend_does_not_find_it(pages, stock_backend):
    # The premise, kept as a regression guard for the comparison we print.
    stock_backend.add(pages["p1"])
    assert list(stock_backend.search("创业", Page)) == []


def test_autocomplete_prefix(pages):
    assert pages["p3"] in list(Page.objects.autocomplete("青年之"))
    assert pages["p2"] in list(Page.objects.autocomplete("就业见"))


@pytest.mark.parametrize("query", ["", "   ", '"', "OR", "*", "创业 OR", '"创业', "a'b", "\\", "%_", "(((", "NEAR(创业)",
                                   "创业" * 500, "'; DROP TABLE wagtailcore_page; --", "^(a+)+$", "{title}:创业"])
def test_operator_laden_queries_never_error(pages, query):
    list(Page.objects.search(query))
    list(Page.objects.autocomplete(query))


def test_dictionary_term_found_before_and_after_reindex(pages):
    page = pages["p3"]
    with transaction.atomic():
        DictionaryTerm.objects.create(term="预约须知")
    segmenter.reload()
    try:
        # Indexed before the term existed: found through its characters.
        assert list(Page.objects.search("预约须知")) == [page]
        page.save()  # re-indexed with the term kept whole
        assert list(Page.objects.search("预约须知")) == [page]
    finally:
        DictionaryTerm.objects.all().delete()
        segmenter.reload()


def test_dictionary_term_validation():
    from django.core.exceptions import ValidationError

    term = DictionaryTerm(term="團省委")
    term.clean()
    assert term.term == "团省委"
    with pytest.raises(ValidationError):
        DictionaryTerm(term="两个 词").clean()


@pytest.mark.django_db(transaction=True)
def test_expert_indexed_on_commit_with_domains():
    user = UserFactory()
    expert = ExpertProfile.objects.create(user=user, real_name="李心怡", title="国家二级心理咨询师", status=ExpertStatus.ACTIVE)
    assert list(SearchableExpert.objects.all()) == [expert]
    from modelsearch.backends import get_search_backend

    backend = get_search_backend()
    assert [e.pk for e in backend.search("咨询师", SearchableExpert)] == [expert.pk]
    ExpertDomain.objects.create(expert=expert, domain="legal")
    assert [e.pk for e in backend.search("法律服务", SearchableExpert)] == [expert.pk]
    assert [e.pk for e in backend.search("李心怡", SearchableExpert)] == [expert.pk]
    assert [e.pk for e in backend.autocomplete("李心", SearchableExpert)] == [expert.pk]


def test_segmenter_reloads_when_version_changes(db):
    from django.core.cache import cache

    first = segmenter.get_segmenter()
    DictionaryTerm.objects.create(term="青年夜校")
    cache.set(segmenter.VERSION_KEY, (cache.get(segmenter.VERSION_KEY) or 0) + 1, timeout=None)
    segmenter._checked_at = 0.0  # another process bumped the version; don't wait CHECK_SECONDS
    second = segmenter.get_segmenter()
    assert second is not first
    assert "青年夜校" in list(second.cut("汕头青年夜校开课"))
    DictionaryTerm.objects.all().delete()
    segmenter.reload()


def test_a_new_process_takes_the_dictionary_terms_from_the_cache(db, django_assert_num_queries):
    """A worker that starts after a dictionary change builds its tokenizer from the terms cached
    beside the version: no query for them (the process that changed them read the table)."""
    DictionaryTerm.objects.create(term="青年夜校")
    segmenter.bump_version()
    segmenter._current = None  # as in a new worker process: no tokenizer yet
    segmenter._built.clear()
    try:
        with django_assert_num_queries(0):
            tokenizer = segmenter.get_segmenter()
        assert "青年夜校" in list(tokenizer.cut("汕头青年夜校开课"))
    finally:
        DictionaryTerm.objects.all().delete()
        segmenter.reload()
    assert "青年夜校" not in list(segmenter.get_segmenter().cut("汕头青年夜校开课"))
