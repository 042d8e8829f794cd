"""Thin views: the playbooks, a position's edit (a new version), the report; a term's
place in the playbook, its approval, the sponsor's walk-away decision; a newer version
taken on by a deal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.forms import form_status
from core.parsing import ascii_int
from deals import rules as deal_rules
from deals.selectors import get_deal_for_user

from . import rules, services
from .forms import PositionForm, TermPositionForm, WalkAwayForm
from .models import ClauseType, Playbook, PlaybookVersion, Position
from .reports import report
from .selectors import assess, get_term_for_user, pins, stale_playbooks


def playbook_list(request: HttpRequest) -> HttpResponse:
    playbooks = Playbook.objects.select_related("department", "reviewed_by").order_by("title")
    stale = {p.pk for p in stale_playbooks()}
    return render(request, "playbooks/playbook_list.html", {"playbooks": playbooks, "stale": stale})


def playbook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = get_object_or_404(Playbook.objects.select_related("department"), pk=pk)
    versions = list(playbook.versions.select_related("created_by").order_by("-number"))
    wanted = ascii_int(request.GET.get("version", ""))
    version = next((v for v in versions if v.number == wanted), None) or (
        versions[0] if versions else None
    )
    positions = (
        Position.objects.filter(version=version)
        .select_related("clause_type")
        .order_by("clause_type__name", "rank")
        if version
        else []
    )
    return render(
        request,
        "playbooks/playbook_detail.html",
        {
            "playbook": playbook,
            "versions": versions,
            "version": version,
            "positions": positions,
            "latest": versions[0] if versions else None,
            "can_edit": rules.EDIT_PLAYBOOK(request.user, playbook),
            "stale": playbook in stale_playbooks(),
        },
    )


@require_POST
def playbook_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    playbook = get_object_or_404(Playbook, pk=pk)
    rules.EDIT_PLAYBOOK.require(request.user, playbook)
    services.playbook_mark_reviewed(playbook=playbook, user=request.user)
    messages.success(request, f"{playbook.title} playbook confirmed as reviewed.")
    return redirect(playbook)


def position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(
        Position.objects.select_related("version__playbook__department", "clause_type"), pk=pk
    )
    playbook = position.version.playbook
    rules.EDIT_PLAYBOOK.require(request.user, playbook)
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.playbook_revise(
                position=Position.objects.get(pk=position.pk),
                user=request.user,
                data=form.data_for_service(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Version {version.number} of the playbook is in effect.")
            return redirect(playbook)
    return render(
        request,
        "playbooks/position_form.html",
        {"form": form, "position": position, "playbook": playbook},
        status=form_status(request, form),
    )


def playbook_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "playbooks/reports.html", report(request.user))


def _term_choices(term):
    """The clause types with a playbook, and the positions of the deal's versions."""
    versions = [pin.version.pk for pin in pins(term.deal).values()]
    clause_types = ClauseType.objects.filter(department__playbook__isnull=False).order_by("name")
    positions = list(
        Position.objects.filter(version__in=versions)
        .select_related("clause_type")
        .order_by("clause_type__name", "rank")
    )
    return clause_types, positions


def term_position_edit(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_term_for_user(request.user, pk)
    rules.PLACE_TERM.require(request.user, term.deal)
    clause_types, positions = _term_choices(term)
    place = getattr(term, "playbook_position", None)
    initial = {}
    if place is not None:
        value = place.value or {}
        initial = {
            "clause_type": place.clause_type_id,
            "position": str(place.position_id or "custom"),
            "cap_base": value.get("base", ""),
            "cap_multiple": value.get("multiple"),
            "carve_outs": ", ".join(value.get("carve_outs") or []),
            "days": value.get("days"),
            "law": value.get("law", ""),
        }
    form = TermPositionForm(
        request.POST or None, initial=initial, clause_types=clause_types, positions=positions
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.term_position_set(
                term=term,
                user=request.user,
                clause_type=form.cleaned_data["clause_type"],
                position=form.chosen(),
                value=form.value(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{term.title}” placed in the playbook.")
            return redirect(term.deal)
    row = assess(term.deal, [term]).row_for(term) if place is not None else None
    return render(
        request,
        "playbooks/term_position_form.html",
        {"form": form, "term": term, "deal": term.deal, "row": row},
        status=form_status(request, form),
    )


@require_POST
def term_position_approve(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_term_for_user(request.user, pk)
    try:
        services.term_position_approve(term=term, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{term.title}” approved against the playbook.")
    return _back(request, term.deal)


def _back(request: HttpRequest, deal) -> HttpResponse:
    """To the page the button was on (the review page), else the deal page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(deal)


def term_walk_away(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_term_for_user(request.user, pk)
    deal_rules.RECORD_DECISION.require(request.user, term.deal)
    row = assess(term.deal, [term]).row_for(term)
    if row is None or row.found is None or not row.found.needs_decision:
        messages.error(request, "This term is not at the walk-away: there is nothing to decide.")
        return redirect(term.deal)
    form = WalkAwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.walk_away_decide(
                term=term, user=request.user, rationale=form.cleaned_data["rationale"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your decision is recorded.")
            return redirect(term.deal)
    return render(
        request,
        "playbooks/walk_away_form.html",
        {"form": form, "term": term, "deal": term.deal, "row": row},
        status=form_status(request, form),
    )


@require_POST
def deal_playbook_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.ADOPT_VERSION.require(request.user, deal)
    playbook = Playbook.objects.filter(pk=ascii_int(request.POST.get("playbook", "")) or 0).first()
    if playbook is None:
        messages.error(request, "Choose the playbook whose newer version the deal takes on.")
        return redirect(deal)
    try:
        link = services.deal_playbook_adopt(deal=deal, user=request.user, playbook=playbook)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        version = PlaybookVersion.objects.get(pk=link.version_id)
        messages.success(request, f"The deal is on version {version.number} of {playbook.title}.")
    return redirect(deal)
