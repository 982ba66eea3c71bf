"""The project's URLs plus the benchmark baseline: a bare Django view doing one primary-key query."""

from django.http import HttpResponse
from django.urls import include, path

from organizations.models import Organization


def bare(request, pk):
    return HttpResponse(Organization.objects.get(pk=pk).name)


def some_pk(request):
    return HttpResponse(str(Organization.objects.order_by("pk").values_list("pk", flat=True).first()))


def bare_user(request, pk):
    """bench/qa.py's baseline under /api/ (like the endpoints it is compared with: no page-cache lookup)."""
    from django.contrib.auth import get_user_model

    return HttpResponse(get_user_model().objects.get(pk=pk).username)


urlpatterns = [path("bench/pk/<int:pk>/", bare), path("bench/pk-id/", some_pk), path("api/bench/bare/<int:pk>/", bare_user),
               path("", include("youthvoice.urls"))]
