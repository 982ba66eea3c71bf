"""Service domains (服务领域) shared by questions, alliances, experts, stations and category pages
[G3.1, A1.4.2]. One list, used as choices everywhere so that every app agrees."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceDomain(models.TextChoices):
    ENTREPRENEURSHIP = "entrepreneurship", _("Innovation and entrepreneurship")  # 创新创业
    RELATIONSHIPS = "relationships", _("Dating and marriage")  # 婚恋交友
    LEGAL = "legal", _("Legal services")  # 法律服务
    PSYCHOLOGY = "psychology", _("Psychological counselling")  # 心理咨询
    EMPLOYMENT = "employment", _("Jobs and internships")  # 就业实习
    VOLUNTEERING = "volunteering", _("Volunteering")  # 公益志愿
    LEAGUE = "league", _("League affairs")  # 团务


DOMAIN_LABELS_ZH = {
    ServiceDomain.ENTREPRENEURSHIP: "创新创业",
    ServiceDomain.RELATIONSHIPS: "婚恋交友",
    ServiceDomain.LEGAL: "法律服务",
    ServiceDomain.PSYCHOLOGY: "心理咨询",
    ServiceDomain.EMPLOYMENT: "就业实习",
    ServiceDomain.VOLUNTEERING: "公益志愿",
    ServiceDomain.LEAGUE: "团务",
}
