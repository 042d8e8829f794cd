"""Demo business value: a case, metrics with check-ins and a journey for every demo deal.

Deterministic (seeded random) and idempotent: only deals without a business
case are given one. Written with bulk_create so that tens of thousands of
benchmark deals are seeded in seconds; the same path serves the hand-made
portfolio, so there is one way demo value comes to exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from deals.models import Deal, Stage
from metrics import finance
from metrics.models import (
    Assumption,
    BusinessCase,
    CaseYear,
    CheckIn,
    Confidence,
    Direction,
    JourneyStage,
    Outcome,
    OutcomeMetric,
    expected_share,
)
from partnerships.models import PartnerKind, PartnershipGoal, StrategicGoal
from stakeholders.models import Department, User

from . import copy
from .value_ideas import ASSUMPTIONS, BROKEN, HELD, JOURNEYS, METRICS

# Stages whose business case Finance has signed off (the deal passed review).
SIGNED_OFF_STAGES = {Stage.NEGOTIATION, Stage.APPROVED, Stage.SIGNED, Stage.LIVE}
CENT = Decimal("0.01")


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, -2))).quantize(CENT)


def _measure(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _case_years(deal: Deal, rng: random.Random, kind: str, richer: float = 1.0) -> list[dict]:
    """Money by year around the deal's expected annual value: a ramp, then growth."""
    annual = float(deal.expected_annual_value or deal.contract_value / 3 or 100_000) * richer
    years = max(3, min(5, round(deal.term_months / 12) or 3))
    revenue_share = {PartnerKind.CHANNEL: 0.9, PartnerKind.TECHNOLOGY: 0.5}.get(kind, 0.25)
    contract_per_year = float(deal.contract_value) / years
    rows = []
    for year in range(1, years + 1):
        ramp = (0.45, 0.85)[year - 1] if year <= 2 else 1.0 + 0.04 * (year - 3)
        benefit = annual * ramp * rng.uniform(0.9, 1.1)
        rows.append(
            {
                "year": year,
                "revenue_growth": _money(benefit * revenue_share),
                "cost_savings": _money(benefit * (1 - revenue_share)),
                "one_off_costs": _money(float(deal.contract_value) * rng.uniform(0.12, 0.3))
                if year == 1
                else Decimal("0.00"),
                "running_costs": _money(contract_per_year * rng.uniform(0.35, 0.6)),
            }
        )
    return rows


def _check_in_dates(today: dt.date, count: int) -> list[dt.date]:
    """`count` monthly dates, oldest first, the newest a few days ago."""
    return [today - dt.timedelta(days=3 + 30 * n) for n in reversed(range(count))]


def _ensure_goals(deals: list[Deal], rng: random.Random) -> None:
    """Deals inherit their partnership's goals: give any partnership without one two."""
    goals = list(StrategicGoal.objects.filter(active=True))
    if not goals:
        return
    partnership_ids = {d.partnership_id for d in deals}
    linked = set(
        PartnershipGoal.objects.filter(partnership_id__in=partnership_ids).values_list(
            "partnership_id", flat=True
        )
    )
    copy.insert(
        PartnershipGoal,
        (
            PartnershipGoal(
                partnership_id=pk,
                goal=goal,
                fit_score=rng.randint(2, 5),
                rationale=f"Serves “{goal.title.lower()}”.",
            )
            for pk in sorted(partnership_ids - linked)
            for goal in rng.sample(goals, min(2, len(goals)))
        ),
    )


