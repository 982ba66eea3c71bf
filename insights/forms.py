"""Admin form for training records: organisation and staff choices limited to the editor's subtree."""

from django.contrib.auth import get_user_model
from wagtail.admin.forms import WagtailAdminModelForm

from organizations import permissions
from organizations.models import StaffMembership

from .models import TrainingRecord
from .services import TRAINING_ROLES


class TrainingRecordForm(WagtailAdminModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["organization", "user", "title", "kind", "provider", "held_on", "hours", "passed", "note"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        orgs = permissions.organizations_for(for_user, TRAINING_ROLES)
        self.fields["organization"].queryset = orgs
        staff = StaffMembership.objects.active().filter(organization__in=orgs).values("user_id")
        self.fields["user"].queryset = get_user_model().objects.filter(pk__in=staff).order_by("username")


class PromotionActivityForm(WagtailAdminModelForm):
    class Meta:
        from .models import PromotionActivity

        model = PromotionActivity
        fields = ["organization", "kind", "title", "channel", "held_on", "reach", "url", "liaison"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        orgs = permissions.organizations_for(for_user, TRAINING_ROLES)
        self.fields["organization"].queryset = orgs
        officers = StaffMembership.objects.active().filter(organization__in=orgs, role="liaison").values("user_id")
        self.fields["liaison"].queryset = get_user_model().objects.filter(pk__in=officers).order_by("username")
