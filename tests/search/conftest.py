import pytest

from search import segmenter
from search.models import DictionaryTerm

from .probe import probe_table
from .relevance import DICTIONARY


@pytest.fixture
def dictionary(db):
    """The relevance set's user dictionary, loaded into the segmenter."""
    for term in DICTIONARY:
        DictionaryTerm.objects.get_or_create(term=term)
    segmenter.reload()
    yield DICTIONARY
    DictionaryTerm.objects.all().delete()
    segmenter.reload()


@pytest.fixture
def probe(db):
    with probe_table() as model:
        yield model


@pytest.fixture
def backend():
    from modelsearch.backends import get_search_backend

    return get_search_backend()


@pytest.fixture
def stock_backend():
    from modelsearch.backends.database import SearchBackend

    return SearchBackend({})
