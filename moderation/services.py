"""Moderation services: screening posts, reports, decisions, sanctions, word lists, alerts.

Posting services of other apps call, in their transaction:

    screening = moderation.services.screen_post(user=author, kind="question", fields={"title": t, "body": b})
    obj = Question.objects.create(title=screening.fields["title"], ..., moderation_status=screening.status)
    moderation.services.after_post(obj=obj, user=author, kind="question", screening=screening)

`screen_post` refuses muted/banned users (403), rate-limited posts (429) and blocked words (400), and
returns the (masked) texts and whether the post is held for review.
"""

import contextlib
import contextvars
import csv
import hashlib
import io
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.log_actions import log

from core.errors import Conflict, Forbidden, Invalid, TooManyRequests, bilingual, forbidden
from notifications.services import notify
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES, MODERATION_ROLES, StaffMembership

from . import hooks, registry
from .domain import ratelimits
from .domain.matcher import Action, Matcher
from .models import (
    Alert,
    AlertKind,
    AlertStatus,
    AlertStep,
    AllowedWord,
    CaseReason,
    CaseStatus,
    DecisionAction,
    ModerationCase,
    ModerationDecision,
    ModerationStatus,
    PostRecord,
    Report,
    ReportReason,
    Sanction,
    SanctionKind,
    SensitiveWord,
    WordAction,
    WordCategory,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The word list: one automaton per list version, built once per process, version shared in the cache
# ---------------------------------------------------------------------------------------------
_VERSION_KEY = "moderation:wordlist:version"
_local = threading.local()
_built: dict[str, Matcher] = {}
_build_lock = threading.Lock()


def bump_word_list_version() -> str:
    version = str(time.time_ns())
    cache.set(_VERSION_KEY, version, None)
    return version


def current_matcher() -> Matcher:
    """The automaton for the current list. Every worker sees a change at its next post: the version
    lives in the shared cache; the automaton is rebuilt from the database once per version."""
    version = cache.get(_VERSION_KEY) or bump_word_list_version()
    engine = settings.YV_MODERATION_ENGINE
    key = f"{version}:{engine}"
    matcher = _built.get(key)
    if matcher is None:
        with _build_lock:
            matcher = _built.get(key)
            if matcher is None:
                words = list(SensitiveWord.objects.filter(is_active=True)
                             .values_list("word", "category", "action", "variants"))
                allowed = list(AllowedWord.objects.values_list("word", flat=True))
                matcher = Matcher(words, allowed, engine=engine)
                _built.clear()
                _built[key] = matcher
    return matcher


@dataclass
class PostScreening:
    fields: dict[str, str]
    action: Action
    hits: list = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.action == Action.HOLD

    @property
    def status(self) -> str:
        return ModerationStatus.HELD if self.held else ModerationStatus.VISIBLE


def screen_texts(fields: dict[str, str]) -> PostScreening:
    """Word screening only (profiles, booking notes): block raises, mask rewrites, hold flags."""
    matcher = current_matcher()
    out, hits, action = {}, [], Action.ALLOW
    for name, text in fields.items():
        result = matcher.screen(text or "")
        out[name] = result.text
        hits.extend(result.hits)
        action = max(action, result.action)
    if action == Action.BLOCK:
        raise Invalid(
            gettext_lazy("The text contains words that break the law or the platform's rules; please edit it"),
            code="blocked_words",
        )
    return PostScreening(out, action, hits)


def screen_public_texts(fields: dict[str, str]) -> dict[str, str]:
    """The one screening for public text that is not a post (station rating comments, expert
    biographies and profiles, alliance applications, display names, appeal themes): the same word
    list and normalisation as posts; block and hold words are refused (there is no review queue
    for these texts), mask words come back masked. Returns the texts to store."""
    screening = screen_texts(fields)
    if screening.held:
        raise Invalid(
            gettext_lazy("The text contains words that need review before it can be shown publicly; please edit it"),
            code="held_words", fields={name: "held_words" for name in fields},
        )
    return screening.fields


def screen_post(*, user, kind: str, fields: dict[str, str]) -> PostScreening:
    """Everything a post must pass before it is written: sanctions, rate limits, the word list."""
    check_can_post(user)
    check_rate_limits(user=user, kind=kind, text="\n".join(v or "" for v in fields.values()))
    return screen_texts(fields)


def after_post(*, obj, user, kind: str, screening: PostScreening) -> None:
    """Record the post for rate limits and queue it for review if it was held."""
    record_post(user=user, kind=kind, text="\n".join(v or "" for v in screening.fields.values()))
    if screening.held:
        spec = registry.spec_for(obj)
        case, _ = ModerationCase.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
            defaults=dict(
                organization=spec.organization(obj), author=spec.author(obj), reason=CaseReason.HELD,
                excerpt=spec.text(obj)[:300],
                hits=[{"word": h.word, "category": h.category, "action": h.action.name.lower()} for h in screening.hits],
            ),
        )
        ModerationDecision.objects.create(case=case, action=DecisionAction.HOLD, reason="word filter")


