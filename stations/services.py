"""Writes on stations, slots, bookings and referrals. One function per action, keyword-only
arguments: permission check, validation, locked write with `update_fields`, audit, and the
notifications (in-site rows + outbox e-mail, in the same transaction).

Capacity: `request_booking` locks the slot row (`SELECT … FOR UPDATE`) and increments `booked`;
the CHECK constraint `slot_booked_within_capacity` is the backstop. Declining, cancelling and
expiring release the place at once with a single atomic `UPDATE … SET booked = booked - 1`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.log_actions import log

from core.errors import Conflict, Forbidden, Invalid, NotFound, forbidden
from moderation import services as moderation
from notifications.services import Notice, notify, notify_many
from organizations.models import ANSWERING_ROLES, PUBLISHING_ROLES, Organization, StaffRole
from organizations.permissions import can_act

from . import selectors
from .domain import bookings as booking_moves
from .domain import geo
from .domain.calendar import response_deadline, slot_starts
from .models import (
    Booking,
    BookingStatus,
    OpeningHours,
    Referral,
    ServiceSlot,
    StationIndexPage,
    StationPage,
    StationService,
)

SLOT_HORIZON_DAYS = 14
MY_BOOKINGS_URL = "/stations/my/"
MANAGE_URL = "/stations/manage/"
# Who refers a question to a station: its answering staff, and its organisation's station administrators.
REFERRAL_ROLES = ANSWERING_ROLES | {StaffRole.STATION_ADMIN}


def _require_login(user):
    if user is None or not user.is_authenticated or not user.is_active:
        raise Forbidden(_("Log in first"), code="unauthenticated")


def validate_coordinates(latitude, longitude) -> None:
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise Invalid(_("Invalid coordinates"), fields={"latitude": "number", "longitude": "number"}) from None
    if not geo.in_china(lat, lng):
        raise Invalid(_("The coordinates are outside China"),
                      fields={"latitude": str(latitude), "longitude": str(longitude)})


# --- stations -----------------------------------------------------------------------------------

def ensure_station_index(*, organization: Organization) -> StationIndexPage:
    """The branch's station index page (created once, under the branch page)."""
    from home.models import BranchHomePage

    branch = BranchHomePage.objects.get(organization=organization)
    index = StationIndexPage.objects.child_of(branch).first()
    if index is None:
        now = timezone.now()
        index = StationIndexPage(title=f"{organization.display_name}青年之家", slug="stations", live=True,
                                 intro="线下服务站：咨询、预约、服务与评价。", first_published_at=now, last_published_at=now)
        branch.add_child(instance=index)  # one save (each save re-indexes the page for search)
    return index


@transaction.atomic
def create_station(*, actor, organization: Organization, title: str, address: str, latitude, longitude,
                   base_type: str = "league", batch: int = 1, summary: str = "", capacity: int = 20,
                   contact_person: str = "", contact_phone: str = "", contact_email: str = "",
                   services: list[dict] | None = None, hours: dict | None = None, admins=(),
                   checklist: dict | None = None, slug: str | None = None,
                   follows_public_holidays: bool = True) -> StationPage:
    """Create and publish a station under its branch's index page. `hours` is {weekday: [(opens, closes)]}
    (0 = Monday); `services` is [{name, duration_minutes, slot_capacity, description}]."""
    if actor is not None and not can_act(actor, organization, PUBLISHING_ROLES):
        raise forbidden()
    validate_coordinates(latitude, longitude)
    title = (title or "").strip()
    if not title or not (address or "").strip():
        raise Invalid(_("Name and address are required"), fields={"title": "required", "address": "required"})
    admins = list(admins)
    if not admins:
        raise Invalid(_("A station needs at least one administrator"), fields={"admins": "required"})
    index = ensure_station_index(organization=organization)
    station = StationPage(
        title=title, slug=slug or f"s-{timezone.now():%y%m%d%H%M%S%f}", organization=organization, address=address.strip(),
        latitude=latitude, longitude=longitude, base_type=base_type, batch=batch, summary=summary, capacity=capacity,
        contact_person=contact_person, contact_phone=contact_phone, contact_email=contact_email,
        location=f"SRID=4326;POINT({longitude} {latitude})", follows_public_holidays=follows_public_holidays,
        **(checklist or {}),
    )
    for i, s in enumerate(services or []):
        station.services.add(StationService(sort_order=i, **s))
    for weekday, spans in (hours or {}).items():
        for opens, closes in spans:
            station.hours.add(OpeningHours(weekday=weekday, opens=opens, closes=closes))
    station.admins.set(admins)
    # Created live in one save: each page save re-indexes it for search, and a revision + publish
    # would save it three times. Editors' later edits create revisions as usual.
    now = timezone.now()
    station.live, station.first_published_at, station.last_published_at = True, now, now
    station.owner = actor
    index.add_child(instance=station)
    log(instance=station, action="wagtail.create", user=actor)
    return station


