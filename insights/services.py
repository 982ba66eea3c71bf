"""Writes of the insights app: the daily KPI aggregation and staff training records.

`aggregate_day(day)` recomputes one local day into DailyOrgMetric / DailyPersonMetric: the day's
rows are deleted and inserted again in one transaction (under a per-day advisory lock on
PostgreSQL, so two concurrent runs of the same day serialise), which makes any re-run idempotent.
"""

import functools
import zlib
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from core.changes import save_changes
from core.errors import Invalid, forbidden
from organizations import permissions
from organizations.models import ADMIN_ROLES, ALL_STAFF_ROLES, PUBLISHING_ROLES, Organization, StaffMembership

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
        raise Invalid(_("The end date is before the start date"), fields={"to": "before from"})
    if (last - first).days + 1 > MAX_REBUILD_DAYS:
        raise Invalid(_("The range is too long"), fields={"from": f"at most {MAX_REBUILD_DAYS} days"})
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
        raise Invalid(_("Invalid training record"), fields=errors)
    record = TrainingRecord.objects.create(user=user, organization=organization, title=title, kind=kind,
                                           provider=(provider or "").strip()[:80], held_on=held_on, hours=hours,
                                           passed=passed, note=(note or "").strip()[:300], created_by=actor)
    log(instance=record, action="wagtail.create", user=actor, data={"user": user.pk, "hours": str(hours)})
    return record


# ---------------------------------------------------------------- promotion work [A1 第三条]

@transaction.atomic
def record_promotion(*, actor, organization: Organization, kind: str, title: str, held_on: date, reach: int = 0,
                     channel: str = "", url: str = "", liaison=None):
    """Record a piece of the organisation's promotion work (media, event, advertising) with its reach,
    credited to one of its liaison officers (default: the actor, if they are one). Counted in that
    officer's contribution score from the next aggregation of `held_on`."""
    from .models import PromotionActivity, PromotionKind

    if not permissions.can_act(actor, organization, TRAINING_ROLES):
        raise forbidden()
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = "名称必填，不超过 200 字 / required, at most 200 characters"
    if kind not in PromotionKind.values:
        errors["kind"] = "未知类型 / unknown kind"
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = "日期不能晚于今天 / the date cannot be in the future"
    try:
        reach = int(reach or 0)
        if not 0 <= reach <= 100_000_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["reach"] = "覆盖人数须为 0 到 1 亿之间的整数 / reach must be a whole number up to 100 million"
    officers = StaffMembership.objects.active().filter(organization__path__startswith=organization.path,
                                                       role="liaison")
    if liaison is None and officers.filter(user=actor).exists():
        liaison = actor
    if liaison is not None and not officers.filter(user=liaison).exists():
        errors["liaison"] = "须为本组织的联络专员 / must be a liaison officer of this organisation"
    if errors:
        raise Invalid(_("Invalid promotion record"), fields=errors)
    activity = PromotionActivity.objects.create(
        organization=organization, kind=kind, title=title, held_on=held_on, reach=reach,
        channel=(channel or "").strip()[:120], url=(url or "").strip()[:200], liaison=liaison, created_by=actor)
    log(instance=activity, action="wagtail.create", user=actor, data={"reach": reach, "liaison": getattr(liaison, "pk", None)})
    transaction.on_commit(lambda: aggregate_day(held_on) if held_on < timezone.localdate() else None)
    return activity


# ---------------------------------------------------------------- awards rounds (评优表彰)

AWARD_ROLES = ADMIN_ROLES | PUBLISHING_ROLES  # who runs a round and nominates: administrators, liaison officers
STATION_WEIGHTS = {"completed": 2, "on_time": 2, "satisfaction": 2}


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _has_figures(row: dict) -> bool:
    from .domain.scoring import VOLUME_KEYS

    return any(row.get(k) for k in (*VOLUME_KEYS, "ratings"))


