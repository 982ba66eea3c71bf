"""The admin chooser for featured questions: a searchable modal of public questions, newest first,
instead of a select box of every question (it is registered as the default widget for foreign keys
to `community.Question` in admin forms, so home's `FieldPanel("link_question")` uses it). Its URL
stays /admin/home/question-chooser/ (the access matrix documents it)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet


class PublicQuestionsMixin:
    ordering = ["-asked_at", "-id"]

    def get_object_list(self):
        from .selectors import feed_queryset

        # the Q&A app's public questions (its filter uses only the index's filter fields, so the
        # modal's search box works through the search backend)
        return feed_queryset().prefetch_related(None).select_related("organization")

    @property
    def columns(self):
        return [
            self.title_column,
            Column("organization", label=_("Organisation"), accessor="organization"),
            DateColumn("asked_at", label=_("Asked")),
        ]


class QuestionChooseView(PublicQuestionsMixin, ChooseView):
    pass


class QuestionChooseResultsView(PublicQuestionsMixin, ChooseResultsView):
    pass


class QuestionChooserViewSet(ChooserViewSet):
    model = "community.Question"
    icon = "help"
    choose_one_text = _("Choose a question")
    choose_another_text = _("Choose another question")
    edit_item_text = _("Open the question")
    choose_view_class = QuestionChooseView
    choose_results_view_class = QuestionChooseResultsView
    per_page = 20


question_chooser_viewset = QuestionChooserViewSet("question_chooser", url_prefix="home/question-chooser")
