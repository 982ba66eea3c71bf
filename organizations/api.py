from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from core.pagination import LimitOffsetPagination

from . import hooks, selectors, services
from .domain.tree import ancestor_path
from .models import Organization, OrganizationKind

router = Router()


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrganizationKind
    kind_label: str = Field(..., alias="get_kind_display")
    slug: str
    adcode: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    depth: int
    parent_id: int | None = Field(None, description="Parent organisation id (null for the province)")
    children_count: int = Field(..., alias="numchild")
    branch_url: str | None = Field(None, description="Public URL of the organisation's branch home page")

    @staticmethod
    def resolve_parent_id(obj):
        return getattr(obj, "parent_id", None)

    @staticmethod
    def resolve_branch_url(obj):
        return getattr(obj, "branch_url", None)


class OrganizationDetail(OrganizationOut):
    ancestors: list["OrganizationBrief"]
    children: list["OrganizationBrief"]


class OrganizationBrief(Schema):
    id: int
    name: str
    kind: OrganizationKind


class OrganizationFilter(FilterSchema):
    kind: OrganizationKind | None = None
    parent: int | None = Field(None, description="Only direct children of this organisation id")
    q: str | None = Field(None, max_length=40, description="Name contains")


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    short_name: str | None = Field(None, max_length=40)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


def _annotate(orgs):
    """Attach parent ids and branch URLs to a page of organisations without a query per row."""
    orgs = list(orgs)
    parent_paths = {ancestor_path(o.path, o.depth - 1) for o in orgs if o.depth > 1}
    parent_ids = dict(Organization.objects.filter(path__in=parent_paths).values_list("path", "pk"))
    urls = hooks.branch_urls([o.pk for o in orgs])  # filled by home
    for o in orgs:
        o.parent_id = parent_ids.get(ancestor_path(o.path, o.depth - 1)) if o.depth > 1 else None
        o.branch_url = urls.get(o.pk)
    return orgs


@router.get("", response=list[OrganizationOut], summary="List organisations (tree order)")
@paginate(LimitOffsetPagination)
def list_organizations(request, filters: Query[OrganizationFilter]):
    parent = None
    if filters.parent is not None:
        parent = get_object_or_404(Organization, pk=filters.parent)
    qs = selectors.organization_list(kind=filters.kind, parent=parent, q=filters.q)
    return _LazyAnnotated(qs)


class _LazyAnnotated:
    """Lets the paginator slice the queryset first, then annotates only that page."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return _annotate(self.qs[item])

    def __len__(self):
        return self.count()


@router.get("/{int:org_id}/", response=OrganizationDetail, summary="One organisation with ancestors and children")
def get_organization(request, org_id: int):
    org = get_object_or_404(Organization, pk=org_id, is_active=True)
    (org,) = _annotate([org])
    org.ancestors = selectors.ancestors(org)
    org.children = list(selectors.organization_list(parent=org))
    return org


@router.patch("/{int:org_id}/", response=OrganizationOut, auth=django_auth, summary="Update an organisation (its admins)")
def update_organization(request, org_id: int, payload: OrganizationPatch):
    org = get_object_or_404(Organization, pk=org_id)
    services.update_organization(actor=request.user, organization=org, **payload.dict(exclude_unset=True))
    (org,) = _annotate([org])
    return org
