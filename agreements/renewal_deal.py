""" "Renegotiate": the renewal deal, opened pre-filled from the agreement, the business case
and the outcome metrics' actual values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from deals.models import Deal
from deals.services import deal_create
from metrics.business_case import MONEY_FIELDS, business_case_save
from metrics.models import BusinessCase, Direction, OutcomeMetric
from metrics.services import metric_create

from . import dates


def _beyond(direction: str, baseline: Decimal, target: Decimal) -> bool:
    return target > baseline if direction == Direction.INCREASE else target < baseline


def renewal_summary(agreement, metrics: list[OutcomeMetric]) -> str:
    deal = agreement.deal
    facts = []
    if agreement.effective_date:
        facts.append(f"effective {agreement.effective_date:%-d %b %Y}")
    if agreement.current_term_end:
        facts.append(f"current term ends {agreement.current_term_end:%-d %b %Y}")
    lines = [f"Renewal of “{deal.title}”" + (f" ({', '.join(facts)})." if facts else ".")]
    measured = [m for m in metrics if m.latest_value is not None]
    if measured:
        lines.append("Where the outcome metrics stand:")
        lines += [
            f"- {m.name}: {m.latest_value.normalize():f} {m.unit} on {m.latest_on:%-d %b %Y} "
            f"(baseline {m.baseline.normalize():f}, target {m.target.normalize():f})"
            for m in measured
        ]
    return "\n".join(lines)


def renewal_deal_open(*, agreement, user) -> Deal:
    """A new deal for the same partnership, owner and sponsor, in Intake: the renewal
    term (or the old term) as its term, the latest business case copied as its draft,
    and each outcome metric carried over with its latest actual value as the new
    baseline (kept at the old baseline when the actual is already past the target)."""
    old: Deal = agreement.deal
    metrics = list(OutcomeMetric.objects.filter(deal=old).order_by("pk"))
    months = agreement.renewal_term_months or old.term_months
    today = timezone.localdate()
    new = deal_create(
        user=user,
        data={
            "partnership": old.partnership,
            "title": f"Renewal: {old.title}"[:200],
            "summary": renewal_summary(agreement, metrics),
            "owner": old.owner,
            "sponsor": old.sponsor,
            "contract_value": old.contract_value,
            "currency": old.currency,
            "expected_annual_value": old.expected_annual_value,
            "term_months": min(months, 240),
            "target_signature_date": agreement.notice_deadline or agreement.current_term_end,
            "confidential": old.confidential,
        },
    )
    case = (
        BusinessCase.objects.filter(deal=old)
        .prefetch_related("years", "assumptions")
        .order_by("-version")
        .first()
    )
    if case is not None and case.years.all():
        business_case_save(
            deal=new,
            user=user,
            discount_rate=case.discount_rate,
            years=[
                {"year": y.year, **{f: getattr(y, f) for f in MONEY_FIELDS}}
                for y in case.years.all()
            ],
            assumptions=[
                {
                    "statement": a.statement,
                    "owner": a.owner,
                    "confidence": a.confidence,
                    "evidence": a.evidence,
                }
                for a in case.assumptions.all()
            ],
            note=f"Carried over from version {case.version} of “{old.title}”",
        )
    end = dates.term_end(today, months)
    for metric in metrics:
        baseline = metric.baseline
        if metric.latest_value is not None and _beyond(
            metric.direction, metric.latest_value, metric.target
        ):
            baseline = metric.latest_value
        metric_create(
            deal=new,
            user=user,
            data={
                "name": metric.name,
                "unit": metric.unit,
                "baseline": baseline,
                "target": metric.target,
                "direction": metric.direction,
                "start_date": today,
                "target_date": max(end, today + dt.timedelta(days=1)),
                "owner": metric.owner,
                "department": metric.department,
                "is_headline": metric.is_headline,
            },
        )
    return new
