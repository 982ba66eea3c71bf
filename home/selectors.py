"""Reads for branch pages: what a branch home shows."""

from organizations.models import Organization

from .models import BranchHomePage, ServiceLink


def service_links():
    return list(ServiceLink.objects.filter(is_active=True))


def child_branches(page: BranchHomePage):
    """The branches of the organisation's direct children, live, with their organisation, in tree order."""
    org = page.organization
    return list(
        BranchHomePage.objects.live()
        .filter(organization__path__startswith=org.path, organization__depth=org.depth + 1)
        .select_related("organization")
        .order_by("organization__path")
    )


def branch_context(page: BranchHomePage) -> dict:
    org: Organization = page.organization
    children = child_branches(page)
    groups: dict[str, list] = {}
    for child in children:
        groups.setdefault(child.organization.get_kind_display(), []).append(child)
    return {
        "organization": org,
        "child_groups": groups,
        "breadcrumbs": [p for p in page.get_ancestors().specific().filter(depth__gt=1)],
        "nav_links": list(page.nav_links.select_related("link_page").all()),
        "accent": page.accent,
    }


def branch_urls(organization_ids) -> dict[int, str]:
    """organisation id -> public URL of its branch page, for a batch of organisations (one query)."""
    pages = BranchHomePage.objects.live().filter(organization_id__in=list(organization_ids))
    return {p.organization_id: p.get_url() for p in pages.only("pk", "url_path", "organization_id")}
