"""Reads about experts and alliances: the ones other apps use (active_expert, is_expert,
experts_in_domain) and the directory, alliance pages, matching, statistics and demand analysis.

Statistics, loads and demand read Q&A data through `alliances.sources` (querysets + field paths),
with one aggregate query per source and no per-expert loop."""

from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
)
from django.db.models.functions import Substr, TruncDay, TruncMonth, TruncWeek

from organizations.domain.tree import ancestor_path
from organizations.models import Organization, OrganizationKind

from .domain import demand as demand_rules
from .domain import matching
from .domain.stats import ExpertStats, compute, median, rank
from .models import (
    AllianceMembership,
    AlliancePage,
    Availability,
    ExpertDomain,
    ExpertProfile,
    ExpertStatus,
    MembershipStatus,
)
from .sources import CommunitySources

STEPLEN = Organization.steplen


# ---- used by other apps (names and meaning fixed) -------------------------------------------------

def active_expert(user) -> ExpertProfile | None:
    """The user's expert profile if they are an active expert, else None."""
    if user is None or not user.is_authenticated:
        return None
    profile = ExpertProfile.objects.filter(user=user, status=ExpertStatus.ACTIVE).first()
    return profile


def is_expert(user) -> bool:
    return active_expert(user) is not None


def experts_in_domain(domain: str):
    return ExpertProfile.objects.filter(status=ExpertStatus.ACTIVE, domains__domain=domain).select_related("user")


# ---- directory -----------------------------------------------------------------------------------

def public_experts():
    return (ExpertProfile.objects.filter(status=ExpertStatus.ACTIVE)
            .select_related("organization")
            .prefetch_related(Prefetch("domains", queryset=ExpertDomain.objects.order_by("domain"))))


def directory(*, domain: str | None = None, city: Organization | None = None, organization: Organization | None = None,
              station_id: int | None = None, q: str | None = None, kind: str | None = None):
    """Active experts, filtered; ordered with verified experts first, then by name."""
    qs = public_experts()
    if domain:
        qs = qs.filter(domains__domain=domain)
    for org in (city, organization):
        if org is not None:
            qs = qs.filter(organization__path__startswith=org.path)
    if station_id is not None:
        qs = qs.filter(home_station_id=station_id)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(real_name__icontains=q) | Q(title__icontains=q) | Q(workplace__icontains=q) | Q(bio__icontains=q))
    return qs.order_by(F("verified_at").desc(nulls_last=True), "real_name", "pk").distinct()


def cities():
    return Organization.objects.filter(kind=OrganizationKind.CITY, is_active=True).order_by("path")


def city_of(org: Organization | None) -> Organization | None:
    if org is None or org.depth < 2:
        return None
    return Organization.objects.filter(path=ancestor_path(org.path, 2)).first()


def alliances_of_expert(expert: ExpertProfile):
    return (AlliancePage.objects.live().filter(memberships__expert=expert, memberships__status=MembershipStatus.ACTIVE)
            .select_related("organization").order_by("title"))


def live_alliances(*, domain: str | None = None, organization: Organization | None = None):
    qs = AlliancePage.objects.live().select_related("organization")
    if domain:
        qs = qs.filter(domain=domain)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    return qs.annotate(members=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE)))\
        .order_by("organization__path", "domain")


def manageable_alliances(user):
    """Live alliances the user runs: in their liaison/admin subtree, or listed as a liaison (2 queries)."""
    from organizations import permissions

    from .models import AllianceLiaison
    from .services import ALLIANCE_ROLES

    qs = live_alliances()
    if permissions.second_factor_missing(user):  # no role, listed liaison included
        return qs.none()
    if permissions.is_superuser(user):
        return qs
    listed = Q(pk__in=AllianceLiaison.objects.filter(user=user).values("page_id"))
    return qs.filter(Q(organization__in=permissions.organizations_for(user, ALLIANCE_ROLES)) | listed)


def alliance_members(alliance: AlliancePage):
    return (AllianceMembership.objects.filter(alliance=alliance, status=MembershipStatus.ACTIVE)
            .select_related("expert__organization", "member_organization")
            .order_by("member_organization__name", "expert__real_name"))


