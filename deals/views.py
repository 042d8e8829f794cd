from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core import freshness
from core.export import csv_response
from core.forms import form_status
from core.models import AuditEvent
from stakeholders.signoff import deal_stamp

from . import rules, services
from .charts import dashboard_charts
from .dashboard import dashboard_figures
from .deal_page import deal_page_context
from .diff import word_diff
from .forms import (
    DEFAULT_SORT,
    AdvanceForm,
    DealFilterForm,
    DealForm,
    DecisionRecordForm,
    RequestDecisionForm,
    Show,
    TermEditForm,
    TermForm,
)
from .models import (
    DecisionKind,
    Term,
)
from .selectors import (
    awaiting_decision,
    deal_table,
    get_deal_for_user,
    get_under_deal_for_user,
    verdicts_to_answer,
    visible_deals,
)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard. Its body (tiles, charts, table) is cached per person like the tiles:
    a repeated view costs the session, the user, their roles and two cache reads.

    What a body shows depends on the data (the data version of `freshness`), on the
    person (their id; whether they are a superuser, who sees every deal; their roles,
    which decide the "New deal" button), on the query string and on the day. The body
    is rendered without the request, so it holds no CSRF token or other session data:
    those are in base.html, rendered for every response.
    """
    user = request.user
    table_only = bool(request.htmx and request.htmx.target == "deal-table")
    query = sorted(request.GET.lists())
    name = ":".join(
        (
            "dashboard-table" if table_only else "dashboard-body",
            hashlib.sha256(repr(query).encode()).hexdigest()[:16],
            timezone.localdate().isoformat(),
            f"su{int(user.is_superuser)}-create{int(user.can_create_deals)}",
        )
    )
    body = freshness.cached(name, user, lambda: _dashboard_body(request, table_only=table_only))
    if table_only:  # htmx asks only for the table: the tiles do not change with the filters.
        return HttpResponse(body)
    return render(request, "deals/dashboard.html", {"body": mark_safe(body)})


def dashboard_export(request: HttpRequest) -> StreamingHttpResponse:
    """The dashboard's table as CSV, with its filters and order: only deals one may see."""
    # The same form and defaults as the table: open deals, costliest delay first.
    deals = DealFilterForm(request.GET).filter(deal_table(visible_deals(request.user)))
    rows = (
        (
            deal.title,
            deal.partnership.partner.name,
            deal.stage_label,
            deal.contract_value,
            deal.currency,
            deal.weekly_cost_of_delay,
            deal.sponsor.display_name,
            deal.owner.display_name,
            deal.days_in_stage,
            deal.is_blocked,
            timezone.localtime(deal.updated_at).strftime("%Y-%m-%d %H:%M"),
        )
        for deal in deals.iterator(chunk_size=500)
    )
    header = [
        "Deal",
        "Partner",
        "Stage",
        "Contract value",
        "Currency",
        "Weekly cost of delay",
        "Sponsor",
        "Owner",
        "Days in stage",
        "Held by a blocking concern",
        "Updated",
    ]
    return csv_response(f"deals-{timezone.localdate().isoformat()}.csv", header, rows)


