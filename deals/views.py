from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stakeholders.models import Review

from . import services
from .forms import SORTS, AdvanceForm, DealFilterForm, DealForm
from .models import StageChange, time_in_stages
from .selectors import dashboard_tiles, deal_table, get_deal_for_user, visible_deals


def dashboard(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None)
    deals = deal_table(visible_deals(request.user))
    deals = form.filter(deals) if request.GET else deals.order_by(*SORTS["updated"])
    page = Paginator(deals, settings.DEALS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sort": request.GET.get("sort") or "updated",
        "filtered": any(request.GET.get(k) for k in ("q", "stage", "kind", "sponsor")),
    }
    # htmx asks only for the table: the tiles do not change with the filters.
    if request.htmx and request.htmx.target == "deal-table":
        return render(request, "deals/dashboard.html#deal-table", context)
    context["tiles"] = dashboard_tiles(request.user)
    context["can_create"] = request.user.has_perm("deals.add_deal")
    return render(request, "deals/dashboard.html", context)


def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    changes = list(StageChange.objects.filter(deal=deal).select_related("by"))
    context = {
        "deal": deal,
        "changes": changes,
        "stage_times": time_in_stages(changes),
        "reviews": Review.objects.filter(deal=deal).select_related("department", "reviewer"),
        "goal_links": deal.partnership.goal_links.select_related("goal"),
        "can_edit": deal.can_be_edited_by(request.user),
        "advance_form": AdvanceForm(deal=deal),
    }
    return render(request, "deals/deal_detail.html", context)


@require_POST
def deal_advance(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    if not deal.can_be_edited_by(request.user):
        raise PermissionDenied("Only the deal's owner or sponsor can move it.")
    form = AdvanceForm(request.POST, deal=deal)
    if form.is_valid():
        try:
            deal = services.deal_advance(
                deal=deal,
                user=request.user,
                to_stage=form.cleaned_data["to_stage"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            # Someone else moved it first; show why this move no longer applies.
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Moved to {deal.stage_label}.")
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return redirect(deal)
    changes = list(StageChange.objects.filter(deal=deal).select_related("by"))
    context = {"deal": deal, "advance_form": form, "can_edit": True, "changes": changes}
    status = 422
    if request.htmx:
        return render(request, "deals/deal_detail.html#stage-panel", context, status=status)
    context.update(
        stage_times=time_in_stages(changes),
        reviews=Review.objects.filter(deal=deal).select_related("department", "reviewer"),
        goal_links=deal.partnership.goal_links.select_related("goal"),
    )
    return render(request, "deals/deal_detail.html", context, status=status)


def deal_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("deals.add_deal"):
        raise PermissionDenied("Only deal owners and executives create deals.")
    initial = {"owner": request.user.pk}
    if request.GET.get("partnership", "").isdigit():
        initial["partnership"] = request.GET["partnership"]
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        deal = services.deal_create(user=request.user, data=data)
        messages.success(request, f"Deal “{deal.title}” created.")
        return redirect(deal)
    return render(
        request, "deals/deal_form.html", {"form": form}, status=form_status(request, form)
    )


def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    if not deal.can_be_edited_by(request.user):
        raise PermissionDenied("Only the deal's owner or sponsor can edit it.")
    form = DealForm(request.POST or None, instance=deal)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        deal = services.deal_update(deal=deal, user=request.user, data=data)
        messages.success(request, "Changes saved.")
        return redirect(deal)
    return render(
        request,
        "deals/deal_form.html",
        {"form": form, "deal": deal},
        status=form_status(request, form),
    )


def form_status(request: HttpRequest, form) -> int:
    # A refused form answers 422 so that scripts and tests can tell it from success.
    return 422 if request.method == "POST" and form.errors else 200
