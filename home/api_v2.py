"""Wagtail API v2 endpoints of this app: pages with a `branch` filter (an organisation's id or
slug: its branch page and everything below it), cached for anonymous readers, and `page_preview`
for headless draft previews (wagtail-headless-preview). Registered on youthvoice.api_v2.api_router
by youthvoice/api_v2.py."""

from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response
from wagtail.api.v2.serializers import PageHtmlUrlField, PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Site
from wagtail_headless_preview.models import PagePreview


class BranchFilter(BaseFilterBackend):
    """?branch=<organisation id or slug> limits pages to that organisation's branch subtree."""

    def filter_queryset(self, request, queryset, view):
        value = request.GET.get("branch")
        if not value:
            return queryset
        from .models import BranchHomePage

        lookup = {"organization_id": int(value)} if value.isdigit() else {"organization__slug": value}
        branch = BranchHomePage.objects.filter(**lookup).only("path", "depth").first()
        if branch is None:
            raise BadRequestError("branch doesn't exist")
        return queryset.filter(path__startswith=branch.path)


class RequestPageHtmlUrlField(PageHtmlUrlField):
    """`html_url` as the caller reaches the site (scheme, host and port of the request) for pages
    of the request's site; Wagtail's `full_url` is the Site record's root URL, which drops the port
    `make run` serves on (the demo's Site is localhost:80). Pages of other sites keep their root URL."""

    def to_representation(self, page):
        request = self.context.get("request")
        parts = page.get_url_parts(request) if request is not None else None
        if parts is None:
            return super().to_representation(page)
        site_id, root_url, path = parts
        site = Site.find_for_request(request)  # cached on the request by Wagtail
        if site is not None and site_id == site.pk:
            return request.build_absolute_uri(path)
        return root_url + path


class ContentPageSerializer(PageSerializer):
    html_url = RequestPageHtmlUrlField(read_only=True)


class ContentPagesAPIViewSet(PagesAPIViewSet):
    base_serializer_class = ContentPageSerializer
    filter_backends = [BranchFilter, *PagesAPIViewSet.filter_backends]
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["branch"])

    def get_queryset(self):
        # Every item's meta names its locale: one join instead of one query per item (issue 23:
        # `?fields=*` grew by a query an item).
        queryset = super().get_queryset().select_related("locale")
        # A single type's listing serialises its own fields: its tags in one query for the page.
        if any(f.name == "tags" for f in queryset.model._meta.get_fields()):
            queryset = queryset.prefetch_related("tags")
        return queryset

    def paginate_queryset(self, queryset):
        from . import selectors

        items = list(super().paginate_queryset(queryset))
        selectors.prime_listing(items)
        return items

    def listing_view(self, request):
        response = super().listing_view(request)
        response.yv_cacheable = True
        return response

    def detail_view(self, request, pk):
        response = super().detail_view(request, pk)
        response.yv_cacheable = True
        return response


class PagePreviewAPIViewSet(PagesAPIViewSet):
    """GET /api/v2/page_preview/?content_type=home.articlepage&token=… → the draft as the pages
    endpoint would show it. The token comes from the preview redirect (signed, expires in a day)."""

    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["content_type", "token"])

    def listing_view(self, request):
        page = self.get_object()
        return Response(self.get_serializer(page).data)

    def detail_view(self, request, pk):
        page = self.get_object()
        return Response(self.get_serializer(page).data)

    def get_object(self):
        from django.http import Http404

        try:
            app_label, model = self.request.GET["content_type"].split(".")
            content_type = ContentType.objects.get(app_label=app_label, model=model)
            model_class = content_type.model_class()
            model_class.get_preview_signer().unsign(self.request.GET["token"], max_age=24 * 3600)
            preview = PagePreview.objects.get(content_type=content_type, token=self.request.GET["token"])
        except (KeyError, ValueError, ContentType.DoesNotExist, AttributeError, BadSignature,
                PagePreview.DoesNotExist) as e:
            raise Http404("preview not found") from e
        page = preview.as_page()
        if not page.pk:
            page.pk = 0
        return page
