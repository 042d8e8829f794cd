"""Outcome metrics, check-ins and the business case, through metrics' selectors,
Rules and services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from deals.selectors import get_deal_for_user
from metrics import rules as metric_rules
from metrics.models import OutcomeMetric
from metrics.selectors import case_versions, get_metric_for_user
from metrics.services import check_in_record, metric_create

from .auth import require_write
from .pages import ID, READ_ERRORS, WRITE_ERRORS
from .schemas import BusinessCaseOut, CheckInIn, CheckInOut, MetricIn, MetricOut

router = Router(tags=["value"])


def metric_data(metric: OutcomeMetric, check_ins: list) -> dict:
    fields = ("name", "unit", "baseline", "target", "direction", "start_date", "target_date")
    return {
        "id": metric.pk,
        **{name: getattr(metric, name) for name in fields},
        "latest_value": metric.latest_value,
        "latest_on": metric.latest_on,
        "check_ins": check_ins,
    }


@router.get("/deals/{deal_id}/metrics", response={200: list[MetricOut], **READ_ERRORS})
def metric_list(request: HttpRequest, deal_id: int = ID):
    deal = get_deal_for_user(request.user, deal_id)
    metrics = deal.metrics.order_by("pk").prefetch_related("check_ins")
    return [
        metric_data(m, sorted(m.check_ins.all(), key=lambda c: (c.date, c.pk))) for m in metrics
    ]


@router.post("/deals/{deal_id}/metrics", response={201: MetricOut, **WRITE_ERRORS})
def metric_add(request: HttpRequest, body: MetricIn, deal_id: int = ID):
    require_write(request)
    deal = get_deal_for_user(request.user, deal_id)
    metric_rules.EDIT_VALUE.require(request.user, deal)
    metric = metric_create(deal=deal, user=request.user, data=body.dict())
    return Status(201, metric_data(metric, []))


@router.post("/metrics/{metric_id}/check-ins", response={201: CheckInOut, **WRITE_ERRORS})
def check_in_add(request: HttpRequest, body: CheckInIn, metric_id: int = ID):
    require_write(request)
    metric = get_metric_for_user(request.user, metric_id)
    metric_rules.RECORD_CHECK_IN.require(request.user, metric)
    check_in = check_in_record(
        metric=metric, user=request.user, date=body.date, actual=body.actual, note=body.note
    )
    return Status(201, check_in)


@router.get("/deals/{deal_id}/business-case", response={200: list[BusinessCaseOut], **READ_ERRORS})
def business_case(request: HttpRequest, deal_id: int = ID):
    """Every version of the deal's business case, newest first, with its years."""
    deal = get_deal_for_user(request.user, deal_id)
    return [
        {
            "id": case.pk,
            "version": case.version,
            "discount_rate": case.discount_rate,
            "note": case.note,
            "created_at": case.created_at,
            "signed_off_at": case.signed_off_at,
            "years": case.year_rows,
        }
        for case in case_versions(deal)
    ]
