"""Elasticsearch: no server can be installed here, so the mapping, analyzer settings and the
query bodies we generate are unit-tested; the live round trip runs only when ELASTICSEARCH_URL
is set (it is skipped with a visible reason otherwise)."""

import os
import uuid

import pytest
from wagtail.models import Page

from home.services import ensure_wagtail_root
from search.backends.elasticsearch import ANALYZER, EDGE_ANALYZER, ChineseElasticsearchBackend, ChineseMapping
from search.es_community import QuestionDocument, community_search


@pytest.fixture
def es_backend():
    # Constructing the client does not connect.
    return ChineseElasticsearchBackend({"URLS": ["http://localhost:9200"], "INDEX_PREFIX": "yvtest_"})


def test_settings_define_chinese_analyzers(es_backend):
    analysis = es_backend.settings["settings"]["analysis"]
    assert analysis["analyzer"][ANALYZER] == {"type": "custom", "tokenizer": "whitespace",
                                              "filter": ["cjk_width", "lowercase"]}
    assert analysis["analyzer"][EDGE_ANALYZER]["filter"][-1] == "edgengram"
    assert "ngram_analyzer" in analysis["analyzer"]  # Wagtail's own analyzers are kept
    smart = ChineseElasticsearchBackend({"URLS": ["http://localhost:9200"], "CHINESE_ANALYZER": "smartcn"})
    assert smart.settings["settings"]["analysis"]["analyzer"][ANALYZER]["tokenizer"] == "smartcn_tokenizer"


def test_mapping_uses_the_chinese_analyzer_everywhere():
    mapping = ChineseMapping(Page).get_mapping()["properties"]
    title = mapping[ChineseMapping(Page).get_field_column_name(Page.search_fields[0])]
    assert title["analyzer"] == ANALYZER
    assert mapping["_all_text"]["analyzer"] == ANALYZER
    assert mapping["_edgengrams"]["analyzer"] == EDGE_ANALYZER and mapping["_edgengrams"]["search_analyzer"] == ANALYZER


@pytest.mark.django_db
def test_documents_carry_segmented_text():
    root = ensure_wagtail_root()  # also after a transactional test flushed the database
    page = root.add_child(instance=Page(title="青年創業補貼政策解讀", slug="es-doc", live=True))
    mapping = ChineseMapping(Page)
    doc = mapping.get_document(page)
    title = doc[mapping.get_field_column_name(Page.search_fields[0])]
    assert title.startswith("青年 创业 补贴 政策 解读")
    assert "创业" in doc["_edgengrams"][0].split()


def test_query_body_is_segmented(es_backend):
    results = es_backend.search("大學生 創業", Page)
    text = str(results.query_compiler.get_query())
    # 大学生 OR its characters, AND 创业 — over the whitespace-analysed fields
    assert "'大学生'" in text and "'大 学 生'" in text and "'创业'" in text
    assert "_all_text" in text
    ac = es_backend.autocomplete("王创", Page).query_compiler.get_query()
    assert "王 创" in str(ac)


@pytest.mark.parametrize("q", ["", "   ", '"* ()', "\\/^$"])
def test_bad_queries_do_not_reach_elasticsearch(es_backend, q):
    assert list(es_backend.search(q, Page)) == []


@pytest.mark.django_db
def test_community_document_and_facet_query():
    doc = QuestionDocument.from_data({
        "id": 7, "title": "創業擔保貸款怎麼申請", "body": "我是应届毕业生", "tags": ["创业"], "domain": "entrepreneurship",
        "organization_id": 3, "organization_path": "00010001", "status": "open",
        "answers": [{"id": 1, "body": "到人社部门办理", "author_kind": "expert", "accepted": True}],
    })
    data = doc.to_dict()
    assert data["title"].startswith("创业 担保 贷款")
    assert data["answers"][0]["body"].startswith("到 人 社 部门 办理")
    assert data["answer_count"] == 1
    mapping = QuestionDocument._doc_type.mapping.to_dict()
    assert mapping["properties"]["title"]["analyzer"] == "yv_chinese"
    assert mapping["properties"]["answers"]["type"] == "nested"

    body = community_search("创业 补贴", domain="entrepreneurship", organization_path="0001", limit=5).to_dict()
    should = body["query"]["bool"]["should"]
    assert should[0]["multi_match"] == {"query": "创业 补贴", "fields": ["title^3", "body"], "operator": "and"}
    assert should[1]["nested"]["path"] == "answers"
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"domain": "entrepreneurship"}} in filters
    assert {"prefix": {"organization_path": "0001"}} in filters
    assert set(body["aggs"]) == {"domains", "organizations", "status", "tags", "per_month"}
    assert body["size"] == 5
    # operators never reach Elasticsearch's query syntax: only words do
    assert community_search('"a" OR b*').to_dict()["query"]["bool"]["should"][0]["multi_match"]["query"] == "b"


@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="ELASTICSEARCH_URL not set: no Elasticsearch server here")
@pytest.mark.django_db
def test_live_round_trip():
    backend = ChineseElasticsearchBackend({"URLS": [os.environ["ELASTICSEARCH_URL"]],
                                          "INDEX_PREFIX": f"yvtest_{uuid.uuid4().hex[:6]}_"})
    root = ensure_wagtail_root()  # also after a transactional test flushed the database
    page = root.add_child(instance=Page(title="青年创业补贴政策解读", slug="es-live", live=True))
    index = backend.get_index_for_model(Page)
    index.reset()
    index.add_model(Page)
    try:
        index.add_item(page)
        index.refresh()
        assert [p.pk for p in backend.search("创业", Page)] == [page.pk]
        assert [p.pk for p in backend.autocomplete("青年创", Page)] == [page.pk]
    finally:
        index.delete()
