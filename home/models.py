"""Branch pages: every League organisation runs its branch ("连锁店") of the one platform, in one
style [G1.1]. `HomePage` is the province's branch and the site root; `BranchHomePage` is every
other organisation's, nested like the organisation tree so that Wagtail's page permissions on a
branch cover the branches below it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet


class AccentColour(models.TextChoices):
    """A fixed palette: branches choose, they do not invent colours (one unified style)."""

    LEAGUE_RED = "league-red", _("League red")
    SUNRISE = "sunrise", _("Sunrise orange")
    JADE = "jade", _("Jade green")
    SEA = "sea", _("South Sea blue")
    INDIGO = "indigo", _("Indigo")


class BranchHomePage(Page):
    organization = models.OneToOneField(
        "organizations.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="branch"
    )
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    banner = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("banner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accent = models.CharField(_("accent colour"), max_length=12, choices=AccentColour.choices, default=AccentColour.LEAGUE_RED)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("banner"), FieldPanel("accent")], heading=_("Branch style")),
        InlinePanel("nav_links", label=_("Navigation links"), max_num=8),
    ]
    # The organisation is fixed by the tree; editors cannot move a branch to another organisation.
    promote_panels = Page.promote_panels

    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [
        APIField("organization_id"),
        APIField("intro"),
        APIField("accent"),
        APIField("logo", serializer=ImageRenditionField("fill-200x200")),
        APIField("banner", serializer=ImageRenditionField("fill-1200x400")),
        APIField("nav_links"),
    ]

    parent_page_types = ["home.HomePage", "home.BranchHomePage"]
    # Branches are created with their organisation (organizations.services.create_organization).
    is_creatable = False
    template = "home/branch_home_page.html"

    class Meta:
        verbose_name = _("branch home page")

    def get_context(self, request, *args, **kwargs):
        from home import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.branch_context(self))
        return context


class HomePage(BranchHomePage):
    """The province's branch, root of the site."""

    parent_page_types = ["wagtailcore.Page"]
    is_creatable = False
    max_count = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")


class BranchNavLink(Orderable):
    page = ParentalKey(BranchHomePage, on_delete=models.CASCADE, related_name="nav_links")
    title = models.CharField(_("title"), max_length=30)
    url = models.URLField(_("URL"), blank=True)
    link_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("title"), FieldPanel("link_page"), FieldPanel("url")]
    api_fields = [APIField("title"), APIField("href")]

    @property
    def href(self) -> str:
        return self.link_page.url if self.link_page_id else self.url

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.url and not self.link_page_id:
            raise ValidationError(_("Choose a page or enter a URL."))


@register_snippet
class ServiceLink(models.Model):
    """A link to one of the League's other online services, shown on every branch [G1.2]."""

    title = models.CharField(_("title"), max_length=30)
    url = models.URLField(_("URL"))
    description = models.CharField(_("description"), max_length=80, blank=True)
    icon = models.CharField(_("icon"), max_length=2, blank=True, help_text=_("One emoji or character."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("description"), FieldPanel("icon"),
              FieldPanel("sort_order"), FieldPanel("is_active")]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("service link")
        verbose_name_plural = _("service links")

    def __str__(self):
        return self.title
