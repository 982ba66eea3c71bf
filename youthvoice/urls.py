import importlib.util

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api as wagtail_api_v3
from wagtail.documents import urls as wagtaildocs_urls

from .api import api
from .api_v2 import api_router
from .views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("api/v3/", wagtail_api_v3.urls),  # Wagtail's headless read/write API; our OIDC tokens too (partners.auth)
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("", include("partners.urls")),  # 一号通: /.well-known/openid-configuration, /oauth/…
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Apps with public non-page views (forms, feeds, maps) provide `urls.py`, mounted at /<prefix>/
# (the list is in the settings: the page cache, core.page_cache, reads it too).
APP_URLS = settings.YV_APP_URLS
for app_label, prefix in APP_URLS:
    if importlib.util.find_spec(f"{app_label}.urls") is not None:
        urlpatterns.append(path(f"{prefix}/", include(f"{app_label}.urls")))

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "youthvoice.views.page_not_found"
