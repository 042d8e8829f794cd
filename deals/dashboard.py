"""The dashboard's pictures, as figures: each a fixed number of queries over a bounded
set of rows (the tallies of deals.models.tally, or a top N an index serves), converted
into the reporting currency at the rates of the day (core.money).

Each figure counts only what the viewer may see: the tallies they may see
(TallyQuerySet.seen_by) and the confidential deals the tallies leave out (`secret`, their
ids: selectors.confidential_read_live), read live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.money import Rates, Total, rates_on, total
from core.sql import as_date, as_decimal, fetch, table
from core.tally import seen_sql
from metrics.models import OutcomeMetric, expected_share

from .models import Deal, DealQuerySet, MoveTally, Stage
from .selectors import confidential_read_live, dashboard_tiles, seen_current

WEEK = dt.timedelta(days=7)
HEAT_WEEKS = 8
SIGNED_MONTHS = 12
LIVE_DEALS_SHOWN = 8
BUBBLES = 15


def dashboard_figures(user) -> dict:
    """The tiles and the pictures' figures for one person: a fixed number of queries."""
    rates = rates_on()
    weeks = heat_weeks()
    secret = confidential_read_live(user)
    tiles = dashboard_tiles(
        user,
        rates,
        stalled_shown=BUBBLES,
        reviews_due=(weeks[0], weeks[-1] + WEEK),
        secret=secret,
    )
    deals = seen_current(user, secret)
    placed, unplaced = bubbles(tiles["stalled_by_cost"], rates)
    return {
        "rates": rates,
        "tiles": tiles,
        "stages": value_by_stage(user, secret, tiles["rows"], rates),
        "bubbles": placed,
        "unplaced": unplaced,
        "heat": review_heat_map(weeks, tiles["review_rows"], tiles["departments"]),
        "live": promised_and_realised(deals),
        "months": signed_by_month(user, secret, rates),
    }


# Value by stage, and how it changed in the last seven days.


@dataclass
class StageValue:
    stage: str
    label: str
    count: int
    value: Total
    change: Total  # value that came in minus value that left in the last 7 days


def value_by_stage(
    user, secret: list[int] | None, rows: list[dict], rates: Rates
) -> list[StageValue]:
    """`rows` are the tiles' (stage, currency, n, total) groups; one more query finds the
    value that moved between stages in the last seven days (UTC days, this one included):
    each move in the window brings the deal's value into the stage it entered and takes
    it out of the one it left (a deal created in the window came from nowhere), so a
    deal that moved on twice counts once, where it is now. From the move tallies, plus
    the moves of the confidential deals this person may see (`secret`), read live.
    Edits of a contract value are not moves and are not counted as change."""
    since = (timezone.now() - WEEK).astimezone(dt.UTC).date()
    seen, seen_params = seen_sql(user)
    parts: list = [
        (
            "SELECT from_stage, to_stage, currency, SUM(value)"
            f" FROM {table(MoveTally)} WHERE day >= %s AND {seen}"
            " GROUP BY from_stage, to_stage, currency",
            [since, *seen_params],
        )
    ]
    if secret:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        parts.append(
            # From the deals (by id) to their moves (the (deal, at) index).
            Deal.objects.filter(pk__any_of=secret, stage_changes__at__gte=start)
            .values(
                left=F("stage_changes__from_stage"),
                entered=F("stage_changes__to_stage"),
                in_currency=F("currency"),
            )
            .annotate(value=Sum("contract_value"))
            .order_by()
        )
    came: dict[str, list] = {}
    went: dict[str, list] = {}
    for left, entered, currency, value in fetch(parts):
        value = as_decimal(value)
        came.setdefault(entered, []).append((currency, value))
        if left:
            went.setdefault(left, []).append((currency, -value))
    counts: dict[str, int] = {}
    values: dict[str, list] = {}
    for row in rows:
        counts[row["stage"]] = counts.get(row["stage"], 0) + row["n"]
        values.setdefault(row["stage"], []).append((row["currency"], row["total"]))
    return [
        StageValue(
            stage=stage.value,
            label=stage.label,
            count=counts.get(stage.value, 0),
            value=total(values.get(stage.value, []), rates),
            change=total(came.get(stage.value, []) + went.get(stage.value, []), rates),
        )
        for stage in Stage
    ]


# Stalled deals: days in stage against what a week of delay costs.


@dataclass
class Bubble:
    deal: Deal
    days: int
    cost: Decimal | None  # per week, in the reporting currency; None: no rate
    value: Decimal | None


def bubbles(stalled: list[Deal], rates: Rates) -> tuple[list[Bubble], list[Deal]]:
    """The stalled deals the tiles found (the costliest few), placed on one axis of
    money; those in a currency without a rate cannot be placed and are returned apart."""
    placed, unplaced = [], []
    for deal in stalled:
        cost = rates.convert(deal.weekly_cost_of_delay, deal.currency)
        if cost is None:
            unplaced.append(deal)
            continue
        placed.append(
            Bubble(
                deal=deal,
                days=deal.days_in_stage,
                cost=cost,
                value=rates.convert(deal.contract_value, deal.currency),
            )
        )
    return placed, unplaced


# The review SLA: per department and week of the due date, how many answered late.


@dataclass
class HeatCell:
    due: int = 0
    late: int = 0  # answered after the due date, or still unanswered past it
    overdue: int = 0  # still waiting for a verdict past the due date

    @property
    def share_late(self) -> float:
        return self.late / self.due if self.due else 0.0

    @property
    def text(self) -> str:
        """The cell of the heat map's table: late/due and those still overdue, or a dash.
        (Written here: 48 cells of three numbers each cost the template a millisecond.)"""
        if not self.due:
            return "—"
        return f"{self.late}/{self.due}" + (f" ({self.overdue} overdue)" if self.overdue else "")


