"""Where time goes: the page (or, for htmx, its body), the deals behind a figure, the CSV."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import figures, rules
from .charts import trend_chart
from .drilldown import deals_page
from .exports import intervals_csv
from .filters import UNITS, AnalyticsFilterForm


def _form(request: HttpRequest) -> AnalyticsFilterForm:
    return AnalyticsFilterForm(request.GET or None)


def where_time_goes(request: HttpRequest) -> HttpResponse:
    rules.VIEW_ANALYTICS.require(request.user)
    form = _form(request)
    context = figures.where_time_goes(request.user, form)
    context.update(
        form=form,
        query=form.query_string(),
        unit_label=UNITS[context["unit"]],
        chart=trend_chart(context["trend"], UNITS[context["unit"]]),
        filtered=bool(form.deal_q()),
        # Reversed once: the figures link to it from every row.
        deals_url=reverse("analytics_deals"),
    )
    template = "analytics/where_time_goes.html"
    if request.htmx:  # the filters change every figure: the body is swapped, not the page
        template += "#body"
    return render(request, template, context)


def deals_behind(request: HttpRequest) -> HttpResponse:
    rules.VIEW_ANALYTICS.require(request.user)
    form = _form(request)
    title, page = deals_page(request.user, form, request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "title": title,
        "page": page,
        "query": query.urlencode(),
        "filters": form.query_string(),
    }
    template = "analytics/deals_behind.html"
    if request.htmx:
        template += "#deal-list"
    return render(request, template, context)


def intervals_export(request: HttpRequest) -> StreamingHttpResponse:
    rules.VIEW_ANALYTICS.require(request.user)
    return intervals_csv(request.user, _form(request))
