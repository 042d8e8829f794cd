from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.audit import changed, snapshot
from core.forms import form_status
from core.parsing import ascii_int
from deals import rules as deal_rules
from deals.selectors import visible_deals

from .forms import PartnerForm, PartnershipForm, PartnershipGoalFormSet
from .models import Partner, Partnership
from .services import partner_saved, partnership_saved


def _require(request: HttpRequest, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(message)


def partner_list(request: HttpRequest) -> HttpResponse:
    partners = Partner.objects.annotate(
        n_partnerships=Count("partnerships", distinct=True)
    ).order_by("name")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        partners = partners.filter(Q(name__icontains=query) | Q(country__icontains=query))
    page = Paginator(partners, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "query": urlencode({"q": query}) if query else "",
        "can_create": request.user.has_perm("partnerships.add_partner"),
    }
    return render(request, "partnerships/partner_list.html", context)


def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    partnerships = partner.partnerships.select_related("sponsor")
    deals = visible_deals(request.user).filter(partnership__partner=partner)
    context = {
        "partner": partner,
        "partnerships": partnerships,
        "deals": deals.select_related("sponsor", "partnership")[:50],
        "can_edit": request.user.has_perm("partnerships.change_partner"),
        "can_add_partnership": request.user.has_perm("partnerships.add_partnership"),
    }
    return render(request, "partnerships/partner_detail.html", context)


def partner_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk) if pk else None
    if partner:
        _require(request, "partnerships.change_partner", "You may not edit partners.")
    else:
        _require(request, "partnerships.add_partner", "You may not add partners.")
    # Before validation: a valid ModelForm has already written its values to the instance.
    before = snapshot(partner) if partner else {}
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            old, new = changed(before, snapshot(saved))
            partner_saved(
                partner=saved, user=request.user, created=partner is None, old=old, new=new
            )
        messages.success(request, f"Partner “{saved.name}” saved.")
        return redirect(saved)
    return render(
        request,
        "partnerships/partner_form.html",
        {"form": form, "partner": partner},
        status=form_status(request, form),
    )


def partnership_list(request: HttpRequest) -> HttpResponse:
    visible_counts = (
        visible_deals(request.user)
        .filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    partnerships = (
        Partnership.objects.select_related("partner", "sponsor")
        # Only the deals this person may see: a confidential deal's existence is not shown.
        .annotate(n_deals=Coalesce(Subquery(visible_counts, output_field=IntegerField()), 0))
        .order_by("partner__name", "title")
    )
    page = Paginator(partnerships, 25).get_page(request.GET.get("page"))
    context = {"page": page, "can_create": request.user.has_perm("partnerships.add_partnership")}
    return render(request, "partnerships/partnership_list.html", context)


def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_object_or_404(Partnership.objects.select_related("partner", "sponsor"), pk=pk)
    context = {
        "partnership": partnership,
        "goal_links": partnership.goal_links.select_related("goal"),
        "deals": visible_deals(request.user)
        .filter(partnership=partnership)
        .select_related("owner", "sponsor"),
        "can_edit": request.user.has_perm("partnerships.change_partnership"),
        "can_add_deal": deal_rules.CREATE_DEAL(request.user),
    }
    return render(request, "partnerships/partnership_detail.html", context)


def partnership_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    partnership = get_object_or_404(Partnership, pk=pk) if pk else None
    if partnership:
        _require(request, "partnerships.change_partnership", "You may not edit partnerships.")
    else:
        _require(request, "partnerships.add_partnership", "You may not add partnerships.")
    initial = {}
    partner = ascii_int(request.GET.get("partner"))
    if not partnership and partner is not None:
        initial["partner"] = partner
    before = snapshot(partnership) if partnership else {}  # before the form touches it
    form = PartnershipForm(request.POST or None, instance=partnership, initial=initial)
    goals = PartnershipGoalFormSet(request.POST or None, instance=partnership or Partnership())
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        with transaction.atomic():
            saved = form.save()
            goals.instance = saved
            goals.save()
            old, new = changed(before, snapshot(saved))
            new["goals"] = [
                {"goal": link.goal_id, "fit": link.fit_score} for link in saved.goal_links.all()
            ]
            partnership_saved(
                partnership=saved, user=request.user, created=partnership is None, old=old, new=new
            )
        messages.success(request, f"Partnership “{saved.title}” saved.")
        return redirect(saved)
    has_errors = request.method == "POST" and (form.errors or goals.total_error_count())
    return render(
        request,
        "partnerships/partnership_form.html",
        {"form": form, "goals": goals, "partnership": partnership},
        status=422 if has_errors else 200,
    )
