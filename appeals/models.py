"""Appeals (诉求处理) of attachment 4: collective appeals (集中诉求) and individual assistance cases
(帮扶个案), each carrying exactly the fields of its official form, the handling workflow's timeline,
the source threads, the handlers and the youth's return visit.

Roles are `AppealHandler` memberships (user, organisation, role) kept in this app rather than new
`StaffRole` values: the appeal roles are a separate mechanism that any League committee may run for
its own level [G4 参照团省委做法], and a membership at an organisation covers its subtree exactly as
staff memberships do (see `appeals.permissions`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .domain.deadlines import COLLECTIVE, INDIVIDUAL
from .domain.workflow import ROLE_LABELS, STATE_LABELS, Rating, Role, State


class AppealKind(models.TextChoices):
    COLLECTIVE = COLLECTIVE, _("Collective appeal")  # 集中诉求
    INDIVIDUAL = INDIVIDUAL, _("Individual assistance case")  # 帮扶个案


KIND_LABELS_ZH = {COLLECTIVE: "集中诉求", INDIVIDUAL: "帮扶个案"}

STATE_CHOICES = [(s, STATE_LABELS[s][0]) for s in State.ALL]
ROLE_CHOICES = [(r, ROLE_LABELS[r][0]) for r in Role.STAFF]


class AppealHandler(models.Model):
    """A person in one appeal role at one organisation (and its subtree)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeal_roles")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="appeal_handlers"
    )
    role = models.CharField(_("appeal role"), max_length=16, choices=ROLE_CHOICES)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal handler")
        verbose_name_plural = _("appeal handlers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], condition=models.Q(is_active=True),
                name="uniq_active_appeal_handler",
            )
        ]
        indexes = [models.Index(fields=["organization", "role"], name="appeal_handler_org_role_idx")]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Appeal(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=AppealKind.choices, db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=STATE_CHOICES, default=State.RECEIVED, db_index=True)
    # The organisation whose mechanism handles the record (团省委, or a city's League committee).
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("handling organisation"), on_delete=models.PROTECT,
        related_name="appeals",
    )
    # The youth who raised it (individual cases); collective appeals may have none.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    consent_to_share = models.BooleanField(
        _("consents to share details with handlers"), default=False,
    )

    # ---- the form (办理表), field for field ----
    filed_on = models.DateField(_("date of filing"), null=True, blank=True)  # 行文日期
    # collective: 反映诉求的青年群体 / 统计时段 / 主题帖数 / 青年群体所在地
    youth_group = models.CharField(_("youth group raising it"), max_length=200, blank=True)
    period_start = models.DateField(_("statistics period from"), null=True, blank=True)
    period_end = models.DateField(_("statistics period to"), null=True, blank=True)
    thread_count = models.PositiveIntegerField(_("threads"), null=True, blank=True)
    # individual: 反映诉求的用户姓名 / 反映时间 / 跟帖数量 / 用户所在地
    user_name = models.CharField(_("name of the user raising it"), max_length=80, blank=True)
    reported_at = models.DateTimeField(_("time raised"), null=True, blank=True)
    reply_count = models.PositiveIntegerField(_("replies"), null=True, blank=True)
    # both: 青年群体所在地 / 用户所在地, 诉求主题, and the four opinions
    location = models.CharField(_("location"), max_length=120, blank=True)
    theme = models.CharField(_("theme"), max_length=200)
    details_and_proposal = models.TextField(_("details and the operations group's proposal"), blank=True)
    coordination_opinion = models.TextField(_("coordination group's opinion"), blank=True)
    result_feedback = models.TextField(_("result feedback"), blank=True)
    leader_instruction = models.TextField(_("leader's instruction"), blank=True)

    # ---- beyond the paper form ----
    details = models.TextField(_("what the youth wrote"), blank=True)
    user_count = models.PositiveIntegerField(_("distinct users"), null=True, blank=True)
    location_org = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("location organisation"),
    )
    lead_organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="led_appeals",
        verbose_name=_("lead department or city"),
    )
    co_handlers = models.ManyToManyField(
        "organizations.Organization", blank=True, related_name="co_handled_appeals", verbose_name=_("co-handlers")
    )
    handoff_count = models.PositiveSmallIntegerField(_("times handed on"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    state_entered_at = models.DateTimeField(_("step started"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True, db_index=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(_("return visit rating"), max_length=16, choices=Rating.CHOICES, blank=True)
    rating_comment = models.CharField(_("return visit comment"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["organization", "state"], name="appeal_org_state_idx"),
            models.Index(fields=["lead_organization", "state"], name="appeal_lead_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True) | models.Q(period_end__isnull=True)
                | models.Q(period_start__lte=models.F("period_end")),
                name="appeal_period_ordered",
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.theme}"

    @property
    def reference(self) -> str:
        prefix = "JZ" if self.kind == AppealKind.COLLECTIVE else "BF"
        return f"{prefix}{self.pk:06d}" if self.pk else prefix

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state][0]

    @property
    def kind_label_zh(self) -> str:
        return KIND_LABELS_ZH[self.kind]

    @property
    def is_closed(self) -> bool:
        return self.state in State.CLOSED


class SourceKind(models.TextChoices):
    QUESTION = "question", _("Q&A question")
    REPORT = "report", _("User report")
    ALERT = "alert", _("Concentrated-demand alert")
    DIRECT = "direct", _("Direct request")


class AppealSource(models.Model):
    """A source thread (a Q&A question), a report, an alert or a direct request of an appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=12, choices=SourceKind.choices)
    question = models.ForeignKey("community.Question", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="appeal_sources")
    external_ref = models.CharField(max_length=80, blank=True, help_text=_("Report or alert reference."))
    title = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.title or self.external_ref or str(self.question_id)


class AppealEvent(models.Model):
    """One step of the timeline: who did what, when, from which state to which, with what comment.
    `public` events (initial response, progress, result) are what the youth sees."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField(max_length=16, blank=True)
    comment = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="appeal_event_timeline_idx")]

    def __str__(self):
        return f"{self.appeal_id} {self.action}"

    @property
    def action_label(self) -> str:
        from .domain.workflow import TRANSITIONS

        if self.action in TRANSITIONS:
            return TRANSITIONS[self.action].label[0]
        return {"open": "登记诉求", "edit": "修改办理表", "overdue": "办理超时提醒"}.get(self.action, self.action)

    @property
    def from_label(self) -> str:
        return STATE_LABELS[self.from_state][0] if self.from_state in STATE_LABELS else ""

    @property
    def to_label(self) -> str:
        return STATE_LABELS[self.to_state][0] if self.to_state in STATE_LABELS else ""

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.actor_role][0] if self.actor_role in ROLE_LABELS else ""


class AppealStepDeadline(models.Model):
    """Override of a step's allowed working days, per kind and state (defaults in domain/deadlines.py)."""

    kind = models.CharField(_("kind"), max_length=12, choices=AppealKind.choices)
    state = models.CharField(_("step"), max_length=16, choices=STATE_CHOICES)
    working_days = models.PositiveSmallIntegerField(_("working days"))

    class Meta:
        verbose_name = _("appeal step deadline")
        verbose_name_plural = _("appeal step deadlines")
        constraints = [models.UniqueConstraint(fields=["kind", "state"], name="uniq_appeal_step_deadline")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_state_display()}: {self.working_days}"