def _dashboard_body(request: HttpRequest, *, table_only: bool) -> str:
    form = DealFilterForm(request.GET)  # bound even when empty: the defaults are the filters
    deals = form.filter(deal_table(visible_deals(request.user), people=False).listed())
    paginator = Paginator(deals, settings.DEALS_PER_PAGE)
    filtered = (
        any(request.GET.get(k) for k in ("q", "stage", "kind", "sponsor", "archived", "blocked"))
        or request.GET.get("show", Show.OPEN) != Show.OPEN
    )
    figures = None
    if not table_only:
        # The tiles and pictures: cached per person until the data changes (shared by the
        # bodies of every query string), read from the tallies (deals.tallies) and from
        # time windows and top Ns. Cached as HTML: a string is stored and read back in
        # microseconds, the figures' model instances and totals took milliseconds.
        figures = freshness.cached(
            "dashboard-figures-html", request.user, lambda: _figures_html(request.user)
        )
    # Counting every matching deal is the table's costly part. Unfiltered, the table
    # lists the open deals, which the tiles have counted; otherwise the count is cached
    # like the tiles (sorting and paging aside). An invalid form (a bad sort, say) lists
    # nothing: that empty count is not cached, or it would answer for the valid query.
    if not form.is_valid():
        paginator.count = 0
    elif figures and not filtered:
        paginator.count = figures["open_deals"]
    else:
        filters = sorted((k, v) for k, v in request.GET.items() if k not in ("page", "sort"))
        paginator.count = freshness.cached(
            "table-count:" + hashlib.sha256(repr(filters).encode()).hexdigest()[:16],
            request.user,
            deals.count,
        )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        # The order and scope applied, not stale ones from the URL.
        "sort": (form.is_valid() and form.cleaned_data["sort"]) or DEFAULT_SORT,
        "show": (form.is_valid() and not request.GET.get("stage") and form.cleaned_data["show"])
        or "",
        "filtered": filtered,
        "can_create": request.user.can_create_deals,
    }
    if table_only:
        return render_to_string("deals/_dashboard_body.html#deal-table", context)
    context["figures"] = figures
    context["awaiting_decision"] = awaiting_decision(request.user)
    return render_to_string("deals/_dashboard_body.html", context)


def _figures_html(user) -> dict:
    """The dashboard's tiles and pictures for one person, rendered, and the open deals
    they count (the unfiltered table's length)."""
    figures = dashboard_figures(user)
    figures["charts"] = dashboard_charts(figures)
    return {
        "open_deals": figures["tiles"]["open_deals"],
        "tiles": render_to_string("deals/_dashboard_figures.html#tiles", figures),
        "charts": render_to_string("deals/_dashboard_figures.html#charts", figures),
    }


def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    return render(request, "deals/deal_detail.html", deal_page_context(request, deal))


