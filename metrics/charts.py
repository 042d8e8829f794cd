"""Server-rendered SVG charts: no script, no inline style (the CSP allows neither).

Colours come from classes in static/css/dealdesk.css; sizes are presentation
attributes. Each chart is an image with a title and a description for screen
readers; the page shows the same numbers in a table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import CheckIn, OutcomeMetric


def format_measure(value: Decimal | int | float | None) -> str:
    """1234.5000 → '1,234.5'; at most two decimals, no trailing zeros."""
    if value is None:
        return "—"
    number = Decimal(value).quantize(Decimal("0.01"))
    text = f"{number:,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Scale:
    """Maps a domain onto pixels."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        if high == low:
            high = low + 1
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(self.start + share * (self.end - self.start), 1)


def metric_chart(
    metric: OutcomeMetric,
    check_ins: Sequence[CheckIn],
    *,
    width: int = 640,
    height: int = 240,
    compact: bool = False,
    today: dt.date | None = None,
) -> SafeString:
    """Check-ins against the straight line from baseline to target."""
    today = today or timezone.localdate()
    left, right, top, bottom = (8, 8, 8, 8) if compact else (64, 24, 16, 36)
    dates = [metric.start_date, metric.target_date, *(c.date for c in check_ins)]
    first, last = min(dates), max(dates)
    values = [float(metric.baseline), float(metric.target), *(float(c.actual) for c in check_ins)]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or 1.0
    x = Scale(first.toordinal(), last.toordinal(), left, width - right)
    y = Scale(low - pad, high + pad, height - bottom, top)
    chart_id = f"metric-{metric.pk}-chart{'-mini' if compact else ''}"
    unit = escape(metric.unit)
    title = escape(f"{metric.name}: check-ins against the target line")
    desc = escape(
        f"From {format_measure(metric.baseline)} {metric.unit} on {metric.start_date:%d %b %Y} "
        f"to {format_measure(metric.target)} {metric.unit} by {metric.target_date:%d %b %Y}. "
        + (
            f"{len(check_ins)} check-ins; the latest, on {check_ins[-1].date:%d %b %Y}, "
            f"was {format_measure(check_ins[-1].actual)} {metric.unit}."
            if check_ins
            else "No check-ins yet."
        )
    )
    parts = [
        f'<svg class="chart{" chart-mini" if compact else ""}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">{desc}</desc>',
        f'<rect class="chart-frame" x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}"></rect>',
    ]
    for value, css in ((metric.baseline, "chart-grid"), (metric.target, "chart-grid goal")):
        py = y(float(value))
        parts.append(
            f'<line class="{css}" x1="{left}" y1="{py}" x2="{width - right}" y2="{py}"></line>'
        )
        if not compact:
            parts.append(
                f'<text class="chart-label" x="{left - 6}" y="{py + 4}" text-anchor="end">'
                f"{escape(format_measure(value))}</text>"
            )
    if first <= today <= last:
        tx = x(today.toordinal())
        parts.append(
            f'<line class="chart-today" x1="{tx}" y1="{top}" x2="{tx}" y2="{height - bottom}">'
            "<title>Today</title></line>"
        )
    x1, y1 = x(metric.start_date.toordinal()), y(float(metric.baseline))
    x2, y2 = x(metric.target_date.toordinal()), y(float(metric.target))
    parts.append(
        f'<line class="chart-target" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}">'
        f"<title>Target line: {escape(format_measure(metric.baseline))} to "
        f"{escape(format_measure(metric.target))} {unit}</title></line>"
    )
    if check_ins:
        points = " ".join(f"{x(c.date.toordinal())},{y(float(c.actual))}" for c in check_ins)
        parts.append(f'<polyline class="chart-actual" points="{points}"></polyline>')
        radius = 3 if compact else 4.5
        for c in check_ins:
            parts.append(
                f'<circle class="chart-point" cx="{x(c.date.toordinal())}" '
                f'cy="{y(float(c.actual))}" r="{radius}"><title>{c.date:%d %b %Y}: '
                f"{escape(format_measure(c.actual))} {unit}</title></circle>"
            )
    if not compact:
        baseline_y = height - bottom + 22
        parts.append(
            f'<text class="chart-label" x="{left}" y="{baseline_y}" text-anchor="start">'
            f"{first:%b %Y}</text>"
        )
        parts.append(
            f'<text class="chart-label" x="{width - right}" y="{baseline_y}" text-anchor="end">'
            f"{last:%b %Y}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
