"""Where a metric stands against the straight line from baseline to target."""

import datetime as dt
from decimal import Decimal

import pytest

from metrics.models import Direction, MetricStatus, OutcomeMetric

START, END = dt.date(2025, 1, 1), dt.date(2026, 1, 1)  # 365 days
HALFWAY = START + dt.timedelta(days=182)  # the line promises 49.9 % of the change


def metric(**overrides) -> OutcomeMetric:
    fields = {
        "baseline": Decimal(0),
        "target": Decimal(100),
        "direction": Direction.INCREASE,
        "start_date": START,
        "target_date": END,
    }
    fields.update(overrides)
    return OutcomeMetric(**fields)


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (Decimal(60), MetricStatus.ON_TRACK),  # ahead of the line
        (Decimal(45), MetricStatus.ON_TRACK),  # 4.9 points behind: within the 10-point tolerance
        (Decimal(30), MetricStatus.AT_RISK),  # 19.9 points behind
        (Decimal(20), MetricStatus.OFF_TRACK),  # 29.9 points behind
    ],
)
def test_a_metric_is_on_track_at_risk_or_off_track_against_the_line(actual, status):
    assert metric(latest_value=actual, latest_on=HALFWAY).status == status


def test_a_falling_metric_is_judged_the_same_way():
    falling = metric(baseline=Decimal(100), target=Decimal(50), direction=Direction.DECREASE)
    falling.latest_on = HALFWAY
    falling.latest_value = Decimal(80)  # 40 % of the change, 9.9 points behind
    assert falling.status == MetricStatus.ON_TRACK
    falling.latest_value = Decimal(95)  # 10 %: 39.9 points behind
    assert falling.status == MetricStatus.OFF_TRACK
    falling.latest_value = Decimal(120)  # moved the wrong way
    assert falling.status == MetricStatus.OFF_TRACK


def test_before_the_start_the_baseline_is_on_track():
    early = metric(latest_value=Decimal(0), latest_on=START - dt.timedelta(days=30))
    assert early.status == MetricStatus.ON_TRACK


def test_after_the_target_date_only_the_target_is_on_track():
    late = metric(latest_value=Decimal(85), latest_on=END + dt.timedelta(days=10))
    assert late.status == MetricStatus.AT_RISK
    late.latest_value = Decimal(100)
    assert late.status == MetricStatus.ON_TRACK
    assert late.target_met


def test_a_metric_without_check_ins_is_not_measured_yet():
    assert metric().status == MetricStatus.NOT_MEASURED
    assert metric().progress is None


def test_progress_is_the_share_of_the_promised_change_achieved():
    assert metric(latest_value=Decimal(25), latest_on=HALFWAY).progress == 25
    assert metric().expected_on(HALFWAY) == Decimal(100) * 182 / 365
