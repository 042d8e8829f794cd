"""Business-case arithmetic: pure functions over Decimal, no database.

A case is a list of years (1 to 10). Each year has four amounts, all zero or
more: revenue growth and cost savings (the benefits), one-off costs and running
costs. The conventions, chosen so that every figure can be checked by hand:

- Cash flows happen in the year they are booked; year t is discounted by
  (1 + rate)^t (end-of-year discounting). At a 0 % rate the NPV is the plain sum.
- For the payback period, one-off costs fall on the first day of their year;
  benefits and running costs are spread evenly over the year's twelve months.
  Payback is the number of months after which the running total stays at zero
  or above for the rest of the case; None when the case never pays back.
- A year the case leaves out counts as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0")
WEEKS_PER_YEAR = 52
MAX_YEARS = 10


class YearLike(Protocol):
    year: int
    revenue_growth: Decimal
    cost_savings: Decimal
    one_off_costs: Decimal
    running_costs: Decimal


@dataclass(frozen=True)
class Year:
    """One year of a case; CaseYear rows quack the same way."""

    year: int
    revenue_growth: Decimal = ZERO
    cost_savings: Decimal = ZERO
    one_off_costs: Decimal = ZERO
    running_costs: Decimal = ZERO


def dense(years: Iterable[YearLike]) -> list[YearLike]:
    """Years 1..n in order, with any year left out filled in as zero."""
    by_number = {y.year: y for y in years}
    if not by_number:
        return []
    return [by_number.get(n, Year(year=n)) for n in range(1, max(by_number) + 1)]


def benefit(year: YearLike) -> Decimal:
    return year.revenue_growth + year.cost_savings


def cost(year: YearLike) -> Decimal:
    return year.one_off_costs + year.running_costs


def net_flows(years: Iterable[YearLike]) -> list[Decimal]:
    """Net cash flow of each year, year 1 first."""
    return [benefit(y) - cost(y) for y in dense(years)]


def totals(years: Iterable[YearLike]) -> dict[str, Decimal]:
    rows = dense(years)
    result = {
        "revenue_growth": sum((y.revenue_growth for y in rows), ZERO),
        "cost_savings": sum((y.cost_savings for y in rows), ZERO),
        "one_off_costs": sum((y.one_off_costs for y in rows), ZERO),
        "running_costs": sum((y.running_costs for y in rows), ZERO),
    }
    result["benefits"] = result["revenue_growth"] + result["cost_savings"]
    result["costs"] = result["one_off_costs"] + result["running_costs"]
    result["net"] = result["benefits"] - result["costs"]
    return result


def npv(years: Iterable[YearLike], rate_percent: Decimal) -> Decimal:
    """Net present value at an annual discount rate given in per cent, to the cent."""
    if not ZERO <= rate_percent <= 100:
        raise ValueError("The discount rate must be between 0 and 100 per cent.")
    factor = 1 + rate_percent / 100
    value = sum(
        (flow / factor**t for t, flow in enumerate(net_flows(years), start=1)),
        ZERO,
    )
    return value.quantize(CENT)


def roi(years: Iterable[YearLike]) -> Decimal | None:
    """Return on investment in per cent (net over costs), undiscounted; None without costs."""
    figures = totals(years)
    if not figures["costs"]:
        return None
    return (100 * figures["net"] / figures["costs"]).quantize(TENTH)


def payback_months(years: Iterable[YearLike]) -> int | None:
    """Months until the running total turns non-negative for good; None if never."""
    rows = dense(years)
    if not rows:
        return None
    # Twelve times the running total keeps every step exact: no division by 12.
    running12 = ZERO
    last_negative = -1  # index of the last month-end (0 = day one) with a negative total
    month = 0
    for row in rows:
        running12 -= 12 * row.one_off_costs
        if running12 < 0:
            last_negative = month
        monthly12 = benefit(row) - row.running_costs
        for _ in range(12):
            month += 1
            running12 += monthly12
            if running12 < 0:
                last_negative = month
    if running12 < 0:
        return None
    return last_negative + 1


def yearly_net_benefit(years: Iterable[YearLike]) -> Decimal:
    """Average net benefit of a year once live: benefits less running costs.

    One-off costs are left out: they are paid whether the deal starts this week
    or next, while each week of delay loses a week of the running benefit.
    """
    rows = dense(years)
    if not rows:
        return ZERO
    return sum((benefit(y) - y.running_costs for y in rows), ZERO) / len(rows)


def weekly_cost_of_delay(years: Iterable[YearLike]) -> Decimal:
    """What each week of delay costs: the yearly net benefit over 52, never below zero."""
    return max(ZERO, yearly_net_benefit(years) / WEEKS_PER_YEAR).quantize(CENT)


def summarise(years: Sequence[YearLike], rate_percent: Decimal) -> dict[str, object]:
    """Every figure a page shows about a case, computed once."""
    return {
        "totals": totals(years),
        "npv": npv(years, rate_percent),
        "roi": roi(years),
        "payback_months": payback_months(years),
        "yearly_net_benefit": yearly_net_benefit(years).quantize(CENT),
        "weekly_cost_of_delay": weekly_cost_of_delay(years),
    }
