"""Branch pages: every League organisation runs its branch ("连锁店") of the one platform, in one
style [G1.1]. `HomePage` is the province's branch and the site root; `BranchHomePage` is every
other organisation's, nested like the organisation tree so that Wagtail's page permissions on a
branch cover the branches below it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet
from wagtail_headless_preview.models import HeadlessPreviewMixin
from wagtail_headless_preview.settings import headless_preview_settings

from core import page_cache as content_cache
from core.domains import ServiceDomain

from .blocks import BodyBlock
from .forms import BranchPageForm


class AccentColour(models.TextChoices):
    """A fixed palette: branches choose, they do not invent colours (one unified style)."""

    LEAGUE_RED = "league-red", _("League red")
    SUNRISE = "sunrise", _("Sunrise orange")
    JADE = "jade", _("Jade green")
    SEA = "sea", _("South Sea blue")
    INDIGO = "indigo", _("Indigo")


class EditorialPageMixin(HeadlessPreviewMixin):
    """Every page type of this app: anonymous responses may be cached whole (core.page_cache), and a
    headless front end can preview drafts when WAGTAIL_HEADLESS_PREVIEW["CLIENT_URLS"] is set;
    without it, Wagtail's own preview renders our templates as usual."""

    cache_anonymous_response = True
    # Nothing personal outside base.html's user area: logged-in users get the shared page with their
    # own frame (core.page_cache); a type that shows the user's own state (sign-up, votes) says False.
    share_with_users = True

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.yv_cacheable = self.cache_anonymous_response
        response.yv_users = self.share_with_users
        return response

    def serve_preview(self, request, preview_mode):
        if headless_preview_settings.CLIENT_URLS:
            return super().serve_preview(request, preview_mode)
        return Page.serve_preview(self, request, preview_mode)


FEATURED_SLOT_PANELS = [
    FieldPanel("featured_slots"),
    InlinePanel("featured_items", label=_("Featured item"), heading=_("Featured content (精品内容)")),
]


class BranchHomePage(EditorialPageMixin, Page):
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
    featured_slots = models.PositiveSmallIntegerField(
        _("featured slots"), default=6, help_text=_("Slots the editors leave empty show this branch's hot content.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("banner"), FieldPanel("accent")], heading=_("Branch style")),
        InlinePanel("nav_links", label=_("Navigation links"), max_num=8),
        *FEATURED_SLOT_PANELS,
    ]
    # The organisation is fixed by the tree; editors cannot move a branch to another organisation.
    promote_panels = Page.promote_panels
    base_form_class = BranchPageForm

    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [
        APIField("organization_id"),
        APIField("intro"),
        APIField("accent"),
        APIField("logo", serializer=ImageRenditionField("fill-200x200")),
        APIField("banner", serializer=ImageRenditionField("fill-1200x400")),
        APIField("nav_links"),
        APIField("featured_slots"),
        APIField("featured_items"),
        APIField("featured"),
    ]

    parent_page_types = ["home.HomePage", "home.BranchHomePage"]
    route_select_related = ("organization", "logo", "banner")  # home.selectors.page_at_url_path
    # Branches are created with their organisation (organizations.services.create_organization).
    is_creatable = False
    template = "home/branch_home_page.html"

    class Meta:
        verbose_name = _("branch home page")

    def get_context(self, request, *args, **kwargs):
        from home import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.branch_context(self))
        # Lazy: computed only when the {% wagtailpagecache %} fragment is not cached.
        context["featured"] = SimpleLazyObject(lambda: selectors.featured_for(self))
        context["sections"] = SimpleLazyObject(lambda: selectors.branch_sections(self))
        context["content_generation"] = content_cache.generation()
        return context

    @property
    def featured(self) -> list[dict]:
        """The filled slots as the API shows them: editors' items in their window, then hot content."""
        from home import selectors

        return [item.as_api() for item in selectors.featured_for(self)]


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


# --- Featured content (精品内容) -------------------------------------------------------------------


