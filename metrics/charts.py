"""Server-rendered SVG charts: no script, no inline style (the CSP allows neither).

Colours come from classes in static/css/dealdesk.css (the PDF spells them out in
deals.briefing.CHART_STYLE); sizes are presentation attributes. Each chart is an
image with a title and a description for screen readers (aria-labelledby both);
the page shows the same numbers in a table.

A metric chart is zoomed to its data: the time axis runs from the first check-in
(or the baseline's start, when that comes first) to the last check-in, and on to the
target date only when the check-ins would still fill a fair share of the axis. The
target and the baseline are labelled lines across the plot whether or not the
target date is on it, so the distance still to go is always in view.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import CheckIn, OutcomeMetric

# The check-ins must fill at least this share of the time axis for the axis to run
# on to the target date; below it the axis stops after the last check-in.
MIN_DATA_SHARE = 1 / 3
# Steps for date ticks, smallest first: days, then months.
DAY_STEPS = (1, 2, 7, 14)
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)


def format_measure(value: Decimal | int | float | None) -> str:
    """1234.5000 → '1,234.5'; at most two decimals, no trailing zeros."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal("0.01"))
    text = f"{number:,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


class Scale:
    """Maps a domain onto pixels."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        if high == low:
            high = low + 1
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(self.start + share * (self.end - self.start), 1)


def value_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round-numbered ticks (1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high < low:
        low, high = high, low
    if high == low:
        spread = abs(low) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / max(1, most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    step = max(step, 0.01)  # measures have two decimals
    start = math.floor(low / step + 1e-9) * step
    count = math.ceil((high - start) / step - 1e-9)
    return [round(start + i * step, 10) for i in range(count + 1)]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def date_ticks(first: dt.date, last: dt.date, most: int = 6) -> list[dt.date]:
    """Calendar-aligned ticks within first..last: days, Mondays, or month starts."""
    if last <= first:
        return [first]
    for step in DAY_STEPS:
        day = first
        if step >= 7:  # weeks start on Mondays
            day += dt.timedelta(days=(7 - first.weekday()) % 7)
        ticks = []
        while day <= last:
            ticks.append(day)
            day += dt.timedelta(days=step)
        if 2 <= len(ticks) <= most:
            return ticks
    for step in MONTH_STEPS:
        month = _add_months(first, 0 if first.day == 1 else 1)
        month = _add_months(month, (-(month.month - 1)) % step)  # Jan/Apr/Jul/Oct for 3
        ticks = []
        while month <= last:
            ticks.append(month)
            month = _add_months(month, step)
        if len(ticks) <= most:
            return ticks or [first]
    return [first, last]


def _date_label(day: dt.date, ticks: Sequence[dt.date]) -> str:
    if len(ticks) > 1 and (ticks[1] - ticks[0]).days < 28:
        return f"{day.day} {day:%b}"
    return f"{day:%b %Y}"


@dataclass(frozen=True)
class Axes:
    """What a metric chart shows: the time span and the value span, with their ticks."""

    first: dt.date
    last: dt.date
    low: float
    high: float
    x_ticks: list[dt.date]
    y_ticks: list[float]
    target_in_view: bool


def metric_axes(
    metric: OutcomeMetric,
    check_ins: Sequence[CheckIn],
    *,
    today: dt.date | None = None,
    x_most: int = 6,
    y_most: int = 5,
) -> Axes:
    """The domain of a metric chart, computed from its data (see the module's doc)."""
    today = today or timezone.localdate()
    dates = sorted(c.date for c in check_ins)
    if not dates:  # nothing measured: the plan itself is the data
        start, end = metric.start_date, metric.target_date
    else:
        start = min(dates[0], metric.start_date)
        # Today, when it is past the last check-in and the target date is not: the gap
        # since the last measurement is part of the picture.
        end = max(dates[-1], min(today, metric.target_date))
        if metric.target_date > end:
            whole = (metric.target_date - start).days
            if (end - start).days >= whole * MIN_DATA_SHARE:
                end = metric.target_date
    span = (end - start).days
    pad = dt.timedelta(days=max(2, round(span * 0.04)) if span else 15)
    first, last = start - pad, end + pad
    values = [float(metric.baseline), float(metric.target), *(float(c.actual) for c in check_ins)]
    y_ticks = value_ticks(min(values), max(values), y_most)
    return Axes(
        first=first,
        last=last,
        low=y_ticks[0],
        high=y_ticks[-1],
        x_ticks=date_ticks(first, last, x_most),
        y_ticks=y_ticks,
        target_in_view=first <= metric.target_date <= last,
    )


def _plan_points(metric: OutcomeMetric, first: dt.date, last: dt.date) -> list[dt.date]:
    """Where the straight line from baseline to target bends, within first..last."""
    inside = [d for d in (metric.start_date, metric.target_date) if first < d < last]
    return [first, *inside, last]


def metric_chart(
    metric: OutcomeMetric,
    check_ins: Sequence[CheckIn],
    *,
    width: int = 640,
    height: int = 260,
    compact: bool = False,
    today: dt.date | None = None,
) -> SafeString:
    """Check-ins against the line from baseline to target, on axes zoomed to the data."""
    today = today or timezone.localdate()
    check_ins = sorted(check_ins, key=lambda c: (c.date, c.pk or 0))
    axes = metric_axes(
        metric, check_ins, today=today, x_most=3 if compact else 6, y_most=3 if compact else 5
    )
    left, right, top, bottom = (44, 10, 20, 22) if compact else (64, 20, 26, 46)
    plot_right, plot_bottom = width - right, height - bottom
    x = Scale(axes.first.toordinal(), axes.last.toordinal(), left, plot_right)
    y = Scale(axes.low, axes.high, plot_bottom, top)
    chart_id = f"metric-{metric.pk}-chart{'-mini' if compact else ''}"
    unit = escape(metric.unit)
    title = escape(f"{metric.name}: check-ins against the target line")
    desc = escape(
        f"From {format_measure(metric.baseline)} {metric.unit} on {format_day(metric.start_date)} "
        f"to {format_measure(metric.target)} {metric.unit} by {format_day(metric.target_date)}. "
        + (
            f"{len(check_ins)} check-in{'s' if len(check_ins) != 1 else ''}; the latest, on "
            f"{format_day(check_ins[-1].date)}, was {format_measure(check_ins[-1].actual)} "
            f"{metric.unit}. "
            if check_ins
            else "No check-ins yet. "
        )
        + f"The time axis runs from {format_day(axes.first)} to {format_day(axes.last)}"
        + ("." if axes.target_in_view else "; the target date lies beyond it.")
    )
    parts = [
        f'<svg class="chart{" chart-mini" if compact else ""}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'data-first="{axes.first.isoformat()}" data-last="{axes.last.isoformat()}">',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">{desc}</desc>',
        f'<rect class="chart-frame" x="{left}" y="{top}" width="{plot_right - left}" '
        f'height="{plot_bottom - top}"></rect>',
    ]
    # Value axis: gridlines with their labels, and the unit above them.
    for tick in axes.y_ticks:
        py = y(tick)
        parts.append(
            f'<line class="chart-grid" x1="{left}" y1="{py}" x2="{plot_right}" y2="{py}"></line>'
            f'<text class="chart-label chart-tick" x="{left - 6}" y="{py + 4}" '
            f'text-anchor="end">{escape(format_measure(tick))}</text>'
        )
    parts.append(
        f'<text class="chart-label chart-axis-title" x="{left}" y="{top - 7}" '
        f'text-anchor="start">{unit or "Value"}</text>'
    )
    # Time axis: calendar ticks below the plot.
    for tick in axes.x_ticks:
        px = x(tick.toordinal())
        # A label near either edge is anchored inside, not cut off.
        anchor = "end" if px > width - 32 else "start" if px < 32 else "middle"
        parts.append(
            f'<line class="chart-axis" x1="{px}" y1="{plot_bottom}" x2="{px}" '
            f'y2="{plot_bottom + 5}"></line>'
            f'<text class="chart-label chart-tick" x="{px}" y="{plot_bottom + 18}" '
            f'text-anchor="{anchor}">{_date_label(tick, axes.x_ticks)}</text>'
        )
    if not compact:
        parts.append(
            f'<text class="chart-label chart-axis-title" x="{(left + plot_right) / 2}" '
            f'y="{height - 6}" text-anchor="middle">Date of check-in</text>'
        )
    # Baseline and target: labelled lines across the plot.
    target_text = f"Target {format_measure(metric.target)}" + (
        "" if compact else f" by {metric.target_date:%b %Y}"
    )
    if not axes.target_in_view:
        target_text += " →"
    # The line from baseline to target ends at the target on the right: when the target
    # date is in view its label goes to the left, out of that line's way.
    for value, css, text, at_left in (
        (metric.baseline, "chart-baseline", f"Baseline {format_measure(metric.baseline)}", False),
        (metric.target, "chart-goal", target_text, axes.target_in_view),
    ):
        py = y(float(value))
        above = py - 5 if py - 16 > top else py + 14
        tx, anchor = (left + 4, "start") if at_left else (plot_right - 4, "end")
        parts.append(
            f'<line class="{css}" x1="{left}" y1="{py}" x2="{plot_right}" y2="{py}"></line>'
            f'<text class="chart-label {css}-label" x="{tx}" y="{above}" '
            f'text-anchor="{anchor}">{escape(text)}</text>'
        )
    if axes.first <= today <= axes.last:
        tx = x(today.toordinal())
        parts.append(
            f'<line class="chart-today" x1="{tx}" y1="{top}" x2="{tx}" y2="{plot_bottom}">'
            "<title>Today</title></line>"
        )
    plan = " ".join(
        f"{x(d.toordinal())},{y(float(metric.expected_on(d)))}"
        for d in _plan_points(metric, axes.first, axes.last)
    )
    parts.append(
        f'<polyline class="chart-target" fill="none" points="{plan}"><title>Target line: '
        f"{escape(format_measure(metric.baseline))} to {escape(format_measure(metric.target))} "
        f"{unit} by {format_day(metric.target_date)}</title></polyline>"
    )
    if check_ins:
        points = " ".join(f"{x(c.date.toordinal())},{y(float(c.actual))}" for c in check_ins)
        parts.append(f'<polyline class="chart-actual" fill="none" points="{points}"></polyline>')
        radius = 3 if compact else 4.5
        for c in check_ins:
            parts.append(
                f'<circle class="chart-point" cx="{x(c.date.toordinal())}" '
                f'cy="{y(float(c.actual))}" r="{radius}"><title>{format_day(c.date)}: '
                f"{escape(format_measure(c.actual))} {unit}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# The business case's cash flow: the deal page and the briefing pack draw the same chart.


@dataclass(frozen=True)
class CashFlowYear:
    year: int
    benefits: Decimal
    costs: Decimal
    net: Decimal
    running: Decimal


def cash_flow(case) -> list[CashFlowYear]:
    """Benefits, costs, net and the running net total by year, from the case's years."""
    rows, running = [], Decimal(0)
    for year in case.year_rows:
        benefits = year.revenue_growth + year.cost_savings
        costs = year.one_off_costs + year.running_costs
        running += benefits - costs
        rows.append(CashFlowYear(year.year, benefits, costs, benefits - costs, running))
    return rows


def _money(value: Decimal) -> str:
    return format_measure(round(value))


def cash_flow_chart(
    rows: Sequence[CashFlowYear],
    currency: str,
    *,
    chart_id: str = "cash-flow",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Benefits (up) and costs (down) by year as bars, the running net total as a line."""
    left, right, top, bottom = 76, 16, 26, 30
    plot_right, plot_bottom = width - right, height - bottom
    values = [0.0, *(float(r.benefits) for r in rows), *(-float(r.costs) for r in rows)]
    values += [float(r.running) for r in rows]
    ticks = value_ticks(min(values), max(values), 5)
    y = Scale(ticks[0], ticks[-1], plot_bottom, top)
    slot = (plot_right - left) / max(1, len(rows))
    bar = slot * 0.32
    title = escape(f"Business case: benefits and costs by year, {currency}")
    payback = next((r.year for r in rows if r.running > 0), None)
    summary = (
        f"{len(rows)} year{'s' if len(rows) != 1 else ''}. "
        + " ".join(
            f"Year {r.year}: benefits {_money(r.benefits)}, costs {_money(r.costs)}, "
            f"running net total {_money(r.running)}."
            for r in rows
        )
        + (
            f" The running total turns positive in year {payback}."
            if payback
            else " The running total stays below zero."
        )
    )
    parts = [
        f'<svg class="chart chart-cash-flow" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
        f'<rect class="chart-frame" x="{left}" y="{top}" width="{plot_right - left}" '
        f'height="{plot_bottom - top}"></rect>',
    ]
    for tick in ticks:
        py = y(tick)
        parts.append(
            f'<line class="chart-grid" x1="{left}" y1="{py}" x2="{plot_right}" y2="{py}"></line>'
            f'<text class="chart-label chart-tick" x="{left - 6}" y="{py + 4}" '
            f'text-anchor="end">{escape(_money(Decimal(tick)))}</text>'
        )
    parts.append(
        f'<text class="chart-label chart-axis-title" x="{left}" y="{top - 8}" '
        f'text-anchor="start">{escape(currency)}</text>'
    )
    zero = y(0)
    parts.append(
        f'<line class="axis" x1="{left}" y1="{zero}" x2="{plot_right}" y2="{zero}"></line>'
    )
    points = []
    for index, row in enumerate(rows):
        x0 = left + index * slot + slot / 2
        top_benefit = y(float(row.benefits))
        parts.append(
            f'<rect class="bar-benefit" x="{x0 - bar:.1f}" y="{top_benefit}" width="{bar:.1f}" '
            f'height="{max(0.0, zero - top_benefit):.1f}"><title>Year {row.year} benefits: '
            f"{_money(row.benefits)} {escape(currency)}</title></rect>"
        )
        bottom_cost = y(-float(row.costs))
        parts.append(
            f'<rect class="bar-cost" x="{x0:.1f}" y="{zero}" width="{bar:.1f}" '
            f'height="{max(0.0, bottom_cost - zero):.1f}"><title>Year {row.year} costs: '
            f"{_money(row.costs)} {escape(currency)}</title></rect>"
        )
        parts.append(
            f'<text class="chart-label chart-tick" x="{x0:.1f}" y="{plot_bottom + 18}" '
            f'text-anchor="middle">Year {row.year}</text>'
        )
        points.append(f"{x0:.1f},{y(float(row.running))}")
    if points:
        parts.append(
            f'<polyline class="line-cumulative" fill="none" points="{" ".join(points)}"></polyline>'
        )
        for point, row in zip(points, rows, strict=True):
            cx, cy = point.split(",")
            parts.append(
                f'<circle class="point-cumulative" cx="{cx}" cy="{cy}" r="3.5"><title>After year '
                f"{row.year}: {_money(row.running)} {escape(currency)}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def cash_flow_context(case, currency: str) -> dict:
    """A case's cash flow and its chart for the deal page, drawn twice: beside the case
    table, and narrower for phones so that its labels stay legible. No case, no chart."""
    rows = cash_flow(case) if case else []
    if not rows:
        return {"cash_flow": [], "case_chart": None, "case_chart_narrow": None}
    return {
        "cash_flow": rows,
        "case_chart": cash_flow_chart(rows, currency, width=480, height=260),
        "case_chart_narrow": cash_flow_chart(
            rows, currency, chart_id="cash-flow-narrow", width=340, height=240
        ),
    }
