"""Experts (服务联盟专家, 青年工作专家) [A2]. The minimal model that the Q&A work needs (is this user
an expert, in which domains); the alliances work extends it with alliances, credentials, home
station, availability and statistics."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from youthvoice.domains import ServiceDomain


class ExpertStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


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

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self):
        return f"{self.real_name}（{self.title}）" if self.title else self.real_name

    @property
    def is_active(self) -> bool:
        return self.status == ExpertStatus.ACTIVE

    @property
    def domain_list(self) -> list[str]:
        return [d.domain for d in self.domains.all()]


class ExpertDomain(models.Model):
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=20, choices=ServiceDomain.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "domain"], name="uniq_expert_domain")]

    def __str__(self):
        return self.get_domain_display()
