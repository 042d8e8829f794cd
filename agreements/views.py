"""Agreement pages: thin views that check access, validate a form, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.emails import absolute
from core.forms import form_status

from . import calendar, obligations, readings, rules, selectors, services
from .forms import AgreementForm, DecisionForm, EvidenceForm, EvidenceReviewForm, ObligationForm
from .models import Agreement


def _put_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def renewals(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    context = selectors.renewals(request.user, mine=mine)
    context["mine"] = mine
    context["feed_url"] = absolute(calendar.feed_path(request.user))
    return render(request, "agreements/renewals.html", context)


@require_POST
def calendar_address_replace(request: HttpRequest) -> HttpResponse:
    calendar.calendar_address_replace(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address: the old one no longer works. "
        "Subscribe to the new one in your calendar app.",
    )
    return redirect(f"{reverse('renewals')}#feed-title")


def _detail_context(request: HttpRequest, agreement: Agreement, **forms) -> dict:
    user = request.user
    return {
        "agreement": agreement,
        "deal": agreement.deal,
        "obligations": agreement.obligations.select_related("owner", "reviewer", "metric"),
        "occurrences": selectors.open_occurrences(agreement),
        "can_edit": rules.EDIT_AGREEMENT(user, agreement),
        "can_decide": rules.DECIDE_RENEWAL(user, agreement)
        and not agreement.ended_on
        and not agreement.notice_given_on,
        "can_add_obligation": rules.ADD_OBLIGATION(user, agreement),
        "amendments": selectors.amendments_of(agreement),
        "can_draft_amendment": rules.DRAFT_AMENDMENT(user, agreement) and not agreement.ended_on,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        # What was read from the newest contract, until confirmed or dismissed.
        "facts_reading": readings.pending_reading(agreement)
        if rules.EDIT_AGREEMENT(user, agreement) and not agreement.ended_on
        else None,
    }


def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    return render(request, "agreements/agreement_detail.html", _detail_context(request, agreement))


def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    rules.EDIT_AGREEMENT.require(request.user, agreement)
    form = AgreementForm(request.POST or None, instance=Agreement.objects.get(pk=agreement.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.agreement_update(agreement=agreement, user=request.user, data=data)
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, "The agreement's terms are recorded.")
            return redirect(agreement)
    context = {"agreement": agreement, "deal": agreement.deal, "form": form}
    return render(
        request, "agreements/agreement_form.html", context, status=form_status(request, form)
    )


@require_POST
def agreement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    rules.DECIDE_RENEWAL.require(request.user, agreement)
    form = DecisionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.agreement_decide(
                agreement=agreement,
                user=request.user,
                decision=data["decision"],
                note=data.get("note") or "",
                notice_given_on=data.get("notice_given_on"),
                evidence=data.get("file"),
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, f"Decision recorded: {decided.get_decision_display()}.")
            if decided.renewal_deal_id:
                return redirect(decided.renewal_deal)
            return redirect(decided)
    context = _detail_context(request, agreement, decision_form=form)
    return render(request, "agreements/agreement_detail.html", context, status=422)


def notice_download(request: HttpRequest, pk: int) -> FileResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    if not agreement.notice_evidence:
        raise Http404("No notice is attached to this agreement.")
    return _file(agreement.notice_evidence, agreement.notice_evidence_name)


def _file(field, name: str) -> FileResponse:
    kind = name.rsplit(".", 1)[-1].lower()
    types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=types.get(kind, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def obligation_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    rules.ADD_OBLIGATION.require(request.user, agreement)
    form = ObligationForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            obligations.obligation_add(agreement=agreement, user=request.user, data=data)
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, "Obligation added.")
            return redirect(agreement)
    context = {"agreement": agreement, "deal": agreement.deal, "form": form}
    return render(
        request, "agreements/obligation_form.html", context, status=form_status(request, form)
    )


def _occurrence_context(request: HttpRequest, occurrence, **forms) -> dict:
    user = request.user
    return {
        "occurrence": occurrence,
        "obligation": occurrence.obligation,
        "agreement": occurrence.obligation.agreement,
        "deal": occurrence.obligation.agreement.deal,
        "can_submit": rules.SUBMIT_EVIDENCE(user, occurrence) and occurrence.is_open,
        "can_review": rules.REVIEW_EVIDENCE(user, occurrence) and occurrence.status == "submitted",
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "review_form": forms.get("review_form") or EvidenceReviewForm(),
    }


def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = selectors.get_occurrence_for_user(request.user, pk)
    return render(
        request, "agreements/occurrence_detail.html", _occurrence_context(request, occurrence)
    )


@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = selectors.get_occurrence_for_user(request.user, pk)
    rules.SUBMIT_EVIDENCE.require(request.user, occurrence)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            obligations.evidence_submit(
                occurrence=occurrence,
                user=request.user,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, "Evidence uploaded; the reviewer will look at it.")
            return redirect(occurrence)
    context = _occurrence_context(request, occurrence, evidence_form=form)
    return render(request, "agreements/occurrence_detail.html", context, status=422)


@require_POST
def evidence_review(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = selectors.get_occurrence_for_user(request.user, pk)
    rules.REVIEW_EVIDENCE.require(request.user, occurrence)
    form = EvidenceReviewForm(request.POST)
    if form.is_valid():
        try:
            reviewed = obligations.evidence_review(
                occurrence=occurrence,
                user=request.user,
                accept=form.cleaned_data["verdict"] == "accept",
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, f"Evidence {reviewed.get_status_display().lower()}.")
            return redirect(occurrence)
    context = _occurrence_context(request, occurrence, review_form=form)
    return render(request, "agreements/occurrence_detail.html", context, status=422)


def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    occurrence = selectors.get_occurrence_for_user(request.user, pk)
    if not occurrence.evidence:
        raise Http404("No evidence is attached here.")
    return _file(occurrence.evidence, occurrence.evidence_name)


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's notice deadlines and obligations due, as iCalendar; the signed token in
    the URL is the access check (calendar apps cannot log in)."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar.feed(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
