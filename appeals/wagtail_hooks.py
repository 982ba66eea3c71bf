"""Appeals in Wagtail admin: the handlers' queues and record pages (admin_views), plus the
configuration of roles and step deadlines for superusers."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from organizations.wagtail_hooks import ServiceDelete, ServiceFormErrors

from . import admin_views, permissions, services
from .models import AppealHandler, AppealStepDeadline

app_name = "appeals_admin"
urlpatterns = [
    path("", admin_views.index, name="index"),
    path("<int:pk>/", admin_views.detail, name="detail"),
    path("<int:pk>/step/<slug:name>/", admin_views.step, name="step"),
    path("<int:pk>/form.pdf", admin_views.form_pdf, name="pdf"),
    path("export.<str:fmt>", admin_views.export, name="export"),
]


@hooks.register("register_admin_urls")
def register_urls():
    return [path("appeals/", include((urlpatterns, "appeals_admin"), namespace="appeals_admin"))]


class AppealsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_handler_anywhere(request.user)


@hooks.register("register_admin_menu_item")
def appeals_menu():
    return AppealsMenuItem(_("Appeals"), reverse("appeals_admin:index"), icon_name="mail", order=250)


class HandlerCreateView(ServiceFormErrors, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.add_handler(actor=self.request.user, user=data["user"], organization=data["organization"],
                                    role=data["role"])


class HandlerEditView(ServiceFormErrors, generic.EditView):
    def save_instance(self):
        handler = AppealHandler.objects.get(pk=self.object.pk)
        if handler.is_active and not self.form.cleaned_data.get("is_active", True):
            return services.end_handler(actor=self.request.user, handler=handler)
        return handler


class HandlerDeleteView(ServiceDelete, generic.DeleteView):
    """"Delete" ends the role through services.end_handler (audit log; the row stays as history)."""

    @staticmethod
    def delete_service(actor, handler):
        services.end_handler(actor=actor, handler=handler)


class AppealHandlerViewSet(ModelViewSet):
    """Superusers assign appeal roles here (the service adds admin access and audits)."""

    model = AppealHandler
    add_view_class = HandlerCreateView
    edit_view_class = HandlerEditView
    delete_view_class = HandlerDeleteView
    icon = "group"
    menu_label = _("Appeal roles")
    add_to_settings_menu = True
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["role", "is_active"]
    form_fields = ["user", "organization", "role", "is_active"]


class AppealStepDeadlineViewSet(ModelViewSet):
    # Not through a service: configuration rows (working days per step) for superusers, each read when a
    # step's deadline is computed; Wagtail's generic views log the change.
    model = AppealStepDeadline
    icon = "time"
    menu_label = _("Appeal step deadlines")
    add_to_settings_menu = True
    list_display = ["kind", "state", "working_days"]
    form_fields = ["kind", "state", "working_days"]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [AppealHandlerViewSet("appeal_handlers"), AppealStepDeadlineViewSet("appeal_step_deadlines")]
