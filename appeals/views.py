"""The youth's pages: ask the League for help, "my appeals", and one appeal's progress with the
return-visit rating and withdrawal. Internal opinions never reach these templates (they get
`selectors.public_progress`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from organizations.models import Organization

from . import selectors, services
from .domain.workflow import Rating
from .models import Appeal


@login_required
def my_appeals(request):
    qs = Appeal.objects.filter(requester=request.user).prefetch_related("events").order_by("-created_at", "-pk")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "appeals/mine.html", {
        "page_obj": page, "items": [selectors.public_progress(a) for a in page],
    })


@login_required
def request_help(request):
    errors, values, error_message, status = {}, {}, "", 200
    if request.method == "POST":
        values = request.POST
        org = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
        question_id = request.POST.get("question_id", "")
        try:
            appeal = services.request_help(
                actor=request.user, theme=request.POST.get("theme", ""), details=request.POST.get("details", ""),
                consent=request.POST.get("consent") == "on", organization=org, location=request.POST.get("location", ""),
                question_id=int(question_id) if question_id.isdigit() else None,
            )
        except ServiceError as exc:
            errors, error_message, status = dict(exc.fields), exc.localized, exc.status
        else:
            messages.success(request, _("Your request has been received."))
            return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/request.html", {
        "errors": errors or bool(error_message), "error_message": error_message, "values": values, "question_id": request.GET.get("question", values.get("question_id", "")),
    }, status=status if error_message else 200)


def _own(request, pk) -> Appeal:
    appeal = Appeal.objects.filter(pk=pk, requester=request.user).prefetch_related("events").first()
    if appeal is None:
        raise Http404
    return appeal


@login_required
def detail(request, pk):
    appeal = _own(request, pk)
    return render(request, "appeals/detail.html", {"p": selectors.public_progress(appeal), "ratings": Rating.CHOICES})


@login_required
@require_POST
def rate(request, pk):
    appeal = _own(request, pk)
    try:
        services.transition(actor=request.user, appeal_id=appeal.pk, name="return_visit",
                            comment=request.POST.get("comment", ""), rating=request.POST.get("rating"))
    except ServiceError as exc:
        messages.error(request, exc.localized)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("appeals:detail", pk=appeal.pk)


@login_required
@require_POST
def withdraw(request, pk):
    appeal = _own(request, pk)
    try:
        services.transition(actor=request.user, appeal_id=appeal.pk, name="withdraw", comment=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.localized)
    return redirect("appeals:detail", pk=appeal.pk)