@require_POST
def deal_advance(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.MOVE_DEAL.require(request.user, deal)
    form = AdvanceForm(request.POST, deal=deal)
    status = 409 if form.is_stale else 422
    if form.is_valid():
        try:
            deal = services.deal_advance(
                deal=deal,
                user=request.user,
                to_stage=form.cleaned_data["to_stage"],
                note=form.cleaned_data["note"],
                seen_stage=form.cleaned_data["from_stage"] or None,
            )
        except services.StageMoved as moved:
            # Someone else moved it between the check above and the lock.
            deal = moved.deal
            form = AdvanceForm(request.POST, deal=deal)
            form.is_valid()
            status = 409
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
    if request.htmx:
        context = {"deal": deal, "advance_form": form, "can_edit": True}
        return render(request, "deals/deal_detail.html#stage-panel", context, status=status)
    context = deal_page_context(request, deal)
    context["advance_form"] = form
    return render(request, "deals/deal_detail.html", context, status=status)


def deal_create(request: HttpRequest) -> HttpResponse:
    """The form, prefilled with what is known: the owner (who creates it) and, from the
    chosen partnership, its sponsor. The partnership select asks again by htmx (target
    sponsor-field) and gets the sponsor field, filled if it is still empty."""
    rules.CREATE_DEAL.require(request.user)
    initial = DealForm.initial_for(request.user, request.GET)
    if request.htmx and request.htmx.target == "sponsor-field":
        form = DealForm(initial=initial)
        return render(request, "deals/deal_form.html#sponsor-field", {"form": form})
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
    rules.EDIT_DEAL.require(request.user, deal)
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


def term_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.EDIT_TERMS.require(request.user, deal)
    if request.htmx and request.htmx.target == "department-field":
        # The category changed: suggest its department, if none is chosen yet.
        form = TermForm(initial=TermForm.initial_for(deal, request.GET), deal=deal)
        return render(request, "deals/term_form.html#department-field", {"form": form})
    form = TermForm(
        request.POST or None, initial=TermForm.initial_for(deal, request.GET), deal=deal
    )
    if not deal.terms_can_change:
        form.add_error(None, f"The deal is {deal.stage_label}: its terms are those signed.")
    elif request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(deal=deal, user=request.user, data=form.cleaned_data)
        except ValidationError as error:  # the deal was signed meanwhile
            form.add_error(None, error)
        else:
            messages.success(request, f"Term “{term.title}” added.")
            return redirect(deal)
    return render(
        request,
        "deals/term_form.html",
        {"form": form, "deal": deal},
        status=form_status(request, form),
    )


def get_term_for_user(user, pk: int) -> Term:
    terms = Term.objects.select_related("deal__owner", "deal__sponsor", "department", "updated_by")
    return get_under_deal_for_user(terms, user, pk, "term")


def term_detail(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_term_for_user(request.user, pk)
    can_edit = rules.EDIT_TERMS(request.user, term.deal) and term.deal.terms_can_change
    form = TermEditForm(
        request.POST or None,
        initial={"wording": term.wording, "status": term.status, "version": term.version},
    )
    status = 200
    conflict = None
    if request.method == "POST":
        rules.EDIT_TERMS.require(request.user, term.deal)
        if form.is_valid():
            try:
                services.term_revise(
                    term=term,
                    user=request.user,
                    wording=form.cleaned_data["wording"],
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.TermConflict as clash:
                # Keep what they typed, show what is there now, and let them apply it again.
                conflict = {"theirs": form.cleaned_data["wording"], "current": clash.term}
                term = clash.term
                form = TermEditForm(
                    initial={
                        "wording": term.wording,
                        "status": term.status,
                        "version": term.version,
                    }
                )
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 422
            else:
                messages.success(request, "Term updated.")
                return redirect(term)
        else:
            status = 422
    revisions = [
        {"revision": revision, "diff": word_diff(revision.old_wording, revision.new_wording)}
        for revision in term.revisions.select_related("by").order_by("-number")
    ]
    context = {
        "term": term,
        "deal": term.deal,
        "form": form,
        "can_edit": can_edit,
        "revisions": revisions,
        "conflict": conflict,
    }
    return render(request, "deals/term_detail.html", context, status=status)


def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.RECORD_DECISION.require(request.user, deal)
    initial = {"seen": deal_stamp(deal)}
    if deal.decision_requested_at:  # someone asked: the decision is their answer
        initial["kind"] = DecisionKind.ESCALATION
    form = DecisionRecordForm(request.POST or None, initial=initial)
    status = form_status(request, form)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.decision_record(
                deal=deal, user=request.user, data=data, seen=form.cleaned_data["seen"]
            )
        except services.DealChanged as changed:
            # Keep what they wrote; the new stamp covers the deal as it is now.
            form = DecisionRecordForm({**request.POST.dict(), "seen": changed.stamp})
            form.is_valid()
            form.add_error(
                None,
                "The deal changed while you were deciding (its stage or a term). "
                "Look at it again, then record your decision.",
            )
            status = 409
        else:
            messages.success(request, "Decision recorded in the deal's decision log.")
            return redirect(deal)
    context = {"form": form, "deal": deal, "answering": verdicts_to_answer(deal)}
    return render(request, "deals/decision_form.html", context, status=status)


@require_POST
def request_decision(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.ASK_FOR_DECISION.require(request.user, deal)
    form = RequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what the sponsor needs to decide.")
        return redirect(deal)
    services.deal_request_decision(deal=deal, user=request.user, note=form.cleaned_data["note"])
    messages.success(request, f"{deal.sponsor.display_name} has been asked to decide.")
    return redirect(deal)


def deal_history(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    events = AuditEvent.objects.filter(deal=deal).select_related("actor", "deal")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "deals/deal_history.html", {"deal": deal, "page": page})


@require_POST
def deal_archive(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.ARCHIVE_DEAL.require(request.user, deal)
    archive = request.POST.get("archive") == "1"
    deal = services.deal_archive(deal=deal, user=request.user, archive=archive)
    messages.success(request, "Deal archived." if archive else "Deal restored from the archive.")
    return redirect(deal)
