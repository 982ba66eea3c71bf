"""Staff training records and the daily KPI aggregate tables [A1.7, A1.10, G4.2].

`DailyOrgMetric` holds, per (organisation, day), one row with what happened *at that organisation
itself* that day (questions it owned, bookings at its stations, appeals it ran...; `subtree=False`)
and one rollup row for the organisation with all its descendants (`subtree=True`, the sum of the
own rows of its subtree, `path LIKE 'prefix%'`). Every column is a count or a sum, so any range is
the sum of its day rows; rates and means are computed when read. First-response times are also
kept as a histogram (`rt_00` … `rt_19`, see insights/domain/histogram.py) so medians and the 90th
percentile combine across days and organisations; the exact per-row median/p90 (PostgreSQL
percentile_cont) are stored too, for a single organisation's daily view.

`DailyPersonMetric` holds one row per (user, day) for everyone who did cadre or expert work that
day. Both tables are filled by `insights.services.aggregate_day` (delete + insert of the day in one
transaction, so a re-run is idempotent) from the Celery task and `manage.py rebuild_kpis`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .domain.histogram import BUCKETS

HISTOGRAM_FIELDS = tuple(f"rt_{i:02d}" for i in range(BUCKETS))

# The summable columns of DailyOrgMetric, in the order of exports.
ORG_COUNT_FIELDS = (
    "registered_users", "active_users",
    "questions", "questions_answered", "questions_on_time", "first_response_count", "first_response_seconds",
    "answers", "answers_staff", "answers_expert", "answers_peer", "comments",
    "outcomes_solved", "outcomes_partly", "outcomes_not_solved", "outcome_ratings", "outcome_rating_sum",
    "bookings", "bookings_responded", "bookings_on_time", "bookings_completed", "booking_ratings",
    "booking_rating_sum",
    "invitations_sent", "invitations_accepted", "invitations_declined", "invitations_answered", "alliance_joins",
    "appeals_opened", "appeals_closed", "appeals_closed_on_time", "appeals_sent_back",
    "appeals_satisfied", "appeals_partly", "appeals_not_satisfied",
    "cadre_answers", "cadre_comments", "cadre_invitations",
)

PERSON_COUNT_FIELDS = (
    "answers", "first_responses", "on_time", "response_seconds", "accepted",
    "solved", "partly", "not_solved", "ratings", "rating_sum", "comments",
    "invitations_received", "invitations_accepted", "invitations_declined", "invitations_answered",
    "bookings_handled", "bookings_on_time",
    "promotions", "promotion_reach",
)
# Columns added after the first release: a database default too, for raw inserts (bench) that predate them.
LATER_PERSON_FIELDS = ("promotions", "promotion_reach")


class TrainingKind(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    PLATFORM = "platform", _("Platform operation")
    POLICY = "policy", _("Policy and rules")
    SERVICE = "service", _("Youth service skills")
    OTHER = "other", _("Other")


class TrainingRecord(models.Model):
    """A training a staff member took (staff management, A1.7)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE,
                             related_name="training_records")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="training_records")
    title = models.CharField(_("training"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=TrainingKind.choices, default=TrainingKind.PLATFORM)
    provider = models.CharField(_("given by"), max_length=80, blank=True)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("passed"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes = [models.Index(fields=["organization", "-held_on"], name="training_org_day_idx"),
                   models.Index(fields=["user", "-held_on"], name="training_user_day_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0) & models.Q(hours__lte=200),
                                              name="training_hours_range")]

    def __str__(self):
        return f"{self.user} · {self.title} · {self.held_on}"


class HistogramMixin(models.Model):
    class Meta:
        abstract = True


for _name in HISTOGRAM_FIELDS:
    HistogramMixin.add_to_class(_name, models.PositiveIntegerField(default=0))


class DailyOrgMetric(HistogramMixin):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE,
                                     related_name="daily_metrics")
    day = models.DateField(db_index=True)
    # False: what happened at the organisation itself; True: the organisation and all its
    # descendants (a rollup written by the same aggregation run, so a subtree over a year is 365 rows).
    subtree = models.BooleanField(default=False)
    first_response_median_min = models.FloatField(null=True, blank=True)
    first_response_p90_min = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily organisation metrics")
        verbose_name_plural = _("daily organisation metrics")
        constraints = [models.UniqueConstraint(fields=["organization", "subtree", "day"], name="uniq_daily_org_metric")]
        indexes = [models.Index(fields=["organization", "subtree", "day"], name="daily_org_subtree_day_idx")]

    def __str__(self):
        return f"{self.organization_id} {self.day}"


class DailyPersonMetric(HistogramMixin):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_metrics")
    day = models.DateField(db_index=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily person metrics")
        verbose_name_plural = _("daily person metrics")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="uniq_daily_person_metric")]

    def __str__(self):
        return f"{self.user_id} {self.day}"