@dataclass
class HeatMap:
    weeks: list[dt.date]
    rows: list[tuple[str, list[HeatCell]]] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(c.due for _, cells in self.rows for c in cells)

    @property
    def late(self) -> int:
        return sum(c.late for _, cells in self.rows for c in cells)

    @property
    def overdue(self) -> int:
        return sum(c.overdue for _, cells in self.rows for c in cells)


def heat_weeks() -> list[dt.date]:
    """The Mondays of the last eight weeks, this one included."""
    today = timezone.localdate()
    this_week = today - dt.timedelta(days=today.weekday())
    return [this_week - WEEK * i for i in range(HEAT_WEEKS - 1, -1, -1)]


def review_heat_map(weeks: list[dt.date], rows: list[dict], departments: list[dict]) -> HeatMap:
    """Reviews of visible deals due in the eight `weeks`, by department and week of the due
    date. `rows` are the tiles' review groups (selectors.review_counts: one GROUP BY with
    the pending counts, per department and week, tallies.due_week, inside the window)."""
    cells: dict[tuple[int, dt.date], HeatCell] = {}
    for row in rows:
        if row["day"] is None:
            continue  # pending, due outside the window
        cell = cells.setdefault((row["department_pk"], row["day"]), HeatCell())
        cell.due += row["due"]
        cell.late += row["late"]
        cell.overdue += row["waiting"]
    return HeatMap(
        weeks=weeks,
        rows=[
            (d["name"], [cells.get((d["pk"], w), HeatCell()) for w in weeks]) for d in departments
        ],
    )


# Promised against realised: live deals' outcome metrics.


@dataclass
class LiveDeal:
    deal: Deal
    metrics: int = 0
    measured: int = 0
    promised: int = 0  # mean per cent of the change the line promised by each check-in
    realised: int = 0  # mean per cent of the change the check-ins show
    on_track: int = 0


def promised_and_realised(deals: DealQuerySet) -> list[LiveDeal]:
    """The live deals worth most a week (top N by the cost-of-delay index) and, for each,
    its measured metrics: the share of the baseline→target change that the straight line
    promised by the latest check-in, against the share that check-in shows. Two queries."""
    top = list(
        deals.filter(stage=Stage.LIVE)
        .listed(partner=False)
        .order_by("-weekly_cost_of_delay", "pk")[:LIVE_DEALS_SHOWN]
    )
    found = {deal.pk: LiveDeal(deal) for deal in top}
    promised: dict[int, list[Decimal]] = {}
    realised: dict[int, list[Decimal]] = {}
    for metric in OutcomeMetric.objects.filter(deal__in=list(found)).order_by("deal", "pk"):
        entry = found[metric.deal_id]
        entry.metrics += 1
        if metric.latest_value is None or metric.latest_on is None:
            continue
        entry.measured += 1
        entry.on_track += metric.status == "on_track"
        share = expected_share(metric.start_date, metric.target_date, metric.latest_on)
        promised.setdefault(metric.deal_id, []).append(100 * share)
        realised.setdefault(metric.deal_id, []).append(Decimal(metric.progress))
    for pk, entry in found.items():
        if entry.measured:
            entry.promised = round(sum(promised[pk]) / entry.measured)
            entry.realised = round(sum(realised[pk]) / entry.measured)
    return list(found.values())


# Signed value per month.


@dataclass
class Month:
    month: dt.date
    count: int
    value: Total


def signed_by_month(user, secret: list[int] | None, rates: Rates) -> list[Month]:
    """Contract value signed in each of the last twelve months (this one included): the
    moves into Signed of current deals, by UTC month, from the move tallies, plus those
    of the confidential deals this person may see (`secret`), read live. A deal signed twice in
    the window (put on hold and signed again) counts in both months."""
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(SIGNED_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    starts, month = [], first
    while month <= today:
        starts.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    # The month of a day, as a CASE of the months: portable SQL.
    bucket = " ".join("WHEN day >= %s AND day < %s THEN %s" for _ in starts)
    bucket_params = [
        p
        for start, end in zip(starts, [*starts[1:], month], strict=True)
        for p in (start, end, start)
    ]
    seen, seen_params = seen_sql(user)
    parts: list = [
        (
            f"SELECT CASE {bucket} END AS month, currency, SUM(moves), SUM(value)"
            f" FROM {table(MoveTally)} WHERE to_stage = %s AND day >= %s AND {seen}"
            " GROUP BY 1, currency",
            [*bucket_params, Stage.SIGNED.value, first, *seen_params],
        )
    ]
    if secret:
        start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
        parts.append(
            Deal.objects.filter(
                pk__any_of=secret,
                stage_changes__to_stage=Stage.SIGNED,
                stage_changes__at__gte=start,
            )
            .annotate(
                month=TruncMonth("stage_changes__at", tzinfo=dt.UTC, output_field=DateField()),
                in_currency=F("currency"),
            )
            .values("month", "in_currency")
            .annotate(n=Count("pk"), value=Sum("contract_value"))
            .order_by()
        )
    by_month: dict[dt.date, list] = {}
    counts: dict[dt.date, int] = {}
    for month, currency, n, value in fetch(parts):
        month = as_date(month)
        if month is None or month < first:
            continue  # never signed, or signed before the window and moved since
        by_month.setdefault(month, []).append((currency, as_decimal(value)))
        counts[month] = counts.get(month, 0) + n
    return [Month(m, counts.get(m, 0), total(by_month.get(m, []), rates)) for m in starts]
