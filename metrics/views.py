"""Pages for a deal's business value. Thin: check access, validate, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import freshness
from core.forms import form_status
from core.parsing import ascii_int
from deals.models import Deal
from deals.selectors import get_deal_for_user

from . import business_case, charts, rules, selectors, services, strategic
from .forms import (
    AssessForm,
    AssumptionFormSet,
    BusinessCaseForm,
    CaseYearFormSet,
    CheckInForm,
    JourneyStageForm,
    OutcomeMetricForm,
    SignOffForm,
)
from .models import Assumption, BusinessCase, JourneyStage, OutcomeMetric


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Outcome metrics


def metric_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.EDIT_VALUE.require(request.user, deal)
    form = OutcomeMetricForm(request.POST or None, deal=deal, instance=OutcomeMetric(deal=deal))
    if request.method == "POST" and form.is_valid():
        try:
            metric = services.metric_create(deal=deal, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Metric “{metric.name}” added.")
            return redirect(metric)
    return render(
        request,
        "metrics/metric_form.html",
        {"form": form, "deal": deal},
        status=form_status(request, form),
    )


def metric_edit(request: HttpRequest, metric_id: int) -> HttpResponse:
    metric = selectors.get_metric_for_user(request.user, metric_id)
    rules.EDIT_VALUE.require(request.user, metric.deal)
    form = OutcomeMetricForm(request.POST or None, deal=metric.deal, instance=metric)
    if request.method == "POST" and form.is_valid():
        try:
            metric = services.metric_update(
                metric=metric, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Metric saved.")
            return redirect(metric)
    return render(
        request,
        "metrics/metric_form.html",
        {"form": form, "deal": metric.deal, "metric": metric},
        status=form_status(request, form),
    )


def _metric_context(request: HttpRequest, metric: OutcomeMetric, form=None) -> dict:
    check_ins = list(metric.check_ins.select_related("recorded_by"))
    can_record = rules.RECORD_CHECK_IN(request.user, metric)
    return {
        "deal": metric.deal,
        "metric": metric,
        "check_ins": check_ins,
        "chart": charts.metric_chart(metric, check_ins),
        # Phones get the compact drawing: the wide one's labels would shrink to 6 px.
        "chart_narrow": charts.metric_chart(metric, check_ins, width=320, height=170, compact=True),
        "can_record": can_record,
        "can_edit": rules.EDIT_VALUE(request.user, metric.deal),
        "form": form or (CheckInForm(metric=metric) if can_record else None),
    }


def metric_detail(request: HttpRequest, metric_id: int) -> HttpResponse:
    metric = selectors.get_metric_for_user(request.user, metric_id)
    return render(request, "metrics/metric_detail.html", _metric_context(request, metric))


@require_POST
def check_in_create(request: HttpRequest, metric_id: int) -> HttpResponse:
    metric = selectors.get_metric_for_user(request.user, metric_id)
    rules.RECORD_CHECK_IN.require(request.user, metric)
    form = CheckInForm(request.POST, metric=metric)
    status = 422
    if form.is_valid():
        try:
            services.check_in_record(metric=metric, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Check-in recorded.")
                return redirect(metric)
            form, status = None, 200
    context = _metric_context(request, metric, form)
    if request.htmx:
        return render(request, "metrics/metric_detail.html#check-ins", context, status=status)
    return render(request, "metrics/metric_detail.html", context, status=status)


def check_in_edit(request: HttpRequest, check_in_id: int) -> HttpResponse:
    check_in = selectors.get_check_in_for_user(request.user, check_in_id)
    metric = check_in.metric
    rules.RECORD_CHECK_IN.require(request.user, metric)
    form = CheckInForm(request.POST or None, metric=metric, check_in=check_in)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_update(check_in=check_in, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Check-in corrected.")
            return redirect(metric)
    return render(
        request,
        "metrics/check_in_form.html",
        {"form": form, "metric": metric, "deal": metric.deal, "check_in": check_in},
        status=form_status(request, form),
    )


@require_POST
def check_in_delete(request: HttpRequest, check_in_id: int) -> HttpResponse:
    check_in = selectors.get_check_in_for_user(request.user, check_in_id)
    metric = check_in.metric
    rules.RECORD_CHECK_IN.require(request.user, metric)
    services.check_in_delete(check_in=check_in, user=request.user)
    if request.htmx:
        return render(
            request, "metrics/metric_detail.html#check-ins", _metric_context(request, metric)
        )
    messages.success(request, "Check-in removed.")
    return redirect(metric)


# Business case


def _case_initial(case: BusinessCase | None) -> tuple[dict, list[dict], list[dict]]:
    if case is None:
        years = [{"year": n} for n in (1, 2, 3)]
        return {"discount_rate": "8", "based_on": None}, years, []
    years = [
        {
            "year": y.year,
            "revenue_growth": y.revenue_growth,
            "cost_savings": y.cost_savings,
            "one_off_costs": y.one_off_costs,
            "running_costs": y.running_costs,
        }
        for y in case.years.all()
    ]
    assumptions = [
        {
            "id": a.pk,
            "statement": a.statement,
            "owner": a.owner_id,
            "confidence": a.confidence,
            "evidence": a.evidence,
        }
        for a in case.assumptions.all()
    ]
    return {"discount_rate": case.discount_rate, "based_on": case.version}, years, assumptions


def business_case_year_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One more blank year row for the business-case form (htmx), at row `index`."""
    deal = get_deal_for_user(request.user, pk)
    rules.EDIT_VALUE.require(request.user, deal)
    index = ascii_int(request.GET.get("index"), low=1, high=CaseYearFormSet.max_num - 1)
    if index is None:
        return HttpResponse("The business case has room for ten years.", status=400)
    row = CaseYearFormSet(prefix="years").empty_form
    row.prefix = f"years-{index}"  # the row's place in the formset, as Django numbers them
    context = {
        "deal": deal,
        "row": row,
        "number": index + 1,
        "next_index": index + 1,
        "max_years": CaseYearFormSet.max_num,
    }
    return render(request, "metrics/_case_year_added.html", context)


