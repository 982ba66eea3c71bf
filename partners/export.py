"""Incremental export for the provincial big-data centre: "what changed since" per table.

Every insert/update/delete of an exported table writes a `Change` row, by a database trigger, in the
writer's own transaction (migration partners.0002), with a sequence number (bigserial) and, on
PostgreSQL, the writer's transaction id (pg_current_xact_id()).

Why not a cursor on (updated_at, id), nor on the sequence alone: both are assigned before commit, and
transactions commit in another order than they took them. A reader that saw seq 12 (committed) while
seq 11 was still in flight moves its cursor past 11 and never sees it. So a page serves only changes
of transactions that are over: txid < pg_snapshot_xmin(pg_current_snapshot()), the oldest transaction
still running. Any transaction that finishes later has a txid ≥ that watermark, so ordering by
(txid, seq) and resuming after the last (txid, seq) served skips nothing and repeats nothing. The
cost: a long-running transaction holds the watermark back (rows appear once it ends).
SQLite (development, one writer at a time) orders by seq alone."""

from django.db import connection

from .models import Change

PAGE_MAX = 1000


def _models():
    from appeals.models import Appeal
    from community.models import Answer, Question
    from insights.models import DailyOrgMetric
    from stations.models import Booking, StationPage

    return {
        "questions": (Question, ["id", "title", "status", "domain", "organization_id", "asked_at", "updated_at"],
                      "organization_id"),
        "answers": (Answer, ["id", "question_id", "role", "created_at", "question__organization_id"],
                    "question__organization_id"),
        "bookings": (Booking, ["id", "station_id", "slot_id", "status", "requested_at", "responded_at",
                               "completed_at", "rating", "station__organization_id"], "station__organization_id"),
        "stations": (StationPage, ["id", "title", "live", "organization_id", "base_type", "address"], "organization_id"),
        "appeals": (Appeal, ["id", "kind", "state", "organization_id", "theme"], "organization_id"),
        "kpis": (DailyOrgMetric, None, "organization_id"),
    }


TABLES = ["questions", "answers", "bookings", "stations", "appeals", "kpis"]


def encode(txid: int, seq: int) -> str:
    return f"{txid}.{seq}"


def decode(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return (0, 0)
    txid, _, seq = cursor.partition(".")
    return (int(txid), int(seq))


def changes(table: str, cursor: str | None, limit: int) -> tuple[list[Change], str | None]:
    txid, seq = decode(cursor)
    if connection.vendor == "postgresql":
        rows = list(Change.objects.raw(
            """WITH w AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
               SELECT c.* FROM partners_change c, w
               WHERE c."table" = %s AND c.txid < w.xmin AND (c.txid, c.seq) > (%s, %s)
               ORDER BY c.txid, c.seq LIMIT %s""", [table, txid, seq, limit]))
    else:
        rows = list(Change.objects.filter(table=table, seq__gt=seq).order_by("seq")[:limit])
        for row in rows:
            row.txid = row.seq
    last = rows[-1] if rows else None
    return rows, (encode(last.txid, last.seq) if last else cursor)


def page(table: str, cursor: str | None, limit: int, organization_paths: list[str] | None) -> dict:
    """One page of changes with the rows' current state (None once deleted, or outside the partner's
    organisations). `next_cursor` resumes after this page; an empty page means "up to date"."""
    rows, next_cursor = changes(table, cursor, limit)
    model, fields, org_field = _models()[table]
    ids = {c.row_id for c in rows if c.op != "D"}
    qs = model.objects.filter(pk__in=ids)
    if organization_paths is not None:
        from organizations.models import Organization
        from organizations.permissions import subtree_q

        allowed = Organization.objects.filter(subtree_q(organization_paths)).values("pk")
        qs = qs.filter(**{f"{org_field}__in": allowed})
    values = qs.values(*(fields or []))
    by_id = {}
    for v in values:
        v = dict(v)
        if "page_ptr_id" in v:
            v["id"] = v.pop("page_ptr_id")
        for key in list(v):
            if "__" in key:
                v[key.rsplit("__", 1)[-1]] = v.pop(key)
        by_id[v["id"]] = v
    items = [{"seq": c.seq, "op": c.op, "id": c.row_id, "changed_at": c.changed_at, "row": by_id.get(c.row_id)}
             for c in rows]
    return {"table": table, "items": items, "next_cursor": next_cursor, "has_more": len(rows) == limit}
