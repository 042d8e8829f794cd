"""CSV downloads of the portfolio and the goals page: streamed, only the deals the reader
may see, every cell through core.export.safe_cell (no formulas)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from django.db.models import Count, F, prefetch_related_objects
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from core.export import csv_response
from deals.models import Stage
from deals.selectors import visible_deals

from .models import Assumption, BusinessCase, Outcome, OutcomeMetric
from .selectors import _governing_cases, delivery_of

CHUNK = 500  # deals per round of queries: memory stays flat, queries grow by the chunk

PORTFOLIO_HEADER = [
    "Deal",
    "Partner",
    "Partnership",
    "Currency",
    "Promised NPV",
    "Net benefit per year",
    "Business case signed off",
    "Metrics on track",
    "Metrics at risk",
    "Metrics off track",
    "Metrics not measured",
    "Assumptions held",
    "Assumptions broken",
    "Assumptions open",
    "Verdict",
    "Delivery score (%)",
]


def _chunks(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def portfolio_rows(user) -> Iterator[tuple]:
    """Every live deal the reader may see, as on the portfolio page (most value first):
    four queries per 500 deals, however many there are."""
    live = (
        visible_deals(user)
        .filter(stage=Stage.LIVE)
        .select_related("partnership__partner")
        .order_by("-weekly_cost_of_delay", "pk")
    )
    for deals in _chunks(live.iterator(chunk_size=CHUNK), CHUNK):
        ids = [deal.pk for deal in deals]
        governing: dict[int, BusinessCase] = {}
        for case in (
            _governing_cases().filter(deal__in=ids).order_by("deal", "unsigned", "-version")
        ):
            governing.setdefault(case.deal_id, case)
        if governing:
            prefetch_related_objects(list(governing.values()), "years")
        metrics = defaultdict(list)
        for metric in OutcomeMetric.objects.filter(deal__in=ids):
            metrics[metric.deal_id].append(metric)
        verdicts: dict[int, dict] = defaultdict(dict)
        for row in (
            Assumption.objects.filter(business_case__in=[c.pk for c in governing.values()])
            .values("business_case__deal", "outcome")
            .annotate(n=Count("pk"))
        ):
            verdicts[row["business_case__deal"]][row["outcome"]] = row["n"]
        for deal in deals:
            case = governing.get(deal.pk)
            delivery = delivery_of(metrics.get(deal.pk, []))
            held = verdicts[deal.pk]
            yield (
                deal.title,
                deal.partnership.partner.name,
                deal.partnership.title,
                deal.currency,
                round(case.npv) if case else None,
                round(case.figures["yearly_net_benefit"]) if case else None,
                case.is_signed_off if case else None,
                delivery.on_track,
                delivery.at_risk,
                delivery.off_track,
                delivery.not_measured,
                held.get(Outcome.HELD, 0),
                held.get(Outcome.BROKEN, 0),
                held.get(Outcome.OPEN, 0),
                delivery.verdict,
                delivery.score,
            )


def portfolio_export(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(
        f"portfolio-{timezone.localdate().isoformat()}.csv",
        PORTFOLIO_HEADER,
        portfolio_rows(request.user),
    )


GOALS_HEADER = [
    "Goal",
    "Partner",
    "Partnership",
    "Fit (1-5)",
    "Deal",
    "Stage",
    "Currency",
    "Expected value per year",
    "Net benefit per week",
]


def goal_rows(user) -> Iterator[tuple]:
    """Each active goal with each deal the reader may see that serves it (one query),
    as the goals page counts them: abandoned deals carry no value any more."""
    deals = (
        visible_deals(user)
        .exclude(stage=Stage.ABANDONED)
        .filter(partnership__goal_links__goal__active=True)
        .select_related("partnership__partner")
        .annotate(
            goal_title=F("partnership__goal_links__goal__title"),
            fit_score=F("partnership__goal_links__fit_score"),
        )
        .order_by("goal_title", "-fit_score", "-weekly_cost_of_delay", "pk")
    )
    for deal in deals.iterator(chunk_size=CHUNK):
        yield (
            deal.goal_title,
            deal.partnership.partner.name,
            deal.partnership.title,
            deal.fit_score,
            deal.title,
            deal.stage_label,
            deal.currency,
            deal.expected_annual_value,
            deal.weekly_cost_of_delay,
        )


def goals_export(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(
        f"goals-{timezone.localdate().isoformat()}.csv", GOALS_HEADER, goal_rows(request.user)
    )
