from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Organization, StaffMembership
        from .permissions import forget_memberships

        for model in (StaffMembership, Organization):
            post_save.connect(forget_memberships, sender=model, dispatch_uid=f"yv_memberships_saved_{model.__name__}")
            post_delete.connect(forget_memberships, sender=model, dispatch_uid=f"yv_memberships_deleted_{model.__name__}")
