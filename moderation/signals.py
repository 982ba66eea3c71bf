from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import AllowedWord, Sanction, SensitiveWord


@receiver([post_save, post_delete], sender=SensitiveWord)
@receiver([post_save, post_delete], sender=AllowedWord)
def word_list_changed(sender, **kwargs):
    from .services import bump_word_list_version

    transaction.on_commit(bump_word_list_version)


@receiver([post_save, post_delete], sender=Sanction)
def sanction_changed(sender, instance, **kwargs):
    from .services import forget_bans

    forget_bans(instance.user_id)