def seed_value(deals: QuerySet[Deal], *, seed: int = 2026, batch_size: int = 1000) -> int:
    """Give every deal without a business case its demo value; returns how many."""
    ids = list(
        deals.filter(business_cases__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    finance_user = User.objects.filter(memberships__department__slug="finance").first()
    departments = {d.slug: d for d in Department.objects.all()}
    made = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        made += _seed_batch(chunk, seed + start, finance_user, departments)
    return made


def _signed_off(deal: Deal, version: int, versions: int) -> bool:
    """Past review every version is signed off; before it, only a revised earlier one."""
    if deal.stage in SIGNED_OFF_STAGES:
        return True
    return version < versions and deal.stage not in (Stage.INTAKE, Stage.BUSINESS_CASE)


def _metric_start(deal: Deal, rng: random.Random, today: dt.date) -> dt.date:
    if deal.stage == Stage.LIVE:
        return today - dt.timedelta(days=rng.randint(240, 330))
    if deal.stage == Stage.SIGNED:
        return today + dt.timedelta(days=rng.randint(5, 30))
    # Not live yet: the change starts after signature; check-ins so far are baseline readings.
    return max(deal.target_signature_date or today, today) + dt.timedelta(days=rng.randint(30, 90))


@transaction.atomic
def _seed_batch(ids: list[int], seed: int, finance_user, departments) -> int:
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    deals = list(
        Deal.objects.filter(pk__in=ids).select_related("partnership__partner").order_by("pk")
    )
    _ensure_goals(deals, rng)
    cases: list[BusinessCase] = []
    case_years: list[tuple[BusinessCase, list[dict]]] = []
    case_assumptions: list[tuple[BusinessCase, Deal, bool]] = []
    metric_plans: list[tuple[OutcomeMetric, float]] = []
    governing_years: dict[int, list[dict]] = {}
    for deal in deals:
        kind = deal.partnership.partner.kind
        delivers = deal.pk % 5 not in (1, 3)  # about two in five live deals fall short
        versions = 2 if rng.random() < 0.3 else 1
        created = deal.created_at + dt.timedelta(days=rng.randint(2, 10))
        rate = Decimal(rng.choice([6, 8, 8, 10, 12]))
        signed_years = latest_years = None
        for version in range(1, versions + 1):
            richer = 1.0 if version == 1 else rng.uniform(0.85, 0.97)
            years = _case_years(deal, rng, kind, richer=richer)
            is_signed = _signed_off(deal, version, versions)
            at = created + dt.timedelta(days=5 * version)
            case = BusinessCase(
                deal=deal,
                version=version,
                discount_rate=rate,
                note="" if version == 1 else "Finance asked for firmer cost assumptions.",
                created_by_id=deal.owner_id,
                created_at=at,
                updated_at=at,
                signed_off_by=finance_user if is_signed else None,
                signed_off_at=at + dt.timedelta(days=3) if is_signed else None,
                sign_off_note="Reviewed against the budget." if is_signed else "",
            )
            cases.append(case)
            case_years.append((case, years))
            case_assumptions.append((case, deal, delivers))
            latest_years = years
            if is_signed:
                signed_years = years
        # The same rule as metrics.business_case.governing_case: newest signed-off, else newest.
        governing_years[deal.pk] = signed_years or latest_years
        start = _metric_start(deal, rng, today)
        for index, idea in enumerate(rng.sample(METRICS[kind], 3)):
            baseline = idea.baseline * rng.uniform(0.9, 1.1)
            change = baseline * idea.change * rng.uniform(0.8, 1.2)
            target = (
                baseline + change if idea.direction == Direction.INCREASE else baseline - change
            )
            if idea.unit == "%":
                target = min(target, 99.5)
            metric = OutcomeMetric(
                deal=deal,
                name=idea.name,
                unit=idea.unit,
                direction=idea.direction,
                baseline=_measure(baseline),
                target=_measure(target),
                start_date=start,
                target_date=start + dt.timedelta(days=rng.choice([365, 455, 540])),
                owner_id=deal.owner_id,
                department=departments.get(idea.department) if idea.department else None,
                is_headline=index < 2,
                created_at=created,
            )
            # Delivering deals mostly keep to the line; the others mostly fall well behind.
            if delivers:
                performance = (
                    rng.uniform(0.95, 1.15) if rng.random() < 0.8 else rng.uniform(0.75, 0.85)
                )
            else:
                performance = (
                    rng.uniform(0.3, 0.6) if rng.random() < 0.7 else rng.uniform(0.75, 0.9)
                )
            metric_plans.append((metric, performance))
    copy.insert(BusinessCase, cases)
    copy.insert(
        CaseYear,
        (CaseYear(business_case=case, **row) for case, rows in case_years for row in rows),
    )
    owners = list(User.objects.filter(is_active=True).order_by("pk")[:6])
    assumptions = []
    for case, deal, delivers in case_assumptions:
        kind = deal.partnership.partner.kind
        judged = deal.stage == Stage.LIVE and case.signed_off_at is not None
        for position, (statement, evidence) in enumerate(
            rng.sample(ASSUMPTIONS[kind], min(3, len(ASSUMPTIONS[kind])))
        ):
            outcome = Outcome.OPEN
            if judged:
                broken = (
                    not delivers
                    and position < 2
                    or delivers
                    and position == 2
                    and rng.random() < 0.2
                )
                outcome = Outcome.BROKEN if broken else Outcome.HELD
            assumptions.append(
                Assumption(
                    business_case=case,
                    statement=statement,
                    owner=owners[(deal.pk + position) % len(owners)] if owners else None,
                    confidence=rng.choice(Confidence.values),
                    evidence=evidence,
                    position=position,
                    outcome=outcome,
                    outcome_evidence=rng.choice(BROKEN if outcome == Outcome.BROKEN else HELD)
                    if outcome != Outcome.OPEN
                    else "",
                    outcome_by_id=deal.owner_id if outcome != Outcome.OPEN else None,
                    outcome_at=now - dt.timedelta(days=rng.randint(3, 60))
                    if outcome != Outcome.OPEN
                    else None,
                )
            )
    copy.insert(Assumption, assumptions)
    check_ins = []
    for metric, performance in metric_plans:
        total = metric.target - metric.baseline
        live = metric.deal.stage == Stage.LIVE
        dates = _check_in_dates(today, rng.randint(8, 10) if live else rng.randint(2, 3))
        for day in dates:
            share = expected_share(metric.start_date, metric.target_date, day)
            achieved = float(share) * performance + rng.uniform(-0.03, 0.03)
            check_ins.append(
                CheckIn(
                    metric=metric,
                    date=day,
                    actual=_measure(float(metric.baseline) + achieved * float(total)),
                    note="" if rng.random() < 0.7 else "Monthly report from the partner.",
                    recorded_by_id=metric.owner_id,
                )
            )
        metric.latest_on, metric.latest_value = check_ins[-1].date, check_ins[-1].actual
    copy.insert(OutcomeMetric, [m for m, _ in metric_plans])
    copy.insert(CheckIn, check_ins)
    stages = []
    by_deal: dict[int, list[OutcomeMetric]] = {}
    for metric, _ in metric_plans:
        by_deal.setdefault(metric.deal_id, []).append(metric)
    for deal in deals:
        steps = JOURNEYS[deal.partnership.partner.kind]
        metrics = by_deal.get(deal.pk, [])
        for position, (name, touchpoint, pain, change) in enumerate(steps[:4]):
            stages.append(
                JourneyStage(
                    deal=deal,
                    position=position,
                    name=name,
                    touchpoint=touchpoint,
                    pain=pain,
                    change=change,
                    metric=metrics[position % len(metrics)] if metrics and position % 2 else None,
                )
            )
    copy.insert(JourneyStage, stages)
    for deal in deals:
        deal.weekly_cost_of_delay = finance.weekly_cost_of_delay(
            [finance.Year(**row) for row in governing_years[deal.pk]]
        )
    copy.update(Deal, deals, ["weekly_cost_of_delay"])
    return len(deals)