def generate_slots(*, station: StationPage, days: int = SLOT_HORIZON_DAYS, start: date | None = None) -> int:
    """Create the slots of the next `days` days from the working hours (idempotent)."""
    cal = selectors.working_calendar(station)
    start = start or timezone.localdate()
    now = timezone.now()
    rows = []
    for service in StationService.objects.filter(station=station, is_active=True):
        length = timedelta(minutes=service.duration_minutes)
        for offset in range(days):
            for a, b in slot_starts(start + timedelta(days=offset), cal, length):
                if a > now:
                    rows.append(ServiceSlot(service=service, station=station, starts_at=a, ends_at=b,
                                            capacity=service.slot_capacity))
    before = ServiceSlot.objects.filter(station=station).count()
    ServiceSlot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    created = ServiceSlot.objects.filter(station=station).count() - before
    if created:
        _places_changed(station.pk)  # new slots to book: the page (and its cached schedule) shows them
    return created


# --- bookings -----------------------------------------------------------------------------------

def _booking_url(station: StationPage) -> str:
    return station.url or "/stations/"


def _notify_admins(booking: Booking, *, title: str, body: str = "", actor=None, kind="station_booking"):
    notify(recipients=selectors.station_admin_users(booking.station), kind=kind, title=title, body=body,
           url=MANAGE_URL, actor=actor, subject=f"stations.booking:{booking.pk}", email=True)


def _notify_youth(booking: Booking, *, title: str, body: str = "", actor=None, url: str = MY_BOOKINGS_URL):
    notify(recipients=[booking.user], kind="station_booking", title=title, body=body, url=url, actor=actor,
           subject=f"stations.booking:{booking.pk}", email=True)


def _release(slot_id: int, station_id: int | None = None) -> None:
    ServiceSlot.objects.filter(pk=slot_id).update(booked=F("booked") - 1)
    _places_changed(station_id)


def _places_changed(station_id: int | None) -> None:
    """A slot's free places changed (or slots were added): the station page cached for anonymous
    visitors and the station's cached schedule (selectors.station_schedule) show them."""
    from core import page_cache

    if station_id:
        page_cache.bump(f"station:{station_id}")