# ---------------------------------------------------------------------------------------------
# Rate limits (settings.YV_RATE_LIMITS), counted from PostRecord rows
# ---------------------------------------------------------------------------------------------
_rate_limits_off = contextvars.ContextVar("yv_rate_limits_off", default=False)


@contextlib.contextmanager
def rate_limits_suspended():
    """For trusted bulk loaders (load_demo_data): posts are screened but not rate-limited."""
    token = _rate_limits_off.set(True)
    try:
        yield
    finally:
        _rate_limits_off.reset(token)


def _limits() -> dict:
    return settings.YV_RATE_LIMITS


def _text_hash(text: str) -> str:
    """Same text up to spacing, punctuation, case and full-width forms."""
    from .domain.normalize import fold

    return hashlib.sha1(fold(text or "").encode(), usedforsecurity=False).hexdigest()


def _active() -> bool:
    return not _rate_limits_off.get() and settings.YV_RATE_LIMITS_ENABLED


def _serialize_writer(user) -> None:
    """On PostgreSQL, one rate-limited write of a user at a time (a transaction-scoped advisory lock
    on the user id, not a row lock: it cannot deadlock with the rows the write then updates), so
    that parallel requests cannot all pass the count before any of them is recorded. SQLite
    serialises writes anyway."""
    from django.db import connection

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [(0x5976 << 48) + user.pk])  # "Yv" + the user id


def _key_buckets(kind: str, key: str, now) -> list[tuple[str, int, int]]:
    """(cache key, window, limit) of each fixed window of a keyed write (no user)."""
    row = _limits()["kinds"].get(kind) or {}
    digest = hashlib.sha1(f"{kind}:{key}".encode(), usedforsecurity=False).hexdigest()[:20]
    stamp = int(now.timestamp())
    return [(f"yv:rl:{kind}:{digest}:{w}:{stamp // w}", w, limit)
            for w, limit in ratelimits.limits_for(row, new_user=False).items()]


def check_rate_limits(*, user=None, kind: str, text: str = "", key: str = "") -> None:
    """Refuse (429, TooManyRequests) a write that would break the limits of settings.YV_RATE_LIMITS
    for `kind`: per user (`user`, counted from PostRecord rows) or, for writes without a user, per
    `key` (an IP, a phone number; counted in the cache). A text is also refused when the user posted
    the same text within the duplicate window. Record the write with `record_post` (or call
    `rate_limit`, which does both) in the same transaction."""
    if not _active():
        return
    limits = _limits()
    now = timezone.now()
    row = limits["kinds"].get(kind) or {}
    if user is None:
        if not key:
            return
        try:
            buckets = _key_buckets(kind, key, now)
            counts = cache.get_many([k for k, _, _ in buckets])
        except Exception:  # the cache is down: keyed limits open rather than every sign-up failing
            logger.warning("cache unavailable: %s not rate-limited", kind, exc_info=True)
            return
        breach = ratelimits.exceeded(kind, row, {w: int(counts.get(k) or 0) for k, w, _ in buckets}, new_user=False)
    else:
        _serialize_writer(user)
        mine = PostRecord.objects.filter(user=user)
        dup_window = now - timedelta(seconds=limits["duplicate_window_seconds"])
        if text.strip() and mine.filter(created_at__gte=dup_window, text_hash=_text_hash(text)).exists():
            raise TooManyRequests(gettext_lazy("You posted the same text a moment ago"))
        if not row:
            return
        is_new = (user.date_joined >= now - timedelta(days=limits["new_user_days"])
                  and not permissions.is_staff_anywhere(user))
        windows = ratelimits.limits_for(row, new_user=is_new)
        if not windows:
            return
        counts = mine.filter(kind=kind, created_at__gte=now - timedelta(seconds=max(windows))).aggregate(
            **{f"w{w}": Count("id", filter=Q(created_at__gte=now - timedelta(seconds=w))) for w in windows})
        breach = ratelimits.exceeded(kind, row, {w: counts[f"w{w}"] for w in windows}, new_user=is_new)
    if breach is not None:
        raise TooManyRequests(bilingual(*ratelimits.message(breach)))


