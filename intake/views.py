"""Intake pages: choose a request type, fill its form (htmx re-shows the questions as
you answer; without JavaScript the submit does the same), change a request's answers,
and the administrators' preview that saves nothing.

One view renders the page or, for htmx, its `#form` partial (the questions shown for
the answers so far)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from deals.models import Deal
from deals.selectors import get_deal_for_user
from partnerships.models import Partner, Partnership
from stakeholders import signoff

from . import rules, services
from .answers import shown_keys
from .forms import AnswersForm, BasicsForm
from .models import FormVersion
from .selectors import (
    open_request_type,
    questions_of,
    request_of_deal,
    request_types_on_offer,
    similar_partners,
)

TEMPLATE = "intake/request_form.html"


def _refreshing(request: HttpRequest) -> bool:
    """Asked to show the questions again (htmx on change, or the no-script button)."""
    return request.method == "POST" and "_refresh" in request.POST


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The page, or for htmx the part it asked for: `#lookalikes` or `#form`."""
    if request.htmx:
        part = "lookalikes" if request.htmx.target == "lookalikes" else "form"
        return render(request, f"{TEMPLATE}#{part}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


def request_start(request: HttpRequest) -> HttpResponse:
    rules.SUBMIT_REQUEST.require(request.user)
    return render(request, "intake/start.html", {"request_types": request_types_on_offer()})


def request_new(request: HttpRequest, type_id: int) -> HttpResponse:
    rules.SUBMIT_REQUEST.require(request.user)
    request_type, version = open_request_type(type_id)
    questions = questions_of(version)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    basics = BasicsForm(data, refresh_url=request.path)
    form = AnswersForm(data, files, questions=questions, refresh_url=request.path)
    context = {"request_type": request_type, "version": version, "basics": basics, "form": form}
    name = (data or {}).get("partner_name", "")
    context["lookalikes"] = similar_partners(name[:160]) if name.strip() else []
    if _refreshing(request) or data is None:
        form.refresh()
        context["quiet"] = True  # no errors while filling in
        return _render(request, context)
    if basics.is_valid() & form.is_valid():
        try:
            intake = services.request_submit(
                version=version,
                user=request.user,
                title=basics.cleaned_data["title"],
                partner_name=basics.cleaned_data["partner_name"],
                sponsor=basics.cleaned_data["sponsor"],
                answers=form.answers(),
                uploads=form.uploads(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Request submitted. {intake.routing_summary}")
            if intake.lookalikes:
                messages.warning(
                    request,
                    f"“{intake.partner_name}” is close to an existing partner: "
                    f"{', '.join(intake.lookalikes)}. Is it the same company?",
                )
            return redirect(intake.deal)
    return _render(request, context, status=422)


def answers_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    intake = request_of_deal(deal)
    if intake is None:
        raise Http404("This deal did not come through intake.")
    rules.CHANGE_ANSWERS.require(request.user, intake)
    questions = questions_of(intake.version)
    data = request.POST if request.method == "POST" else None
    initial = {k: v for k, v in intake.answers.items() if not isinstance(v, dict)}
    form = AnswersForm(
        data, request.FILES or None, questions=questions, initial=initial, refresh_url=request.path
    )
    context = {"request_type": intake.request_type, "version": intake.version, "form": form}
    context.update({"deal": deal, "editing": True})
    if data is None or _refreshing(request):
        if data is None:
            form.shown = shown_keys(questions, intake.answers)
        else:
            form.refresh()
        context["quiet"] = True
        return _render(request, context)
    if form.is_valid():
        try:
            done = services.request_answers_change(
                request=intake, user=request.user, answers=form.answers(), uploads=form.uploads()
            )
        except ValidationError as error:  # a deal field out of its bounds (term_months…)
            form.add_error(None, error.messages)
        else:
            messages.success(request, _rerouted(done))
            return redirect(deal)
    return _render(request, context, status=422)


def _rerouted(done: dict[str, list[str]]) -> str:
    said = []
    if done["requested"]:
        said.append(f"review requested from {', '.join(done['requested'])}")
    if done["reopened"]:
        said.append(f"re-opened for {', '.join(done['reopened'])}")
    if done["not_needed"]:
        said.append(f"no longer needed from {', '.join(done['not_needed'])}")
    return "Answers saved" + (": " + "; ".join(said) + "." if said else ".")


def form_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """Fill a form as a test and see who would review. Nothing is saved."""
    rules.PREVIEW_FORM.require(request.user)
    version = get_object_or_404(FormVersion.objects.select_related("request_type"), pk=version_id)
    questions = questions_of(version)
    data = request.POST if request.method == "POST" else None
    form = AnswersForm(data, request.FILES or None, questions=questions, refresh_url=request.path)
    context = {"request_type": version.request_type, "version": version, "form": form}
    context["preview"] = True
    if data is None or _refreshing(request):
        form.refresh()
        context["quiet"] = True
        return _render(request, context)
    if not form.is_valid():
        return _render(request, context, status=422)
    answers = form.answers()
    # An unsaved deal as the answers would make it: routing reads it, nothing is written.
    fields = services.deal_fields(questions, answers)
    deal = Deal(
        partnership=Partnership(partner=Partner(name="Preview", handles_customer_data=False)),
        **{**services.DEFAULTS, **fields},
    )
    routes = signoff.routing(deal, answers=answers, has_business_case=False)
    context["routes"] = [(d.name, signoff.because(r)) for d, r in routes.items()]
    context["routing_summary"] = signoff.routing_summary(routes)
    context["answers"] = services.shown_answers(questions, answers)
    return _render(request, context)
