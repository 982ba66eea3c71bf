"""Wagtail API v2 (headless page content) at /api/v2/."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from home.api_v2 import ContentPagesAPIViewSet, PagePreviewAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
# Our pages endpoint adds ?branch= and anonymous caching; page_preview serves drafts headless (home).
api_router.register_endpoint("pages", ContentPagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)  # last: "pages" is the pages' endpoint for URLs