def record_post(*, user=None, kind: str, text: str = "", key: str = "") -> None:
    """Count a write for the rate limits (nothing while they are suspended for a trusted loader:
    demo users start with no writes counted)."""
    if _rate_limits_off.get():
        return
    now = timezone.now()
    if user is not None:
        PostRecord.objects.create(user=user, kind=kind, text_hash=_text_hash(text), created_at=now)
        return
    if not key or not settings.YV_RATE_LIMITS_ENABLED:
        return
    try:
        for cache_key, window, _limit in _key_buckets(kind, key, now):
            if not cache.add(cache_key, 1, window + 60):
                try:
                    cache.incr(cache_key)
                except ValueError:  # expired between add and incr
                    cache.set(cache_key, 1, window + 60)
    except Exception:  # see check_rate_limits
        logger.warning("cache unavailable: %s not counted", kind, exc_info=True)


def rate_limit(*, kind: str, user=None, key: str = "", text: str = "") -> None:
    """Check and count one write of `kind` — the one call for writes that are not screened posts:
    likes, reports, appeals, alliance applications, bookings, and (by key, before there is a user)
    sign-ups and SMS codes, e.g. `rate_limit(kind="sms_code", key=phone)`. Call it inside the
    write's transaction: a write that fails afterwards is not counted."""
    check_rate_limits(user=user, kind=kind, text=text, key=key)
    record_post(user=user, kind=kind, text=text, key=key)


def prune_post_records(*, older_than_days: int = 2) -> int:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return PostRecord.objects.filter(created_at__lt=cutoff).delete()[0]


