"""The figures of "Where time goes", for one person and one set of filters, in a fixed
number of queries (about ten, whatever the number of deals):

- what happened (the stage funnel's and the departments' percentiles, the monthly
  trend) is read from the intervals (analytics.models.Interval), never from the audit
  trail;
- what is the case now (who is in each stage, which reviews are pending, who each deal
  waits on) is read from the deals and reviews themselves, which always hold it.

Money is the deals' weekly cost of delay, converted to the reporting currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from core.money import Rates, Total, rates_on, total
from deals.models import ACTIVE_STAGES, PIPELINE, Deal, TermCategory, TermRevision
from deals.selectors import confidential_read_live
from deals.waiting import PARTIES
from stakeholders.models import Department, Review, ReviewStatus

from . import tally
from .days import business_days, calendar_days
from .filters import AnalyticsFilterForm
from .models import Interval, IntervalKind, IntervalTally, PendingTally, TermTally
from .selectors import departments_for, scoped, scoped_by_id
from .stats import Figure, share

# The stages a deal spends time in on its way; Live is the end, on hold is left out.
FUNNEL = PIPELINE[:-1]
TREND_MONTHS = 12


@dataclass
class Now:
    """A queue now: how many, its oldest, and the weekly cost of delay at stake."""

    count: Figure
    oldest: Figure
    cost: Total


@dataclass
class StageRow:
    stage: str
    label: str
    left: int
    p50: Figure
    p75: Figure
    p90: Figure
    median_calendar: float | None
    now: Now


@dataclass
class DepartmentRow:
    department: Department
    intervals: int
    p50: Figure
    p90: Figure
    median_calendar: float | None
    within_sla: Figure
    returned: Figure
    rereviews: Figure
    reassignments: Figure
    now: Now


@dataclass
class Bottleneck:
    label: str
    kind: str  # "stage" or "department"
    key: str
    queue: Figure
    median_days: Figure
    cost: Total
    # Weekly cost at stake × the median wait in weeks: what the queue costs if each of
    # its deals waits as long as is usual there.
    score: Decimal | None


def _age(started: dt.datetime | None, unit: str, now: dt.datetime) -> float | None:
    if started is None:
        return None
    return business_days(started, now) if unit == "business" else calendar_days(started, now)


def _now(rows: list[dict], rates: Rates, unit: str, now: dt.datetime) -> Now:
    count = sum(row["n"] for row in rows)
    oldest = min((row["oldest"] for row in rows if row.get("oldest")), default=None)
    return Now(
        count=Figure(count, count),
        oldest=Figure(_age(oldest, unit, now), count),
        cost=total(((row["currency"], row["cost"]) for row in rows), rates),
    )


def past(
    user, form: AnalyticsFilterForm, extra: list[int], *, unit: str, since: dt.date
) -> tuple[dict, dict]:
    """What the ended intervals say: percentiles and counts per (kind, stage, department)
    over all time, and of the reviews per UTC month from `since`. From the interval
    tally's rows this person may see (analytics.tally) and the intervals of the `extra`
    deals (confidential, seen through a department or an invitation) grouped live, or,
    with filters, from the matching intervals grouped live into the same buckets. Two
    queries (three with `extra`), or one with filters."""
    units = [unit, "calendar"] if unit == "business" else ["calendar"]
    if form.deal_q():
        signed = [
            (1, tally.live_rows(scoped_by_id(Interval.objects.all(), user, form, "deal__"), units))
        ]
        months = list(signed)
    else:
        seen = IntervalTally.objects.seen_by(user)
        history_by = ("kind", "stage", "department_id")
        signed = [(1, tally.tally_rows(seen, history_by, units))]
        reviews = seen.filter(kind=IntervalKind.REVIEW, month__gte=since)
        months = [(1, tally.tally_rows(reviews, ("kind", "month"), [unit]))]
        if extra:
            live = (1, tally.live_rows(Interval.objects.filter(deal_id__any_of=extra), units))
            signed.append(live)
            months.append(live)
    trend = [
        (sign, [r for r in rows if r["kind"] == IntervalKind.REVIEW and r["month"] >= since])
        for sign, rows in months
    ]
    return (
        tally.fold(
            signed,
            ("kind", "stage", "department_id"),
            units,
            {"p50": (unit, 0.5), "p75": (unit, 0.75), "p90": (unit, 0.9), "cal": ("calendar", 0.5)},
            ("verdicts", "within", "returned", "rereviews", "reassigned"),
        ),
        tally.fold(
            trend,
            ("month",),
            [unit],
            {"p50": (unit, 0.5), "p90": (unit, 0.9)},
            ("verdicts", "within"),
        ),
    )


def deals_now(deals) -> list[dict]:
    """The deals in the funnel's stages now, by stage, party waited on and currency: how
    many, the oldest stay, the weekly cost of delay. One query."""
    return list(
        deals.filter(stage__in=FUNNEL)
        .annotate(party=F("waiting_on"))
        .values("stage", "party", "currency")
        .annotate(n=Count("pk"), oldest=Min("stage_changed_at"), cost=Sum("weekly_cost_of_delay"))
        .order_by()
    )


def stage_funnel(
    past: dict, now_rows: list[dict], *, unit: str, rates: Rates, now
) -> list[StageRow]:
    rows = []
    for stage in FUNNEL:
        group = past.get((IntervalKind.STAGE.value, stage.value, None))
        n = group.n if group else 0
        values = group.values if group else {}
        rows.append(
            StageRow(
                stage=stage.value,
                label=stage.label,
                left=n,
                p50=Figure(values.get("p50"), n),
                p75=Figure(values.get("p75"), n),
                p90=Figure(values.get("p90"), n),
                median_calendar=values.get("cal"),
                now=_now([r for r in now_rows if r["stage"] == stage], rates, unit, now),
            )
        )
    return rows


def pending_reviews(user, form, department_ids: list[int], extra: list[int]) -> list[dict]:
    """Pending reviews of open deals being worked, per department and currency, with the
    deals' weekly cost of delay: from the pending tally's rows this person may see and the
    `extra` deals' reviews (past's),
    or, with filters, counted live. One query."""
    mine = Q(status=ReviewStatus.PENDING, department_id__in=department_ids)
    if form.deal_q():
        reviews = scoped(Review.objects.filter(mine), user, form, via="deal__")
        return list(_pending_counts(reviews.filter(deal__stage__in=ACTIVE_STAGES)))
    tallied = (
        PendingTally.objects.seen_by(user)
        .filter(stage__in=ACTIVE_STAGES, department_id__in=department_ids)
        .values("department_id", "currency")
        .annotate(n=Sum("reviews"), cost=Sum("cost"))
        .order_by()
    )
    if extra:
        seen = Review.objects.filter(mine, deal_id__any_of=extra, deal__stage__in=ACTIVE_STAGES)
        tallied = tallied.union(_pending_counts(seen), all=True)
    merged: dict[tuple, dict] = {}
    for row in tallied:
        key = (row["department_id"], row["currency"])
        found = merged.setdefault(key, {**row, "n": 0, "cost": 0})
        found["n"] += row["n"]
        found["cost"] += row["cost"] or 0
    return [row for row in merged.values() if row["n"]]


def _pending_counts(reviews):
    return (
        reviews.values("department_id", currency=F("deal__currency"))
        # COUNT(*): the pending reviews' partial index alone can answer (review_pending).
        .annotate(n=Count("*"), cost=Sum("deal__weekly_cost_of_delay"))
        .order_by()
    )


def department_turnaround(
    past: dict, pending: list[dict], departments: list[Department], *, unit: str, rates, now
) -> list[DepartmentRow]:
    rows = []
    for department in departments:
        group = past.get((IntervalKind.REVIEW.value, "", department.pk))
        n = group.n if group else 0
        values, counts = (group.values, group.counts) if group else ({}, {})
        verdicts = counts.get("verdicts", 0)
        rows.append(
            DepartmentRow(
                department=department,
                intervals=n,
                p50=Figure(values.get("p50"), n),
                p90=Figure(values.get("p90"), n),
                median_calendar=values.get("cal"),
                within_sla=share(counts.get("within", 0), verdicts),
                returned=share(counts.get("returned", 0), verdicts),
                rereviews=Figure(counts.get("rereviews", 0), n),
                reassignments=Figure(counts.get("reassigned", 0), n),
                now=_now(
                    [r for r in pending if r["department_id"] == department.pk], rates, unit, now
                ),
            )
        )
    return rows


def waiting_now(now_rows: list[dict], rates: Rates) -> list[dict]:
    """Open deals being worked by the party they wait on (deals.waiting)."""
    result = []
    for party, label in PARTIES.items():
        # Deals being worked only: one on hold may wait on its sponsor (deals.waiting).
        rows = [r for r in now_rows if r["party"] == party and r["stage"] in ACTIVE_STAGES]
        count = sum(row["n"] for row in rows)
        result.append(
            {
                "party": party,
                "label": label,
                "count": Figure(count, count),
                "cost": total(((row["currency"], row["cost"]) for row in rows), rates),
            }
        )
    return result


def bottlenecks(stages: list[StageRow], departments: list[DepartmentRow]) -> list[Bottleneck]:
    """Each stage and department now: queue × median wait × cost of delay, ranked. The
    median is in calendar days, as the cost of delay is per calendar week; a median or a
    queue from fewer than five cases ranks nothing (listed last, by queue)."""
    rows = [
        Bottleneck(
            label=f"Stage: {row.label}",
            kind="stage",
            key=row.stage,
            queue=row.now.count,
            median_days=Figure(row.median_calendar, row.left),
            cost=row.now.cost,
            score=None,
        )
        for row in stages
        if row.stage in ACTIVE_STAGES
    ] + [
        Bottleneck(
            label=f"Department: {row.department.name}",
            kind="department",
            key=str(row.department.pk),
            queue=row.now.count,
            median_days=Figure(row.median_calendar, row.intervals),
            cost=row.now.cost,
            score=None,
        )
        for row in departments
    ]
    for row in rows:
        # A queue of fewer than five deals is not ranked: its money would be shown by
        # its place in the list.
        if row.median_days.shown and row.queue.shown:
            weeks = Decimal(str(round(row.median_days.value, 2))) / 7
            row.score = (row.cost.amount * weeks).quantize(Decimal("1"))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), -(r.queue.value or 0), r.label))
    return rows


def term_categories(user, form, extra: list[int]) -> list[dict]:
    """Revision rounds (a revision after a term's first wording) and approval resets (a
    revision that re-opened its department's verdict), per term category: from the term
    tally's rows this person may see and the `extra` deals' revisions (past's), or, with
    filters, counted live. One query."""
    if form.deal_q():
        rows = _revision_counts(
            scoped_by_id(TermRevision.objects.all(), user, form, "term__deal__")
        )
    else:
        rows = (
            TermTally.objects.seen_by(user)
            .values(kind=F("category"))
            .annotate(terms=Sum("terms"), revisions=Sum("revisions"), resets=Sum("resets"))
            .order_by()
        )
        if extra:
            seen = TermRevision.objects.filter(term__deal_id__any_of=extra)
            rows = rows.union(_revision_counts(seen), all=True)
    found: dict[str, dict] = {}
    for row in rows:
        sums = found.setdefault(row["kind"], {"terms": 0, "revisions": 0, "resets": 0})
        for name in sums:
            sums[name] += row[name]
    rows = found
    result = []
    for category in TermCategory:
        row = rows.get(category.value, {})
        terms = row.get("terms", 0)
        result.append(
            {
                "category": category.value,
                "label": category.label,
                "terms": Figure(terms, terms),
                "revisions": Figure(row.get("revisions", 0), terms),
                "resets": Figure(row.get("resets", 0), terms),
                "per_term": Figure(
                    round(row.get("revisions", 0) / terms, 1) if terms else None, terms
                ),
            }
        )
    return result


def _revision_counts(revisions):
    """Terms, later revisions and resets of `revisions`, per category."""
    return (
        revisions.values(kind=F("term__category"))
        .annotate(
            # Each term has one first revision: counting them counts terms, no DISTINCT.
            terms=Count("pk", filter=Q(number=1)),
            revisions=Count("pk", filter=Q(number__gt=1)),
            resets=Count("pk", filter=Q(reopened_review=True)),
        )
        .order_by()
    )


def months_back(today: dt.date, count: int) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def monthly_trend(found: dict, months: list[dt.date]) -> list[dict]:
    """Review turnaround per UTC month the intervals ended in (`found`: past's)."""
    result = []
    for month in months:
        group = found.get((month,))  # groups are keyed by a tuple of the `by` values
        n = group.n if group else 0
        result.append(
            {
                "month": month,
                "intervals": Figure(n, n),
                "p50": Figure(group.values["p50"] if group else None, n),
                "p90": Figure(group.values["p90"] if group else None, n),
                "within_sla": share(
                    group.counts["within"] if group else 0, group.counts["verdicts"] if group else 0
                ),
            }
        )
    return result


def where_time_goes(user, form: AnalyticsFilterForm) -> dict:
    """Every figure of the page for this person and these filters."""
    unit = form.values["days"]
    now = timezone.now()
    rates = rates_on(timezone.localdate(now))
    deals = scoped(Deal.objects.all(), user, form)
    departments = departments_for(user)
    ids = [d.pk for d in departments]
    months = months_back(timezone.localdate(now), TREND_MONTHS)
    # The confidential deals this person sees besides those the tallies key to them.
    extra = confidential_read_live(user) or []
    history, by_month = past(user, form, extra, unit=unit, since=months[0])
    now_rows = deals_now(deals)
    stages = stage_funnel(history, now_rows, unit=unit, rates=rates, now=now)
    turnaround = department_turnaround(
        history,
        pending_reviews(user, form, ids, extra),
        departments,
        unit=unit,
        rates=rates,
        now=now,
    )
    return {
        "unit": unit,
        "stages": stages,
        "departments": turnaround,
        "waiting": waiting_now(now_rows, rates),
        "bottlenecks": bottlenecks(stages, turnaround),
        "categories": term_categories(user, form, extra),
        "trend": monthly_trend(by_month, months),
        "has_data": any(row.left or row.now.count.value for row in stages)
        or any(row.intervals or row.now.count.value for row in turnaround),
    }