class FeaturedItemBase(Orderable):
    """One editor-filled slot: a page of the site, a Q&A question or an external link, with its own
    image, summary, order and display window."""

    link_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    link_question = models.ForeignKey(
        "community.Question", verbose_name=_("question"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    external_url = models.URLField(_("external link"), blank=True)
    title = models.CharField(_("title"), max_length=60, blank=True, help_text=_("Defaults to the page title."))
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(_("show from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("show until"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("link_page"), FieldPanel("link_question"), FieldPanel("external_url")]),
        FieldPanel("title"), FieldPanel("summary"), FieldPanel("image"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
    ]
    api_fields = [
        APIField("kind"), APIField("display_title"), APIField("summary"), APIField("href"),
        APIField("link_page_id"), APIField("link_question_id"), APIField("starts_at"), APIField("ends_at"),
        APIField("image", serializer=ImageRenditionField("fill-640x360")),
    ]

    class Meta(Orderable.Meta):
        abstract = True

    @property
    def kind(self) -> str:
        if self.link_page_id:
            return "page"
        return "question" if self.link_question_id else "link"

    @property
    def href(self) -> str:
        if self.link_page_id:
            return self.link_page.url or ""
        if self.link_question_id:
            return self.link_question.get_absolute_url()
        return self.external_url

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.link_page_id:
            return self.link_page.title
        return self.link_question.title if self.link_question_id else self.external_url

    def clean(self):
        targets = [bool(self.link_page_id), bool(self.link_question_id), bool(self.external_url)]
        if sum(targets) != 1:
            raise ValidationError(_("Choose exactly one: a page, a question or an external link."))
        if self.external_url and not self.title:
            raise ValidationError({"title": _("An external link needs a title.")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class FeaturedItem(FeaturedItemBase):
    page = ParentalKey(BranchHomePage, on_delete=models.CASCADE, related_name="featured_items")

    class Meta(FeaturedItemBase.Meta):
        verbose_name = _("featured item")


class PageStats(models.Model):
    """Counters for the hot score, kept off the page row (publishing a revision rewrites page rows)."""

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="stats")
    views = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0, help_text="sign-ups, votes (answers once Q&A exists)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("page statistics")

    def __str__(self):
        return f"{self.page_id}: {self.views} views"


# --- Editorial pages ---------------------------------------------------------------------------------


BRANCH_PARENTS = ["home.HomePage", "home.BranchHomePage"]


class ContentPageTag(TaggedItemBase):
    content_object = ParentalKey("home.ContentPage", on_delete=models.CASCADE, related_name="tagged_items")


class ContentPage(EditorialPageMixin, Page):
    """What articles, activities, contests and offers share: summary, image, body, domain, tags.
    Concrete so that "everything tagged X" and "hot content of a branch" are one query."""

    summary = models.CharField(_("summary"), max_length=200, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    domain = models.CharField(_("service domain"), max_length=20, choices=ServiceDomain.choices, blank=True)
    tags = ClusterTaggableManager(through=ContentPageTag, blank=True, verbose_name=_("tags"))
    route_select_related = ("image",)  # home.selectors.page_at_url_path

    is_creatable = False
    subpage_types = []

    summary_panels = [FieldPanel("summary"), FieldPanel("image")]
    taxonomy_panels = [FieldRowPanel([FieldPanel("domain"), FieldPanel("tags")])]

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body"),
                                         index.FilterField("domain")]
    api_fields = [
        APIField("summary"), APIField("domain"), APIField("tag_names"),
        APIField("image", serializer=ImageRenditionField("fill-960x540")),
        APIField("thumbnail", serializer=ImageRenditionField("fill-480x270", source="image")),
        APIField("body"),
    ]

    class Meta:
        verbose_name = _("content page")

    @property
    def tag_names(self) -> list[str]:
        cached = getattr(self, "_yv_tag_names", None)  # the published page's, from the cache (home.api_v2)
        return cached if cached is not None else [t.name for t in self.tags.all()]

    def get_context(self, request, *args, **kwargs):
        from home import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.content_context(self, request.user))
        # A preview shows the draft's tags; a published page its own, cached (home.selectors.page_tags)
        context["tags"] = self.tag_names if getattr(request, "is_preview", False) else selectors.page_tags(self)
        return context


class ArticlePage(ContentPage):
    """News and articles (新闻资讯)."""

    source = models.CharField(_("source"), max_length=80, blank=True)
    author = models.CharField(_("author"), max_length=40, blank=True)

    content_panels = Page.content_panels + ContentPage.summary_panels + [
        FieldRowPanel([FieldPanel("author"), FieldPanel("source")]), FieldPanel("body"),
    ] + ContentPage.taxonomy_panels
    api_fields = ContentPage.api_fields + [APIField("author"), APIField("source")]
    parent_page_types = ["home.ArticleIndexPage"]
    is_creatable = True
    template = "home/article_page.html"

    class Meta:
        verbose_name = _("article")


class ActivityPage(ContentPage):
    """Theme activities (主题活动): time, place and online sign-up with a capacity."""

    share_with_users = False  # the user's own sign-up / today's votes: a personal render

    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=120)
    signup_enabled = models.BooleanField(_("online sign-up"), default=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=30)
    signup_deadline = models.DateTimeField(
        _("sign-up deadline"), null=True, blank=True, help_text=_("Defaults to the start of the activity.")
    )
    route_select_related = ("image", "sheet")  # the seat counter, read by every render (signup_summary)

    content_panels = Page.content_panels + ContentPage.summary_panels + [
        MultiFieldPanel([FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]), FieldPanel("location")],
                        heading=_("Time and place")),
        MultiFieldPanel([FieldPanel("signup_enabled"),
                         FieldRowPanel([FieldPanel("capacity"), FieldPanel("signup_deadline")])],
                        heading=_("Sign-up")),
        FieldPanel("body"),
    ] + ContentPage.taxonomy_panels
    api_fields = ContentPage.api_fields + [
        APIField("starts_at"), APIField("ends_at"), APIField("location"), APIField("signup"),
    ]
    parent_page_types = ["home.ActivityIndexPage"]
    is_creatable = True
    template = "home/activity_page.html"

    class Meta:
        verbose_name = _("activity")

    def clean(self):
        super().clean()
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        if self.signup_enabled and not self.capacity:
            raise ValidationError({"capacity": _("An activity with sign-up needs a capacity.")})

    @property
    def signup(self) -> dict:
        """Sign-up state as the API shows it: state, capacity, taken, remaining, deadline."""
        from home import selectors

        return selectors.signup_summary(self)


class SignupSheet(models.Model):
    """The activity's seat counter. A sign-up locks this row (select_for_update) and the database
    refuses `taken > capacity`, so capacity holds under concurrent sign-ups."""

    activity = models.OneToOneField(ActivityPage, on_delete=models.CASCADE, primary_key=True, related_name="sheet")
    capacity = models.PositiveIntegerField(default=0)
    taken = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(taken__lte=models.F("capacity")),
                                              name="home_signup_within_capacity")]

    def __str__(self):
        return f"{self.activity_id}: {self.taken}/{self.capacity}"


