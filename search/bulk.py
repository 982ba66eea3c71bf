"""Bulk (re)indexing at scale on PostgreSQL: a million questions in minutes, not hours.

Wagtail's indexer (``add_bulk``) builds one ``INSERT … VALUES`` with a ``SearchVector`` expression
per field per row and then rewrites the title norm of every new entry with a second UPDATE. That
is fine for a page save; for a rebuild of 10⁶ rows it is slow (measured at 1M: the norm UPDATE
alone rewrites every row and every GIN index entry once more). Here:

* the segmentation (jieba, the CPU cost) runs in worker processes, one primary-key range each;
* each batch is one ``INSERT … SELECT … FROM unnest(text[] …) ON CONFLICT DO UPDATE`` — the
  same columns, weights ('A' … 'D' from the fields' boosts, as Wagtail's ``get_weight``) and
  text configuration as Wagtail's indexer, so the entries are indistinguishable from its own;
* the title norm (average title length / this title's length) is written in the same INSERT,
  from the average measured on a sample first, so no second pass over the table.

``index_model(model)`` falls back to the backend's own ``add_bulk`` on other databases.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from itertools import chain

from django.db import connection, connections, transaction

WEIGHTS = "ABCD"


@dataclass
class BuildResult:
    model: str
    docs: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def _columns(model, objs):
    """Per object: (object_id, title texts by weight, body texts by weight, autocomplete, plain title, plain body)."""
    from modelsearch.backends.database.postgres.weights import get_weight
    from modelsearch.index import AutocompleteField, RelatedFields, SearchField

    from search.backends.chinese import segmented_documents

    def walk(obj, field):
        if isinstance(field, SearchField):
            yield field, get_weight(field.boost), field.get_value(obj)
        elif isinstance(field, AutocompleteField):
            yield field, "D", field.get_value(obj)
        elif isinstance(field, RelatedFields):
            sub = field.get_value(obj)
            if sub is None:
                return
            subs = sub.all() if hasattr(sub, "all") else [sub() if callable(sub) else sub]
            for s in subs:
                for f in field.fields:
                    yield from walk(s, f)

    rows = []
    for doc in segmented_documents(model, objs):
        title = {w: [] for w in WEIGHTS}
        body = {w: [] for w in WEIGHTS}
        auto = []
        for field in doc.get_search_fields():
            for f, weight, value in walk(doc, field):
                value = (value or "").strip() if isinstance(value, str) else str(value or "").strip()
                if not value:
                    continue
                if isinstance(f, AutocompleteField):
                    auto.append(value)
                elif f.field_name == "title":
                    title[weight].append(value)
                else:
                    body[weight].append(value)
        rows.append((str(doc.pk), [" ".join(title[w]) for w in WEIGHTS], [" ".join(body[w]) for w in WEIGHTS],
                     " ".join(auto), " ".join(chain.from_iterable(title.values())), " ".join(chain.from_iterable(body.values()))))
    return rows


def _vector(prefix: str, config: str) -> str:
    return " || ".join(f"setweight(to_tsvector('{config}', u.{prefix}{w.lower()}), '{w}')" for w in WEIGHTS)


def upsert(model, objs, *, config: str = "simple", lavg: float | None = None, using: str = "default") -> int:
    """Index ``objs`` of ``model`` with one statement. Returns the number of rows written."""
    from modelsearch.conf import get_app_config
    from modelsearch.utils import get_content_type_pk

    rows = _columns(model, objs)
    if not rows:
        return 0
    table = get_app_config().get_model("IndexEntry")._meta.db_table
    cols = list(zip(*[(oid, *t, *b, a, tt, bt) for oid, t, b, a, tt, bt in rows], strict=True))
    names = ["oid", *(f"t{w.lower()}" for w in WEIGHTS), *(f"b{w.lower()}" for w in WEIGHTS), "ac", "tt", "bt"]
    title = _vector("t", config)
    norm = "1.0" if not lavg else f"CASE WHEN length(x.title) > 0 THEN {float(lavg)!r} / length(x.title) ELSE 1.0 END"
    sql = f"""
        INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)
        SELECT %s, x.oid, x.title, x.ac, x.body, {norm}, x.tt, x.bt FROM (
            SELECT u.oid, {title} AS title, to_tsvector('simple', u.ac) AS ac, {_vector("b", config)} AS body, u.tt, u.bt
            FROM unnest({", ".join(["%s::text[]"] * len(names))}) AS u({", ".join(names)})
        ) x
        ON CONFLICT (content_type_id, object_id)
        DO UPDATE SET title = EXCLUDED.title, title_norm = EXCLUDED.title_norm, autocomplete = EXCLUDED.autocomplete,
                      body = EXCLUDED.body, title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
    """  # noqa: S608 — identifiers are ours; every value is a parameter
    with connections[using].cursor() as cur:
        cur.execute(sql, [get_content_type_pk(model), *[list(c) for c in cols]])
    return len(rows)


def average_title_length(model=None, sample: int = 20000) -> float | None:
    """Wagtail's ``lavg``: the average length (in lexemes) of non-empty titles in the index."""
    from modelsearch.conf import get_app_config

    table = get_app_config().get_model("IndexEntry")._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT avg(length(title)) FROM (SELECT title FROM {table} WHERE length(title) > 0 LIMIT %s) s",  # noqa: S608
                    [sample])
        row = cur.fetchone()
    return float(row[0]) if row and row[0] else None