# ---------------------------------------------------------------------------------------------
# Sanctions
# ---------------------------------------------------------------------------------------------
def active_sanction(user, kinds=(SanctionKind.MUTE, SanctionKind.BAN)) -> Sanction | None:
    if user is None or not getattr(user, "pk", None):
        return None
    now = timezone.now()
    return (
        Sanction.objects.filter(user=user, kind__in=kinds, lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )


BAN_CACHE_SECONDS = 3600


def ban_cache_key(user_id: int) -> str:
    return f"moderation:bans:{user_id}"


def forget_bans(user_id: int) -> None:
    """Drop the cached bans of a user (now, and again at commit: a reader between the two may have
    cached the old rows)."""
    def forget():
        try:
            cache.delete(ban_cache_key(user_id))
        except Exception:  # an unreachable cache is not read either (is_banned)
            logger.warning("cache unavailable: bans of user %s not forgotten", user_id, exc_info=True)

    forget()
    transaction.on_commit(forget)


def is_banned(user, now=None) -> bool:
    """Whether a ban is in force for `user`: asked on every authenticated request (the auth backend's
    user_can_authenticate), so the user's unlifted, unexpired bans are kept in the shared cache as
    (starts, ends) pairs — usually none — and dropped whenever one of their sanctions changes
    (moderation.signals). Without the cache it is one query."""
    if user is None or not getattr(user, "pk", None):
        return False
    now = now or timezone.now()
    key = ban_cache_key(user.pk)
    try:
        spans = cache.get(key)
    except Exception:  # fall back to the database
        logger.warning("cache unavailable: bans read from the database", exc_info=True)
        return active_sanction(user, kinds=(SanctionKind.BAN,)) is not None
    if spans is None:
        spans = [(s.timestamp(), e.timestamp()) for s, e in Sanction.objects.filter(
            user=user.pk, kind=SanctionKind.BAN, lifted_at__isnull=True, ends_at__gt=now,
        ).values_list("starts_at", "ends_at")]
        try:
            cache.set(key, spans, BAN_CACHE_SECONDS)
        except Exception:
            logger.warning("cache unavailable: bans of user %s not cached", user.pk, exc_info=True)
    ts = now.timestamp()
    return any(start <= ts < end for start, end in spans)


def check_can_post(user) -> None:
    if user is None or not user.is_authenticated:
        raise Forbidden(gettext_lazy("Log in first"))
    sanction = active_sanction(user)
    if sanction is not None:
        until = timezone.localtime(sanction.ends_at).strftime("%Y-%m-%d %H:%M")
        raise Forbidden(
            gettext_lazy("You are %(kind)sd until %(until)s. Reason: %(reason)s"),
            params={"kind": bilingual(sanction.get_kind_display(), sanction.kind), "until": until, "reason": sanction.reason},
            code="sanctioned",
        )


def _orgs_of(user):
    orgs = {m.organization for m in StaffMembership.objects.active().filter(user=user).select_related("organization")}
    if user.organization_id:
        orgs.add(user.organization)
    return orgs


def _check_may_sanction(moderator, user, organization):
    if not permissions.can_act(moderator, organization, MODERATION_ROLES):
        raise forbidden()
    if user.is_superuser or user.pk == moderator.pk:
        raise Forbidden(gettext_lazy("You cannot sanction this user"))
    for org in _orgs_of(user):
        if not org.is_descendant_or_self(organization):
            raise Forbidden(
                gettext_lazy("That user is outside your organisation's subtree (for example, staff of a superior organisation)"),
            )


@transaction.atomic
def impose_sanction(*, moderator, user, organization, kind: str, hours: int, reason: str, appeal_note: str = "") -> Sanction:
    if kind not in SanctionKind.values:
        raise Invalid(gettext_lazy("Unknown sanction kind"), fields={"kind": kind})
    if not (reason or "").strip():
        raise Invalid(pgettext_lazy("moderation.services.impose_sanction", "A reason is required"), fields={"reason": "required"})
    if not 1 <= int(hours) <= 24 * 365:
        raise Invalid(gettext_lazy("Duration must be between 1 hour and 1 year"), fields={"hours": hours})
    _check_may_sanction(moderator, user, organization)
    now = timezone.now()
    sanction = Sanction.objects.create(
        user=user, kind=kind, organization=organization, reason=reason.strip()[:500], appeal_note=appeal_note[:500],
        starts_at=now, ends_at=now + timedelta(hours=int(hours)), created_by=moderator,
    )
    log(instance=sanction, action="wagtail.create", user=moderator, data={"kind": kind, "hours": hours})
    notify(
        recipients=[user], kind="sanction", actor=moderator,
        title=f"您的账号已被{sanction.get_kind_display()}",
        body=f"原因：{sanction.reason}。{('申诉方式：' + appeal_note) if appeal_note else ''}",
        subject=f"moderation.sanction:{sanction.pk}", email=True,
    )
    return sanction


@transaction.atomic
def lift_sanction(*, moderator, sanction: Sanction, reason: str) -> Sanction:
    if not permissions.can_act(moderator, sanction.organization, MODERATION_ROLES):
        raise forbidden()
    if not (reason or "").strip():
        raise Invalid(pgettext_lazy("moderation.services.lift_sanction", "A reason is required"), fields={"reason": "required"})
    if sanction.lifted_at is None:
        sanction.lifted_at = timezone.now()
        sanction.lifted_by = moderator
        sanction.lift_reason = reason.strip()[:500]
        sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        log(instance=sanction, action="wagtail.edit", user=moderator, data={"lifted": reason})
    return sanction


# ---------------------------------------------------------------------------------------------
# Reports and decisions
# ---------------------------------------------------------------------------------------------
def _case_for(obj, *, reason: str) -> ModerationCase:
    spec = registry.spec_for(obj)
    case, _ = ModerationCase.objects.select_for_update().get_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        defaults=dict(organization=spec.organization(obj), author=spec.author(obj), reason=reason,
                      excerpt=spec.text(obj)[:300]),
    )
    return case


