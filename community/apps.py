from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Q&A community")

    def ready(self):
        from moderation import registry

        from .cache import connect_signals
        from .models import Answer, Comment, Question

        connect_signals()

        from core import page_cache

        from . import services

        page_cache.register_hit_hook("qa-view", services.record_view_id)  # a cached question page counts its view

        from home import registry as home_registry

        from .selectors import feed_queryset

        # home's featured and hot slots and topic pages show the public questions (home.registry)
        home_registry.register_questions(Question, public=feed_queryset, visibility_fields=("status", "moderation_status"))

        registry.register(Question, kind="question", text_fields=("title", "body"), author_field="asker",
                          time_field="asked_at", monitored=True, url=lambda q: q.get_absolute_url())
        registry.register(Answer, kind="answer", text_fields=("body",), organization_field="question.organization",
                          url=lambda a: a.question.get_absolute_url())
        registry.register(Comment, kind="comment", text_fields=("body",), organization_field="question.organization",
                          url=lambda c: c.question.get_absolute_url())

        from . import registrations

        registrations.register()  # accounts.hooks.personal_data; stations.hooks.question_referral
