"""Search models: the user dictionary of League and youth-policy terms, and the search views of
experts and Q&A answers.

``SearchableExpert`` is a proxy of ``alliances.ExpertProfile`` that carries its search fields, so
the search app can index experts without changing the alliances app. Saving an expert or its
domains re-indexes it (``search.signals``). If the alliances app later declares ``search_fields``
on ``ExpertProfile`` itself, point the ``expert`` source at that model and delete this proxy.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelsearch import index

from alliances.models import ExpertProfile
from community.models import Answer
from core.domains import DOMAIN_LABELS_ZH


class DictionaryTerm(models.Model):
    """A word that jieba must keep whole: 团省委, 青年之家, 创业担保贷款, 青马工程, …"""

    term = models.CharField(_("term"), max_length=30, unique=True)
    frequency = models.PositiveIntegerField(
        _("weight"), null=True, blank=True,
        help_text=_("Optional jieba frequency; leave empty for the default (the term is always kept whole)."),
    )
    note = models.CharField(_("note"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("search dictionary term")
        verbose_name_plural = _("search dictionary terms")

    def __str__(self):
        return self.term

    def clean(self):
        from django.core.exceptions import ValidationError

        from search.domain.text import clean_tokens, normalize

        normal = normalize(self.term)
        if not normal or clean_tokens([normal]) != [normal]:
            raise ValidationError({"term": _("A term is one word: letters, digits or Chinese characters, no spaces.")})
        self.term = normal


class SearchableExpert(index.Indexed, ExpertProfile):
    search_fields = [
        index.SearchField("real_name", boost=2),
        index.SearchField("title"),
        index.SearchField("domain_text"),
        index.AutocompleteField("real_name"),
        index.FilterField("status"),
        index.FilterField("organization_id"),
        index.FilterField("id"),
    ]

    class Meta:
        proxy = True
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    @property
    def domain_text(self) -> str:
        """Domains in Chinese and English, so 心理咨询 and psychology both find the expert."""
        parts = []
        for domain in self.domains.all():
            parts.append(DOMAIN_LABELS_ZH.get(domain.domain, ""))
            parts.append(str(domain.get_domain_display()))
        return " ".join(p for p in parts if p)

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().prefetch_related("domains")


class SearchableAnswer(index.Indexed, Answer):
    """Q&A answers, indexed without changing the community app (like ``SearchableExpert``): the
    answer's text, filtered through its question (visible, not removed; branch and domain).
    Saving or deleting an answer re-indexes it (``search.signals``). If ``community.Answer`` later
    declares these ``search_fields`` itself, point the ``answer`` source at it and delete this proxy."""

    search_fields = [
        index.SearchField("body"),
        index.AutocompleteField("body"),
        index.FilterField("is_removed"),
        index.FilterField("moderation_status"),
        index.FilterField("question_id"),
        index.RelatedFields("question", [
            index.FilterField("status"),
            index.FilterField("moderation_status"),
            index.FilterField("organization_id"),
            index.FilterField("domain"),
        ]),
    ]

    class Meta:
        proxy = True
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
