"""`{{ item|card_kind }}`: which card a listed item shows as, for home/_page_card.html."""

from django import template

register = template.Library()


@register.filter
def card_kind(item) -> str:
    """'question', 'topic', 'activity', 'offer' or 'page'. The card template branches on this
    instead of probing attributes a page type does not have (`p.tag`, `p.location`…): Django's
    template engine answers each failed lookup by listing the object's attributes (`dir()`), about
    0.2 ms for a Wagtail page, several per card."""
    from home.models import ActivityPage, OfferPage, TopicPage

    if getattr(item, "is_question", False):
        return "question"
    if isinstance(item, TopicPage):
        return "topic"
    if isinstance(item, ActivityPage):
        return "activity"
    if isinstance(item, OfferPage):
        return "offer"
    return "page"
