"""Chinese-aware Wagtail search backends (Wagtail 8's search framework is ``modelsearch``).

* ``search.backends.database`` — the embedded default: Wagtail's own SQLite FTS5 or PostgreSQL
  backend, with text segmented by jieba before it is indexed and before it is queried.
* ``search.backends.elasticsearch`` — Wagtail's Elasticsearch 8 backend with the same segmented
  text and a whitespace (or smartcn) analyzer, for scale beyond one machine.

Both share ``ChineseQueryMixin`` (query side) and ``segment_value`` (index side).
"""