def _audit(instance, action: str, user, data: dict | None = None) -> None:
    """`wagtail.log_actions.log` in one INSERT: the log entry's full_clean() would look up its
    content type and user with two more queries per booking."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.log_actions import get_active_log_context
    from wagtail.models import ModelLogEntry

    context = get_active_log_context()
    ModelLogEntry.objects.bulk_create([ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False), label=str(instance)[:255],
        action=action, timestamp=timezone.now(), data=data or {}, user=user or context.user, uuid=context.uuid,
        object_id=str(instance.pk),
    )])


def request_booking(*, user, slot_id: int, note: str = "", referral_id: int | None = None, now=None) -> Booking:
    """Book a place on a slot. Capacity: the slot row is locked (SELECT … FOR UPDATE) before its
    `booked` count is checked and incremented, and the CHECK constraint is the backstop. The
    calendar for the response deadline comes from the cache (selectors.working_calendar); the
    station admins and the youth are notified in one batch."""
    _require_login(user)
    note = (note or "").strip()
    if len(note) > 300:
        raise Invalid(_("The note is at most 300 characters"), fields={"note": "too long"})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            moderation.rate_limit(kind="booking", user=user)
            booking = _book(user=user, slot_id=slot_id, note=note, referral_id=referral_id, now=now)
            _places_changed(booking.station_id)
    except IntegrityError as exc:
        # PostgreSQL names the constraint; SQLite (the embedded default) only says what failed.
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) or str(exc)
        if ("uniq_active_booking_per_slot_user" in constraint
                or "stations_booking.slot_id, stations_booking.user_id" in constraint):  # a double booking
            raise Conflict(_("You have already booked this slot"), code="duplicate") from None
        if "slot_booked_within_capacity" in constraint:
            raise _slot_full() from None
        raise
    return booking


BOOKING_SLOT_FIELDS = (
    "service_id", "station_id", "starts_at", "ends_at", "capacity", "booked", "is_cancelled",
    "service__name", "service__is_active", "service__station_id",
    "station__title", "station__live", "station__url_path", "station__follows_public_holidays",
    "station__organization_id",
)


_TAKE_PLACE_SQL = """
    UPDATE stations_serviceslot AS s SET booked = s.booked + 1
      FROM stations_stationservice AS sv, stations_stationpage AS st, wagtailcore_page AS p
     WHERE s.id = %s AND sv.id = s.service_id AND st.page_ptr_id = s.station_id AND p.id = st.page_ptr_id
       AND NOT s.is_cancelled AND s.starts_at > %s AND s.booked < s.capacity AND sv.is_active AND p.live
 RETURNING s.service_id, s.station_id, s.starts_at, s.ends_at, s.capacity, s.booked, s.is_cancelled,
           sv.name, sv.is_active, sv.station_id, p.title, p.live, p.url_path, st.follows_public_holidays,
           st.organization_id"""


def _slot_full() -> Conflict:
    return Conflict(_("This slot is full"), code="full")


def _check_bookable(slot: ServiceSlot | None, now) -> None:
    """Why a slot cannot take a booking (raises), in the order the user should hear it."""
    if slot is None:
        raise NotFound(_("Slot not found"))
    if slot.is_cancelled or not slot.service.is_active or not slot.station.live:
        raise Invalid(_("This slot cannot be booked"))
    if slot.starts_at <= now:
        raise Invalid(_("This slot is in the past"), fields={"slot_id": "past"})
    if slot.booked >= slot.capacity:
        raise _slot_full()


def _slot_query():
    # Only the columns a booking reads: a page row has some thirty.
    return ServiceSlot.objects.select_related("service", "station").only(*BOOKING_SLOT_FIELDS)


def _take_place(slot_id: int, now) -> ServiceSlot:
    """Take one place on the slot, or raise why not. On PostgreSQL one statement: a conditional
    `UPDATE … RETURNING` that locks the slot row, re-checks `booked < capacity` on the latest row
    version when a concurrent booking got there first (READ COMMITTED), and returns what the
    booking needs. Elsewhere (the embedded SQLite default): `SELECT … FOR UPDATE`, check, save."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_TAKE_PLACE_SQL, [slot_id, now])
            row = cur.fetchone()
        if row is None:  # refused: say why (a read without lock; the state may have moved on since)
            _check_bookable(_slot_query().filter(pk=slot_id).first(), now)
            raise _slot_full()
        (service_id, station_id, starts_at, ends_at, capacity, booked, is_cancelled, name, is_active,
         service_station_id, title, live, url_path, follows_public_holidays, organization_id) = row
        slot = selectors.loaded(ServiceSlot, id=slot_id, service_id=service_id, station_id=station_id, starts_at=starts_at,
                       ends_at=ends_at, capacity=capacity, booked=booked, is_cancelled=is_cancelled)
        slot.service = selectors.loaded(StationService, id=service_id, name=name, is_active=is_active,
                               station_id=service_station_id)
        slot.station = selectors.loaded(StationPage, id=station_id, page_ptr_id=station_id, title=title, live=live,
                               url_path=url_path, follows_public_holidays=follows_public_holidays,
                               organization_id=organization_id)
        return slot
    slot = _slot_query().select_for_update(of=("self",)).filter(pk=slot_id).first()
    _check_bookable(slot, now)
    slot.booked += 1
    slot.save(update_fields=["booked"])
    return slot


