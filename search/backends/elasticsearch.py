"""Wagtail's Elasticsearch 8 backend, made Chinese.

Documents are sent with their text already normalised and segmented by jieba (the same tokens
as the database backends), and every text field is analysed by ``yv_chinese``: a whitespace
tokenizer with lower-casing and width folding, so no Elasticsearch plugin is needed. With
``CHINESE_ANALYZER="smartcn"`` the analysis-smartcn plugin analyses the (still segmented,
simplified) text instead. Autocomplete uses edge n-grams of our tokens. Queries are segmented by
``ChineseQueryMixin`` exactly as for the database.

``WAGTAILSEARCH_BACKENDS["default"] = {"BACKEND": "search.backends.elasticsearch", "URLS": [...]}``
(set by ``ELASTICSEARCH_URL``, see settings).
"""

from __future__ import annotations

from copy import deepcopy

from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8Index,
    Elasticsearch8Mapping,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
)
from modelsearch.index import AutocompleteField, SearchField

from .chinese import ChineseQueryMixin, segment_value

ANALYZER = "yv_chinese"
EDGE_ANALYZER = "yv_chinese_edgengram"


def analysis_settings(chinese_analyzer: str = "jieba") -> dict:
    """Index settings: our analyzers (merged into Wagtail's own analysis settings)."""
    if chinese_analyzer == "smartcn":
        chinese = {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["cjk_width", "lowercase"]}
    else:
        chinese = {"type": "custom", "tokenizer": "whitespace", "filter": ["cjk_width", "lowercase"]}
    return {
        "settings": {
            "analysis": {
                "analyzer": {
                    ANALYZER: chinese,
                    EDGE_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "whitespace",
                        "filter": ["cjk_width", "lowercase", "edgengram"],
                    },
                }
            }
        }
    }


class ChineseMapping(Elasticsearch8Mapping):
    edgengram_analyzer_config = {"analyzer": EDGE_ANALYZER, "search_analyzer": ANALYZER}

    def get_mapping(self):
        mapping = super().get_mapping()

        def walk(properties):
            for value in properties.values():
                if value.get("type") == "nested":
                    walk(value["properties"])
                elif value.get("type") == "text" and "analyzer" not in value:
                    value["analyzer"] = ANALYZER

        walk(mapping["properties"])
        return mapping

    def _get_document_field_data(self, field, obj):
        name, value, edgengrams = super()._get_document_field_data(field, obj)
        if isinstance(field, (SearchField, AutocompleteField)):
            value = segment_value(value)
            if isinstance(field, AutocompleteField):
                edgengrams = [value]
        return name, value, edgengrams


class ChineseIndex(Elasticsearch8Index):
    pass


class ChineseSearchQueryCompiler(Elasticsearch8SearchQueryCompiler):
    mapping_class = ChineseMapping


class ChineseAutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = ChineseMapping


class ChineseElasticsearchBackend(ChineseQueryMixin, Elasticsearch8SearchBackend):
    mapping_class = ChineseMapping
    index_class = ChineseIndex
    query_compiler_class = ChineseSearchQueryCompiler
    autocomplete_query_compiler_class = ChineseAutocompleteQueryCompiler
    structured_autocomplete = False

    def __init__(self, params):
        params = dict(params)
        chinese_analyzer = params.pop("CHINESE_ANALYZER", "jieba")
        index_settings = deepcopy(params.pop("INDEX_SETTINGS", {}))
        params["INDEX_SETTINGS"] = _deep_merge(analysis_settings(chinese_analyzer), index_settings)
        super().__init__(params)
        self.chinese_analyzer = chinese_analyzer


def _deep_merge(base: dict, extra: dict) -> dict:
    out = deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


SearchBackend = ChineseElasticsearchBackend
