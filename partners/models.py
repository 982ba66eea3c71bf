"""一号通: the League systems (partners) that log youth in through our OpenID Connect provider, call
the API with their tokens and receive signed event feeds; and the change log behind the incremental
export. docs/partners.md.

- `Partner` is the registry row a provincial administrator edits; it owns one django-oauth-toolkit
  `Application` (client id/secret, redirect URIs, client type), kept in step by services.save_partner.
- `WebhookEndpoint` → `PartnerEvent` → `WebhookDelivery` → `DeliveryAttempt`: an event is written in
  the transaction of the change that caused it, with one delivery row per subscribed endpoint (the
  outbox); Celery delivers them with acks_late, retries with back-off, and logs every attempt.
- `Change`: one row per insert/update/delete of an exported table, written by a database trigger in
  the writer's transaction with its transaction id; partners.export serves them up to a watermark."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

EVENT_TYPES = [
    ("question.asked", "提问"),
    ("question.answered", "问题获得回答"),
    ("question.overdue", "问题超时"),
    ("question.escalated", "问题升级"),
    ("booking.requested", "预约申请"),
    ("booking.confirmed", "预约确认"),
    ("booking.served", "预约服务完成"),
    ("booking.rated", "预约评价"),
    ("appeal.opened", "诉求登记"),
    ("appeal.stepped", "诉求办理进展"),
    ("appeal.closed", "诉求办结"),
    ("alert.raised", "监测预警"),
]
EVENT_TYPE_NAMES = [name for name, _label in EVENT_TYPES]


class Partner(ClusterableModel):
    """A League system (团员管理, 公益志愿, …) linked to the platform for 一号通."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=80, blank=True)
    icon = models.CharField(_("icon"), max_length=2, blank=True, help_text=_("One emoji or character."))
    logo = models.ForeignKey("wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    home_url = models.CharField(_("home URL"), max_length=300)
    redirect_uris = models.TextField(_("redirect URIs"), blank=True, help_text=_("One per line (exact match)."))
    post_logout_redirect_uris = models.TextField(_("post-logout redirect URIs"), blank=True,
                                                 help_text=_("One per line (exact match)."))
    allowed_scopes = models.CharField(_("allowed scopes"), max_length=300, default="openid profile",
                                      help_text=_("Space-separated, e.g. openid profile phone qa:read qa:write."))
    confidential = models.BooleanField(_("confidential client"), default=True,
                                       help_text=_("A server-side system with a client secret; apps and "
                                                   "mini-programs are public clients and must use PKCE."))
    client_credentials = models.BooleanField(_("may use client credentials"), default=False)
    trusted = models.BooleanField(_("trusted (League system)"), default=False,
                                  help_text=_("Sees the same user id as the platform and skips the consent screen."))
    organizations = models.ManyToManyField("organizations.Organization", verbose_name=_("organisations it may see"),
                                           blank=True, related_name="+",
                                           help_text=_("Events and exports cover these organisations and their subtrees."))
    show_in_footer = models.BooleanField(_("shown on every branch"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    application = models.OneToOneField("oauth2_provider.Application", null=True, blank=True, editable=False,
                                       on_delete=models.SET_NULL, related_name="partner")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("partner system")
        verbose_name_plural = _("partner systems")

    def __str__(self):
        return self.name

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()

    @property
    def client_id(self) -> str:
        return self.application.client_id if self.application_id else ""


class WebhookEndpoint(models.Model):
    partner = ParentalKey(Partner, on_delete=models.CASCADE, related_name="endpoints")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, blank=True,
                              help_text=_("Standard Webhooks secret (whsec_…); generated when left empty."))
    event_types = models.CharField(_("events"), max_length=500, blank=True,
                                   help_text=_("Space-separated event types (question.asked …); empty: every event."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    def save(self, *args, **kwargs):
        if not self.secret:
            from .services import new_webhook_secret

            self.secret = new_webhook_secret()
        super().save(*args, **kwargs)

    def wants(self, event_type: str) -> bool:
        return not self.event_types.split() or event_type in self.event_types.split()


class PartnerEvent(models.Model):
    """Something that happened, as partners see it. `subject` names the object ("question:42");
    events of one subject are delivered in `id` order."""

    type = models.CharField(max_length=40, db_index=True)
    subject = models.CharField(max_length=60, db_index=True)
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict)
    # Only given to partners whose scopes allow it: {"phone": {...}, "real_name": {...}}.
    personal = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner event")
        verbose_name_plural = _("partner events")

    def __str__(self):
        return f"{self.type} {self.subject}"

    @property
    def webhook_id(self) -> str:
        return f"msg_yv{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(PartnerEvent, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.CharField(max_length=60)  # the event's, for per-object ordering
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="uniq_delivery_endpoint_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="wh_due_idx"),
                   models.Index(fields=["endpoint", "subject", "event"], name="wh_order_idx")]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    replay = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at", "-pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")


class Change(models.Model):
    """One write to an exported table (written by the triggers of migration partners.0002).
    `txid` is the writer's PostgreSQL transaction id (pg_current_xact_id); on SQLite it is the seq."""

    seq = models.BigAutoField(primary_key=True)
    table = models.CharField(max_length=40)
    row_id = models.BigIntegerField()
    op = models.CharField(max_length=1)  # I, U, D
    txid = models.BigIntegerField(null=True)
    changed_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["table", "txid", "seq"], name="change_cursor_idx")]