def _book(*, user, slot_id: int, note: str, referral_id: int | None, now) -> Booking:
    # A second booking of the same slot by the same user is refused by the partial unique index
    # (uniq_active_booking_per_slot_user) on insert, which saves a query here; the IntegrityError
    # rolls the whole transaction back (request_booking turns it into a 409), so no savepoint.
    slot = _take_place(slot_id, now)
    station = slot.station
    referral = None
    if referral_id:
        referral = Referral.objects.filter(pk=referral_id, asker=user, station=station).first()
        if referral is None:
            raise Invalid(_("Unknown referral"), fields={"referral_id": referral_id})
    cal = selectors.working_calendar(station)
    deadline = min(response_deadline(now, cal), slot.starts_at)
    booking = Booking.objects.create(
        slot=slot, station=station, user=user, note=note, requested_at=now, respond_by=deadline,
        in_working_hours=cal.is_open(now), referral=referral,
    )
    _audit(booking, "wagtail.create", user, {"slot": slot.pk})
    local = timezone.localtime(deadline)
    subject = f"stations.booking:{booking.pk}"
    notify_many([
        Notice(recipients=selectors.station_admin_recipients(station), kind="station_booking", actor=user, email=True,
               title=f"新的预约申请：{slot.service.name}", url=MANAGE_URL, subject=subject,
               body=f"{user.public_name} 预约了 {timezone.localtime(slot.starts_at):%m-%d %H:%M}，"
                    f"请在 {local:%m-%d %H:%M} 前确认或婉拒。"),
        Notice(recipients=[user], kind="station_booking", email=True, title=f"预约已提交：{station.title}",
               body=f"站点将在 {local:%m-%d %H:%M} 前答复。", url=MY_BOOKINGS_URL, subject=subject),
    ])
    return booking


def _locked_booking(booking_id: int) -> Booking:
    booking = (Booking.objects.select_for_update(of=("self",)).select_related("slot__service", "station__organization", "user")
               .filter(pk=booking_id).first())
    if booking is None:
        raise NotFound(_("Booking not found"))
    return booking


def _check_manager(actor, booking: Booking):
    _require_login(actor)
    if not selectors.can_manage(actor, booking.station):
        raise Forbidden(_("Only this station's administrators can handle this booking"))


def _check_owner(actor, booking: Booking):
    if booking.user_id != actor.pk:
        raise forbidden()


# Why a move the table (stations.domain.bookings) does not allow is refused (Conflict, code "state").
_REFUSED = {
    BookingStatus.CONFIRMED: _("Only a pending booking can be confirmed"),
    BookingStatus.DECLINED: _("This booking is closed and cannot be declined"),
    BookingStatus.CANCELLED: _("This booking is closed and cannot be cancelled"),
    BookingStatus.COMPLETED: _("Only a confirmed booking can get a result"),
    BookingStatus.EXPIRED: _("Only a pending booking can expire"),
}


def transition_booking(*, booking_id: int, to: BookingStatus, actor=None, authorize=None, validate=None,
                       changes: dict | None = None, audit: dict | None = None) -> Booking:
    """THE change of a booking's state, inside the caller's transaction: lock the row,
    `authorize(booking)` (who may), refuse a move the table `stations.domain.bookings` does not allow
    (Conflict), `validate(booking)` (when), save the status and `changes` with
    update_fields, give the slot's place back when the new state releases it, audit. The caller
    sends its notifications with the booking returned."""
    booking = _locked_booking(booking_id)
    if authorize is not None:
        authorize(booking)
    if not booking_moves.can_move(booking.status, to):
        raise Conflict(_REFUSED[to], code="state")
    if validate is not None:
        validate(booking)
    changes = {"status": to, **(changes or {})}
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.save(update_fields=list(changes))
    if to in booking_moves.RELEASES_PLACE:
        _release(booking.slot_id, booking.station_id)
    log(instance=booking, action="wagtail.edit", user=actor, data={"status": str(to), **(audit or {})})
    return booking


