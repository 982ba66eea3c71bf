"""Stations in Wagtail admin: the coverage report (A3.2) with its chart, the registration-form CSV
import, and a read-only bookings listing scoped to the stations the user manages."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.errors import ServiceError
from organizations.models import OrganizationKind
from organizations.permissions import is_staff_anywhere

from . import charts, coverage, importer


def _staff_only(request):
    if not is_staff_anywhere(request.user):
        raise PermissionDenied


def coverage_view(request):
    _staff_only(request)
    rows = coverage.report()
    cities = [r for r in rows if r.unit.kind == OrganizationKind.CITY]
    chart = charts.coverage_bars([(r.unit.name, r.unit.total_by_batch, max(r.required, 1)) for r in cities])
    return render(request, "stations/admin/coverage.html", {
        "rows": coverage.labelled(rows), "gaps": coverage.labelled([r for r in rows if not r.met]),
        "summary": coverage.summary(rows),
        "chart": mark_safe(chart),  # noqa: S308 - built from escaped names and numbers in charts.py
        "header_title": _("Station coverage"),
    })


def import_view(request):
    _staff_only(request)
    context = {"header_title": _("Import stations (registration form CSV)"), "columns": importer.HEADERS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "请选择 CSV 文件 / Choose a CSV file"
        else:
            try:
                report = importer.import_stations(actor=request.user, data=upload.read(importer.MAX_BYTES + 1))
            except ServiceError as exc:
                context["error"] = exc.localized
            else:
                context["report"] = report
                context["errors"] = sorted(report.errors.items())
    return render(request, "stations/admin/import.html", context)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("stations/coverage/", coverage_view, name="stations_coverage"),
        path("stations/import/", import_view, name="stations_import"),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_staff_anywhere(request.user)


@hooks.register("register_admin_menu_item")
def coverage_menu_item():
    return StaffMenuItem(_("Station coverage"), reverse("stations_coverage"), icon_name="site", order=420)


@hooks.register("register_admin_menu_item")
def import_menu_item():
    return StaffMenuItem(_("Import stations"), reverse("stations_import"), icon_name="upload", order=421)


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        from .selectors import managed_stations

        return managed_stations(request.user).exists()


@hooks.register("register_admin_menu_item")
def bookings_menu_item():
    return ManagerMenuItem(_("Station bookings"), "/stations/manage/", icon_name="date", order=419)
