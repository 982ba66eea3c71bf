"""Moderation: the sensitive-word list, reports, the review queue with its audit trail, sanctions,
posting records for rate limits, and monitoring alerts (舆情监测).

Content of any app takes part by inheriting `ModeratedContent` and registering with
`moderation.registry` (author, organisation, text fields, public URL)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class WordAction(models.TextChoices):
    BLOCK = "block", _("Block (reject)")
    HOLD = "hold", _("Hold for review")
    MASK = "mask", _("Mask with ＊")


class WordCategory(models.TextChoices):
    POLITICAL = "political", _("Political")
    PORN = "porn", _("Pornography")
    VIOLENCE = "violence", _("Violence and terror")
    FRAUD = "fraud", _("Fraud and illegal trade")
    ABUSE = "abuse", _("Abuse")
    ADS = "ads", _("Advertising and spam")
    OTHER = "other", _("Other")


class SensitiveWord(models.Model):
    word = models.CharField(_("word"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=12, choices=WordCategory.choices, default=WordCategory.OTHER)
    action = models.CharField(_("action"), max_length=6, choices=WordAction.choices, default=WordAction.HOLD)
    variants = models.TextField(
        _("variants"), blank=True, default="",
        help_text=_("Homophones and variant spellings screened like the word, one per line (e.g. 涩情 for 色情). "
                    "Its pinyin and, from three characters on, its initials are matched automatically."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")

    def __str__(self):
        return self.word


class AllowedWord(models.Model):
    """An innocent word that contains a listed one (白色情人节 contains 色情): its hits are ignored."""

    word = models.CharField(_("word"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("allowed word")
        verbose_name_plural = _("allowed words")

    def __str__(self):
        return self.word


class ModerationStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Held for review")
    REMOVED = "removed", _("Removed")


class ModeratedContent(models.Model):
    """Mixin for user content: held content is shown only to its author and moderators; removed
    content stays in the database (soft) and the public sees a notice that it was removed."""

    moderation_status = models.CharField(
        _("moderation status"), max_length=8, choices=ModerationStatus.choices, default=ModerationStatus.VISIBLE,
        db_default=ModerationStatus.VISIBLE, db_index=True,
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_removed(self) -> bool:
        return self.moderation_status == ModerationStatus.REMOVED

    @property
    def is_held(self) -> bool:
        return self.moderation_status == ModerationStatus.HELD


class CaseReason(models.TextChoices):
    HELD = "held", _("Held by the word filter")
    REPORTED = "reported", _("Reported by users")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    REMOVED = "removed", _("Removed")


class ModerationCase(models.Model):
    """One piece of content in the review queue. Reopened when it is reported again after a decision."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=CaseReason.choices)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN,
                              db_index=True)
    excerpt = models.CharField(_("excerpt"), max_length=300, blank=True)
    hits = models.JSONField(_("word hits"), default=list, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("moderation case")
        verbose_name_plural = _("moderation queue")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="uniq_moderation_case_per_content")
        ]
        indexes = [models.Index(fields=["status", "organization"], name="modcase_status_org_idx")]

    def __str__(self):
        return self.excerpt[:40] or f"{self.content_type} #{self.object_id}"


class ReportReason(models.TextChoices):
    ILLEGAL = "illegal", _("Illegal content")
    PORN = "porn", _("Pornographic or vulgar")
    ABUSE = "abuse", _("Abuse or harassment")
    SPAM = "spam", _("Advertising or spam")
    FRAUD = "fraud", _("Fraud")
    PRIVACY = "privacy", _("Leaks personal information")
    OTHER = "other", _("Other")


class Report(models.Model):
    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=ReportReason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "reporter"], name="uniq_report_per_user")]


class DecisionAction(models.TextChoices):
    HOLD = "hold", _("Held automatically")
    APPROVE = "approve", _("Approved")
    REMOVE = "remove", _("Removed")
    RESTORE = "restore", _("Restored")


class ModerationDecision(models.Model):
    """The audit trail: every decision on a case, never edited or deleted."""

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(_("action"), max_length=8, choices=DecisionAction.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class SanctionKind(models.TextChoices):
    MUTE = "mute", _("Mute (cannot post)")
    BAN = "ban", _("Ban (cannot post or log in)")


class Sanction(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=4, choices=SanctionKind.choices)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                                     help_text=_("The organisation whose moderator imposed it."))
    reason = models.CharField(_("reason"), max_length=500)
    appeal_note = models.CharField(_("how to appeal"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "ends_at"], name="sanction_user_ends_idx")]


class PostRecord(models.Model):
    """One row per accepted post, for rate limits (counted over recent windows, then pruned)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    text_hash = models.CharField(max_length=40)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind", "created_at"], name="postrecord_user_kind_idx")]


class AlertKind(models.TextChoices):
    BURST = "burst", _("Topic burst")
    CONCENTRATED = "concentrated", _("Concentrated demand")
    SENSITIVE = "sensitive", _("Sensitive content")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("New")
    VERIFIED = "verified", _("Verified")
    REPORTED = "reported", _("Reported upward")
    HANDLING = "handling", _("Being handled")
    FEEDBACK = "feedback", _("Fed back to users")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")


class Alert(models.Model):
    """A monitoring finding for a branch's liaison officers, with its evidence."""

    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="alerts")
    reported_to = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reported_alerts")
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN,
                              db_index=True)
    title = models.CharField(_("title"), max_length=200)
    terms = models.JSONField(_("terms"), default=list)
    score = models.FloatField(_("score"), default=0)
    window_start = models.DateTimeField(_("period start"))
    window_end = models.DateTimeField(_("period end"))
    thread_count = models.PositiveIntegerField(_("threads"), default=0)
    user_count = models.PositiveIntegerField(_("distinct users"), default=0)
    evidence = models.JSONField(_("evidence"), default=dict)
    fingerprint = models.CharField(max_length=120, help_text="kind:org:key — one open alert per finding")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=~models.Q(status__in=["closed", "dismissed"]),
                name="uniq_open_alert_fingerprint",
            )
        ]

    def __str__(self):
        return self.title


class AlertStep(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=10, choices=AlertStatus.choices)
    to_status = models.CharField(max_length=10, choices=AlertStatus.choices)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class TermWindowCount(models.Model):
    """Jieba term counts of one monitored organisation's posts in one hour: the baseline that bursts
    are measured against, computed once per hour instead of re-segmenting history on every run."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(db_index=True)
    posts = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "hour"], name="uniq_term_count_org_hour")]
