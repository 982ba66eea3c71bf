"""Demand analysis [G3.1]: questions per domain, region and period, and chart geometry.

Input rows are plain dicts {domain, region, period, count} (the selector groups in the database);
these functions pivot them into tables and scale bars for the charts.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

PERIODS = ("day", "week", "month")
MAX_SPAN_DAYS = 3 * 366


def period_start(ts: date | datetime, period: str) -> date:
    d = ts.date() if isinstance(ts, datetime) else ts
    if period == "day":
        return d
    if period == "week":
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    raise ValueError(period)


def pivot(rows: Iterable[Mapping], row_key: str, col_key: str) -> dict:
    """{row: {col: count}} plus totals per row and column, rows sorted by total descending."""
    table: dict = {}
    col_totals: dict = {}
    for r in rows:
        table.setdefault(r[row_key], {})
        table[r[row_key]][r[col_key]] = table[r[row_key]].get(r[col_key], 0) + r["count"]
        col_totals[r[col_key]] = col_totals.get(r[col_key], 0) + r["count"]
    row_totals = {k: sum(v.values()) for k, v in table.items()}
    ordered_rows = sorted(table, key=lambda k: (-row_totals[k], str(k)))
    columns = sorted(col_totals, key=str)
    return {"rows": ordered_rows, "columns": columns, "cells": table, "row_totals": row_totals,
            "column_totals": col_totals, "total": sum(row_totals.values())}


def bars(totals: Mapping, labels: Mapping | None = None, width: int = 100) -> list[dict]:
    """Horizontal bar chart data: label, count, percentage of the largest (for CSS widths)."""
    peak = max(totals.values(), default=0)
    items = sorted(totals.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [{"key": k, "label": (labels or {}).get(k, k), "count": v,
             "width": round(width * v / peak, 1) if peak else 0} for k, v in items]


def series(rows: Iterable[Mapping], period_key: str = "period") -> list[dict]:
    """Column chart over time: one point per period in order, with heights relative to the peak."""
    totals: dict = {}
    for r in rows:
        totals[r[period_key]] = totals.get(r[period_key], 0) + r["count"]
    peak = max(totals.values(), default=0)
    return [{"period": p, "count": totals[p], "height": round(100 * totals[p] / peak, 1) if peak else 0}
            for p in sorted(totals)]


def resolve_range(since: date | None, until: date | None, today: date, default_days: int = 365) -> tuple[date, date]:
    """[since, until] as dates (until inclusive): defaults to the last `default_days` days. Raises
    core.errors.Invalid for a reversed range or one longer than three years."""
    from core.errors import Invalid

    until = until or today
    since = since or (until - timedelta(days=default_days - 1))
    if since > until:
        raise Invalid(_("The start date must not be after the end date"),
                      fields={"since": str(since), "until": str(until)})
    if (until - since).days > MAX_SPAN_DAYS:
        raise Invalid(_("The period is at most three years"), fields={"since": str(since)})
    return since, until