@transaction.atomic
def report_content(*, reporter, obj, reason: str, detail: str = "") -> Report:
    if reporter is None or not reporter.is_authenticated:
        raise Forbidden(gettext_lazy("Log in first"))
    if reason not in ReportReason.values:
        raise Invalid(gettext_lazy("Choose a reason"), fields={"reason": reason})
    if reason == ReportReason.OTHER and not detail.strip():
        raise Invalid(gettext_lazy("Describe the problem"), fields={"detail": "required"})
    spec = registry.spec_for(obj)
    if getattr(obj, "moderation_status", None) == ModerationStatus.REMOVED:
        raise Invalid(gettext_lazy("That content has already been removed"))
    if spec.author(obj) is not None and spec.author(obj).pk == reporter.pk:
        raise Invalid(gettext_lazy("You cannot report your own content"))
    rate_limit(kind="report", user=reporter)
    case = _case_for(obj, reason=CaseReason.REPORTED)
    try:
        with transaction.atomic():
            report = Report.objects.create(case=case, reporter=reporter, reason=reason, detail=detail[:500])
    except IntegrityError:
        raise Conflict(gettext_lazy("You have already reported this"))
    case.report_count += 1
    fields = ["report_count", "updated_at"]
    if case.status == CaseStatus.APPROVED:  # reported again after approval: back to the queue
        case.status = CaseStatus.OPEN
        case.reason = CaseReason.REPORTED
        fields += ["status", "reason"]
    case.save(update_fields=fields)
    return report


def _set_content_status(case: ModerationCase, status: str):
    obj = case.content_object
    if obj is None:
        return None
    obj.moderation_status = status
    obj.moderated_at = timezone.now()
    obj.save(update_fields=["moderation_status", "moderated_at"])
    return obj


@transaction.atomic
def decide(*, moderator, case: ModerationCase, action: str, reason: str = "") -> ModerationDecision:
    """approve (keep visible), remove (soft; reason required; author told), restore (undo a removal)."""
    case = ModerationCase.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_act(moderator, case.organization, MODERATION_ROLES):
        raise forbidden()
    reason = (reason or "").strip()
    if action == DecisionAction.REMOVE:
        if not reason:
            raise Invalid(gettext_lazy("A reason is required to remove content"), fields={"reason": "required"})
        if case.status == CaseStatus.REMOVED:
            raise Conflict(gettext_lazy("Already removed"))
        case.status, content_status = CaseStatus.REMOVED, ModerationStatus.REMOVED
    elif action == DecisionAction.APPROVE:
        if case.status != CaseStatus.OPEN:
            raise Conflict(gettext_lazy("This item has already been decided"))
        case.status, content_status = CaseStatus.APPROVED, ModerationStatus.VISIBLE
    elif action == DecisionAction.RESTORE:
        if case.status != CaseStatus.REMOVED:
            raise Conflict(gettext_lazy("Only removed content can be restored"))
        if not reason:
            raise Invalid(gettext_lazy("A reason is required to restore content"), fields={"reason": "required"})
        case.status, content_status = CaseStatus.APPROVED, ModerationStatus.VISIBLE
    else:
        raise Invalid(pgettext_lazy("moderation.services.decide", "Unknown action"), fields={"action": action})
    case.save(update_fields=["status", "updated_at"])
    obj = _set_content_status(case, content_status)
    decision = ModerationDecision.objects.create(case=case, action=action, reason=reason[:500], moderator=moderator)
    log(instance=case, action="wagtail.edit", user=moderator, data={"decision": action, "reason": reason})
    if case.author is not None and action in (DecisionAction.REMOVE, DecisionAction.RESTORE):
        spec = registry.spec_for(obj) if obj is not None else None
        title = "您发布的内容已被删除" if action == DecisionAction.REMOVE else "您发布的内容已恢复"
        notify(recipients=[case.author], kind=f"moderation_{action}", actor=moderator, title=title,
               body=f"{case.excerpt[:60]}…　原因：{reason}", url=spec.url_for(obj) if spec else "",
               subject=f"moderation.case:{case.pk}", email=True)
    return decision


def bulk_decide(*, moderator, case_ids: list[int], action: str, reason: str = "") -> dict:
    """Decide many cases; each one on its own (one refusal does not undo the others). Returns counts."""
    done, refused = [], {}
    for case in ModerationCase.objects.filter(pk__in=case_ids):
        try:
            decide(moderator=moderator, case=case, action=action, reason=reason)
            done.append(case.pk)
        except (Forbidden, Conflict, Invalid) as exc:
            refused[case.pk] = exc.message
    missing = set(case_ids) - set(done) - set(refused)
    for pk in missing:
        refused[pk] = "不存在 / not found"
    return {"done": done, "refused": refused}


