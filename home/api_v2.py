"""Wagtail API v2 endpoints of this app: pages with a `branch` filter (an organisation's id or
slug: its branch page and everything below it), cached for anonymous readers, and `page_preview`
for headless draft previews (wagtail-headless-preview). Registered on youthvoice.api_v2.api_router
by youthvoice/api_v2.py."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response
from wagtail.api.v2.serializers import PageHtmlUrlField, PageParentField, PageSerializer, get_serializer_class
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


_PARENT_SERIALIZERS: dict = {}


class _Serialized:
    """A parent already serialized (from the cache): DRF hands it to `to_representation` as is."""

    def __init__(self, data: dict):
        self.data = data


class OneQueryPageParentField(PageParentField):
    """The page's parent as Wagtail's `parent` field shows it, cached under the editorial generation
    (a publish, move or deletion bumps it) per site address; on a miss read in one query (the parent
    among the pages the API shows, by its tree path) instead of two (the parent, then whether the
    API shows it), with its serializer class built once per page type instead of once per request."""

    def get_attribute(self, instance):
        from . import selectors

        depth = instance.depth - 1
        if depth < 1:
            return None
        request = self.context.get("request")
        where = f"{request.scheme}://{request.get_host()}|{request.GET.get('site', '')}" if request is not None else ""

        def compute():
            parent = self.context["base_queryset"].filter(path=instance.path[:depth * instance.steplen]).first()
            return {"data": None if parent is None else self._serialize(parent)}

        found = selectors._by_generation(f"api-parent:{where}:{instance.path}", compute)
        return None if found["data"] is None else _Serialized(found["data"])

    def to_representation(self, value):
        return value.data if isinstance(value, _Serialized) else self._serialize(value)

    def _serialize(self, value) -> dict:
        model = value.__class__
        serializer_class = _PARENT_SERIALIZERS.get(model)
        if serializer_class is None:
            serializer_class = _PARENT_SERIALIZERS[model] = get_serializer_class(
                model, ["id", "type", "detail_url", "html_url", "title"],
                meta_fields=["type", "detail_url", "html_url"], base=ContentPageSerializer)  # html_url as the caller reaches the site
        return dict(serializer_class(context=self.context).to_representation(value))


class ContentPageSerializer(PageSerializer):
    html_url = RequestPageHtmlUrlField(read_only=True)
    parent = OneQueryPageParentField(read_only=True)


class ContentPagesAPIViewSet(PagesAPIViewSet):
    base_serializer_class = ContentPageSerializer
    filter_backends = [BranchFilter, *PagesAPIViewSet.filter_backends]
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["branch"])

    # The serializer classes Wagtail builds for every request, kept per model and `?fields=`: at
    # most this many (the parameter comes from the caller), then the memo starts again.
    _serializer_classes: dict = {}
    SERIALIZER_CLASSES_MAX = 256

    @classmethod
    def _get_serializer_class(cls, router, model, fields_config, show_details=False, nested=False):
        key = (id(router), model, repr(fields_config), show_details, nested)
        found = cls._serializer_classes.get(key)
        if found is None:
            if len(cls._serializer_classes) >= cls.SERIALIZER_CLASSES_MAX:
                cls._serializer_classes.clear()
            found = cls._serializer_classes[key] = super()._get_serializer_class(
                router, model, fields_config, show_details=show_details, nested=nested)
        return found

    def get_base_queryset(self):
        """Wagtail's public pages of the request's site, computed once per request (Wagtail reads it
        twice for a detail) and, while no page has a view restriction, without the restrictions query
        and with the Site from the cache (home.selectors) instead of a query."""
        if not hasattr(self, "_yv_base_queryset"):
            self._yv_base_queryset = self._public_pages()
        return self._yv_base_queryset

    def _public_pages(self):
        from wagtail.models import Page

        from . import selectors

        request = self.request
        if "site" in request.GET or getattr(settings, "WAGTAIL_I18N_ENABLED", False) or selectors.any_view_restriction():
            return super().get_base_queryset()
        site = selectors.site_for_request(request)
        if site is None:
            return super().get_base_queryset()
        return Page.objects.all().live().descendant_of(site.root_page, inclusive=True)

    def get_object(self):
        """A detail in one query: the page's type from the cache (it never changes), then the specific
        page with the relations its fields read, among the pages the API shows. With query
        parameters (filters) or on a cache miss, Wagtail's way (two queries)."""
        if getattr(self, "_yv_object", None) is not None:
            return self._yv_object
        if self.action == "detail_view" and not self.request.GET:
            self._yv_object = self._detail_in_one_query(self.kwargs.get("pk"))
            if self._yv_object is not None:
                return self._yv_object
        return super().get_object()

    def _detail_in_one_query(self, pk):
        from django.core.cache import cache

        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        key = f"home:api:page-type:{pk}"
        content_type_id = cache.get(key)
        if content_type_id is None:
            from wagtail.models import Page

            content_type_id = Page.objects.filter(pk=pk).values_list("content_type_id", flat=True).first()
            if content_type_id is None:
                return None
            cache.set(key, content_type_id, 3600)
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            model = None
        if model is None:
            cache.delete(key)
            return None
        from . import selectors
        from .models import ContentPage

        # the relations the page's render reads, as routing joins them (home.selectors)
        page = selectors.one_page(selectors.route_queryset(model).filter(pk=pk, pk__in=self.get_base_queryset().values("pk")))
        if page is None:  # not shown (a 404 the usual way) or a stale type
            cache.delete(key)
        elif isinstance(page, ContentPage):
            page._yv_tag_names = selectors.page_tags(page)  # cached with the editorial generation
        return page

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
