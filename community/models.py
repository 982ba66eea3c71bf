"""Questions, answers, comments, likes, follows, invitations, routing events, calendar overrides
and points [A1.4, A1.5, A2.2, A2.3].

Counters (answers, likes, views...) are denormalised on the rows and updated with F() expressions
by the services, so a feed page is one query. The deadline is computed by
`community.domain.deadlines.answer_deadline` and stored; the sweeps only read indexed columns.

Targets: a question may name one target (`target_kind` + the matching FK): an organisation, an
expert or a station (青年之家); a station target routes the question to the station's organisation
and adds the station's admins to the assignee queue. See docs/community.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase
from wagtail.search import index

from core.domains import ServiceDomain
from moderation.models import ModeratedContent


class QuestionTag(TagBase):
    """Tags are curated by staff (admin); askers pick existing ones, unknown tags are refused."""

    class Meta:
        verbose_name = _("question tag")
        verbose_name_plural = _("question tags")


class TaggedQuestion(ItemBase):
    tag = models.ForeignKey(QuestionTag, on_delete=models.CASCADE, related_name="tagged_questions")
    content_object = models.ForeignKey("Question", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="uniq_question_tag")]


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REMOVED = "removed", _("Removed")


class TargetKind(models.TextChoices):
    NONE = "", _("No target")
    ORGANIZATION = "organization", _("Organisation")
    EXPERT = "expert", _("Expert")
    STATION = "station", _("Youth station")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    PARTLY = "partly", _("Partly solved")
    NOT_SOLVED = "not_solved", _("Not solved")


class Question(index.Indexed, ModeratedContent):
    # Indexed by the jieba search backend (search/sources.py registers the "question" source).
    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("body"),
        index.AutocompleteField("title"),
        index.FilterField("organization_id"),
        index.FilterField("domain"),
        index.FilterField("status"),
        index.FilterField("moderation_status"),
    ]

    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions")
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("details"), max_length=5000, blank=True)
    domain = models.CharField(_("domain"), max_length=20, choices=ServiceDomain.choices, db_index=True)
    tags = TaggableManager(through=TaggedQuestion, blank=True, verbose_name=_("tags"))
    is_anonymous = models.BooleanField(_("anonymous to the public"), default=False)

    # Routing: the organisation that owns the question now, and where it started.
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="questions")
    origin_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    transfer_count = models.PositiveSmallIntegerField(default=0)
    routing_locked = models.BooleanField(default=False, help_text=_("Escalated by the three-transfers rule."))

    target_kind = models.CharField(_("target"), max_length=12, choices=TargetKind.choices, blank=True, default="")
    target_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="targeted_questions"
    )
    target_station = models.ForeignKey(
        "stations.StationPage", on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )

    status = models.CharField(max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)
    asked_at = models.DateTimeField(db_index=True)
    # Deadline (SLA): window start (asked or reopened), reminder time (2/3 of the window) and due time.
    clock_started_at = models.DateTimeField()
    remind_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    deadline_hours = models.PositiveSmallIntegerField(default=3)
    first_answered_at = models.DateTimeField(null=True, blank=True, help_text=_("When the clock stopped."))
    answered_on_time = models.BooleanField(null=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_count = models.PositiveSmallIntegerField(default=0)

    accepted_answer = models.OneToOneField(
        "Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="accepted_for"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    answer_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    follow_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    hot_score = models.FloatField(default=0.0)
    is_featured = models.BooleanField(_("featured"), default=False)
    last_activity_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            models.Index(fields=["organization", "-asked_at", "-id"], name="q_org_latest_idx"),
            models.Index(fields=["-asked_at", "-id"], name="q_latest_idx"),
            models.Index(fields=["-hot_score", "-id"], name="q_hot_idx"),
            models.Index(fields=["organization", "-hot_score", "-id"], name="q_org_hot_idx"),
            models.Index(fields=["asker", "-asked_at"], name="q_asker_idx"),
            # The sweeps: only open questions whose clock runs are indexed.
            models.Index(fields=["remind_at"], name="q_remind_due_idx",
                         condition=Q(status="open", reminded_at__isnull=True)),
            models.Index(fields=["deadline_at"], name="q_escalate_due_idx",
                         condition=Q(status="open", escalated_at__isnull=True)),
            models.Index(fields=["organization", "deadline_at"], name="q_org_queue_idx", condition=Q(status="open")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(outcome_rating__isnull=True) | Q(outcome_rating__gte=1, outcome_rating__lte=5),
                                   name="q_rating_1_5"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/qa/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status == QuestionStatus.OPEN


class AnswerRole(models.TextChoices):
    STAFF = "staff", _("League staff")
    EXPERT = "expert", _("Expert")
    ORGANIZATION = "organization", _("Official account")
    PEER = "peer", _("Youth")


class Answer(ModeratedContent):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    shown_author: str | None  # not a column: set for a viewer by selectors.label_people
    shown_comments: list  # not a column: its visible comments, set by selectors.question_detail
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers",
                               help_text=_("The real author, also when posted as an organisation."))
    as_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="official_answers"
    )
    role = models.CharField(max_length=12, choices=AnswerRole.choices)
    body = models.TextField(_("answer"), max_length=10000)
    source = models.CharField(_("source / citation"), max_length=300, blank=True)
    is_copied = models.BooleanField(_("copied from elsewhere"), default=False)
    stops_clock = models.BooleanField(default=False)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    is_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "created_at", "id"], name="a_question_idx"),
                   models.Index(fields=["author", "-created_at"], name="a_author_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(is_copied=False) | ~Q(source=""), name="a_copied_needs_source"),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.body[:30]}"


class Comment(ModeratedContent):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="comments")
    shown_author: str | None  # not a column: set for a viewer by selectors.label_people
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_comments")
    body = models.CharField(_("comment"), max_length=500)
    is_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["question", "created_at"], name="c_question_idx")]

    def __str__(self):
        return self.body[:30]


class Like(models.Model):
    """A like of a question (answer empty) or of one of its answers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_likes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="likes")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], condition=Q(answer__isnull=True), name="uniq_question_like"),
            models.UniqueConstraint(fields=["user", "answer"], condition=Q(answer__isnull=False), name="uniq_answer_like"),
        ]

    def __str__(self):
        return f"{self.user_id} ♥ {self.answer_id or self.question_id}"


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_follows")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="uniq_follow")]

    def __str__(self):
        return f"{self.user_id} → {self.question_id}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ANSWERED = "answered", _("Answered")