def business_case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.EDIT_VALUE.require(request.user, deal)
    latest = (
        BusinessCase.objects.filter(deal=deal)
        .prefetch_related("years", "assumptions")
        .order_by("-version")
        .first()
    )
    initial, year_rows, assumption_rows = _case_initial(latest)
    data = request.POST if request.method == "POST" else None
    form = BusinessCaseForm(data, initial=initial)
    years = CaseYearFormSet(data, initial=year_rows, prefix="years")
    assumptions = AssumptionFormSet(data, initial=assumption_rows, prefix="assumptions")
    if request.method == "POST" and form.is_valid() and years.is_valid() and assumptions.is_valid():
        try:
            case = business_case.business_case_save(
                deal=deal,
                user=request.user,
                discount_rate=form.cleaned_data["discount_rate"],
                note=form.cleaned_data["note"],
                based_on=form.cleaned_data["based_on"],
                years=years.rows(),
                assumptions=assumptions.rows(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if latest is not None and case.pk == latest.pk and case.updated_at == latest.updated_at:
                messages.success(request, "Nothing changed.")
            elif case.is_signed_off:
                messages.success(request, f"Version {case.version} saved.")
            else:
                messages.success(
                    request, f"Saved as version {case.version}; it awaits Finance's sign-off."
                )
            return redirect(f"{deal.get_absolute_url()}#business-case")
    has_errors = request.method == "POST" and (
        form.errors or years.total_error_count() or assumptions.total_error_count()
    )
    context = {
        "deal": deal,
        "latest": latest,
        "form": form,
        "years": years,
        "assumptions": assumptions,
        "lessons": selectors.broken_assumptions(request.user, exclude_deal=deal),
    }
    return render(
        request, "metrics/business_case_form.html", context, status=422 if has_errors else 200
    )


def business_case_sign_off(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    rules.SIGN_OFF_CASE.require(request.user, case)
    form = SignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            business_case.business_case_sign_off(
                business_case=case, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Version {case.version} signed off.")
            return redirect(f"{case.deal.get_absolute_url()}#business-case")
    case = BusinessCase.objects.prefetch_related("years", "assumptions").get(pk=case.pk)
    return render(
        request,
        "metrics/sign_off.html",
        {"deal": case.deal, "case": case, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def business_case_compare(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    versions = list(
        BusinessCase.objects.filter(deal=deal)
        .select_related("signed_off_by", "created_by")
        .prefetch_related(
            "years", Prefetch("assumptions", queryset=Assumption.objects.select_related("owner"))
        )
        .order_by("version")
    )
    by_number = {case.version: case for case in versions}
    newest = versions[-1].version if versions else None
    defaults = {"a": versions[-2].version if len(versions) > 1 else newest, "b": newest}
    picked: dict[str, BusinessCase | None] = {}
    errors: dict[str, str] = {}
    for key in ("a", "b"):
        raw = request.GET.get(key, "").strip()
        number = ascii_int(raw)
        if not raw:
            picked[key] = by_number.get(defaults[key])
        elif number not in by_number:
            errors[key] = f"There is no version {raw[:20]} of this business case."
        else:
            picked[key] = by_number[number]
    left, right = (None, None) if errors else (picked["a"], picked["b"])
    rows = []
    if left and right:
        numbers = sorted({y.year for y in left.year_rows} | {y.year for y in right.year_rows})
        lyears = {y.year: y for y in left.year_rows}
        ryears = {y.year: y for y in right.year_rows}
        for n in numbers:
            rows.append({"year": n, "a": lyears.get(n), "b": ryears.get(n)})
    return render(
        request,
        "metrics/business_case_compare.html",
        {
            "deal": deal,
            "versions": versions,
            "a": left,
            "b": right,
            "rows": rows,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


def assumption_assess(request: HttpRequest, assumption_id: int) -> HttpResponse:
    assumption = selectors.get_assumption_for_user(request.user, assumption_id)
    deal = assumption.business_case.deal
    rules.EDIT_VALUE.require(request.user, deal)
    form = AssessForm(request.POST or None, instance=assumption)
    if request.method == "POST" and form.is_valid():
        try:
            business_case.assumption_assess(
                assumption=assumption,
                user=request.user,
                outcome=form.cleaned_data["outcome"],
                evidence=form.cleaned_data["outcome_evidence"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Verdict recorded.")
            return redirect(f"{deal.get_absolute_url()}#assumptions")
    return render(
        request,
        "metrics/assumption_assess.html",
        {"deal": deal, "assumption": assumption, "form": form},
        status=form_status(request, form),
    )


# Customer journey


def _journey_context(request: HttpRequest, deal: Deal, form=None) -> dict:
    can_edit = rules.EDIT_VALUE(request.user, deal)
    return {
        "deal": deal,
        "stages": list(JourneyStage.objects.filter(deal=deal).select_related("metric")),
        "can_edit": can_edit,
        "form": form or (JourneyStageForm(deal=deal) if can_edit else None),
    }


def journey(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    form = None
    if request.method == "POST":
        rules.EDIT_VALUE.require(request.user, deal)
        form = JourneyStageForm(request.POST, deal=deal)
        if form.is_valid():
            try:
                services.journey_stage_save(deal=deal, user=request.user, data=form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Stage “{form.cleaned_data['name']}” added.")
                return redirect("journey", pk=deal.pk)
    return render(
        request,
        "metrics/journey.html",
        _journey_context(request, deal, form),
        status=422 if form is not None else 200,
    )


def journey_stage_edit(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = selectors.get_journey_stage_for_user(request.user, stage_id)
    rules.EDIT_VALUE.require(request.user, stage.deal)
    form = JourneyStageForm(request.POST or None, deal=stage.deal, instance=stage)
    if request.method == "POST" and form.is_valid():
        try:
            services.journey_stage_save(
                deal=stage.deal, user=request.user, data=form.cleaned_data, stage=stage
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Stage saved.")
            return redirect("journey", pk=stage.deal_id)
    return render(
        request,
        "metrics/journey_stage_form.html",
        {"deal": stage.deal, "stage": stage, "form": form},
        status=form_status(request, form),
    )


@require_POST
def journey_stage_move(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = selectors.get_journey_stage_for_user(request.user, stage_id)
    rules.EDIT_VALUE.require(request.user, stage.deal)
    direction = request.POST.get("direction", "")
    try:
        services.journey_stage_move(stage=stage, user=request.user, direction=direction)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=422)
    if request.htmx:
        return render(
            request, "metrics/journey.html#journey-list", _journey_context(request, stage.deal)
        )
    return redirect("journey", pk=stage.deal_id)


@require_POST
def journey_stage_delete(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = selectors.get_journey_stage_for_user(request.user, stage_id)
    rules.EDIT_VALUE.require(request.user, stage.deal)
    services.journey_stage_delete(stage=stage, user=request.user)
    messages.success(request, f"Stage “{stage.name}” removed.")
    return redirect("journey", pk=stage.deal_id)


# Strategic goals and the portfolio


def goals(request: HttpRequest) -> HttpResponse:
    # A summary over every visible deal: cached per person until the data changes.
    overview = freshness.cached(
        "goals-overview", request.user, lambda: strategic.goals_overview(request.user)
    )
    return render(request, "metrics/goals.html", {"goals": overview})


def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = strategic.get_goal(goal_id)
    page = Paginator(strategic.goal_deals(request.user, goal), 25).get_page(request.GET.get("page"))
    links = goal.partnership_links.select_related("partnership__partner")
    return render(request, "metrics/goal_detail.html", {"goal": goal, "page": page, "links": links})


def portfolio(request: HttpRequest) -> HttpResponse:
    context = selectors.portfolio(request.user, request.GET.get("page"))
    return render(request, "metrics/portfolio.html", context)