class ActivitySignup(models.Model):
    activity = models.ForeignKey(ActivityPage, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_signups")
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="home_one_signup_per_user")]
        verbose_name = _("sign-up")

    def __str__(self):
        return f"{self.name} → {self.activity_id}"


class ResultsVisibility(models.TextChoices):
    ALWAYS = "always", _("Always (live counts)")
    AFTER_CLOSE = "after_close", _("After voting closes")
    STAFF = "staff", _("Staff only")


class ContestPage(ContentPage):
    """Contests and selections (推优评选): candidates with photos; one vote per user per candidate per day."""

    share_with_users = False  # the user's own sign-up / today's votes: a personal render

    voting_starts_at = models.DateTimeField(_("voting opens"))
    voting_ends_at = models.DateTimeField(_("voting closes"))
    results_visibility = models.CharField(
        _("results visible"), max_length=12, choices=ResultsVisibility.choices, default=ResultsVisibility.AFTER_CLOSE
    )

    content_panels = Page.content_panels + ContentPage.summary_panels + [
        MultiFieldPanel([FieldRowPanel([FieldPanel("voting_starts_at"), FieldPanel("voting_ends_at")]),
                         FieldPanel("results_visibility")], heading=_("Voting")),
        FieldPanel("body"),
        InlinePanel("candidates", label=_("Candidate"), heading=_("Candidates")),
    ] + ContentPage.taxonomy_panels
    api_fields = ContentPage.api_fields + [
        APIField("voting_starts_at"), APIField("voting_ends_at"), APIField("results_visibility"),
        APIField("voting"), APIField("candidates"),
    ]
    parent_page_types = ["home.ContestIndexPage"]
    is_creatable = True
    template = "home/contest_page.html"

    class Meta:
        verbose_name = _("contest")

    def clean(self):
        super().clean()
        if self.voting_starts_at and self.voting_ends_at and self.voting_ends_at <= self.voting_starts_at:
            raise ValidationError({"voting_ends_at": _("Voting must close after it opens.")})

    @property
    def voting(self) -> dict:
        from home import selectors

        return selectors.voting_summary(self)


class ContestCandidate(Orderable):
    page = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("name"), max_length=60)
    photo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("description"), max_length=500, blank=True)

    panels = [FieldPanel("name"), FieldPanel("photo"), FieldPanel("description")]
    api_fields = [APIField("id"), APIField("name"), APIField("description"),
                  APIField("photo", serializer=ImageRenditionField("fill-400x400"))]

    def __str__(self):
        return self.name


