"""The monthly trend as a server-rendered SVG, drawn like deals.charts: no script, no
inline style, colours from dealdesk.css classes, a viewBox, a <title> and <desc>. The
page has the same numbers in a table under it (a <details>). A month from fewer than
five intervals has no bar, only "<5" (stats.MIN_CASES)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from metrics.charts import Scale

WIDTH = 360


def _text(x: float, y: float, text: str, css: str = "chart-label", anchor: str = "middle") -> str:
    return f'<text class="{css}" x="{x}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>'


def trend_chart(months: list[dict], unit: str) -> SafeString:
    """Bars: the median review turnaround of each month, in `unit` days."""
    left, right, top, bottom, height = 8, 8, 16, 30, 170
    shown = [m for m in months if m["p50"].shown]
    most = max((m["p50"].value for m in shown), default=0.0) or 1.0
    y = Scale(0, most, height - bottom, top)
    step = (WIDTH - left - right) / max(len(months), 1)
    desc = (
        f"Median review turnaround by month, in {unit}. "
        + "; ".join(
            f"{m['month']:%b %Y}: "
            + (f"{m['p50'].value:.1f}" if m["p50"].shown else "fewer than 5 reviews")
            for m in months
        )
        + "."
    )
    parts = [
        f'<svg class="chart dash-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" role="img" '
        'aria-labelledby="trend-title trend-desc" focusable="false">',
        '<title id="trend-title">Review turnaround by month</title>',
        f'<desc id="trend-desc">{escape(desc)}</desc>',
        f'<line class="chart-axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" '
        f'y2="{height - bottom}"></line>',
    ]
    for index, month in enumerate(months):
        x = round(left + index * step, 1)
        middle = round(x + step / 2, 1)
        figure = month["p50"]
        if figure.shown:
            top_y = y(figure.value)
            bar = max(round(height - bottom - top_y, 1), 1)
            parts.append(
                f'<rect class="chart-bar" x="{round(x + 3, 1)}" y="{round(height - bottom - bar, 1)}" '
                f'width="{round(step - 6, 1)}" height="{bar}" rx="2"></rect>'
            )
            parts.append(
                _text(
                    middle,
                    round(height - bottom - bar - 3, 1),
                    f"{figure.value:.0f}",
                    "chart-value-s",
                )
            )
        else:
            parts.append(_text(middle, height - bottom - 3, "<5", "chart-value-s"))
        parts.append(_text(middle, height - bottom + 14, f"{month['month']:%b}"))
        if index == 0 or month["month"].month == 1:
            parts.append(_text(middle, height - bottom + 26, f"{month['month']:%Y}", "chart-tick"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in the parts is escaped
