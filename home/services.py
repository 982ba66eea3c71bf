"""Writes on branch pages."""

from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page, Site

from organizations.models import Organization

from .models import BranchHomePage, HomePage

CITY_SLUGS_NOTE = "Branch slugs are the organisation's slug; the URL mirrors the organisation tree."


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _grant(group, page, codenames):
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_page_permission(codename))


@transaction.atomic
def ensure_branch_page(*, organization: Organization) -> BranchHomePage:
    """Create or refresh the organisation's branch page and its group permissions (idempotent)."""
    from organizations.services import ADMIN_PAGE_PERMISSIONS, EDITOR_PAGE_PERMISSIONS

    page = BranchHomePage.objects.filter(organization=organization).first()
    page = page.specific if page is not None else None
    title = organization.name
    if page is None:
        if organization.is_root():
            page = _create_home_page(organization)
        else:
            parent_org = organization.get_parent()
            parent_page = BranchHomePage.objects.get(organization=parent_org)
            page = BranchHomePage(title=title, slug=organization.slug, organization=organization)
            parent_page.add_child(instance=page)
            page.save_revision().publish()
    elif page.title != title:
        page.title = title
        page.save_revision().publish()
    if organization.editors_group_id:
        _grant(organization.editors_group, page, EDITOR_PAGE_PERMISSIONS)
    if organization.admins_group_id:
        _grant(organization.admins_group, page, ADMIN_PAGE_PERMISSIONS)
    return page


def ensure_wagtail_root() -> Page:
    """The default locale and the tree root, which Wagtail's migrations create; a database that was
    flushed (transactional tests) has neither."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    return root


def _create_home_page(organization: Organization) -> HomePage:
    """The province's page becomes the root of the default site, replacing Wagtail's welcome page."""
    root = ensure_wagtail_root()
    home = HomePage(title=organization.name, slug=organization.slug, organization=organization)
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    old_root_id = site.root_page_id if site else None
    if site:
        site.root_page = home
        site.site_name = "青年之声"
        site.save()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="青年之声")
    if old_root_id and old_root_id != home.pk:
        old = Page.objects.filter(pk=old_root_id).exclude(pk=home.pk).first()
        if old is not None and old.specific_class is Page:
            old.delete()  # Wagtail's empty welcome page from its initial migration
    return home