def queue_for(user, *, status=CaseStatus.OPEN, reason=None, organization=None):
    qs = permissions.scope_queryset(ModerationCase.objects.all(), user, roles=MODERATION_ROLES)
    if status:
        qs = qs.filter(status=status)
    if reason:
        qs = qs.filter(reason=reason)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    return qs.select_related("organization", "author", "content_type").order_by("created_at")


# ---------------------------------------------------------------------------------------------
# Word list administration
# ---------------------------------------------------------------------------------------------
@transaction.atomic
def import_word_list(*, actor, data: str, replace: bool = False) -> dict:
    """Import lines "word,category,action,variants" (category, action and variants optional; variants
    separated by | or 、). Every line is checked first; with any error nothing changes and the errors
    are reported by line number."""
    if not permissions.can_act(actor, _province(), MODERATION_ROLES):
        raise forbidden()
    rows, errors, seen = [], {}, set()
    for lineno, row in enumerate(csv.reader(io.StringIO(data)), start=1):
        if not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        word = row[0].strip()
        category = (row[1].strip() if len(row) > 1 and row[1].strip() else WordCategory.OTHER)
        action = (row[2].strip() if len(row) > 2 and row[2].strip() else WordAction.HOLD)
        variants = "\n".join(v.strip() for v in re.split(r"[|、]", row[3]) if v.strip()) if len(row) > 3 else ""
        if not word or len(word) > 60:
            errors[lineno] = "词语为空或超过 60 字 / empty or longer than 60 characters"
        elif category not in WordCategory.values:
            errors[lineno] = f"未知类别 / unknown category: {category}"
        elif action not in WordAction.values:
            errors[lineno] = f"未知动作 / unknown action: {action}"
        elif word in seen:
            errors[lineno] = f"重复 / duplicate: {word}"
        else:
            seen.add(word)
            rows.append(SensitiveWord(word=word, category=category, action=action, variants=variants))
    if errors:
        raise Invalid(gettext_lazy("The word list has errors; nothing was changed"),
                      fields={str(k): v for k, v in errors.items()})
    if replace:
        SensitiveWord.objects.exclude(word__in=seen).delete()
    existing = set(SensitiveWord.objects.filter(word__in=seen).values_list("word", flat=True))
    SensitiveWord.objects.bulk_create([r for r in rows if r.word not in existing], batch_size=2000)
    for r in rows:
        if r.word in existing:
            SensitiveWord.objects.filter(word=r.word).update(category=r.category, action=r.action, is_active=True,
                                                             variants=r.variants)
    transaction.on_commit(bump_word_list_version)
    log(instance=actor, action="wagtail.edit", user=actor, data={"word_list_import": len(rows), "replace": replace})
    return {"imported": len(rows), "new": len(rows) - len(existing)}


def _province():
    from organizations.models import Organization

    return Organization.get_first_root_node()


# ---------------------------------------------------------------------------------------------
# Alerts (舆情监测): verify → report upward → handle → feed back to users → close
# ---------------------------------------------------------------------------------------------
ALERT_TRANSITIONS = {
    "verify": ({AlertStatus.OPEN}, AlertStatus.VERIFIED),
    "dismiss": ({AlertStatus.OPEN, AlertStatus.VERIFIED}, AlertStatus.DISMISSED),
    "report": ({AlertStatus.VERIFIED}, AlertStatus.REPORTED),
    "handle": ({AlertStatus.VERIFIED, AlertStatus.REPORTED}, AlertStatus.HANDLING),
    "feedback": ({AlertStatus.HANDLING}, AlertStatus.FEEDBACK),
    "close": ({AlertStatus.FEEDBACK}, AlertStatus.CLOSED),
}


def alerts_for(user, *, status=None):
    """Alerts of the user's subtree, plus those reported up to an organisation they may act on; the
    platform-building office's staff see every alert reported upward."""
    from organizations.selectors import is_platform_office_staff

    orgs = permissions.organizations_for(user, ALL_STAFF_ROLES)
    where = Q(organization__in=orgs) | Q(reported_to__in=orgs)
    if is_platform_office_staff(user):  # the office's queue: every alert reported upward [A1.8]
        where |= Q(reported_to__isnull=False)
    qs = Alert.objects.filter(where)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("organization", "reported_to")


