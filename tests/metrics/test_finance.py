"""The business-case arithmetic: cases worked by hand, and properties that must always hold."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.finance import (
    Year,
    npv,
    payback_months,
    roi,
    totals,
    weekly_cost_of_delay,
    yearly_net_benefit,
)

D = Decimal


def test_npv_at_ten_per_cent_of_two_equal_years_is_worked_out_by_hand():
    years = [Year(1, revenue_growth=D(100)), Year(2, revenue_growth=D(100))]
    # 100 / 1.1 + 100 / 1.21 = 90.909… + 82.644… = 173.55
    assert npv(years, D(10)) == D("173.55")


def test_a_case_that_earns_back_its_one_off_cost_in_a_year_pays_back_in_twelve_months():
    years = [Year(1, cost_savings=D(120_000), one_off_costs=D(120_000))]
    assert payback_months(years) == 12
    assert npv(years, D(0)) == D("0.00")
    assert roi(years) == D("0.0")


def test_half_a_year_of_savings_pays_back_half_the_year_one_cost():
    years = [
        Year(1, cost_savings=D(120_000), one_off_costs=D(60_000)),
        Year(2, cost_savings=D(120_000)),
    ]
    assert payback_months(years) == 6


def test_payback_waits_until_the_running_total_stays_positive():
    # Year 1 earns 120k; a 200k one-off on the first day of year 2 sends the total
    # to -80k, which 10k a month earns back in 8 more months: month 20.
    years = [
        Year(1, revenue_growth=D(120_000)),
        Year(2, revenue_growth=D(120_000), one_off_costs=D(200_000)),
    ]
    assert payback_months(years) == 20


def test_a_case_that_never_earns_back_its_costs_has_no_payback():
    years = [
        Year(1, cost_savings=D(10_000), one_off_costs=D(50_000)),
        Year(2, cost_savings=D(10_000)),
    ]
    assert payback_months(years) is None


def test_a_case_without_costs_pays_back_immediately():
    assert payback_months([Year(1, revenue_growth=D(5))]) == 0


def test_roi_is_net_over_costs():
    years = [Year(1, revenue_growth=D(300), one_off_costs=D(150), running_costs=D(50))]
    assert roi(years) == D("50.0")
    assert roi([Year(1, revenue_growth=D(300))]) is None


def test_totals_add_up_each_column_and_the_net():
    years = [
        Year(1, D(10), D(20), D(5), D(1)),
        Year(2, D(30), D(40), D(0), D(2)),
    ]
    assert totals(years) == {
        "revenue_growth": D(40),
        "cost_savings": D(60),
        "one_off_costs": D(5),
        "running_costs": D(3),
        "benefits": D(100),
        "costs": D(8),
        "net": D(92),
    }


def test_a_year_left_out_counts_as_zero():
    years = [Year(1, revenue_growth=D(100)), Year(3, revenue_growth=D(100))]
    # Year 3 is discounted twice more than year 1, not as year 2.
    assert npv(years, D(10)) == (D(100) / D("1.1") + D(100) / D("1.331")).quantize(D("0.01"))
    assert yearly_net_benefit(years) == D(200) / 3


def test_cost_of_delay_is_the_yearly_net_benefit_over_52_weeks_without_one_off_costs():
    years = [
        Year(1, revenue_growth=D(60_000), one_off_costs=D(500_000), running_costs=D(8_000)),
        Year(2, revenue_growth=D(60_000), running_costs=D(8_000)),
    ]
    assert weekly_cost_of_delay(years) == D("1000.00")


def test_a_loss_making_case_costs_nothing_to_delay():
    assert weekly_cost_of_delay([Year(1, running_costs=D(1000))]) == D("0.00")


@pytest.mark.parametrize("rate", [D("-0.01"), D("100.01")])
def test_a_discount_rate_outside_0_to_100_is_refused(rate):
    with pytest.raises(ValueError, match="between 0 and 100"):
        npv([Year(1, revenue_growth=D(1))], rate)


money = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
year_rows = st.lists(st.tuples(money, money, money, money), min_size=1, max_size=10)
rates = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def as_years(rows) -> list[Year]:
    return [Year(n, *row) for n, row in enumerate(rows, start=1)]


@given(year_rows)
def test_npv_at_a_zero_rate_equals_the_plain_sum(rows):
    years = as_years(rows)
    assert npv(years, D(0)) == totals(years)["net"]


@given(year_rows, st.integers(min_value=0, max_value=9), st.sampled_from([2, 3]), money)
@settings(max_examples=300)
def test_payback_never_shortens_when_costs_rise(rows, index, column, extra):
    years = as_years(rows)
    before = payback_months(years)
    raised = list(rows)
    at = index % len(raised)
    row = list(raised[at])
    row[column] += extra
    raised[at] = tuple(row)
    after = payback_months(as_years(raised))
    if before is None:
        assert after is None
    elif after is not None:
        assert after >= before


@given(year_rows, rates, rates)
def test_npv_of_a_case_with_only_benefits_falls_as_the_rate_rises(rows, a, b):
    years = [Year(y.year, y.revenue_growth, y.cost_savings) for y in as_years(rows)]
    low, high = sorted([a, b])
    assert npv(years, high) <= npv(years, low)


@given(year_rows)
def test_cost_of_delay_is_never_negative_and_never_above_the_best_year(rows):
    years = as_years(rows)
    weekly = weekly_cost_of_delay(years)
    best = max(y.revenue_growth + y.cost_savings for y in years)
    assert D(0) <= weekly <= (best / 52).quantize(D("0.01")) + D("0.01")