def alliance_page_context(page: AlliancePage, user) -> dict:
    from .services import can_manage_alliance

    members = list(alliance_members(page))
    context = {
        "expert_members": [m.expert for m in members if m.expert_id],
        "organization_members": [m.member_organization for m in members if m.member_organization_id],
        "can_manage": can_manage_alliance(user, page),
        "own_membership": None,
    }
    if user is not None and user.is_authenticated:
        context["own_membership"] = AllianceMembership.objects.filter(
            alliance=page, expert__user=user).order_by("-created_at").first()
    if context["can_manage"]:
        context["pending"] = list(AllianceMembership.objects.filter(alliance=page, status=MembershipStatus.APPLIED)
                                  .select_related("expert").order_by("created_at"))
    return context


def manageable_memberships(user, *, status: str | None = None):
    """Memberships of alliances the user runs (scoped to their organisation subtree or listed as liaison)."""
    from organizations import permissions

    from .services import ALLIANCE_ROLES

    qs = AllianceMembership.objects.select_related("alliance", "expert", "member_organization")
    if not permissions.is_superuser(user):
        orgs = permissions.organizations_for(user, ALLIANCE_ROLES)
        qs = qs.filter(Q(alliance__organization__in=orgs) | Q(alliance__liaisons__user=user)).distinct()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


# ---- SQL helpers ---------------------------------------------------------------------------------

class SecondsBetween(Func):
    """end - start in seconds, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_postgresql(self, compiler, conn, **extra):
        # date_part returns double precision; EXTRACT returns numeric (several times slower to aggregate).
        return self.as_sql(compiler, conn, template="date_part('epoch', %(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the same definition as domain.stats.median."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@contextmanager
def _reporting_session():
    """Reporting queries on PostgreSQL: enough sort memory for one pass, no JIT compilation (which
    costs more than it saves on a one-off aggregate). SET LOCAL ends with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        yield


def _period_q(field: str, since: datetime, until: datetime) -> Q:
    return Q(**{f"{field}__gte": since, f"{field}__lt": until})


# ---- statistics ----------------------------------------------------------------------------------

def expert_statistics(*, sources: CommunitySources, since: datetime, until: datetime,
                      user_ids=None) -> dict[int, ExpertStats]:
    with _reporting_session():
        return _expert_statistics(sources=sources, since=since, until=until, user_ids=user_ids)


def _answer_aggregates(a) -> dict:
    """The per-expert aggregates over answers (one GROUP BY, joined to questions only by field paths)."""
    on_time = Q(**{f"{a.deadline}__isnull": True}) | Q(**{f"{a.created}__lte": F(a.deadline)})
    response: SecondsBetween | F = SecondsBetween(F(a.created), F(a.question_created))
    if a.on_time:  # stored when the answer was written (a reopen moves the question's deadline)
        on_time = Q(**{a.on_time: True})
    if a.response_seconds:  # stored on the answer: no join to questions
        response = F(a.response_seconds)
    accepted = Q(**{a.accepted_answer: F("pk")}) if a.accepted_answer else Q(**{a.accepted: True})
    aggregates = dict(
        n=Count("pk"),
        n_accepted=Count("pk", filter=accepted),
        n_on_time=Count("pk", filter=on_time),
        med=Median(response),
        mean=Avg(response),
    )
    if a.outcome_rating:
        helped = accepted | (Q(**{f"{a.accepted_answer}__isnull": True}) & Q(**{a.helped: True}))
        aggregates.update(avg_rating=Avg(a.outcome_rating, filter=helped),
                          n_ratings=Count(a.outcome_rating, filter=helped))
    elif a.rating:
        aggregates.update(avg_rating=Avg(a.rating), n_ratings=Count(a.rating))
    return aggregates


def _invitations_answered_on_time(inv) -> Q | None:
    if inv.answered_at and inv.own_deadline:
        return Q(**{f"{inv.answered_at}__isnull": False, f"{inv.answered_at}__lte": F(inv.own_deadline)})
    return None