class Vote(models.Model):
    contest = models.ForeignKey(ContestPage, on_delete=models.CASCADE, related_name="votes")
    candidate = models.ForeignKey(ContestCandidate, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_votes")
    day = models.DateField(help_text="Local (Asia/Shanghai) date of the vote")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "user", "day"], name="home_one_vote_per_day")]
        indexes = [models.Index(fields=["contest", "candidate"])]

    def __str__(self):
        return f"{self.user_id} → {self.candidate_id} ({self.day})"


class OfferPage(ContentPage):
    """Youth offers (青年优惠): who provides it, how long it holds, how to redeem, where it applies."""

    provider = models.CharField(_("provider"), max_length=80)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    how_to_redeem = RichTextField(_("how to redeem"), features=["bold", "link", "ol", "ul"])
    region = models.ForeignKey(
        "organizations.Organization", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Where the offer applies; empty means the whole branch."),
    )

    content_panels = Page.content_panels + ContentPage.summary_panels + [
        FieldPanel("provider"), FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
        FieldPanel("how_to_redeem"), FieldPanel("region"), FieldPanel("body"),
    ] + ContentPage.taxonomy_panels
    api_fields = ContentPage.api_fields + [
        APIField("provider"), APIField("valid_from"), APIField("valid_until"), APIField("how_to_redeem"),
        APIField("region_id"), APIField("is_valid"),
    ]
    parent_page_types = ["home.OfferIndexPage"]
    is_creatable = True
    template = "home/offer_page.html"

    class Meta:
        verbose_name = _("youth offer")

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end must be after the start.")})

    @property
    def is_valid(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_until is None or today <= self.valid_until)


# --- Topics (议题设置) -------------------------------------------------------------------------------


class TopicPage(EditorialPageMixin, Page):
    """An editor opens a topic: an intro, a tag, a time window and pinned items. The page gathers
    everything carrying the tag: content pages and public Q&A questions (home.selectors.tagged_items)."""

    intro = models.TextField(_("introduction"), max_length=1000)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tag = models.CharField(_("tag"), max_length=40, help_text=_("Content and questions with this tag gather here."))
    route_select_related = ("image",)  # home.selectors.page_at_url_path
    starts_at = models.DateTimeField(_("opens"), null=True, blank=True)
    ends_at = models.DateTimeField(_("closes"), null=True, blank=True)
    invitation = models.CharField(
        _("invitation to post"), max_length=120, blank=True, help_text=_("Shown above the button that opens the question form.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"), FieldPanel("image"), FieldPanel("tag"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]), FieldPanel("invitation"),
        InlinePanel("pinned_items", label=_("Pinned item"), heading=_("Pinned items"), max_num=6),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.FilterField("tag")]
    api_fields = [
        APIField("intro"), APIField("tag"), APIField("starts_at"), APIField("ends_at"), APIField("invitation"),
        APIField("image", serializer=ImageRenditionField("fill-960x540")), APIField("pinned_items"),
        APIField("is_open"), APIField("ask_url"),
    ]
    parent_page_types = ["home.TopicIndexPage"]
    subpage_types = []
    template = "home/topic_page.html"

    class Meta:
        verbose_name = _("topic")

    def clean(self):
        super().clean()
        self.tag = (self.tag or "").strip()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})

    @property
    def is_open(self) -> bool:
        from .domain.featured import is_showing

        return is_showing(self.starts_at, self.ends_at, timezone.now())

    @property
    def ask_url(self) -> str:
        """The Q&A app's question form, prefilled with the topic's tag."""
        from urllib.parse import urlencode

        return "/qa/ask/?" + urlencode({"tags": self.tag, "topic": self.pk or ""})

    def get_context(self, request, *args, **kwargs):
        from home import selectors

        context = super().get_context(request, *args, **kwargs)
        if getattr(request, "is_preview", False):  # the draft's own pinned items
            pinned_ids, pinned = self._pinned()
        else:  # a live topic's: they change when it is published (the editorial generation)
            pinned_ids, pinned = selectors._by_generation(f"topic-pinned:{self.pk}", self._pinned)
        context["pinned"] = pinned
        gathered = selectors.paginate(request, selectors.tagged_items(self.tag, exclude_ids=pinned_ids))
        # The cards' images and renditions in at most two queries, however many cards carry one.
        selectors.prime_images([*pinned, *gathered.object_list], "fill-480x270")
        context["gathered"] = gathered
        return context

    def _pinned(self) -> tuple[list[int], list]:
        """(ids of the pinned pages, the live ones among them as their specific types with their
        images, in order)."""
        from wagtail.images import get_image_model

        pinned_ids = [p.page_id for p in self.pinned_items.all()]
        live = Page.objects.live().filter(pk__in=pinned_ids).specific().in_bulk() if pinned_ids else {}
        pages = [live[pk] for pk in pinned_ids if pk in live]
        image_ids = {getattr(page, "image_id", None) for page in pages} - {None}
        images = get_image_model().objects.in_bulk(image_ids) if image_ids else {}
        for page in pages:
            if getattr(page, "image_id", None) in images:
                page.image = images[page.image_id]
        return pinned_ids, pages


