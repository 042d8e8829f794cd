"""Amendment pages: thin views that check access, validate a form, call a service.

Every page works without JavaScript: a form posts, and on success redirects to the
amendment; on bad input the same page comes back with the message at the field (422).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.forms import form_status
from core.parsing import ascii_int

from . import amendment_approval, amendments, rules, selectors
from .amendment_impact import impact
from .forms import (
    AmendmentDatesForm,
    AmendmentDecisionForm,
    AmendmentForm,
    ObligationChangeForm,
    TermChangeForm,
)
from .models import Agreement, Amendment, ChangeKind, Obligation
from .views import _put_errors


def _draft_only(request: HttpRequest, amendment: Amendment) -> HttpResponse | None:
    """Drafts are edited; anything else is final (or waiting for its decision)."""
    rules.DRAFT_AMENDMENT.require(request.user, amendment.agreement)
    if amendment.is_draft:
        return None
    messages.error(request, f"{amendment.label} is no longer a draft: it does not change.")
    return redirect(amendment)


def _detail_context(request: HttpRequest, amendment: Amendment, **extra) -> dict:
    user = request.user
    return {
        "amendment": amendment,
        "agreement": amendment.agreement,
        "deal": amendment.agreement.deal,
        "impact": impact(amendment),
        "can_draft": amendment.is_draft and rules.DRAFT_AMENDMENT(user, amendment.agreement),
        "can_decide": amendment.is_proposed and rules.APPROVE_AMENDMENT(user, amendment),
        "decision_form": extra.pop("decision_form", None) or AmendmentDecisionForm(),
        **extra,
    }


def amendment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    return render(request, "agreements/amendment_detail.html", _detail_context(request, amendment))


def _header_form(request: HttpRequest, agreement: Agreement, amendment: Amendment | None):
    form = AmendmentForm(request.POST or None, instance=amendment)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if amendment is None:
                amendment = amendments.amendment_draft(
                    agreement=agreement, user=request.user, data=data
                )
            else:
                amendment = amendments.amendment_update(
                    amendment=amendment, user=request.user, data=data
                )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, f"{amendment.label} saved as a draft.")
            return redirect(amendment)
    context = {"agreement": agreement, "deal": agreement.deal, "form": form, "amendment": amendment}
    return render(
        request, "agreements/amendment_form.html", context, status=form_status(request, form)
    )


def amendment_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    rules.DRAFT_AMENDMENT.require(request.user, agreement)
    return _header_form(request, agreement, None)


def amendment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    if refused := _draft_only(request, amendment):
        return refused
    return _header_form(request, amendment.agreement, amendment)


def _change_page(request: HttpRequest, amendment: Amendment, form, heading: str, save, **extra):
    """The form of one change; `save(data)` calls the service with the valid data."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, f"Change added to {amendment.label}.")
            return redirect(amendment)
    context = {
        "amendment": amendment,
        "agreement": amendment.agreement,
        "deal": amendment.agreement.deal,
        "form": form,
        "heading": heading,
        **extra,
    }
    return render(
        request, "agreements/amendment_change_form.html", context, status=form_status(request, form)
    )


def amendment_term_change(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    if refused := _draft_only(request, amendment):
        return refused
    agreement = amendment.agreement
    initial = {"kind": ChangeKind.TERM_REVISE.value}
    term_id = ascii_int(request.GET.get("term", ""))
    form = TermChangeForm(request.POST or None, agreement=agreement, initial=initial)
    if term_id and (term := form.fields["term"].queryset.filter(pk=term_id).first()):
        form.initial.update(term=term, wording=term.wording)

    def save(data):
        amendments.amendment_change_term(
            amendment=amendment, user=request.user, kind=data["kind"], term=data["term"], data=data
        )

    return _change_page(request, amendment, form, "A term's wording", save)


def amendment_dates_change(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    if refused := _draft_only(request, amendment):
        return refused
    # A fresh copy: the form writes its values onto it, and it is never saved here.
    instance = Agreement.objects.get(pk=amendment.agreement_id)
    dates = amendment.changes.filter(kind=ChangeKind.DATES).first()
    initial = (
        {k: v for k, v in dates.after.items() if k in AmendmentDatesForm.Meta.fields}
        if dates
        else {}
    )
    form = AmendmentDatesForm(request.POST or None, instance=instance, initial=initial)

    def save(data):
        amendments.amendment_change_dates(amendment=amendment, user=request.user, data=data)

    return _change_page(request, amendment, form, "Term, renewal and notice", save)


def amendment_obligation_change(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    if refused := _draft_only(request, amendment):
        return refused
    agreement = amendment.agreement
    source = request.POST if request.method == "POST" else request.GET
    obligation_id = ascii_int(source.get("obligation", ""))
    obligation = (
        Obligation.objects.filter(agreement=agreement, pk=obligation_id).first()
        if obligation_id
        else None
    )
    # A fresh copy (or a new one): the form writes onto it, and it is never saved here.
    instance = obligation or Obligation(agreement=agreement)
    form = ObligationChangeForm(
        request.POST or None, instance=instance, agreement=agreement, existing=bool(obligation)
    )

    def save(data):
        amendments.amendment_change_obligation(
            amendment=amendment,
            user=request.user,
            kind=data["kind"],
            obligation=obligation,
            data=data,
        )

    heading = f"The obligation “{obligation}”" if obligation else "A new obligation"
    return _change_page(request, amendment, form, heading, save, obligation=obligation)


@require_POST
def amendment_change_remove(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.get_amendment_change_for_user(request.user, pk)
    amendment = change.amendment
    if refused := _draft_only(request, amendment):
        return refused
    try:
        amendments.amendment_change_remove(change=change, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Change removed from the draft.")
    return redirect(amendment)


@require_POST
def amendment_propose(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    rules.DRAFT_AMENDMENT.require(request.user, amendment.agreement)
    try:
        amendments.amendment_propose(amendment=amendment, user=request.user)
    except ValidationError as error:
        context = _detail_context(request, amendment, propose_errors=error.messages)
        return render(request, "agreements/amendment_detail.html", context, status=422)
    messages.success(request, f"{amendment.label} proposed: the second person can approve it now.")
    return redirect(amendment)


@require_POST
def amendment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    amendment = selectors.get_amendment_for_user(request.user, pk)
    rules.APPROVE_AMENDMENT.require(request.user, amendment)
    form = AmendmentDecisionForm(request.POST)
    status = 422
    stale: list[str] = []
    if form.is_valid():
        approve = form.cleaned_data["verdict"] == "approve"
        try:
            decided = amendment_approval.amendment_decide(
                amendment=amendment,
                user=request.user,
                approve=approve,
                note=form.cleaned_data.get("note") or "",
            )
        except amendment_approval.AmendmentStale as clash:
            stale, status = clash.reasons, 409
        except ValidationError as error:
            _put_errors(form, error)
        else:
            verb = "approved and applied" if approve else "rejected"
            messages.success(request, f"{decided.label} {verb}.")
            return redirect(decided)
    context = _detail_context(request, amendment, decision_form=form, stale=stale)
    return render(request, "agreements/amendment_detail.html", context, status=status)
