"""Views outside the page tree: the sign-up and vote forms, and the sign-up list (table or CSV) for staff."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import record_personal_data_access
from core.errors import Forbidden, ServiceError

from . import selectors, services
from .models import ActivityPage, ContestPage


@login_required
def signup_list(request, activity_id: int):
    activity = get_object_or_404(ActivityPage, pk=activity_id)
    try:
        services.check_signup_list_access(actor=request.user, activity=activity)
    except Forbidden as e:
        return HttpResponse(e.localized, status=403, content_type="text/plain; charset=utf-8")
    signups = selectors.signups_for(activity)
    # Organisers see the names and numbers people gave them for this activity; each view is logged.
    record_personal_data_access(viewer=request.user, subjects=[s.user for s in signups], fields=["real_name", "phone"],
                                where=f"home:signup_list{' csv' if request.GET.get('format') == 'csv' else ''} "
                                      f"(activity {activity.pk})", request=request)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="signups-{activity.pk}.csv"'
        response.write("\ufeff")  # BOM so that spreadsheet programs read the Chinese as UTF-8
        writer = csv.writer(response)
        writer.writerow(["序号", "姓名", "电话", "备注", "用户名", "报名时间"])
        for n, s in enumerate(signups, 1):
            writer.writerow([n, _safe(s.name), _safe(s.phone), _safe(s.note), _safe(s.user.username),
                             timezone.localtime(s.created_at).strftime("%Y-%m-%d %H:%M")])
        return response
    return render(request, "home/signup_list.html", {
        "activity": activity, "signups": signups, "signup": selectors.signup_summary(activity),
    })


def _safe(value: str) -> str:
    """Defuse spreadsheet formulas in user-supplied cells (CSV injection)."""
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@require_POST
@login_required
def signup(request, activity_id: int):
    """The activity page's sign-up form (no JavaScript needed); the API does the same in JSON."""
    activity = get_object_or_404(ActivityPage.objects.live(), pk=activity_id)
    try:
        if request.POST.get("action") == "cancel":
            services.cancel_signup(actor=request.user, activity_id=activity.pk)
            messages.success(request, _("Your sign-up is cancelled."))
        else:
            services.sign_up(actor=request.user, activity_id=activity.pk, name=request.POST.get("name", ""),
                             phone=request.POST.get("phone", ""), note=request.POST.get("note", ""))
            messages.success(request, _("You have signed up."))
    except ServiceError as e:
        messages.error(request, _error_text(e))
    return redirect(activity.url)


@require_POST
@login_required
def vote(request, contest_id: int):
    contest = get_object_or_404(ContestPage.objects.live(), pk=contest_id)
    try:
        services.vote(actor=request.user, contest_id=contest.pk, candidate_id=int(request.POST.get("candidate_id") or 0))
        messages.success(request, _("Thank you for voting."))
    except ServiceError as e:
        messages.error(request, _error_text(e))
    except ValueError:
        messages.error(request, _("Choose a candidate."))
    return redirect(contest.url)


def _error_text(error: ServiceError) -> str:
    text = error.zh if translation.get_language().startswith("zh") else error.en
    if error.fields:
        text += "：" + "；".join(str(v) for v in error.fields.values())
    return text