def _objects(model):
    return model.get_indexed_objects() if hasattr(model, "get_indexed_objects") else model._default_manager.all()


def _index_range(args) -> int:
    label, lo, hi, config, lavg, chunk = args
    from django.apps import apps

    model = apps.get_model(label)
    n = 0
    last = lo - 1
    while True:
        batch = list(_objects(model).filter(pk__gt=last, pk__lt=hi).order_by("pk")[:chunk])
        if not batch:
            return n
        with transaction.atomic():
            n += upsert(model, batch, config=config, lavg=lavg)
        last = batch[-1].pk


def _worker_init():
    from django.db import connections as conns

    for conn in conns.all():
        conn.close()  # never share the parent's socket after fork
    from search import segmenter

    segmenter.get_segmenter()


def gin_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every GIN index on the index entries table."""
    from modelsearch.conf import get_app_config

    table = get_app_config().get_model("IndexEntry")._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                    [table, "%USING gin%"])
        return list(cur.fetchall())


def index_model(model, *, backend=None, workers: int = 2, chunk: int = 1000, span: int = 20000,
                drop_gin: bool = False, progress=None) -> BuildResult:
    """(Re)index every indexed object of ``model``. PostgreSQL: ``workers`` processes, each
    segmenting and upserting ``span`` primary keys at a time in batches of ``chunk``.

    ``drop_gin``: for a first build of a large table, drop the GIN indexes of the entries table
    while loading and create them again at the end (one sort instead of 10⁶ inserts into each);
    searches are slow meanwhile, so only for an offline rebuild."""
    if drop_gin and connection.vendor == "postgresql":
        dropped = gin_indexes()
        with connection.cursor() as cur:
            for name, _ in dropped:
                cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        t = time.perf_counter()
        try:
            result = index_model(model, backend=backend, workers=workers, chunk=chunk, span=span, progress=progress)
        finally:
            with connection.cursor() as cur:
                cur.execute("SET maintenance_work_mem = '256MB'")
                for _, ddl in dropped:
                    cur.execute(ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        return BuildResult(result.model, result.docs, time.perf_counter() - t)
    from modelsearch.backends import get_search_backend

    backend = backend or get_search_backend()
    t = time.perf_counter()
    if connection.vendor != "postgresql":
        n = _fallback(backend, model, chunk)
        return BuildResult(model._meta.label, n, time.perf_counter() - t)
    pks = _objects(model).order_by()
    from django.db.models import Max, Min

    bounds = pks.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None or not isinstance(bounds["lo"], int):
        n = _fallback(backend, model, chunk)
        return BuildResult(model._meta.label, n, time.perf_counter() - t)
    config = getattr(backend, "config", None) or "simple"
    lavg = average_title_length()
    if lavg is None:  # empty index: measure on a first batch, then write it again with its norm
        first = list(_objects(model).order_by("pk")[:chunk])
        upsert(model, first, config=config)
        lavg = average_title_length()
        upsert(model, first, config=config, lavg=lavg)
    tasks = [(model._meta.label, lo, min(lo + span, bounds["hi"] + 1), config, lavg, chunk)
             for lo in range(bounds["lo"], bounds["hi"] + 1, span)]
    n = 0
    if workers <= 1:
        for task in tasks:
            n += _index_range(task)
            if progress:
                progress(n, time.perf_counter() - t)
    else:
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_worker_init) as pool:
            for done in pool.imap_unordered(_index_range, tasks):
                n += done
                if progress:
                    progress(n, time.perf_counter() - t)
    return BuildResult(model._meta.label, n, time.perf_counter() - t)


def _fallback(backend, model, chunk) -> int:
    n = 0
    last = None
    qs = _objects(model).order_by("pk")
    while True:
        batch = list((qs.filter(pk__gt=last) if last is not None else qs)[:chunk])
        if not batch:
            return n
        with transaction.atomic():
            backend.add_bulk(model, batch)
        n += len(batch)
        last = batch[-1].pk
