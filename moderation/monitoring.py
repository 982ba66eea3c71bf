"""The monitoring job (舆情监测): runs hourly (Celery beat), per monitored organisation.

A monitored organisation is a city-level organisation (its districts' posts count for it), or an
organisation outside any city (the province itself, universities, departments). Each run:
1. reads the last window's posts of every registered content kind (moderation.registry) once,
2. segments them with jieba and stores per-organisation hourly term counts (TermWindowCount),
3. compares the window against the previous same-length windows (bursts; WINDOWS gives how many,
   read from the stored hourly counts; not judged until they reach back half of it), clusters the
   window's posts (concentrated demand), and counts posts with word-list hits,
4. opens an Alert per new finding (one open alert per fingerprint) and notifies the liaison officers.
Methods and thresholds: moderation/domain/monitoring.py. Jobs: hourly, daily and weekly (Celery beat);
`manage.py monitoring_baselines` rebuilds the hourly counts out of band (build_baselines).
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from notifications.services import notify
from organizations.domain.tree import ancestor_paths
from organizations.models import Organization, OrganizationKind
from organizations.selectors import liaison_users

from . import registry
from .domain import monitoring as rules
from .models import Alert, AlertKind, AlertStatus, ModerationStatus, TermWindowCount

# window -> (length, number of same-length windows before it that form the baseline)
WINDOWS = {"hour": (timedelta(hours=1), 24), "day": (timedelta(days=1), 7), "week": (timedelta(weeks=1), 4)}


def monitored_units() -> dict[str, Organization]:
    """path prefix -> monitored organisation."""
    units = {}
    for org in Organization.objects.filter(is_active=True).exclude(kind=OrganizationKind.COUNTY):
        units[org.path] = org
    return units


def unit_for(path: str, units: dict[str, Organization]) -> Organization | None:
    # the deepest monitored ancestor-or-self that is a city, else the organisation itself (or province)
    best = None
    for p in ancestor_paths(path, include_self=True):
        org = units.get(p)
        if org is None:
            continue
        if org.kind == OrganizationKind.CITY:
            return org
        best = org
    return best


def window_posts(start, end, *, with_time=False) -> list[tuple]:
    """(unit, post) for every monitored post in [start, end); (unit, post, time) with `with_time`."""
    units = monitored_units()
    out = []
    for kind in registry.kinds():
        spec = registry.spec_for_kind(kind)
        if not spec.monitored:
            continue
        org_field = spec.organization_field.replace(".", "__")
        qs = (
            spec.model.objects.filter(**{f"{spec.time_field}__gte": start, f"{spec.time_field}__lt": end})
            .exclude(moderation_status=ModerationStatus.REMOVED)
            .values_list("pk", f"{spec.author_field}_id", f"{org_field}__path", spec.time_field, *spec.text_fields)
        )
        for pk, author_id, path, at, *texts in qs.iterator(chunk_size=2000):
            unit = unit_for(path or "", units)
            if unit is not None:
                post = rules.Post(pk, author_id, " ".join(t or "" for t in texts))
                out.append((unit, post, at) if with_time else (unit, post))
    return out


def _hour(dt):
    return dt.replace(minute=0, second=0, microsecond=0)


def _store_hourly_counts(hour_start, by_unit: dict[int, list[rules.Post]], units_by_id) -> dict[int, Counter]:
    counts = {}
    for unit_id, posts in by_unit.items():
        c = rules.term_counts(p.text for p in posts)
        counts[unit_id] = c
        TermWindowCount.objects.update_or_create(
            organization_id=unit_id, hour=hour_start,
            defaults={"posts": len(posts), "counts": dict(c.most_common(2000))},
        )
    return counts


def build_baselines(*, start, end) -> int:
    """(Re)build the hourly term counts of [start, end) from the posts, out of band: after an
    import, a gap in the hourly job, or a change of the segmentation. The hourly job keeps them up to
    date afterwards (one hour each run). Returns the number of hourly rows written."""
    start, end = _hour(start), _hour(end)
    grouped: dict[tuple, list[rules.Post]] = defaultdict(list)
    units = {}
    for unit, post, at in window_posts(start, end, with_time=True):
        grouped[(unit.pk, _hour(at))].append(post)
        units[unit.pk] = unit
    rows = [TermWindowCount(organization_id=unit_id, hour=hour, posts=len(posts),
                            counts=dict(rules.term_counts(p.text for p in posts).most_common(2000)))
            for (unit_id, hour), posts in grouped.items()]
    with transaction.atomic():
        TermWindowCount.objects.filter(hour__gte=start, hour__lt=end).delete()
        TermWindowCount.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _baseline(unit_id: int, end, length: timedelta, windows: int) -> list[Counter]:
    start = end - length * windows
    rows = TermWindowCount.objects.filter(organization_id=unit_id, hour__gte=start, hour__lt=end)
    buckets = [Counter() for _ in range(windows)]
    for row in rows:
        index = int((row.hour - start) / length)
        if 0 <= index < windows:
            buckets[index].update(row.counts)
    return buckets


def _open_alert(*, unit, kind, fingerprint, title, start, end, terms, score, post_ids, user_ids) -> Alert | None:
    if Alert.objects.filter(fingerprint=fingerprint).exclude(status__in=[AlertStatus.CLOSED, AlertStatus.DISMISSED]).exists():
        return None
    alert = Alert.objects.create(
        kind=kind, organization=unit, title=title[:200], terms=terms, score=round(score, 2),
        window_start=start, window_end=end, thread_count=len(post_ids), user_count=len(set(user_ids)),
        evidence={"post_ids": post_ids[:500], "user_ids": sorted(set(user_ids))[:2000], "location": unit.name},
        fingerprint=fingerprint[:120],
    )
    notify(recipients=liaison_users(unit), kind="monitoring_alert", title=f"舆情提醒：{alert.title}",
           body=f"{alert.get_kind_display()}，{alert.thread_count} 帖，{alert.user_count} 位用户",
           url=f"/admin/moderation/alerts/{alert.pk}/", subject=f"moderation.alert:{alert.pk}", email=True)
    return alert


@transaction.atomic
def run(*, now=None, window: str = "hour") -> list[Alert]:
    length, baseline_windows = WINDOWS[window]
    now = now or timezone.now()
    end = _hour(now)
    start = end - length
    posts = window_posts(start, end)
    by_unit: dict[int, list[rules.Post]] = defaultdict(list)
    units = {}
    for unit, post in posts:
        by_unit[unit.pk].append(post)
        units[unit.pk] = unit
    if window == "hour":
        current_counts = _store_hourly_counts(start, by_unit, units)
    else:
        current_counts = {uid: rules.term_counts(p.text for p in ps) for uid, ps in by_unit.items()}
    from .services import current_matcher

    matcher = current_matcher()
    # The baseline is judged when the stored hourly counts reach back at least half of it.
    history_from = TermWindowCount.objects.aggregate(first=Min("hour"))["first"]
    enough_history = history_from is not None and history_from <= start - length * (baseline_windows // 2)
    alerts = []
    for unit_id, unit_posts in by_unit.items():
        unit = units[unit_id]
        baseline = _baseline(unit_id, start, length, baseline_windows)
        # Too little history (a new branch, a new platform, the baselines not built yet): a jump
        # cannot be judged, and against nothing every topic would look new.
        judged = enough_history and any(baseline)
        found_terms = set()
        for cluster, hot in rules.concentrated_demands(unit_posts, baseline) if judged else ():
            key = "+".join(sorted(b.term for b in hot)[:2])
            found_terms |= {b.term for b in hot}
            a = _open_alert(
                unit=unit, kind=AlertKind.CONCENTRATED, fingerprint=f"concentrated:{unit_id}:{key}",
                title=f"{unit.display_name}集中诉求：{'、'.join(cluster.top_terms[:3])}", start=start, end=end,
                terms=cluster.top_terms, score=max(b.z for b in hot), post_ids=cluster.post_ids,
                user_ids=cluster.user_ids,
            )
            alerts += [a] if a else []
        found = rules.bursts(current_counts[unit_id], baseline) if judged else []
        for burst, carriers in rules.supported_bursts([b for b in found if b.term not in found_terms], unit_posts):
            a = _open_alert(
                unit=unit, kind=AlertKind.BURST, fingerprint=f"burst:{unit_id}:{burst.term}",
                title=f"{unit.display_name}热点突增：{burst.term}", start=start, end=end, terms=[burst.term],
                score=burst.z, post_ids=[p.id for p in carriers], user_ids=[p.user_id for p in carriers],
            )
            alerts += [a] if a else []
        flagged = [p for p in unit_posts if matcher.find(p.text)]
        if len(flagged) >= rules.SENSITIVE_THRESHOLD:
            a = _open_alert(
                unit=unit, kind=AlertKind.SENSITIVE, fingerprint=f"sensitive:{unit_id}:{start:%Y%m%d%H}",
                title=f"{unit.display_name}敏感内容增多（{len(flagged)} 帖）", start=start, end=end, terms=[],
                score=len(flagged), post_ids=[p.id for p in flagged], user_ids=[p.user_id for p in flagged],
            )
            alerts += [a] if a else []
    return alerts

