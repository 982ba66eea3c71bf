"""Signals the Q&A app sends for apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent with `events=[QuestionEvent, …]` for events written in bulk (bulk_create sends no post_save):
# the partners' event feed listens (partners.signals), as it listens to post_save for single events.
question_events_created = Signal()