def _expert_statistics(*, sources, since, until, user_ids):
    """Per-expert statistics (keyed by user id) for the period; definitions in alliances/domain/stats.py.

    On PostgreSQL: one GROUP BY query per source table, combined here by expert id: answers (joined to
    their questions for response time, deadline, accepted answer and outcome rating), invitations,
    delivered services (per station, given to the experts based there). No per-expert loop. Where
    invitations do not record answered_at (the stand-ins), answered-on-time is one more GROUP BY with an
    EXISTS over answers. Elsewhere (SQLite dev) the rows are fetched and the pure function computes
    the same figures."""
    a = sources.answers
    if connection.vendor != "postgresql":
        return _statistics_in_python(sources, since, until, user_ids)
    answers = a.queryset.filter(_period_q(a.created, since, until))
    if user_ids is not None:
        answers = answers.filter(**{f"{a.author}__in": list(user_ids)})
    out: dict[int, ExpertStats] = {}
    for row in answers.order_by().values(a.author).annotate(**_answer_aggregates(a)):
        uid = row[a.author]
        out[uid] = ExpertStats(
            expert_user_id=uid, answers=row["n"], accepted=row["n_accepted"], on_time=row["n_on_time"],
            median_response_seconds=row["med"], mean_response_seconds=row["mean"],
            rating=float(row["avg_rating"]) if row.get("avg_rating") is not None else None,
            ratings=row.get("n_ratings", 0),
        )
    if settings.YV_ALLIANCES_FLAG_OUT_OF_DOMAIN:
        for s in out.values():
            s.out_of_domain = 0
        in_domain = Exists(ExpertDomain.objects.filter(expert__user_id=OuterRef(a.author), domain=OuterRef(a.domain)))
        for uid, n in answers.filter(~in_domain).order_by().values_list(a.author).annotate(n=Count("pk")):
            out[uid].out_of_domain = n
    inv = sources.invitations
    if inv is not None:
        invitations = inv.queryset.filter(_period_q(inv.created, since, until))
        if user_ids is not None:
            invitations = invitations.filter(**{f"{inv.invitee}__in": list(user_ids)})
        own_on_time = _invitations_answered_on_time(inv)
        aggregates = dict(n=Count("pk"),
                          n_accepted=Count("pk", filter=Q(**{f"{inv.status}__in": inv.accepted_statuses})))
        if own_on_time is not None:
            aggregates["n_on_time"] = Count("pk", filter=own_on_time)
        for row in invitations.order_by().values(inv.invitee).annotate(**aggregates):
            s = out.setdefault(row[inv.invitee], ExpertStats(expert_user_id=row[inv.invitee]))
            s.invitations, s.invitations_accepted = row["n"], row["n_accepted"]
            s.invitations_answered_on_time = row.get("n_on_time", 0)
        if own_on_time is None:
            # A separate query so that EXISTS sits in WHERE, where PostgreSQL turns it into a hash
            # semi-join (inside an aggregate FILTER it would run once per invitation).
            answered_on_time = Exists(
                a.queryset.filter(**{a.question: OuterRef(inv.question), a.author: OuterRef(inv.invitee)})
                .filter(Q(**{f"{a.deadline}__isnull": True}) | Q(**{f"{a.created}__lte": F(a.deadline)}))
            )
            for uid, n in (invitations.filter(answered_on_time).order_by().values_list(inv.invitee)
                           .annotate(n=Count("pk"))):
                out.setdefault(uid, ExpertStats(expert_user_id=uid)).invitations_answered_on_time = n
    _add_offline(out, sources, since, until, user_ids)
    return out


def _add_offline(out, sources, since, until, user_ids):
    off = sources.offline
    if off is None:
        return
    by_station = dict(off.queryset.filter(_period_q(off.delivered, since, until)).order_by()
                      .values_list(off.station).annotate(n=Count("pk")))
    if not by_station:
        return
    experts = ExpertProfile.objects.filter(home_station_id__in=list(by_station))
    if user_ids is not None:
        experts = experts.filter(user_id__in=list(user_ids))
    for uid, station in experts.values_list("user_id", "home_station_id"):
        out.setdefault(uid, ExpertStats(expert_user_id=uid)).offline_services = by_station[station]