class MonthlyOrgMetric(HistogramMixin):
    """The sum of a calendar month's DailyOrgMetric rows (`month` = its first day), rewritten by every
    aggregation run of a day of that month; long ranges read whole months from here."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    subtree = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "subtree", "month"], name="uniq_monthly_org_metric")]
        indexes = [models.Index(fields=["month"], name="monthly_org_month_idx")]


class MonthlyPersonMetric(HistogramMixin):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="uniq_monthly_person_metric")]
        indexes = [models.Index(fields=["month"], name="monthly_person_month_idx")]


for _model, _names in ((DailyOrgMetric, ORG_COUNT_FIELDS), (MonthlyOrgMetric, ORG_COUNT_FIELDS),
                       (DailyPersonMetric, PERSON_COUNT_FIELDS), (MonthlyPersonMetric, PERSON_COUNT_FIELDS)):
    for _name in _names:
        if _name in LATER_PERSON_FIELDS:
            _field = models.BigIntegerField(default=0, db_default=0)
        else:
            _field = (models.BigIntegerField(default=0) if _name.endswith("seconds")
                      else models.PositiveIntegerField(default=0))
        _model.add_to_class(_name, _field)


# ---------------------------------------------------------------------------------------------
# Promotion work [A1 第三条] and the yearly awards round (评优表彰) [A1 第十条, A2 五, G 2]
# ---------------------------------------------------------------------------------------------
class PromotionKind(models.TextChoices):
    MEDIA = "media", _("Media promotion")  # 媒体推广
    EVENT = "event", _("Event promotion")  # 活动推广
    ADVERT = "advert", _("City advertising")  # 城市广告


class PromotionActivity(models.Model):
    """One piece of promotion work of an organisation, with its reach; credited to a liaison officer
    (counted in their contribution score: insights.domain.scoring, `promotions`, `promotion_reach`)."""

    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="promotion_activities")
    kind = models.CharField(_("kind"), max_length=8, choices=PromotionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    channel = models.CharField(_("medium or venue"), max_length=120, blank=True)
    held_on = models.DateField(_("date"))
    reach = models.PositiveIntegerField(_("reach (people)"), default=0)
    url = models.URLField(_("link"), blank=True)
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("credited liaison officer"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="promotion_activities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("promotion activity")
        verbose_name_plural = _("promotion activities")
        indexes = [models.Index(fields=["held_on"], name="promotion_held_on_idx")]

    def __str__(self):
        return self.title


class AwardCategory(models.TextChoices):
    LIAISON = "liaison", _("Outstanding liaison officer")  # 优秀联络专员
    CADRE = "cadre", _("Outstanding League cadre")  # 优秀团干部
    EXPERT = "expert", _("Outstanding expert")  # 优秀专家
    STATION = "station", _("Outstanding station")  # 优秀线下服务站


# The published honours page is Chinese content whatever the admin's language.
AWARD_LABELS_ZH = {"liaison": "优秀联络专员", "cadre": "优秀团干部", "expert": "优秀专家", "station": "优秀线下服务站"}


class AwardRoundStatus(models.TextChoices):
    OPEN = "open", _("Nominating")
    PUBLISHED = "published", _("Published")


class AwardRound(models.Model):
    """An organisation's yearly awards round: candidates ranked by the platform's figures,
    nominated by the organisation, approved by its parent organisation, published as an honours page."""

    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="award_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=AwardRoundStatus.choices,
                              default=AwardRoundStatus.OPEN)
    honours_page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("honours page"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "organization__path"]
        verbose_name = _("awards round")
        verbose_name_plural = _("awards rounds")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="uniq_award_round_org_year")]

    def __str__(self):
        return self.title


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class AwardNomination(models.Model):
    """A candidate put forward in a round, with the figures and score they were ranked by (kept as
    they were when nominated)."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="nominations")
    category = models.CharField(_("category"), max_length=8, choices=AwardCategory.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="award_nominations")
    station = models.ForeignKey("stations.StationPage", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="award_nominations")
    name = models.CharField(_("name"), max_length=120)
    candidate_organization = models.ForeignKey("organizations.Organization", null=True, on_delete=models.SET_NULL,
                                               related_name="+")
    score = models.FloatField(_("score"))
    rank = models.PositiveIntegerField(_("rank"))
    figures = models.JSONField(_("figures"), default=dict)
    citation = models.TextField(_("citation"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=NominationStatus.choices,
                              default=NominationStatus.NOMINATED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["category", "rank", "pk"]
        verbose_name = _("award nomination")
        verbose_name_plural = _("award nominations")
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=False, station__isnull=True)
                                   | models.Q(user__isnull=True, station__isnull=False), name="nomination_one_candidate"),
            models.UniqueConstraint(fields=["round", "category", "user"], condition=models.Q(user__isnull=False),
                                    name="uniq_nomination_user"),
            models.UniqueConstraint(fields=["round", "station"], condition=models.Q(station__isnull=False),
                                    name="uniq_nomination_station"),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_category_display()}"