def award_candidates(award_round, category: str) -> list[dict]:
    """The round organisation's subtree's candidates of `category` with platform figures for the
    year, ranked by the documented scores: the contribution score (insights.domain.scoring; liaison
    officers' promotion work included) for liaison officers, cadres and experts; for stations
    2·completed services + 2·requests answered on time + 2·(rating sum − 3·ratings). Nobody without
    figures is a candidate. Rows: {key, user_id | station_id, name, organization_id, score, rank, figures}."""
    from .domain.scoring import ranked
    from .models import AwardCategory
    from .selectors import people_totals

    first, last = _year_range(award_round.year)
    org = award_round.organization
    if category in (AwardCategory.LIAISON, AwardCategory.CADRE, AwardCategory.EXPERT):
        rows = [r for r in people_totals(org, first, last, category) if _has_figures(r)]
        keep = ("answers", "first_responses", "on_time", "accepted", "solved", "comments", "invitations_answered",
                "bookings_on_time", "promotions", "promotion_reach", "satisfaction")
        return [{"key": f"user:{r['user_id']}", "user_id": r["user_id"], "station_id": None, "name": r["name"],
                 "organization_id": r["organization_id"], "score": float(r["score"]), "rank": r["rank"],
                 "figures": {k: r.get(k) for k in keep}} for r in rows]
    if category == AwardCategory.STATION:
        from django.db.models import Count, F, Q, Sum

        from stations.models import Booking, StationPage

        start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()))
        stations = {s.pk: s for s in StationPage.objects.filter(organization__path__startswith=org.path)
                    .select_related("organization")}
        figures = (Booking.objects.filter(station_id__in=list(stations), requested_at__gte=start, requested_at__lt=end)
                   .values("station_id").annotate(
                       completed=Count("pk", filter=Q(completed_at__isnull=False)),
                       on_time=Count("pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))),
                       ratings=Count("rating"), rating_sum=Sum("rating")))
        rows = []
        w = STATION_WEIGHTS
        for f in figures:
            if not (f["completed"] or f["on_time"] or f["ratings"]):
                continue
            s = stations[f["station_id"]]
            score = (w["completed"] * f["completed"] + w["on_time"] * f["on_time"]
                     + w["satisfaction"] * ((f["rating_sum"] or 0) - 3 * f["ratings"]))
            rows.append({"key": f"station:{s.pk}", "user_id": None, "station_id": s.pk, "name": s.title,
                         "organization_id": s.organization_id, "score": float(score),
                         "figures": {k: f[k] or 0 for k in ("completed", "on_time", "ratings", "rating_sum")}})
        return ranked(rows)
    raise Invalid(_("Unknown award category"), fields={"category": category})


def _approver_org(award_round) -> Organization:
    """Who approves a round's nominations: the parent organisation (the province approves its own)."""
    return award_round.organization.get_parent() or award_round.organization


@transaction.atomic
def open_award_round(*, actor, organization: Organization, year: int, title: str = ""):
    from .models import AwardRound

    if not permissions.can_act(actor, organization, ADMIN_ROLES):
        raise forbidden()
    if not 2015 <= int(year) <= timezone.localdate().year:
        raise Invalid(_("Invalid year"), fields={"year": year})
    if AwardRound.objects.filter(organization=organization, year=year).exists():
        raise Invalid(_("This organisation already has a round for that year"),
                      fields={"year": year})
    title = (title or "").strip()[:120] or f"{organization.display_name}{year}年度“青年之声”评优表彰"
    award_round = AwardRound.objects.create(organization=organization, year=year, title=title, created_by=actor)
    log(instance=award_round, action="wagtail.create", user=actor)
    return award_round


def _open_round_for_update(award_round):
    from .models import AwardRound, AwardRoundStatus

    award_round = AwardRound.objects.select_for_update().select_related("organization").get(pk=award_round.pk)
    if award_round.status != AwardRoundStatus.OPEN:
        from core.errors import Conflict

        raise Conflict(_("The round is published"))
    return award_round


@transaction.atomic
def nominate(*, actor, award_round, category: str, citation: str, user=None, station=None):
    """Put a candidate forward. Refused (nothing written): an actor who does not run the round's
    organisation; a candidate outside its subtree; a candidate without platform figures for the year."""
    from .models import AwardCategory, AwardNomination

    award_round = _open_round_for_update(award_round)
    org = award_round.organization
    if not permissions.can_act(actor, org, AWARD_ROLES):
        raise forbidden()
    if category not in AwardCategory.values:
        raise Invalid(_("Unknown award category"), fields={"category": category})
    if (user is None) == (station is None) or (station is not None) != (category == AwardCategory.STATION):
        raise Invalid(_("Name one person, or a station for the station category"),
                      fields={"candidate": "required"})
    citation = (citation or "").strip()
    if not citation or len(citation) > 1000:
        raise Invalid(_("A citation is required (at most 1000 characters)"),
                      fields={"citation": "required"})
    if station is not None:
        where = station.organization
    else:
        places = [m.organization for m in StaffMembership.objects.active().filter(user=user).select_related("organization")]
        from alliances.models import ExpertProfile

        places += [e.organization for e in ExpertProfile.objects.filter(user=user).select_related("organization")
                   if e.organization_id]
        where = next((p for p in places if p.path.startswith(org.path)), None)
    if where is None or not where.path.startswith(org.path):
        raise Invalid(_("The candidate is outside this organisation's subtree"),
                      fields={"candidate": "outside_subtree"})
    key = f"station:{station.pk}" if station is not None else f"user:{user.pk}"
    row = next((r for r in award_candidates(award_round, category) if r["key"] == key), None)
    if row is None:
        raise Invalid(_("The candidate has no platform figures for the year"),
                      fields={"candidate": "no_figures"})
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            nomination = AwardNomination.objects.create(
                round=award_round, category=category, user=user, station=station, name=row["name"][:120],
                candidate_organization_id=row["organization_id"], score=row["score"], rank=row["rank"],
                figures=row["figures"], citation=citation, nominated_by=actor)
    except IntegrityError as exc:
        from core.errors import Conflict

        raise Conflict(_("Already nominated in this category")) from exc
    log(instance=award_round, action="wagtail.edit", user=actor, data={"nominated": key, "category": category})
    from notifications.services import notify
    from organizations.selectors import liaison_users

    approver = _approver_org(award_round)
    notify(recipients=liaison_users(approver), kind="award_nomination", actor=actor,
           title=f"{award_round.title}：新的提名待审批（{nomination.name}）", url="/admin/insights/awards/",
           subject=f"insights.award_round:{award_round.pk}")
    return nomination


@transaction.atomic
def decide_nomination(*, actor, nomination, approve: bool, note: str = ""):
    """The parent organisation approves (or not) a nomination; the province approves its own round's."""
    from .models import AwardNomination, NominationStatus

    award_round = _open_round_for_update(nomination.round)
    nomination = AwardNomination.objects.select_for_update().get(pk=nomination.pk)
    approver = _approver_org(award_round)
    if not permissions.can_act(actor, approver, ADMIN_ROLES):
        raise forbidden()
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise Invalid(_("Give a reason when not approving"), fields={"note": "required"})
    nomination.status = NominationStatus.APPROVED if approve else NominationStatus.REJECTED
    nomination.decided_by, nomination.decided_at, nomination.decision_note = actor, timezone.now(), note
    nomination.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log(instance=award_round, action="wagtail.edit", user=actor,
        data={"nomination": nomination.pk, "approved": approve})
    return nomination


@transaction.atomic
def publish_award_round(*, actor, award_round):
    """Publish the approved honours as a 推优评选 page (home.ContestPage, voting closed: an honours
    list) in the organisation's branch. Every nomination must be decided first."""
    from .models import AWARD_LABELS_ZH, AwardRoundStatus, NominationStatus

    award_round = _open_round_for_update(award_round)
    if not permissions.can_act(actor, award_round.organization, ADMIN_ROLES):
        raise forbidden()
    nominations = list(award_round.nominations.all())
    if any(n.status == NominationStatus.NOMINATED for n in nominations):
        raise Invalid(_("Some nominations await the parent organisation's approval"))
    approved = [n for n in nominations if n.status == NominationStatus.APPROVED]
    if not approved:
        raise Invalid(_("No approved nomination to publish"))
    from home.services import publish_honours_page

    page = publish_honours_page(organization=award_round.organization, title=award_round.title,
                                slug=f"honours-{award_round.year}",
                                summary=f"{award_round.year}年度评优表彰结果（依据平台数据评定，经上级团组织审批）",
                                entries=[(f"{n.name}（{AWARD_LABELS_ZH[n.category]}）", n.citation) for n in approved])
    award_round.status, award_round.published_at, award_round.honours_page = (
        AwardRoundStatus.PUBLISHED, timezone.now(), page)
    award_round.save(update_fields=["status", "published_at", "honours_page"])
    log(instance=award_round, action="wagtail.publish", user=actor, data={"page": page.pk, "honours": len(approved)})
    return award_round


# ---------------------------------------------------------------- written for the admin viewsets (issue 24)
# The admin's edit and delete of training and promotion records, with the rules of add_training_record
# and record_promotion (which could call these checks too).

def _training_errors(*, user, organization: Organization, title: str, kind: str, hours, held_on) -> dict:
    from .models import TrainingKind

    errors = {}
    if not title or len(title) > 120:
        errors["title"] = "培训名称必填，不超过 120 字 / required, at most 120 characters"
    if kind not in TrainingKind.values:
        errors["kind"] = "未知类型 / unknown kind"
    try:
        if not (Decimal("0") < Decimal(str(hours)) <= Decimal("200")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["hours"] = "学时须在 0 到 200 之间 / hours must be between 0 and 200"
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = "日期不能晚于今天 / the date cannot be in the future"
    if not StaffMembership.objects.active().filter(user=user, organization__path__startswith=organization.path,
                                                   role__in=ALL_STAFF_ROLES).exists():
        errors["user"] = "该用户不是本组织的工作人员 / not a staff member of this organisation"
    return errors


TRAINING_FIELDS = ("user", "organization", "title", "kind", "provider", "held_on", "hours", "passed", "note")


@transaction.atomic
def update_training_record(*, actor, record, **changes):
    """Correct a training record: the actor administers both its organisation and the new one."""
    from .models import TrainingRecord

    record = TrainingRecord.objects.select_for_update().select_related("organization", "user").get(pk=record.pk)
    unknown = set(changes) - set(TRAINING_FIELDS)
    if unknown:
        raise Invalid(_("Some fields cannot be changed"), fields={f: "read-only" for f in unknown})
    organization = changes.get("organization", record.organization)
    if not (permissions.can_act(actor, record.organization, TRAINING_ROLES)
            and permissions.can_act(actor, organization, TRAINING_ROLES)):
        raise forbidden()
    for name, limit in (("title", None), ("provider", 80), ("note", 300)):
        if name in changes:
            changes[name] = (changes[name] or "").strip()[:limit]
    merged = {f: changes.get(f, getattr(record, f)) for f in TRAINING_FIELDS}
    errors = _training_errors(user=merged["user"], organization=organization, title=merged["title"],
                              kind=merged["kind"], hours=merged["hours"], held_on=merged["held_on"])
    if errors:
        raise Invalid(_("Invalid training record"), fields=errors)
    if "hours" in changes:
        changes["hours"] = Decimal(str(changes["hours"]))
    save_changes(record, changes, actor=actor)
    return record


@transaction.atomic
def delete_training_record(*, actor, record) -> None:
    """Delete a record entered by mistake (logged; training records are entries, not history)."""
    if not permissions.can_act(actor, record.organization, TRAINING_ROLES):
        raise forbidden()
    log(instance=record, action="wagtail.delete", user=actor, data={"user": record.user_id, "hours": str(record.hours)})
    record.delete()


PROMOTION_FIELDS = ("organization", "kind", "title", "channel", "held_on", "reach", "url", "liaison")


def _reaggregate(*days: date) -> None:
    """The liaison's contribution score counts promotion work: recompute the past days it touched."""
    today = timezone.localdate()
    for day in sorted({d for d in days if d is not None and d < today}):
        transaction.on_commit(functools.partial(aggregate_day, day))


@transaction.atomic
def update_promotion(*, actor, activity, **changes):
    """Correct a promotion record with record_promotion's rules; the days it counts on are re-aggregated."""
    from .models import PromotionActivity, PromotionKind

    activity = PromotionActivity.objects.select_for_update().select_related("organization").get(pk=activity.pk)
    unknown = set(changes) - set(PROMOTION_FIELDS)
    if unknown:
        raise Invalid(_("Some fields cannot be changed"), fields={f: "read-only" for f in unknown})
    organization = changes.get("organization", activity.organization)
    if not (permissions.can_act(actor, activity.organization, TRAINING_ROLES)
            and permissions.can_act(actor, organization, TRAINING_ROLES)):
        raise forbidden()
    for name, limit in (("title", None), ("channel", 120), ("url", 200)):
        if name in changes:
            changes[name] = (changes[name] or "").strip()[:limit]
    merged = {f: changes.get(f, getattr(activity, f)) for f in PROMOTION_FIELDS}
    errors = {}
    if not merged["title"] or len(merged["title"]) > 200:
        errors["title"] = "名称必填，不超过 200 字 / required, at most 200 characters"
    if merged["kind"] not in PromotionKind.values:
        errors["kind"] = "未知类型 / unknown kind"
    if merged["held_on"] is None or merged["held_on"] > timezone.localdate():
        errors["held_on"] = "日期不能晚于今天 / the date cannot be in the future"
    try:
        changes["reach"] = merged["reach"] = int(merged["reach"] or 0)
        if not 0 <= merged["reach"] <= 100_000_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["reach"] = "覆盖人数须为 0 到 1 亿之间的整数 / reach must be a whole number up to 100 million"
    officers = StaffMembership.objects.active().filter(organization__path__startswith=organization.path,
                                                       role="liaison")
    if merged["liaison"] is not None and not officers.filter(user=merged["liaison"]).exists():
        errors["liaison"] = "须为本组织的联络专员 / must be a liaison officer of this organisation"
    if errors:
        raise Invalid(_("Invalid promotion record"), fields=errors)
    old_day = activity.held_on
    if save_changes(activity, changes, actor=actor):
        _reaggregate(old_day, activity.held_on)
    return activity


@transaction.atomic
def delete_promotion(*, actor, activity) -> None:
    """Delete a promotion record entered by mistake (logged); its day is re-aggregated."""
    if not permissions.can_act(actor, activity.organization, TRAINING_ROLES):
        raise forbidden()
    log(instance=activity, action="wagtail.delete", user=actor, data={"reach": activity.reach})
    _reaggregate(activity.held_on)
    activity.delete()