@transaction.atomic
def confirm_booking(*, actor, booking_id: int, now=None) -> Booking:
    now = now or timezone.now()

    def not_started(booking):
        if booking.slot.starts_at <= now:
            raise Invalid(_("The slot has already started"))

    booking = transition_booking(booking_id=booking_id, to=BookingStatus.CONFIRMED, actor=actor,
                                 authorize=lambda b: _check_manager(actor, b), validate=not_started,
                                 changes={"responded_at": now, "responded_by": actor})
    _notify_youth(booking, actor=actor, title=f"预约已确认：{booking.station.title}",
                  body=f"{booking.slot.service.name}，{timezone.localtime(booking.slot.starts_at):%m-%d %H:%M}，请准时到站。")
    return booking


@transaction.atomic
def decline_booking(*, actor, booking_id: int, reason: str, now=None) -> Booking:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise Invalid(_("Give a reason for declining (at most 300 characters)"),
                      fields={"reason": "required"})
    booking = transition_booking(booking_id=booking_id, to=BookingStatus.DECLINED, actor=actor,
                                 authorize=lambda b: _check_manager(actor, b),
                                 changes={"responded_at": now, "responded_by": actor, "decline_reason": reason},
                                 audit={"reason": reason})
    _notify_youth(booking, actor=actor, title=f"预约未能安排：{booking.station.title}",
                  body=f"{actor.public_name}：{reason}。您可以选择其他时段。", url=_booking_url(booking.station))
    return booking


@transaction.atomic
def cancel_booking(*, actor, booking_id: int, now=None) -> Booking:
    _require_login(actor)
    now = now or timezone.now()

    def not_started(booking):
        if booking.slot.starts_at <= now:
            raise Invalid(_("The service has already started"))

    booking = transition_booking(booking_id=booking_id, to=BookingStatus.CANCELLED, actor=actor,
                                 authorize=lambda b: _check_owner(actor, b), validate=not_started,
                                 changes={"cancelled_at": now})
    _notify_admins(booking, actor=actor, title=f"预约已取消：{booking.slot.service.name}",
                   body=f"{actor.public_name} 取消了 {timezone.localtime(booking.slot.starts_at):%m-%d %H:%M} 的预约。")
    return booking


@transaction.atomic
def record_result(*, actor, booking_id: int, result: str, now=None) -> Booking:
    now = now or timezone.now()
    result = (result or "").strip()
    if not result or len(result) > 2000:
        raise Invalid(_("Record the result (at most 2000 characters)"), fields={"result": "required"})

    def started(booking):
        if booking.slot.starts_at > now:
            raise Invalid(_("The service has not started yet"))

    booking = transition_booking(booking_id=booking_id, to=BookingStatus.COMPLETED, actor=actor,
                                 authorize=lambda b: _check_manager(actor, b), validate=started,
                                 changes={"result": result, "completed_at": now, "completed_by": actor})
    _notify_youth(booking, actor=actor, title=f"服务已完成，请评价：{booking.station.title}", body=result[:200])
    return booking


@transaction.atomic
def rate_booking(*, actor, booking_id: int, score: int, comment: str = "", now=None) -> Booking:
    _require_login(actor)
    now = now or timezone.now()
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise Invalid(_("The rating must be 1 to 5"), fields={"score": score})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise Invalid(_("The comment is at most 500 characters"), fields={"comment": "too long"})
    booking = _locked_booking(booking_id)
    _check_owner(actor, booking)
    if booking.status != BookingStatus.COMPLETED:
        raise Conflict(_("You can rate only after the service"), code="state")
    if comment:  # shown on the station's public page: the one screening of public text
        from moderation.services import screen_public_texts

        comment = screen_public_texts({"comment": comment})["comment"]
    if booking.rating is not None:
        raise Conflict(_("You have already rated this service"), code="duplicate")
    booking.rating, booking.rating_comment, booking.rated_at = score, comment, now
    booking.save(update_fields=["rating", "rating_comment", "rated_at"])
    log(instance=booking, action="wagtail.edit", user=actor, data={"rating": score})
    _notify_admins(booking, actor=actor, title=f"新的服务评价：{score} 星", body=comment[:200], kind="station_rating")
    return booking