def _statistics_in_python(sources, since, until, user_ids):
    a = sources.answers
    fields = ["pk", a.author, a.question, a.created, a.question_created, a.deadline, a.domain]
    fields += [a.on_time] if a.on_time else []
    fields += [a.accepted_answer] if a.accepted_answer else [a.accepted]
    if a.outcome_rating:
        fields += [a.outcome_rating, a.helped]
    elif a.rating:
        fields += [a.rating]
    qs = a.queryset
    if user_ids is not None:
        qs = qs.filter(**{f"{a.author}__in": list(user_ids)})

    def accepted(r):
        return r[a.accepted_answer] == r["pk"] if a.accepted_answer else bool(r[a.accepted])

    def rating(r):
        if a.outcome_rating:
            helped = accepted(r) or (r[a.accepted_answer] is None and r[a.helped])
            return r[a.outcome_rating] if helped else None
        return r[a.rating] if a.rating else None

    answers = [
        {"author_id": r[a.author], "question_id": r[a.question], "created_at": r[a.created],
         "question_created_at": r[a.question_created], "deadline": r[a.deadline], "accepted": accepted(r),
         "rating": rating(r), "domain": r[a.domain], **({"on_time": bool(r[a.on_time])} if a.on_time else {})}
        for r in qs.values(*fields)
    ]
    expert_domains: dict[int, set[str]] | None = None
    if settings.YV_ALLIANCES_FLAG_OUT_OF_DOMAIN:
        expert_domains = {}
        for uid, domain in ExpertDomain.objects.values_list("expert__user_id", "domain"):
            expert_domains.setdefault(uid, set()).add(domain)
    invitations = []
    inv = sources.invitations
    if inv is not None:
        iq = inv.queryset.filter(_period_q(inv.created, since, until))
        if user_ids is not None:
            iq = iq.filter(**{f"{inv.invitee}__in": list(user_ids)})
        own = bool(inv.answered_at and inv.own_deadline)
        fields = [inv.invitee, inv.question, inv.created, inv.status, inv.deadline]
        fields += [inv.answered_at, inv.own_deadline] if own else []
        for r in iq.values(*fields):
            row = {"invitee_id": r[inv.invitee], "question_id": r[inv.question], "created_at": r[inv.created],
                   "status": "accepted" if r[inv.status] in inv.accepted_statuses else r[inv.status],
                   "deadline": r[inv.deadline]}
            if own:
                row["answered_on_time"] = (r[inv.answered_at] is not None and r[inv.own_deadline] is not None
                                           and r[inv.answered_at] <= r[inv.own_deadline])
            invitations.append(row)
    out = compute(answers=answers, invitations=invitations, since=since, until=until, expert_domains=expert_domains)
    _add_offline(out, sources, since, until, user_ids)
    return out


def alliance_statistics(*, alliance: AlliancePage, sources: CommunitySources, since, until) -> list[dict]:
    """Each active expert member with their statistics (zeros for the idle), for ranking and export."""
    experts = list(ExpertProfile.objects.filter(memberships__alliance=alliance,
                                                memberships__status=MembershipStatus.ACTIVE)
                   .select_related("organization").order_by("pk"))
    stats = expert_statistics(sources=sources, since=since, until=until, user_ids=[e.user_id for e in experts])
    return [{"expert": e, "stats": stats.get(e.user_id) or ExpertStats(expert_user_id=e.user_id)} for e in experts]


def ranked_members(*, alliance: AlliancePage, sources: CommunitySources | None, since, until,
                   order: str) -> tuple[list[dict], list[tuple]]:
    """The alliance's members with their statistics over [since, until), for the statistics page, its
    exports and the API: (rows as `alliance_statistics`, [(expert, stats)] ranked by `order`).
    Without the Q&A sources every member is listed with empty statistics."""
    if sources is not None:
        rows = alliance_statistics(alliance=alliance, sources=sources, since=since, until=until)
    else:
        rows = [{"expert": m.expert, "stats": ExpertStats(expert_user_id=m.expert.user_id)}
                for m in alliance_members(alliance) if m.expert_id]
    by_user = {r["stats"].expert_user_id: r["expert"] for r in rows}
    return rows, [(by_user[s.expert_user_id], s) for s in rank([r["stats"] for r in rows], by=order)]


def alliance_totals(rows: list[dict]) -> dict:
    stats = [r["stats"] for r in rows]
    medians = [s.median_response_seconds for s in stats if s.median_response_seconds is not None]
    return {
        "members": len(rows),
        "active_members": sum(1 for s in stats if s.answers),
        "answers": sum(s.answers for s in stats),
        "accepted": sum(s.accepted for s in stats),
        "invitations": sum(s.invitations for s in stats),
        "invitations_accepted": sum(s.invitations_accepted for s in stats),
        "median_of_medians_seconds": median(medians),
    }


# ---- matching ------------------------------------------------------------------------------------

