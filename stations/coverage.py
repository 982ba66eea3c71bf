"""The coverage report [A3.2]: stations by batch per city, county and university, against the
requirement, built in three queries and evaluated by the pure rules in domain/coverage.py."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from organizations.domain.tree import ancestor_path
from organizations.models import Organization, OrganizationKind

from .domain.coverage import Row, Unit, evaluate
from .models import StationPage

KINDS = (OrganizationKind.CITY, OrganizationKind.COUNTY, OrganizationKind.UNIVERSITY)
REQUIREMENT_LABELS = {
    "city-level>=1": _("at least 1 city-level station"),
    "total>=5": _("at least 5 stations in total"),
    "county>=1": _("at least 1 station"),
    "university>=1": _("one station per university"),
}


def labelled(rows: list[Row]) -> list[dict]:
    """Rows with display labels for templates."""
    kinds = dict(OrganizationKind.choices)
    return [{"row": r, "kind": kinds.get(r.unit.kind, r.unit.kind), "requirement": REQUIREMENT_LABELS.get(r.requirement, r.requirement),
             "batches": [r.unit.total_by_batch.get(b, 0) for b in (1, 2, 3)]} for r in rows]


def report() -> list[Row]:
    orgs = list(Organization.objects.filter(is_active=True, kind__in=KINDS).order_by("path"))
    counts = (StationPage.objects.live().values("organization__path", "batch")
              .annotate(n=Count("pk")).order_by())
    own: dict = defaultdict(lambda: defaultdict(int))
    for row in counts:
        own[row["organization__path"]][row["batch"]] += row["n"]
    by_path = {o.path: o for o in orgs}
    units = []
    for o in orgs:
        total: dict = defaultdict(int)
        for path, batches in own.items():
            if path.startswith(o.path):
                for b, n in batches.items():
                    total[b] += n
        parent = by_path.get(ancestor_path(o.path, o.depth - 1))
        units.append(Unit(org_id=o.pk, name=o.display_name, kind=o.kind, slug=o.slug,
                          parent_id=parent.pk if parent else None,
                          own_by_batch=dict(own.get(o.path, {})), total_by_batch=dict(total)))
    return evaluate(units)


def summary(rows: list[Row]) -> dict:
    """Totals for the report header and the chart."""
    by_kind: dict = defaultdict(lambda: {"units": 0, "met": 0})
    for r in rows:
        by_kind[r.unit.kind]["units"] += 1
        by_kind[r.unit.kind]["met"] += r.met
    batches: dict = defaultdict(int)
    for r in rows:
        if r.unit.kind == "city":
            for b, n in r.unit.total_by_batch.items():
                batches[b] += n
    return {"by_kind": dict(by_kind), "stations_by_batch": dict(sorted(batches.items())),
            "gaps": sum(1 for r in rows if not r.met)}
