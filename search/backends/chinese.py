"""What the Chinese backends share: segmenting documents as they are indexed and queries as they
are run. Nothing here keeps state between calls, so backends stay thread-safe; the segmenter is
``search.segmenter.get_segmenter()`` (an immutable-after-build jieba tokenizer)."""

from __future__ import annotations

from django.utils.encoding import force_str
from modelsearch.backends.base import EmptySearchResults
from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from search.domain.query import autocomplete_query, build_query
from search.domain.text import index_text, query_words
from search.segmenter import get_segmenter


def segment_value(value) -> str:
    """Any value a search field returns (text, list of tags, dict, number) → segmented text."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return " ".join(segment_value(item) for item in value)
    if isinstance(value, dict):
        return " ".join(segment_value(item) for item in value.values())
    return index_text(force_str(value), get_segmenter())


# --- index side -----------------------------------------------------------------------------
# Wagtail's database indexers read ``obj.get_search_fields()`` and call ``field.get_value(obj)``.
# We hand them a thin view of each object whose fields return segmented text, so Wagtail's own
# insert/upsert SQL, title norms and rebuilders are used unchanged.


def _unwrap(obj):
    return obj.obj if isinstance(obj, SegmentedDocument) else obj


class SegmentedSearchField(SearchField):
    def __init__(self, original: SearchField):
        self.__dict__.update(original.__dict__)
        self.original = original

    def get_value(self, obj):
        return segment_value(self.original.get_value(_unwrap(obj)))


class SegmentedAutocompleteField(AutocompleteField):
    def __init__(self, original: AutocompleteField):
        self.__dict__.update(original.__dict__)
        self.original = original

    def get_value(self, obj):
        return segment_value(self.original.get_value(_unwrap(obj)))


class SegmentedRelatedFields(RelatedFields):
    def __init__(self, original: RelatedFields):
        super().__init__(original.field_name, [segmented_field(f) for f in original.fields])
        self.original = original

    def get_value(self, obj):
        return self.original.get_value(_unwrap(obj))


def segmented_field(field):
    if isinstance(field, RelatedFields):
        return SegmentedRelatedFields(field)
    if isinstance(field, AutocompleteField):
        return SegmentedAutocompleteField(field)
    if isinstance(field, SearchField):
        return SegmentedSearchField(field)
    return field  # FilterField: values are not text to segment


class SegmentedDocument:
    """The object as the indexer sees it: same pk, segmented search fields."""

    __slots__ = ("obj", "fields")

    def __init__(self, obj, fields):
        self.obj = obj
        self.fields = fields

    @property
    def pk(self):
        return self.obj.pk

    def get_search_fields(self):
        return self.fields


def segmented_documents(model, objs) -> list[SegmentedDocument]:
    fields = [segmented_field(f) for f in model.get_search_fields()]
    return [SegmentedDocument(obj, fields) for obj in objs]


# --- query side -----------------------------------------------------------------------------


def segment_query(query, *, operator: str | None = None, autocomplete: bool = False,
                  structured_autocomplete: bool = True):
    """A user's query (a string or a ``modelsearch.query`` tree) → the query over our tokens.
    Returns None when nothing searchable is left (only punctuation, operators, spaces)."""
    segmenter = get_segmenter()
    if isinstance(query, str):
        if autocomplete:
            words = query_words(query, segmenter, drop_stopwords=False)
            return autocomplete_query(words, structured=structured_autocomplete)
        return build_query(query_words(query, segmenter), operator=(operator or "and").lower())
    if isinstance(query, MatchAll):
        return query
    if isinstance(query, PlainText):
        return segment_query(query.query_string, operator=query.operator, autocomplete=autocomplete,
                             structured_autocomplete=structured_autocomplete)
    if isinstance(query, (Phrase, Fuzzy)):
        # Adjacency is not kept by search-mode tokens; a phrase is all of its words.
        return segment_query(query.query_string, operator="and", autocomplete=autocomplete,
                             structured_autocomplete=structured_autocomplete)
    if isinstance(query, Boost):
        inner = segment_query(query.subquery, autocomplete=autocomplete)
        return Boost(inner, query.boost) if inner is not None else None
    if isinstance(query, Not):
        inner = segment_query(query.subquery, autocomplete=autocomplete)
        return Not(inner) if inner is not None else None
    if isinstance(query, (And, Or)):
        parts = [segment_query(q, autocomplete=autocomplete) for q in query.subqueries]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return type(query)(parts) if len(parts) > 1 else parts[0]
    return query


class ChineseQueryMixin:
    """Segments every query before Wagtail's compilers see it (search and autocomplete)."""

    #: Whether this backend's autocomplete compiler takes And/Or trees (the database ones do;
    #: Elasticsearch's takes only PlainText).
    structured_autocomplete = True

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        autocomplete = query_compiler_class is self.autocomplete_query_compiler_class
        segmented = segment_query(query, operator=kwargs.get("operator"), autocomplete=autocomplete,
                                  structured_autocomplete=self.structured_autocomplete)
        if segmented is None:
            return EmptySearchResults()
        return super()._search(query_compiler_class, segmented, model_or_queryset, **kwargs)
