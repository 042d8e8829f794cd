"""Metric charts are zoomed to their data, with ticks, labelled axes and the target line;
the cash-flow chart is the same on the page and in the PDF."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from metrics import charts
from metrics.models import CheckIn, Direction, OutcomeMetric

TODAY = dt.date(2026, 12, 1)


def metric(**fields) -> OutcomeMetric:
    values = {
        "pk": 7,
        "name": "Supplier lead time",
        "unit": "weeks",
        "baseline": Decimal("14.66"),
        "target": Decimal("9.87"),
        "direction": Direction.DECREASE,
        "start_date": dt.date(2026, 9, 1),
        "target_date": dt.date(2029, 1, 9),
    }
    values.update(fields)
    return OutcomeMetric(**values)


def check_ins(*rows: tuple[dt.date, str]) -> list[CheckIn]:
    return [CheckIn(date=day, actual=Decimal(value)) for day, value in rows]


EARLY = check_ins(
    (dt.date(2026, 9, 29), "14.75"),
    (dt.date(2026, 10, 29), "14.56"),
    (dt.date(2026, 11, 28), "14.72"),
)


def svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_check_ins_early_in_a_long_plan_fill_the_axis_and_the_target_date_lies_beyond():
    axes = charts.metric_axes(metric(), EARLY, today=TODAY)

    # From the baseline's start (before the first check-in) to today, a few days' padding.
    assert dt.date(2026, 8, 25) <= axes.first < dt.date(2026, 9, 1)
    assert dt.date(2026, 12, 1) < axes.last <= dt.date(2026, 12, 8)
    assert not axes.target_in_view
    data_share = (dt.date(2026, 11, 28) - dt.date(2026, 9, 1)) / (axes.last - axes.first)
    assert data_share > 0.8  # not squeezed into the first tenth of an axis to 2029


def test_the_axis_runs_to_the_target_date_when_the_check_ins_cover_a_fair_share():
    late = check_ins((dt.date(2027, 6, 1), "12"), (dt.date(2028, 3, 1), "11"))
    axes = charts.metric_axes(metric(), late, today=dt.date(2028, 3, 5))

    assert axes.first < dt.date(2026, 9, 1) and axes.last > dt.date(2029, 1, 9)
    assert axes.target_in_view
    assert (axes.last - dt.date(2029, 1, 9)).days < 60  # padding, not a year


def test_without_check_ins_the_axis_is_the_plan_from_start_to_target():
    axes = charts.metric_axes(metric(), [], today=TODAY)
    assert axes.first < dt.date(2026, 9, 1) < dt.date(2029, 1, 9) < axes.last
    assert axes.target_in_view


def test_a_start_after_the_check_ins_does_not_stretch_the_axis():
    later_start = metric(start_date=dt.date(2027, 7, 19))
    axes = charts.metric_axes(later_start, EARLY, today=TODAY)
    assert dt.date(2026, 9, 20) < axes.first <= dt.date(2026, 9, 29)
    assert axes.last <= dt.date(2026, 12, 8)


def test_value_ticks_are_round_and_cover_baseline_target_and_check_ins():
    axes = charts.metric_axes(metric(), EARLY, today=TODAY)
    assert axes.y_ticks == [8, 10, 12, 14, 16]
    assert (axes.low, axes.high) == (8, 16)
    assert charts.value_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1]
    assert charts.value_ticks(-288_000, 3_606_800) == [-1e6, 0, 1e6, 2e6, 3e6, 4e6]
    assert charts.value_ticks(5, 5)[0] < 5 < charts.value_ticks(5, 5)[-1]


def test_date_ticks_fall_on_calendar_boundaries():
    # Three years: half-yearly ticks, January and July (at most six).
    assert charts.date_ticks(dt.date(2026, 1, 10), dt.date(2029, 2, 1)) == [
        dt.date(2026, 7, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 7, 1),
        dt.date(2028, 1, 1),
        dt.date(2028, 7, 1),
        dt.date(2029, 1, 1),
    ]
    years = charts.date_ticks(dt.date(2024, 3, 1), dt.date(2030, 2, 1))
    assert years == [dt.date(y, 1, 1) for y in range(2025, 2031)]
    months = charts.date_ticks(dt.date(2026, 8, 20), dt.date(2026, 12, 5))
    assert months == [dt.date(2026, m, 1) for m in (9, 10, 11, 12)]
    weeks = charts.date_ticks(dt.date(2026, 9, 20), dt.date(2026, 10, 20))
    assert all(day.weekday() == 0 for day in weeks) and 2 <= len(weeks) <= 6


def test_the_chart_labels_its_axes_ticks_target_and_baseline():
    svg = charts.metric_chart(metric(), EARLY, today=TODAY)
    texts = svg_texts(svg)

    assert "weeks" in texts and "Date of check-in" in texts
    assert {"8", "10", "12", "14", "16"} <= set(texts)
    assert {"Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026"} <= set(texts)
    assert "Target 9.87 by Jan 2029 →" in texts  # the arrow: its date lies beyond the axis
    assert "Baseline 14.66" in texts
    assert svg.count('class="chart-goal"') == 1 and svg.count('class="chart-baseline"') == 1
    assert svg.count('class="chart-point"') == 3
    assert 'class="chart-today"' in svg


def test_the_chart_is_an_image_with_a_title_and_a_description_of_its_span():
    svg = charts.metric_chart(metric(), EARLY, today=TODAY)
    assert 'role="img"' in svg
    assert 'aria-labelledby="metric-7-chart-title metric-7-chart-desc"' in svg
    assert '<title id="metric-7-chart-title">Supplier lead time: check-ins' in svg
    desc = re.search(r'<desc id="metric-7-chart-desc">([^<]*)</desc>', svg).group(1)
    assert "3 check-ins; the latest, on 28 Nov 2026, was 14.72 weeks." in desc
    assert "the target date lies beyond it" in desc
    assert 'data-first="2026-08-' in svg


def test_points_sit_inside_the_plot_and_the_target_line_is_drawn():
    svg = charts.metric_chart(metric(), EARLY, width=640, height=260, today=TODAY)
    xs = [float(x) for x in re.findall(r'<circle class="chart-point" cx="([\d.]+)"', svg)]
    assert all(64 <= x <= 620 for x in xs)
    assert xs[-1] - xs[0] > 0.6 * (620 - 64)  # spread over the plot, not bunched
    assert '<polyline class="chart-target" fill="none"' in svg


def test_a_compact_chart_still_has_ticks_and_a_labelled_target():
    svg = charts.metric_chart(metric(), EARLY, width=320, height=150, compact=True, today=TODAY)
    texts = svg_texts(svg)
    assert "Target 9.87 →" in texts and "weeks" in texts
    assert len([t for t in texts if re.fullmatch(r"[A-Z][a-z]{2} 2026", t)]) >= 2
    assert 'id="metric-7-chart-mini-title"' in svg


def test_hostile_text_is_escaped():
    svg = charts.metric_chart(metric(name="<script>x</script>", unit="<b>"), EARLY, today=TODAY)
    assert "<script>" not in svg and "<b>" not in svg


class Case:
    """Just what cash_flow reads: the year rows."""

    def __init__(self, rows):
        self.year_rows = rows


class Year:
    def __init__(self, year, revenue=0, savings=0, one_off=0, running=0):
        self.year = year
        self.revenue_growth, self.cost_savings = Decimal(revenue), Decimal(savings)
        self.one_off_costs, self.running_costs = Decimal(one_off), Decimal(running)


@pytest.fixture
def flow():
    return charts.cash_flow(
        Case([Year(1, savings=100_000, one_off=150_000), Year(2, 50_000, 150_000, running=20_000)])
    )


def test_the_cash_flow_adds_benefits_costs_and_a_running_total(flow):
    assert [(r.year, r.benefits, r.costs, r.net, r.running) for r in flow] == [
        (1, 100_000, 150_000, -50_000, -50_000),
        (2, 200_000, 20_000, 180_000, 130_000),
    ]


def test_the_cash_flow_chart_is_labelled_with_ticks_and_years(flow):
    svg = charts.cash_flow_chart(flow, "EUR", chart_id="case-1")
    texts = svg_texts(svg)
    assert 'role="img"' in svg and 'aria-labelledby="case-1-title case-1-desc"' in svg
    assert "Year 1" in texts and "Year 2" in texts and "EUR" in texts
    assert texts[:5] == ["-200,000", "-100,000", "0", "100,000", "200,000"]
    assert "Year 1: benefits 100,000, costs 150,000, running net total -50,000." in svg
    assert "turns positive in year 2" in svg
    assert svg.count('class="bar-benefit"') == 2 and svg.count('class="bar-cost"') == 2
