"""Writes of the insights app: the daily KPI aggregation and staff training records.

`aggregate_day(day)` recomputes one local day into DailyOrgMetric / DailyPersonMetric: the day's
rows are deleted and inserted again in one transaction (under a per-day advisory lock on
PostgreSQL, so two concurrent runs of the same day serialise), which makes any re-run idempotent.
"""

import zlib
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from wagtail.log_actions import log

from organizations import permissions
from organizations.models import ADMIN_ROLES, ALL_STAFF_ROLES, PUBLISHING_ROLES, Organization, StaffMembership
from youthvoice.errors import Invalid, forbidden

from . import cache as kpi_cache
from . import metrics
from .domain.periods import days as days_between
from .models import (
    HISTOGRAM_FIELDS,
    ORG_COUNT_FIELDS,
    DailyOrgMetric,
    DailyPersonMetric,
    TrainingKind,
    TrainingRecord,
)

MAX_REBUILD_DAYS = 3700


def _lock_day(day: date) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [zlib.crc32(b"insights"), day.toordinal()])


@transaction.atomic
def aggregate_day(day: date) -> tuple[int, int]:
    """Recompute one day. Returns (organisation rows, person rows) written."""
    _lock_day(day)
    kpi_cache.bump_now_and_on_commit()
    org_values = metrics.org_metrics(day)
    person_values = metrics.person_metrics(day)
    valid_orgs = set(Organization.objects.filter(pk__in=list(org_values)).values_list("pk", flat=True))
    DailyOrgMetric.objects.filter(day=day).delete()
    DailyPersonMetric.objects.filter(day=day).delete()
    DailyOrgMetric.objects.bulk_create(
        [DailyOrgMetric(organization_id=org, day=day, **values) for org, values in org_values.items()
         if org in valid_orgs and any(values.values())],
        batch_size=1000,
    )
    _roll_up(day)
    DailyPersonMetric.objects.bulk_create(
        [DailyPersonMetric(user_id=user, day=day, **values) for user, values in person_values.items()
         if any(values.values())],
        batch_size=1000,
    )
    roll_month(day.replace(day=1))
    return len(org_values), len(person_values)


def roll_month(month: date) -> None:
    """Rewrite the monthly rows of `month` (its first day) as the sums of its daily rows."""
    from .models import PERSON_COUNT_FIELDS, MonthlyOrgMetric, MonthlyPersonMetric

    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    kpi_cache.bump_now_and_on_commit()
    MonthlyOrgMetric.objects.filter(month=month).delete()
    MonthlyPersonMetric.objects.filter(month=month).delete()
    for model, daily, keys, cols in (
            (MonthlyOrgMetric, DailyOrgMetric, ("organization_id", "subtree"), [*ORG_COUNT_FIELDS, *HISTOGRAM_FIELDS]),
            (MonthlyPersonMetric, DailyPersonMetric, ("user_id",), [*PERSON_COUNT_FIELDS, *HISTOGRAM_FIELDS])):
        sums = ", ".join(f"SUM({c})" for c in cols)
        with connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO {model._meta.db_table} ({", ".join(keys)}, month, {", ".join(cols)})
                SELECT {", ".join(keys)}, %s, {sums} FROM {daily._meta.db_table}
                WHERE day >= %s AND day < %s GROUP BY {", ".join(keys)}""", [month, month, end])


def _roll_up(day: date) -> None:
    """Write the subtree rows of `day`: for every organisation with activity in its subtree, the sum
    of the own rows of the organisations below it (and itself). One INSERT … SELECT … GROUP BY."""
    cols = [*ORG_COUNT_FIELDS, *HISTOGRAM_FIELDS]
    table = DailyOrgMetric._meta.db_table
    orgs = Organization._meta.db_table
    sums = ", ".join(f"SUM(m.{c})" for c in cols)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {table} (organization_id, day, subtree, computed_at, {", ".join(cols)})
            SELECT a.id, %s, %s, %s, {sums}
            FROM {table} m
            JOIN {orgs} o ON o.id = m.organization_id
            JOIN {orgs} a ON o.path LIKE a.path || '%%'
            WHERE m.day = %s AND m.subtree = %s
            GROUP BY a.id""", [day, True, timezone.now(), day, False])


def aggregate_range(first: date, last: date, *, stdout=None) -> int:
    """Recompute every day of [first, last] (the rebuild command). Each day is its own transaction."""
    if last < first:
        raise Invalid("结束日期早于开始日期", "The end date is before the start date", fields={"to": "before from"})
    if (last - first).days + 1 > MAX_REBUILD_DAYS:
        raise Invalid("日期范围过长", "The range is too long", fields={"from": f"at most {MAX_REBUILD_DAYS} days"})
    for day in days_between(first, last):
        orgs, people = aggregate_day(day)
        if stdout is not None and (orgs or people):
            stdout.write(f"{day}: {orgs} organisations, {people} people")
    return (last - first).days + 1


def aggregate_recent(*, today: date | None = None) -> int:
    """The nightly run: yesterday and the days before it that may still change (late first
    answers, ratings, responses), INSIGHTS_REAGGREGATE_DAYS in all."""
    today = today or timezone.localdate()
    back = max(1, int(getattr(settings, "INSIGHTS_REAGGREGATE_DAYS", 3)))
    return aggregate_range(today - timedelta(days=back), today - timedelta(days=1))


# ---------------------------------------------------------------- training records

TRAINING_ROLES = ADMIN_ROLES | PUBLISHING_ROLES


@transaction.atomic
def add_training_record(*, actor, user, organization: Organization, title: str, held_on: date, hours,
                        kind: str = TrainingKind.PLATFORM, provider: str = "", passed: bool = True,
                        note: str = "") -> TrainingRecord:
    """Record a training of a staff member of `organization` (the actor administers it)."""
    if not permissions.can_act(actor, organization, TRAINING_ROLES):
        raise forbidden()
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 120:
        errors["title"] = "培训名称必填，不超过 120 字 / required, at most 120 characters"
    if kind not in TrainingKind.values:
        errors["kind"] = "未知类型 / unknown kind"
    try:
        hours = Decimal(str(hours))
        if not (Decimal("0") < hours <= Decimal("200")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["hours"] = "学时须在 0 到 200 之间 / hours must be between 0 and 200"
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = "日期不能晚于今天 / the date cannot be in the future"
    is_staff_there = StaffMembership.objects.active().filter(
        user=user, organization__path__startswith=organization.path, role__in=ALL_STAFF_ROLES).exists()
    if not is_staff_there:
        errors["user"] = "该用户不是本组织的工作人员 / not a staff member of this organisation"
    if errors:
        raise Invalid("培训记录无效", "Invalid training record", fields=errors)
    record = TrainingRecord.objects.create(user=user, organization=organization, title=title, kind=kind,
                                           provider=(provider or "").strip()[:80], held_on=held_on, hours=hours,
                                           passed=passed, note=(note or "").strip()[:300], created_by=actor)
    log(instance=record, action="wagtail.create", user=actor, data={"user": user.pk, "hours": str(hours)})
    return record