def current_loads(sources: CommunitySources | None, user_ids) -> dict[int, int]:
    """Open invitations per expert (one GROUP BY query)."""
    if sources is None or sources.invitations is None:
        return {}
    inv = sources.invitations
    rows = (inv.queryset.filter(**{f"{inv.invitee}__in": list(user_ids), f"{inv.status}__in": inv.open_statuses})
            .order_by().values_list(inv.invitee).annotate(n=Count("pk")))
    return dict(rows)


def suggest_experts(*, domain: str, organization: Organization | None = None, station_id: int | None = None,
                    sources: CommunitySources | None = None, limit: int = 5, exclude_user_ids=()) -> list[dict]:
    """Suggested experts for a question (see domain/matching.py for the score). Three queries."""
    experts = list(ExpertProfile.objects.filter(status=ExpertStatus.ACTIVE, domains__domain=domain)
                   .exclude(availability=Availability.AWAY).exclude(user_id__in=list(exclude_user_ids))
                   .select_related("organization").prefetch_related("domains"))
    loads = current_loads(sources, [e.user_id for e in experts])
    candidates = [
        matching.Candidate(
            expert_id=e.pk, domains=frozenset(e.domain_list), org_path=e.organization.path if e.organization else "",
            home_station_id=e.home_station_id, availability=e.availability, active=True, verified=e.is_verified,
            open_load=loads.get(e.user_id, 0), capacity=e.max_open_questions,
        )
        for e in experts
    ]
    question = matching.QuestionInfo(domain=domain, org_path=organization.path if organization else "",
                                     station_id=station_id)
    by_id = {e.pk: e for e in experts}
    return [{"expert": by_id[s.expert_id], "score": s.score, "reasons": list(s.reasons),
             "load": loads.get(by_id[s.expert_id].user_id, 0)}
            for s in matching.suggest(candidates, question, limit=limit)]


def expert_queue(user, sources: CommunitySources | None, limit: int = 50) -> list[dict]:
    """The expert's open invitations, earliest deadline first."""
    if sources is None or sources.invitations is None:
        return []
    inv = sources.invitations
    rows = (inv.queryset.filter(**{inv.invitee: user.pk, f"{inv.status}__in": inv.open_statuses})
            .order_by(F(inv.deadline).asc(nulls_last=True), inv.created)
            .values(inv.question, inv.question_title, inv.deadline, inv.created, inv.status)[:limit])
    return [{"question_id": r[inv.question], "title": r[inv.question_title], "deadline": r[inv.deadline],
             "invited_at": r[inv.created], "status": r[inv.status]} for r in rows]


# ---- demand analysis -----------------------------------------------------------------------------

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def demand(*, sources: CommunitySources, since: datetime, until: datetime, period: str = "month",
           region: Organization | None = None, domain: str | None = None) -> dict:
    """Questions per domain, per region (the children of `region`, or cities) and per period; one query."""
    qsrc = sources.questions
    if qsrc is None:  # the callers check first, and say the data is unavailable
        raise ValueError("demand() needs sources.questions")
    qs = qsrc.queryset.filter(_period_q(qsrc.created, since, until))
    base_depth = region.depth if region is not None else 1
    if region is not None:
        qs = qs.filter(**{f"{qsrc.org_path}__startswith": region.path})
    if domain:
        qs = qs.filter(**{qsrc.domain: domain})
    rows = list(
        qs.order_by()
        .annotate(_region=Substr(qsrc.org_path, 1, (base_depth + 1) * STEPLEN), _period=TRUNC[period](qsrc.created))
        .values("_region", "_period", qsrc.domain)
        .annotate(count=Count("pk"))
    )
    region_names = dict(Organization.objects.filter(path__in={r["_region"] for r in rows if r["_region"]})
                        .values_list("path", "name"))
    region_label = (region.name if region is not None else "省级")
    plain = [{"domain": r[qsrc.domain] or "", "region": region_names.get(r["_region"], region_label),
              "period": (r["_period"].date() if hasattr(r["_period"], "date") else r["_period"]), "count": r["count"]}
             for r in rows]
    by_domain = demand_rules.pivot(plain, "domain", "period")
    by_region = demand_rules.pivot(plain, "region", "domain")
    return {"rows": plain, "by_domain": by_domain, "by_region": by_region,
            "series": demand_rules.series(plain), "total": by_domain["total"]}
