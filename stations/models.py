"""Offline service stations (青年之家) [G2.2, A3].

Pages: `StationIndexPage` (one per branch, under the branch page) and `StationPage` (a station,
under its branch's index). The station is the page: coordinates are plain decimal fields (no GIS
stack), kept in step with the Leaflet widget's point string in `clean()`.

Booking data are plain models: `StationService` (what a station offers, with slot length and
capacity), `ServiceSlot` (generated from working hours; `booked` counts pending + confirmed
bookings and a CHECK constraint keeps it within `capacity`), `Booking` (the request, its response
deadline, the decision, the result and the rating) and `Referral` (a Q&A question referred to a
station, which offers the asker a booking).

Station admins (who confirm bookings): the users in the station's explicit `admins` relation (at
least one, required by the editor form and the CSV import) plus staff with the station-admin,
organisation-admin or liaison role over the station's organisation (see `selectors.can_manage`).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .domain.geo import in_china
from .widgets import StationLeafletPanel


class BaseType(models.TextChoices):
    """A3.1: what the station is built on."""

    LEAGUE = "league", _("League position")
    PARTNER = "partner", _("Government or enterprise partner")
    PUBLIC = "public", _("Public place")


class Batch(models.IntegerChoices):
    FIRST = 1, _("First batch")
    SECOND = 2, _("Second batch")
    THIRD = 3, _("Third batch")


class StationIndexPage(Page):
    """A branch's list of its stations (and those of the organisations below it)."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["home.BranchHomePage", "home.HomePage"]
    subpage_types = ["stations.StationPage"]
    max_count_per_parent = 1
    template = "stations/station_index_page.html"

    class Meta:
        verbose_name = _("station index page")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        branch = self.get_parent().specific
        context["stations"] = selectors.station_list(organization=getattr(branch, "organization", None))[:200]
        return context


class StationForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if "admins" in self.fields and not cleaned.get("admins"):
            self.add_error("admins", _("A station needs at least one administrator."))
        return cleaned


POINT_RE = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)")


class StationPage(Page):
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="stations"
    )
    route_select_related = ("organization",)  # home.selectors.page_at_url_path
    base_type = models.CharField(_("base type"), max_length=10, choices=BaseType.choices, default=BaseType.LEAGUE)
    batch = models.PositiveSmallIntegerField(_("batch"), choices=Batch.choices, default=Batch.FIRST)
    summary = models.TextField(_("summary"), blank=True, max_length=500)
    address = models.CharField(_("address"), max_length=200)
    # The Leaflet widget edits this point string; clean() copies it into the decimal fields.
    location = models.CharField(_("map location"), max_length=80, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    capacity = models.PositiveIntegerField(_("people served at once"), default=20)
    contact_person = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    follows_public_holidays = models.BooleanField(
        _("closed on public holidays"), default=True,
        help_text=_("Closed on statutory holidays; works make-up workdays (调休)."),
    )
    admins = ParentalManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("station administrators"),
                                     related_name="administered_stations", blank=True)
    has_plaque = models.BooleanField(_("plaque at the entrance"), default=False)
    has_service_desk = models.BooleanField(_("Youth Voice service desk"), default=False)
    has_computer = models.BooleanField(_("computer with internet"), default=False)

    base_form_class = StationForm
    content_panels = Page.content_panels + [
        FieldPanel("organization"),
        FieldRowPanel([FieldPanel("base_type"), FieldPanel("batch")]),
        FieldPanel("summary"),
        MultiFieldPanel([
            FieldPanel("address"),
            StationLeafletPanel("location", address_field="address"),
            FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        ], heading=_("Address and map")),
        InlinePanel("services", label=_("Services"), min_num=1),
        InlinePanel("hours", label=_("Weekly working hours")),
        InlinePanel("hour_exceptions", label=_("Exceptions (holidays, special days)")),
        FieldPanel("follows_public_holidays"),
        MultiFieldPanel([FieldPanel("capacity"), FieldPanel("contact_person"), FieldPanel("contact_phone"),
                         FieldPanel("contact_email")], heading=_("Capacity and contacts")),
        FieldPanel("admins"),
        InlinePanel("photos", label=_("Photos"), max_num=8),
        MultiFieldPanel([FieldPanel("has_plaque"), FieldPanel("has_service_desk"), FieldPanel("has_computer")],
                        heading=_("Construction checklist")),
    ]
    search_fields = Page.search_fields + [index.SearchField("address"), index.SearchField("summary"),
                                          index.FilterField("organization_id")]
    api_fields = [
        APIField("organization_id"), APIField("base_type"), APIField("batch"), APIField("summary"),
        APIField("address"), APIField("latitude"), APIField("longitude"), APIField("capacity"),
        APIField("contact_person"), APIField("contact_phone"), APIField("services"), APIField("hours"),
        APIField("has_plaque"), APIField("has_service_desk"), APIField("has_computer"),
    ]
    parent_page_types = ["stations.StationIndexPage"]
    subpage_types = []
    template = "stations/station_page.html"

    class Meta:
        verbose_name = _("youth station")
        verbose_name_plural = _("youth stations")
        indexes = [models.Index(fields=["latitude", "longitude"], name="station_latlng_idx")]

    def clean(self):
        super().clean()
        m = POINT_RE.search(self.location or "")
        if m:
            self.longitude = Decimal(m.group(1)).quantize(Decimal("0.000001"))
            self.latitude = Decimal(m.group(2)).quantize(Decimal("0.000001"))
        if self.latitude is not None and self.longitude is not None:
            if not in_china(float(self.latitude), float(self.longitude)):
                raise ValidationError({"latitude": _("The coordinates are outside China.")})
            self.location = f"SRID=4326;POINT({self.longitude} {self.latitude})"

    @property
    def checklist_complete(self) -> bool:
        return self.has_plaque and self.has_service_desk and self.has_computer

    def serve(self, request, *args, **kwargs):
        """Anonymous visitors may get the page from the early page cache, checked against this
        station's scope (bumped when a booking takes or frees a place)."""
        from core import page_cache

        scope = f"station:{self.pk}"
        generation = page_cache.scope_generation(scope)
        response = super().serve(request, *args, **kwargs)
        if not request.user.is_authenticated and response.status_code == 200:
            response.yv_cacheable = True
            response.yv_scope = (scope, generation)
            # logged-in users share it (their bookings: GET /stations/me/<id>/), unless it names a referral
            response.yv_users = "referral" not in request.GET
        return response

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.station_page_context(self, request.user, referral_id=request.GET.get("referral")))
        from home.selectors import parent_crumb

        context["parent_crumb"] = parent_crumb(self)  # the breadcrumb's parent, without a query when cached
        return context


