"""Service alliances and experts (服务联盟, 专家) [G3.1, A1.6, A2].

- `ExpertProfile` (one per user) and `ExpertDomain`: the minimal model the Q&A work relies on, extended
  here with credentials, bio, contact, home station, availability and staff-only verification fields.
- `AllianceIndexPage` / `AlliancePage`: one alliance per service domain per organisation branch, plus
  the youth-work experts alliance (domain "league") of full- and part-time League cadres [A1.6].
- `MemberOrganization`: social organisations and professional institutions that serve in alliances.
- `AllianceMembership`: an expert or a member organisation in an alliance, with the joining flow
  (application or invitation → approval by the alliance's liaison → suspension/removal with reasons).

Which fields are public is decided in one place: `PUBLIC_EXPERT_FIELDS` / `STAFF_ONLY_EXPERT_FIELDS`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.domains import ServiceDomain


class ExpertStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Taking questions")
    BUSY = "busy", _("Busy (fewer questions)")
    AWAY = "away", _("Away")


class ExpertKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional expert")  # 服务联盟专家
    CADRE_FULL = "cadre_full", _("Full-time League cadre")  # 专职团干部
    CADRE_PART = "cadre_part", _("Part-time League cadre")  # 兼职团干部


class ExpertProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile")
    real_name = models.CharField(_("real name"), max_length=40)
    title = models.CharField(_("title"), max_length=80, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="experts",
    )
    status = models.CharField(_("status"), max_length=10, choices=ExpertStatus.choices, default=ExpertStatus.PENDING,
                              db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # --- added by the alliances work (all with defaults, so existing rows and callers keep working) ---
    kind = models.CharField(_("kind"), max_length=14, choices=ExpertKind.choices, default=ExpertKind.PROFESSIONAL)
    workplace = models.CharField(_("workplace"), max_length=80, blank=True,
                                 help_text=_("Employer or practice, e.g. a law firm or hospital."))
    credentials = models.TextField(_("credentials"), blank=True, max_length=1000,
                                   help_text=_("Qualifications and licences, one per line."))
    bio = models.TextField(_("biography"), blank=True, max_length=2000)
    # The station where the expert serves offline [A2.4].
    home_station = models.ForeignKey("stations.StationPage", verbose_name=_("home station"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="home_experts")
    availability = models.CharField(_("availability"), max_length=10, choices=Availability.choices,
                                    default=Availability.AVAILABLE)
    max_open_questions = models.PositiveSmallIntegerField(
        _("open questions at most"), default=5, help_text=_("Matching stops suggesting the expert beyond this load."))
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_public = models.BooleanField(_("show contact publicly"), default=False,
                                         help_text=_("Phone numbers are never public; this shows the e-mail."))
    # Staff-only: real-name verification and notes.
    id_number = models.CharField(_("ID card number"), max_length=18, blank=True)
    verified_at = models.DateTimeField(_("real name verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("verified by"))
    status_reason = models.CharField(_("reason for status"), max_length=200, blank=True)
    staff_notes = models.TextField(_("staff notes"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        indexes = [models.Index(fields=["status", "organization"], name="expert_status_org_idx")]

    def __str__(self):
        return f"{self.real_name}（{self.title}）" if self.title else self.real_name

    @property
    def is_active(self) -> bool:
        return self.status == ExpertStatus.ACTIVE

    @property
    def domain_list(self) -> list[str]:
        return [d.domain for d in self.domains.all()]

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def public_email(self) -> str:
        return self.contact_email if self.contact_public else ""


# The only fields of an expert that anonymous visitors and the public API may see.
PUBLIC_EXPERT_FIELDS = ("id", "real_name", "title", "kind", "workplace", "credentials", "bio", "organization",
                        "home_station_id", "availability", "status")
STAFF_ONLY_EXPERT_FIELDS = ("user", "contact_phone", "id_number", "verified_by", "status_reason", "staff_notes",
                            "max_open_questions")


class ExpertDomain(models.Model):
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=20, choices=ServiceDomain.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "domain"], name="uniq_expert_domain")]

    def __str__(self):
        return self.get_domain_display()


class MemberOrganizationKind(models.TextChoices):
    SOCIAL = "social", _("Social organisation")  # 社会组织
    PROFESSIONAL = "professional", _("Professional institution")  # 专业机构
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业
    PUBLIC = "public", _("Public institution")  # 事业单位


class MemberOrganization(models.Model):
    """A social organisation or professional institution serving in alliances."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=14, choices=MemberOrganizationKind.choices)
    licence_number = models.CharField(_("licence number"), max_length=30, blank=True,
                                      help_text=_("Unified social credit code or practice licence number."))
    domains = models.JSONField(_("domains"), default=list, blank=True)
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("registered with"),
                                     on_delete=models.PROTECT, related_name="member_organizations")
    description = models.TextField(_("description"), blank=True, max_length=1000)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)  # staff-only
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AllianceIndexPage(Page):
    """A branch's alliances (服务联盟): lists the alliances below it."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["home.HomePage", "home.BranchHomePage"]
    subpage_types = ["alliances.AlliancePage"]
    max_count_per_parent = 1
    template = "alliances/alliance_index_page.html"

    class Meta:
        verbose_name = _("alliance index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["alliances"] = self.get_children().live().specific().order_by("title")
        return context


class AlliancePage(Page):
    """One alliance: a domain, an organisation, its liaison officers, charter and members."""

    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="alliances")
    domain = models.CharField(_("domain"), max_length=20, choices=ServiceDomain.choices, db_index=True,
                              help_text=_("'League affairs' is the youth-work experts alliance of League cadres."))
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    charter = RichTextField(_("charter"), blank=True, features=["h3", "bold", "italic", "ol", "ul", "link"])
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("organization"),
        FieldPanel("domain"),
        FieldPanel("intro"),
        FieldPanel("charter"),
        FieldPanel("contact_email"),
        InlinePanel("liaisons", label=_("Liaison officers")),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("charter"),
                                          index.FilterField("domain")]
    api_fields = [
        APIField("organization_id"),
        APIField("domain"),
        APIField("intro"),
        APIField("charter"),
        APIField("contact_email"),
        APIField("liaison_names"),
        APIField("member_count"),
    ]
    parent_page_types = ["alliances.AllianceIndexPage"]
    subpage_types = []
    template = "alliances/alliance_page.html"

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        constraints = [models.UniqueConstraint(fields=["organization", "domain"], name="uniq_alliance_org_domain")]

    @property
    def is_youth_work_alliance(self) -> bool:
        return self.domain == ServiceDomain.LEAGUE

    @property
    def liaison_names(self) -> list[str]:
        return [link.user.real_name or link.user.public_name for link in self.liaisons.select_related("user")]

    @property
    def member_count(self) -> int:
        return self.memberships.filter(status=MembershipStatus.ACTIVE).count()

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.alliance_page_context(self, request.user))
        return context


class AllianceLiaison(Orderable):
    """A liaison officer (联络专员) of an alliance: approves members, sees its statistics."""

    page = ParentalKey(AlliancePage, on_delete=models.CASCADE, related_name="liaisons")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="alliance_liaisons")

    panels = [FieldPanel("user")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="uniq_alliance_liaison")]


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # the expert or organisation asked to join
    INVITED = "invited", _("Invited")  # a liaison invited them; they accept, then it is approved
    ACTIVE = "active", _("Member")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


OPEN_MEMBERSHIP_STATUSES = (MembershipStatus.APPLIED, MembershipStatus.INVITED, MembershipStatus.ACTIVE,
                            MembershipStatus.SUSPENDED)


class AllianceMembership(models.Model):
    """An expert or a member organisation in an alliance. Exactly one of the two is set."""

    alliance = models.ForeignKey(AlliancePage, on_delete=models.CASCADE, related_name="memberships")
    expert = models.ForeignKey(ExpertProfile, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="memberships")
    member_organization = models.ForeignKey(MemberOrganization, null=True, blank=True, on_delete=models.CASCADE,
                                            related_name="memberships")
    status = models.CharField(_("status"), max_length=10, choices=MembershipStatus.choices, db_index=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True,
                              help_text=_("Why it was rejected, suspended or removed."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("alliance membership")
        verbose_name_plural = _("alliance memberships")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(expert__isnull=False, member_organization__isnull=True)
                           | models.Q(expert__isnull=True, member_organization__isnull=False)),
                name="membership_expert_xor_org",
            ),
            # One open membership per alliance and member: applying twice is refused by the database too.
            models.UniqueConstraint(fields=["alliance", "expert"], condition=models.Q(status__in=OPEN_MEMBERSHIP_STATUSES),
                                    name="uniq_open_expert_membership"),
            models.UniqueConstraint(fields=["alliance", "member_organization"],
                                    condition=models.Q(status__in=OPEN_MEMBERSHIP_STATUSES),
                                    name="uniq_open_org_membership"),
        ]
        indexes = [models.Index(fields=["alliance", "status"], name="membership_alliance_status")]

    def __str__(self):
        return f"{self.member} · {self.alliance} · {self.get_status_display()}"

    @property
    def member(self):
        return self.expert or self.member_organization