@transaction.atomic
def advance_alert(*, actor, alert: Alert, step: str, comment: str = "") -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    allowed_from, to_status = ALERT_TRANSITIONS.get(step, (frozenset(), None))
    if to_status is None:
        raise Invalid(gettext_lazy("Unknown step"), fields={"step": step})
    if not _may_act_on_alert(actor, alert):
        raise forbidden()
    if alert.status not in allowed_from:
        # xgettext:no-python-format
        raise Conflict(gettext_lazy("Cannot %(step)s an alert that is %(status)s"),
                       params={"step": step, "status": bilingual(alert.get_status_display(), alert.status)})
    comment = (comment or "").strip()
    if step in ("dismiss", "report", "feedback") and not comment:
        raise Invalid(gettext_lazy("A comment is required for this step"), fields={"comment": "required"})
    from_status = alert.status
    alert.status = to_status
    fields = ["status", "updated_at"]
    if step == "report":
        from organizations.selectors import platform_office

        parent = alert.organization.get_parent()
        alert.reported_to = parent or platform_office()
        if alert.reported_to is None:
            raise Invalid(gettext_lazy("The province has no superior organisation and no platform-building office is set up"))
        fields.append("reported_to")
    alert.save(update_fields=fields)
    reached = ""
    if step == "report":
        reached = _notify_upward(alert, actor, kind="alert_reported", title=f"下级组织上报舆情：{alert.title}",
                                 body=comment)
    if step == "feedback":
        reached = _feed_back_to_users(alert, comment, actor)
        if alert.reported_to_id is not None:  # the result goes back up to whoever it was reported to
            reached += "；" + _notify_upward(alert, actor, kind="alert_outcome",
                                            title=f"舆情处理结果反馈：{alert.title}", body=comment)
    text = f"{comment}\n{reached}".strip() if reached else comment
    AlertStep.objects.create(alert=alert, from_status=from_status, to_status=to_status, comment=text, actor=actor)
    log(instance=alert, action="wagtail.edit", user=actor, data={"step": step, "to": to_status})
    return alert


def _may_act_on_alert(actor, alert: Alert) -> bool:
    """The alert's branch staff, the superior it was reported to, and — once reported upward — the
    platform-building office's staff."""
    from organizations.selectors import is_platform_office_staff

    return permissions.can_act(actor, alert.organization, ALL_STAFF_ROLES) or (
        alert.reported_to_id is not None and (permissions.can_act(actor, alert.reported_to, ALL_STAFF_ROLES)
                                              or is_platform_office_staff(actor)))


def _notify_upward(alert: Alert, actor, *, kind: str, title: str, body: str) -> str:
    """Notify the platform-building office and the alert's parent organisation's liaison officers and
    on-duty staff (by roster) [A1.8]; returns the line the alert's timeline records."""
    from organizations.selectors import upward_recipients

    groups = upward_recipients(alert.organization)
    everyone = {u.pk: u for users in groups.values() for u in users if u.pk != getattr(actor, "pk", None)}
    notify(recipients=list(everyone.values()), kind=kind, actor=actor, title=title, body=body,
           url=f"/admin/moderation/alerts/{alert.pk}/", subject=f"moderation.alert:{alert.pk}", email=True)
    names = "、".join(u.public_name for u in everyone.values()) or "无人"
    return (f"已通知{len(everyone)}人（平台建设办公室 {len(groups['office'])} 人，上级组织联络专员 "
            f"{len(groups['parent_liaison'])} 人、值班人员 {len(groups['parent_duty'])} 人）：{names}")


def _feed_back_to_users(alert: Alert, comment: str, actor) -> str:
    """Tell everyone who posted in the alert's threads how it was handled."""
    from django.contrib.auth import get_user_model

    user_ids = set(alert.evidence.get("user_ids", []))
    sent = []
    if user_ids:
        sent = notify(recipients=get_user_model().objects.filter(pk__in=user_ids), kind="alert_feedback", actor=actor,
                      title=f"您反映的问题有了进展：{alert.title}", body=comment,
                      subject=f"moderation.alert:{alert.pk}")
    return f"已向发帖用户反馈 {len(sent)} 人"


