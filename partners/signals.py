from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Partner


@receiver([post_save, post_delete], sender=Partner)
def _footer_changed(sender, **kwargs):
    from .selectors import forget_footer

    forget_footer()