class StationService(Orderable):
    station = ParentalKey(StationPage, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("service"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    slot_capacity = models.PositiveSmallIntegerField(
        _("places per slot"), default=5, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    is_active = models.BooleanField(_("offered"), default=True)

    panels = [FieldPanel("name"), FieldPanel("description"),
              FieldRowPanel([FieldPanel("duration_minutes"), FieldPanel("slot_capacity")]), FieldPanel("is_active")]
    api_fields = [APIField("name"), APIField("description"), APIField("duration_minutes"), APIField("slot_capacity")]

    class Meta(Orderable.Meta):
        verbose_name = _("station service")

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MON = 0, _("Monday")
    TUE = 1, _("Tuesday")
    WED = 2, _("Wednesday")
    THU = 3, _("Thursday")
    FRI = 4, _("Friday")
    SAT = 5, _("Saturday")
    SUN = 6, _("Sunday")


class OpeningHours(Orderable):
    station = ParentalKey(StationPage, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")])]
    api_fields = [APIField("weekday"), APIField("opens"), APIField("closes")]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="station_hours_order")]

    def clean(self):
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class HoursException(Orderable):
    """A day with different hours; no times means closed all day."""

    station = ParentalKey(StationPage, on_delete=models.CASCADE, related_name="hour_exceptions")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=60, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("opens"), FieldPanel("closes")]), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("hours exception")

    def clean(self):
        if (self.opens is None) != (self.closes is None):
            raise ValidationError(_("Give both times, or none for a closed day."))
        if self.opens and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class StationPhoto(Orderable):
    station = ParentalKey(StationPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=80, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class ServiceSlot(models.Model):
    """A bookable time of one service. `booked` = pending + confirmed bookings, never > capacity."""

    service = models.ForeignKey(StationService, on_delete=models.CASCADE, related_name="slots")
    station = models.ForeignKey(StationPage, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("service slot")
        constraints = [
            models.CheckConstraint(condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")), name="slot_booked_within_capacity"),
            models.UniqueConstraint(fields=["service", "starts_at"], name="uniq_slot_per_service_start"),
        ]
        indexes = [models.Index(fields=["station", "starts_at"], name="slot_station_start_idx")]

    def __str__(self):
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", _("Served")


HOLDING_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class Booking(models.Model):
    slot = models.ForeignKey(ServiceSlot, on_delete=models.PROTECT, related_name="bookings")
    station = models.ForeignKey(StationPage, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="station_bookings")
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    requested_at = models.DateTimeField(_("requested"))
    respond_by = models.DateTimeField(_("respond by"))
    in_working_hours = models.BooleanField(default=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("service result"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    referral = models.ForeignKey("Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(fields=["slot", "user"], condition=Q(status__in=["pending", "confirmed"]),
                                    name="uniq_active_booking_per_slot_user"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="booking_rating_1_to_5"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(status="completed"),
                                   name="booking_rated_only_when_completed"),
        ]
        indexes = [
            models.Index(fields=["station", "status", "respond_by"], name="booking_station_status_idx"),
            models.Index(fields=["status", "respond_by"], name="booking_due_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.user} · {self.slot}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status == BookingStatus.PENDING and self.respond_by < timezone.now()


class Referral(models.Model):
    """A Q&A question referred to a station: the asker is offered a booking there [G2 intro].
    The question lives in `community`; it is referenced by id and URL so the apps stay apart."""

    question_id = models.PositiveIntegerField(_("question id"), db_index=True)
    question_title = models.CharField(_("question"), max_length=200, blank=True)
    question_url = models.CharField(_("question link"), max_length=300, blank=True)
    station = models.ForeignKey(StationPage, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(StationService, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="station_referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        constraints = [models.UniqueConstraint(fields=["question_id", "station"], name="uniq_referral_question_station")]

    def __str__(self):
        return f"{self.question_title or self.question_id} → {self.station}"