# ---------------------------------------------------------------------------------------------
# Alerts → collective appeals (集中诉求)
# ---------------------------------------------------------------------------------------------

APPEALABLE_ALERT_KINDS = {AlertKind.CONCENTRATED}


def alert_ref(alert: Alert) -> str:
    """How an appeal's `alert` source names the alert (appeals.AppealSource.external_ref)."""
    return f"moderation.alert:{alert.pk}"


def appeal_for_alert(alert: Alert):
    """The collective appeal already opened from this alert, or None (one query; the appeals app
    answers through moderation.hooks)."""
    return hooks.appeal_for_alert_ref(alert_ref(alert))


def alert_thread_refs(alert: Alert) -> list[dict]:
    """The alert's evidence threads (monitored questions) as appeals' `thread_refs`, in evidence order."""
    ids = [pk for pk in alert.evidence.get("post_ids", []) if isinstance(pk, int)]
    if not ids:
        return []
    spec = next((registry.spec_for_kind(k) for k in registry.kinds() if registry.spec_for_kind(k).monitored), None)
    if spec is None:
        return []
    found = {obj.pk: obj for obj in spec.model._default_manager.filter(pk__in=ids)}
    return [{"question_id": pk, "title": str(found[pk])[:200], "url": spec.url_for(found[pk])}
            for pk in ids if pk in found]


def alert_theme(alert: Alert) -> str:
    terms = "、".join(alert.terms[:3])
    return f"{terms}相关集中诉求" if terms else alert.title


@transaction.atomic
def open_appeal_from_alert(*, actor, alert: Alert, theme: str = "", group: str = "", details: str = ""):
    """Turn a concentrated-demand alert into a collective appeal (转为集中诉求) through
    `appeals.services.open_collective_appeal_from_cluster`. Idempotent: an alert already turned
    into an appeal returns that appeal. Returns (appeal, created). The appeals app opens the appeal
    through `moderation.hooks.open_appeal_for_alert` (moderation does not import appeals).

    The actor must be able to act on the alert (its branch's staff, or the superior it was
    reported to); appeals itself requires the operations group (开发运维组) over the organisation
    running the mechanism for the alert's branch (`appeals.services.mechanism_owner`) and raises
    Forbidden otherwise."""
    alert = Alert.objects.select_for_update().select_related("organization").get(pk=alert.pk)
    may = _may_act_on_alert(actor, alert) or permissions.is_superuser(actor)
    if not may:
        raise forbidden()
    existing = appeal_for_alert(alert)
    if existing is not None:
        return existing, False
    if alert.kind not in APPEALABLE_ALERT_KINDS:
        raise Invalid(gettext_lazy("Only concentrated-demand alerts can become collective appeals"),
                      fields={"kind": alert.kind})
    if alert.status == AlertStatus.DISMISSED:
        raise Conflict(gettext_lazy("A dismissed alert cannot become a collective appeal"))
    location = alert.evidence.get("location") or alert.organization.name
    theme = (theme or "").strip() or alert_theme(alert)
    group = (group or "").strip() or f"{alert.organization.display_name}青年"
    details = (details or "").strip() or (
        f"舆情监测预警“{alert.title}”：统计时段内 {alert.thread_count} 帖、{alert.user_count} 位不同用户；"
        f"关键词：{'、'.join(alert.terms[:8]) or '—'}。")
    appeal = hooks.open_appeal_for_alert(  # filled by appeals
        actor=actor, thread_refs=alert_thread_refs(alert),
        user_count=alert.user_count, period_start=timezone.localtime(alert.window_start).date(),
        period_end=timezone.localtime(alert.window_end).date(), group=group, location=location, theme=theme,
        alert_ref=alert_ref(alert), location_org=alert.organization, details=details,
    )
    AlertStep.objects.create(alert=alert, from_status=alert.status, to_status=alert.status, actor=actor,
                             comment=f"转为集中诉求 #{appeal.pk}：{appeal.theme}")
    log(instance=alert, action="wagtail.edit", user=actor, data={"appeal_id": appeal.pk, "opened": True})
    return appeal, True