class TopicPinnedItem(Orderable):
    page_ref = ParentalKey(TopicPage, on_delete=models.CASCADE, related_name="pinned_items")
    page = models.ForeignKey("wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("page")]
    api_fields = [APIField("page_id"), APIField("title"), APIField("href")]

    @property
    def title(self):
        return self.page.title

    @property
    def href(self):
        return self.page.url


# --- Index pages and service-domain category pages ------------------------------------------------


class ListingPage(EditorialPageMixin, Page):
    """An index of one kind of page under a branch, newest first."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = BRANCH_PARENTS
    max_count_per_parent = 1
    template = "home/listing_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from home import selectors

        context = super().get_context(request, *args, **kwargs)
        items = selectors.paginate(request, selectors.listing_children(self))
        items.object_list = list(items.object_list)
        selectors.prime_images(items.object_list, "fill-480x270")  # the cards' images: 2 queries in all
        context["items"] = items
        context.update(selectors.branch_chrome(self))
        return context


class ArticleIndexPage(ListingPage):
    template = "home/listing_page.html"
    subpage_types = ["home.ArticlePage"]

    class Meta:
        verbose_name = _("news index")


class ActivityIndexPage(ListingPage):
    template = "home/listing_page.html"
    subpage_types = ["home.ActivityPage"]

    class Meta:
        verbose_name = _("activity index")


class ContestIndexPage(ListingPage):
    template = "home/listing_page.html"
    subpage_types = ["home.ContestPage"]

    class Meta:
        verbose_name = _("contest index")


class OfferIndexPage(ListingPage):
    template = "home/listing_page.html"
    subpage_types = ["home.OfferPage"]

    class Meta:
        verbose_name = _("youth offer index")


class TopicIndexPage(ListingPage):
    template = "home/listing_page.html"
    subpage_types = ["home.TopicPage"]

    class Meta:
        verbose_name = _("topic index")


class CategoryPage(EditorialPageMixin, Page):
    """A branch's page for one service domain (创新创业, 婚恋交友, …, 团务) with its own featured slots;
    empty slots show the branch's hot content in that domain."""

    domain = models.CharField(_("service domain"), max_length=20, choices=ServiceDomain.choices)
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    featured_slots = models.PositiveSmallIntegerField(_("featured slots"), default=4)

    content_panels = Page.content_panels + [FieldPanel("domain"), FieldPanel("intro"), *FEATURED_SLOT_PANELS]
    api_fields = [APIField("domain"), APIField("intro"), APIField("featured_slots"), APIField("featured_items"),
                  APIField("featured")]
    parent_page_types = BRANCH_PARENTS
    subpage_types = []
    max_count_per_parent = len(ServiceDomain.choices)
    template = "home/category_page.html"

    class Meta:
        verbose_name = _("service category page")

    def clean(self):
        super().clean()
        parent = self.get_parent() if self.pk else None
        if parent is not None:
            siblings = CategoryPage.objects.child_of(parent).filter(domain=self.domain).exclude(pk=self.pk)
            if siblings.exists():
                raise ValidationError({"domain": _("This branch already has a page for that domain.")})

    @property
    def featured(self) -> list[dict]:
        from home import selectors

        return [item.as_api() for item in selectors.featured_for(self)]

    def get_context(self, request, *args, **kwargs):
        from home import selectors

        context = super().get_context(request, *args, **kwargs)
        context["featured"] = SimpleLazyObject(lambda: selectors.featured_for(self))
        context["content_generation"] = content_cache.generation()
        context.update(selectors.branch_chrome(self))
        return context


class CategoryFeaturedItem(FeaturedItemBase):
    page = ParentalKey(CategoryPage, on_delete=models.CASCADE, related_name="featured_items")

    class Meta(FeaturedItemBase.Meta):
        verbose_name = _("featured item")
