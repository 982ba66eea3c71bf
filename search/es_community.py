"""The community index on Elasticsearch (elasticsearch-dsl): questions with their answers, tags,
domain, organisation and deadlines, so that facets and aggregations (by domain, organisation,
status, month) run on Elasticsearch at scale.

Text is normalised and segmented by jieba before it is sent (``QuestionDocument.from_data``)
and analysed with the same ``yv_chinese`` whitespace analyzer as the Wagtail indexes; queries
go through ``search.domain.text.query_words`` and match with ``operator=and``.

Wiring (once ``community`` is merged; see docs/search.md): a Celery task calls
``index_question(data)`` on commit of question/answer changes and ``delete_question(id)`` when a
question is removed or held; ``python manage.py rebuild_search_index`` does Wagtail's indexes,
``QuestionDocument.init()`` + a bulk of ``from_data`` does this one. Nothing here needs a
running server until ``.save()``/``.execute()`` is called.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from elasticsearch_dsl import (
    A,
    Boolean,
    Date,
    Document,
    InnerDoc,
    Integer,
    Keyword,
    Nested,
    Q,
    Search,
    Text,
    analyzer,
)

from search.domain.text import index_text, query_words
from search.segmenter import get_segmenter

yv_chinese = analyzer("yv_chinese", tokenizer="whitespace", filter=["cjk_width", "lowercase"])


def _text(**kwargs):
    return Text(analyzer=yv_chinese, **kwargs)


class AnswerDoc(InnerDoc):
    id = Integer()
    body = _text()
    author_kind = Keyword()  # youth / expert / staff / org account
    accepted = Boolean()
    created_at = Date()


class QuestionDocument(Document):
    title = _text(fields={"raw": Keyword()})
    body = _text()
    answers = Nested(AnswerDoc)
    tags = Keyword(multi=True)
    domain = Keyword()
    organization_id = Integer()
    organization_path = Keyword()  # treebeard path: a prefix query is "this branch and below"
    status = Keyword()  # open / answered / closed; removed and held are never indexed
    asked_at = Date()
    answer_deadline = Date()
    answered_at = Date()
    answer_count = Integer()

    class Index:
        name = "youthvoice_community"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    @classmethod
    def index_name(cls) -> str:
        prefix = (getattr(settings, "WAGTAILSEARCH_BACKENDS", {}).get("default", {}) or {}).get("INDEX_PREFIX", "")
        return f"{prefix}community" if prefix else cls.Index.name

    @classmethod
    def from_data(cls, data: dict) -> QuestionDocument:
        """Build the document from plain data (what the community selectors return):
        {id, title, body, tags, domain, organization_id, organization_path, status, asked_at,
        answer_deadline, answered_at, answers: [{id, body, author_kind, accepted, created_at}]}."""
        seg = get_segmenter()
        answers = [
            AnswerDoc(id=a["id"], body=index_text(a.get("body", ""), seg), author_kind=a.get("author_kind", ""),
                      accepted=bool(a.get("accepted")), created_at=a.get("created_at"))
            for a in data.get("answers", [])
        ]
        return cls(
            meta={"id": data["id"]},
            title=index_text(data.get("title", ""), seg),
            body=index_text(data.get("body", ""), seg),
            answers=answers,
            tags=list(data.get("tags", [])),
            domain=data.get("domain") or None,
            organization_id=data.get("organization_id"),
            organization_path=data.get("organization_path") or None,
            status=data.get("status"),
            asked_at=data.get("asked_at"),
            answer_deadline=data.get("answer_deadline"),
            answered_at=data.get("answered_at"),
            answer_count=len(answers),
        )


def community_search(q: str, *, domain: str | None = None, organization_path: str | None = None,
                     tags: Iterable[str] = (), asked_after: datetime | None = None,
                     offset: int = 0, limit: int = 10) -> Search:
    """The search body for questions and their answers, with facets. Returns an unexecuted
    ``Search`` (``.to_dict()`` is the request body; ``.execute()`` runs it)."""
    words = query_words(q or "", get_segmenter())
    text = " ".join(words)
    s = Search(index=QuestionDocument.index_name())
    if text:
        s = s.query(
            Q("bool", should=[
                Q("multi_match", query=text, fields=["title^3", "body"], operator="and"),
                Q("nested", path="answers", query=Q("match", answers__body={"query": text, "operator": "and"}),
                  score_mode="max"),
            ], minimum_should_match=1)
        )
    s = s.filter("terms", status=["open", "answered", "closed"])
    if domain:
        s = s.filter("term", domain=domain)
    if organization_path:
        s = s.filter("prefix", organization_path=organization_path)
    for tag in tags:
        s = s.filter("term", tags=tag)
    if asked_after:
        s = s.filter("range", asked_at={"gte": asked_after.isoformat()})
    s.aggs.bucket("domains", A("terms", field="domain", size=20))
    s.aggs.bucket("organizations", A("terms", field="organization_id", size=50))
    s.aggs.bucket("status", A("terms", field="status", size=10))
    s.aggs.bucket("tags", A("terms", field="tags", size=30))
    s.aggs.bucket("per_month", A("date_histogram", field="asked_at", calendar_interval="month"))
    s = s.highlight("title", "body", fragment_size=90, number_of_fragments=1)
    return s[offset:offset + limit]
