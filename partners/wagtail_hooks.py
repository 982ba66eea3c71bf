"""The partner registry in the Wagtail admin (provincial administrators only): League systems with
their OIDC client, scopes, trust, organisations and webhook endpoints; the delivery log with replay."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.errors import ServiceError

from . import services, webhooks
from .models import Partner, WebhookDelivery


def registry_admin(user) -> bool:
    try:
        services.check_registry_admin(user)
        return True
    except ServiceError:
        return False


class RegistryPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        return registry_admin(user)

    def user_has_any_permission(self, user, actions):
        return registry_admin(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_superuser=True)


class PartnerForm(WagtailAdminModelForm):
    """Saving a partner keeps its OAuth client in step (partners.services.save_partner); a new
    confidential client's secret is shown once."""

    def clean(self):
        cleaned = super().clean()
        try:
            services.validate_partner(Partner(**{  # the values as submitted (the instance is filled later)
                k: v for k, v in cleaned.items() if k in {"allowed_scopes", "redirect_uris",
                                                          "post_logout_redirect_uris", "confidential",
                                                          "client_credentials"}}))
        except ServiceError as exc:
            field = next(iter(exc.fields), None)
            self.add_error(field if field in self.fields else None, exc.zh)
        return cleaned

    def save(self, commit=True):
        # save_partner's steps for a cluster form (the inline endpoints save with it): RegistryPolicy checks,
        # clean() validates through validate_partner, sync_application keeps the client, the snippet views log.
        partner = super().save(commit=commit)
        if commit:
            partner._new_client_secret = services.sync_application(partner)
        return partner


class ClientPanel(HelpPanel):
    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            partner = self.instance
            if partner is not None and partner.pk and partner.application_id:
                self.content = format_html(
                    "<p>client_id：<code>{}</code>（{}）</p><p>发现文档：<code>/.well-known/openid-configuration</code></p>",
                    partner.client_id, "公开客户端，须用 PKCE" if not partner.confidential else "机密客户端")
            else:
                self.content = "<p>保存后生成 client_id（机密客户端的密钥只显示一次）。</p>"


class PartnerViewSet(SnippetViewSet):
    model = Partner
    icon = "link-external"
    menu_label = _("Partner systems")
    add_to_admin_menu = True
    menu_order = 900
    list_display = ["name", "home_url", "trusted", "is_active", "show_in_footer"]
    list_filter = ["trusted", "is_active"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["sort_order", "pk"]

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("description"), FieldPanel("icon"), FieldPanel("logo"),
                         FieldPanel("home_url"), FieldPanel("sort_order"), FieldPanel("show_in_footer"),
                         FieldPanel("is_active")], heading=_("Partner")),
        MultiFieldPanel([ClientPanel(), FieldPanel("confidential"), FieldPanel("client_credentials"),
                         FieldPanel("redirect_uris"), FieldPanel("post_logout_redirect_uris"),
                         FieldPanel("allowed_scopes"), FieldPanel("trusted"), FieldPanel("organizations")],
                        heading=_("一号通 (OpenID Connect)")),
        InlinePanel("endpoints", heading=_("Webhook endpoints"), panels=[
            FieldPanel("url"), FieldPanel("event_types"), FieldPanel("is_active"), FieldPanel("secret")]),
    ]
    edit_handler = ObjectList(panels, base_form_class=PartnerForm)


register_permission_policy(Partner, RegistryPolicy(Partner))
register_snippet(PartnerViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def _show_new_secret(request, instance):
    secret = getattr(instance, "_new_client_secret", None)
    if isinstance(instance, Partner) and secret:
        messages.warning(request, f"「{instance.name}」的客户端密钥（只显示这一次，请妥善交给对方）：{secret}")


def deliveries(request):
    if not registry_admin(request.user):
        raise PermissionDenied
    rows = (WebhookDelivery.objects.select_related("endpoint__partner", "event")
            .prefetch_related("log").order_by("-pk")[:200])
    return TemplateResponse(request, "partners/admin_deliveries.html", {"deliveries": rows})


@require_POST
def replay(request, delivery_id: int):
    get_object_or_404(WebhookDelivery, pk=delivery_id)
    try:
        attempt = webhooks.replay(actor=request.user, delivery_id=delivery_id)
    except ServiceError as exc:
        raise PermissionDenied from exc
    if attempt.ok:
        messages.success(request, f"已重新投递（HTTP {attempt.status_code}）")
    else:
        messages.error(request, f"重新投递失败：{attempt.error}")
    return redirect("partners_deliveries")


@hooks.register("register_admin_urls")
def urls():
    return [path("partners/deliveries/", deliveries, name="partners_deliveries"),
            path("partners/deliveries/<int:delivery_id>/replay/", replay, name="partners_replay")]


class RegistryMenuItem(MenuItem):
    def is_shown(self, request):
        return registry_admin(request.user)


@hooks.register("register_admin_menu_item")
def deliveries_menu():
    return RegistryMenuItem(_("Webhook deliveries"), reverse("partners_deliveries"), icon_name="history", order=901)