class Invitation(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_invitations")
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    message = models.CharField(max_length=200, blank=True)
    decline_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True, help_text=_("Set when accepted."))
    answered_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "invitee"], name="uniq_invitation")]
        indexes = [models.Index(fields=["invitee", "status", "deadline_at"], name="inv_invitee_idx"),
                   models.Index(fields=["deadline_at"], name="inv_overdue_idx",
                                condition=Q(status="accepted", overdue_notified_at__isnull=True))]

    def __str__(self):
        return f"{self.invitee_id} ← {self.question_id} ({self.status})"


class EventKind(models.TextChoices):
    ASKED = "asked", _("Asked")
    TRANSFERRED = "transferred", _("Transferred")
    DECLINED = "declined", _("Declined")
    ESCALATED = "escalated", _("Escalated (three transfers)")
    REMINDED = "reminded", _("Deadline reminder")
    OVERDUE = "overdue", _("Overdue, escalated to parent")
    ANSWERED = "answered", _("First answer")
    REOPENED = "reopened", _("Reopened (not solved)")
    OUTCOME = "outcome", _("Outcome marked")
    FEATURED = "featured", _("Featured")
    REFERRED = "referred", _("Referred to a station")


# The reason an ANSWERED event records: whether the answer that stopped the clock met the deadline in
# force when it was written. This is the one stored truth of "answered on time" — KPIs and expert
# statistics read it (community.selectors.answer_on_time); a later reopen, which moves the deadline
# and clears the question's own answered_on_time, changes nothing already stored here.
ON_TIME_REASON = "按时"
LATE_REASON = "超时"


class QuestionEvent(models.Model):
    """Routing and deadline history, shown on the question page (who did it and why)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    shown_actor: str | None  # not a column: set for a viewer by selectors.label_people
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["question", "created_at"], name="ev_question_idx")]

    def __str__(self):
        return f"{self.question_id}: {self.kind}"


class PointAward(models.Model):
    """Points ledger: one row per award, unique per (user, key) so awarding twice is a no-op."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_awards")
    reason = models.CharField(max_length=20)
    points = models.IntegerField()
    key = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_point_award")]

    def __str__(self):
        return f"{self.user_id} +{self.points} ({self.reason})"
