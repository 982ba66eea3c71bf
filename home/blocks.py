"""The StreamField block set for editorial pages: small on purpose, so every branch looks alike.

Images leave the API as renditions (`get_api_representation`), never as bare ids, so a headless
front end needs no second request. Videos are links (no third-party embeds, no tracking iframes)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


def image_api(image, spec="width-1200"):
    """One image as the API shows it: a rendition URL with its size and alt text."""
    if image is None:
        return None
    rendition = image.get_rendition(spec)
    return {"id": image.pk, "url": rendition.url, "width": rendition.width, "height": rendition.height,
            "alt": rendition.alt}


class RenditionImageBlock(ImageChooserBlock):
    def get_api_representation(self, value, context=None):
        return image_api(value)


class ImageWithCaptionBlock(blocks.StructBlock):
    image = RenditionImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=120)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "home/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"), max_length=400)
    source = blocks.CharBlock(label=_("Source"), required=False, max_length=80)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "home/blocks/quote.html"


class VideoLinkBlock(blocks.StructBlock):
    """A link to a video elsewhere, with a poster image: no embedded player."""

    url = blocks.URLBlock(label=_("Video URL"))
    title = blocks.CharBlock(label=_("Title"), max_length=80)
    poster = RenditionImageBlock(label=_("Poster image"), required=False)

    class Meta:
        icon = "media"
        label = _("Video link")
        template = "home/blocks/video_link.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=120)
    button = blocks.CharBlock(label=_("Button label"), max_length=20)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("URL"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "home/blocks/cta.html"

    def clean(self, value):
        from django.core.exceptions import ValidationError

        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choose a page or enter a URL."))}
            )
        return value

    def get_api_representation(self, value, context=None):
        page = value.get("page")
        return {"text": value.get("text"), "button": value.get("button"),
                "href": page.url if page else value.get("url")}


class FAQBlock(blocks.StructBlock):
    items = blocks.ListBlock(
        blocks.StructBlock([("question", blocks.CharBlock(label=_("Question"), max_length=120)),
                            ("answer", blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"]))]),
        label=_("Questions"),
    )

    class Meta:
        icon = "help"
        label = _("FAQ")
        template = "home/blocks/faq.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Rich text"), features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"],
        template="home/blocks/paragraph.html",
    )
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    video = VideoLinkBlock()
    cta = CallToActionBlock()
    faq = FAQBlock()