def escalate_overdue(*, now=None) -> int:
    """Pending requests past their deadline: remind the station admins, escalate to the branch's
    liaison officers, and tell the youth (with a link to other slots). Once per booking."""
    now = now or timezone.now()
    done = 0
    for pk in list(selectors.overdue_pending(now).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            booking = _locked_booking(pk)
            if booking.status != BookingStatus.PENDING or booking.escalated_at is not None:
                continue
            booking.escalated_at = now
            booking.save(update_fields=["escalated_at"])
            when = timezone.localtime(booking.slot.starts_at)
            _notify_admins(booking, title=f"预约超时未答复：{booking.station.title}", kind="station_overdue",
                           body=f"{booking.user.public_name} 预约的 {when:%m-%d %H:%M} 已超过答复时限，请尽快处理。")
            notify(recipients=selectors.escalation_users(booking.station), kind="station_overdue",
                   title=f"青年之家预约超时：{booking.station.title}", url=MANAGE_URL, email=True,
                   body=f"站点未在时限内答复预约 #{booking.pk}（{when:%m-%d %H:%M}），请督办。",
                   subject=f"stations.booking:{booking.pk}", dedupe_key=f"stations.overdue:{booking.pk}")
            _notify_youth(booking, title=f"站点尚未答复您的预约：{booking.station.title}", url=_booking_url(booking.station),
                          body="我们已提醒站点并上报联络专员。您也可以改约其他时段。")
            done += 1
    return done


def expire_stale(*, now=None) -> int:
    """Pending requests whose slot has started expire and release their place."""
    now = now or timezone.now()
    done = 0
    for pk in list(selectors.stale_pending(now).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            try:
                booking = transition_booking(booking_id=pk, to=BookingStatus.EXPIRED)
            except Conflict:  # answered or cancelled meanwhile
                continue
            _notify_youth(booking, title=f"预约已过期：{booking.station.title}", url=_booking_url(booking.station),
                          body="站点未在服务开始前确认，名额已释放。欢迎预约其他时段。")
            done += 1
    return done


# --- referral -----------------------------------------------------------------------------------
# One referral path: the Q&A app owns the question-to-station referral (community.services.
# refer_to_station, behind both /api/community/questions/{id}/referrals/ and /api/stations/referrals)
# and calls `offer_booking` with plain values; this app knows no question.

def can_refer(actor, organization: Organization) -> bool:
    """The one rule of who refers a Q&A question to a station: staff of the question's organisation
    (or above) who answer its questions, or run its stations (REFERRAL_ROLES)."""
    return can_act(actor, organization, REFERRAL_ROLES)


def check_referral(*, actor, organization: Organization) -> None:
    """Raise unless `actor` may refer a question of `organization` (check, then `offer_booking`:
    a caller validating more first calls this before, so that a refusal comes before any detail)."""
    _require_login(actor)
    if not can_refer(actor, organization):
        raise Forbidden(_("Only staff of the question's organisation may refer it"))


@transaction.atomic
def offer_booking(*, actor, station: StationPage, question_id: int, question_title: str, question_url: str,
                  organization: Organization, asker, service: StationService | None = None, note: str = "") -> Referral:
    """Offer a question's asker a booking at a station (转介). The question is given by value: its id,
    title, address, organisation (whose staff may refer it: `check_referral`) and asker."""
    check_referral(actor=actor, organization=organization)
    if asker is None:
        raise Invalid(_("The asker is unknown"), fields={"asker": "required"})
    if service is not None and service.station_id != station.pk:
        raise Invalid(pgettext_lazy("stations.services.offer_booking", "That service is not offered by this station"), fields={"service_id": service.pk})
    if Referral.objects.filter(question_id=question_id, station=station).exists():
        raise Conflict(_("This question is already referred to this station"), code="duplicate")
    referral = Referral.objects.create(
        question_id=question_id, question_title=question_title[:200], question_url=question_url[:300],
        station=station, service=service, asker=asker, referred_by=actor, note=(note or "")[:300],
    )
    log(instance=referral, action="wagtail.create", user=actor, data={"question_id": question_id})
    notify(recipients=[asker], kind="station_referral", actor=actor, email=True,
           title=f"您的问题已转介到{station.title}",
           body=f"“{question_title}”可以到线下服务站当面解决。{note}".strip(),
           url=f"{_booking_url(station)}?referral={referral.pk}#book", subject=f"stations.referral:{referral.pk}")
    return referral
