"""The dashboard's pictures as server-rendered SVG, drawn like metrics.charts: no script,
no inline style (the CSP allows neither), colours from classes in dealdesk.css, sizes as
presentation attributes, a viewBox so each scales to its card (100% wide, readable at
390 px), a <title> and <desc> named by aria-labelledby. The page puts the same numbers
in a table under each (a <details>).

The stalled-deals chart is a group, not an image: its bubbles are links, and the
children of an image are not announced or reachable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.money import format_short
from metrics.charts import Scale

from .dashboard import Bubble, HeatMap, LiveDeal, Month, StageValue

WIDTH = 360  # user units; about 1:1 on a phone, so the 12–13 px labels read there


def _open(chart_id: str, title: str, desc: str, height: int, role: str = "img") -> list[str]:
    focusable = ' focusable="false"' if role == "img" else ""
    return [
        f'<svg class="chart dash-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="{role}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc"{focusable}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in the parts is escaped


def _text(x: float, y: float, text: str, css: str = "chart-label", anchor: str = "start") -> str:
    return f'<text class="{css}" x="{x}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>'


def _signed(value) -> str:
    if not value:
        return "no change"
    return f"▲ +{format_short(value)}" if value > 0 else f"▼ {format_short(value)}"


def value_by_stage_chart(stages: Sequence[StageValue], currency: str) -> SafeString:
    """Horizontal bars: contract value per stage, with the change in the last 7 days."""
    row, top, label_w, bar_end = 26, 8, 96, 236
    height = top + row * len(stages) + 4
    most = max((float(s.value.amount) for s in stages), default=0) or 1.0
    x = Scale(0, most, label_w, bar_end)
    biggest = max(stages, key=lambda s: s.value.amount, default=None)
    desc = (
        f"Contract value of current deals by stage, in {currency}, with the change since "
        "last week. "
        + "; ".join(
            f"{s.label}: {format_short(s.value.amount)} ({_signed(s.change.amount)})"
            for s in stages
        )
        + "."
    )
    title = "Value by stage" + (f" (most in {biggest.label})" if biggest and most > 1 else "")
    parts = _open("value-by-stage", title, desc, height)
    for index, stage in enumerate(stages):
        y = top + index * row
        width = round(x(float(stage.value.amount)) - label_w, 1)
        parts.append(_text(label_w - 6, y + 16, stage.label, anchor="end"))
        parts.append(
            f'<rect class="chart-track" x="{label_w}" y="{y + 5}" width="{bar_end - label_w}" '
            'height="14" rx="3"></rect>'
        )
        if width > 0:
            parts.append(
                f'<rect class="chart-bar stage-bar-{stage.stage}" x="{label_w}" y="{y + 5}" '
                f'width="{max(width, 2)}" height="14" rx="3"></rect>'
            )
        parts.append(_text(bar_end + 6, y + 16, format_short(stage.value.amount), "chart-value"))
        change = stage.change.amount
        css = "chart-label" if not change else "chart-change"
        parts.append(_text(WIDTH - 2, y + 16, _signed(change), css, anchor="end"))
    return _close(parts)


def bubble_chart(bubbles: Sequence[Bubble], currency: str, stalled: int) -> SafeString:
    """Days in stage (x) against the weekly cost of delay (y); area = contract value."""
    left, right, top, bottom, height = 52, 16, 14, 40, 270
    days = max((b.days for b in bubbles), default=0)
    cost = max((float(b.cost) for b in bubbles), default=0.0)
    value = max((float(b.value or 0) for b in bubbles), default=0.0) or 1.0
    low_days = min((b.days for b in bubbles), default=0)
    x = Scale(max(0, low_days - 7), days + 7, left + 14, WIDTH - right - 14)
    y = Scale(0, cost * 1.15 or 1, height - bottom, top)
    shown = len(bubbles)
    desc = (
        f"The {shown} stalled deals that cost most a week, of {stalled} stalled. "
        + "; ".join(
            f"{b.deal.title}: {b.days} days in {b.deal.stage_label}, "
            f"{format_short(b.cost)} {currency} a week"
            for b in bubbles
        )
        + "."
        if bubbles
        else "No stalled deal costs money."
    )
    parts = _open(
        "stalled-bubbles", "Stalled deals: days in stage against cost", desc, height, "group"
    )
    parts.append(
        f'<rect class="chart-frame" x="{left}" y="{top}" width="{WIDTH - left - right}" '
        f'height="{height - top - bottom}"></rect>'
    )
    for share in (0, 0.5, 1):
        tick = cost * 1.15 * share
        py = y(tick)
        parts.append(
            f'<line class="chart-grid" x1="{left}" y1="{py}" x2="{WIDTH - right}" y2="{py}"></line>'
        )
        parts.append(_text(left - 5, py + 4, format_short(tick), anchor="end"))
    for tick in sorted({max(0, low_days - 7), (low_days + days) // 2, days + 7}):
        parts.append(_text(x(tick), height - bottom + 15, str(tick), anchor="middle"))
    parts.append(_text((left + WIDTH - right) / 2, height - 6, "days in stage", anchor="middle"))
    parts.append(
        f'<text class="chart-label" x="12" y="{(top + height - bottom) / 2}" '
        f'text-anchor="middle" transform="rotate(-90 12 {(top + height - bottom) / 2})">'
        f"{escape(currency)} a week</text>"
    )
    # Largest first, so that small bubbles stay on top and clickable.
    for b in sorted(bubbles, key=lambda b: -(b.value or 0)):
        radius = round(4 + 18 * math.sqrt(float(b.value or 0) / value), 1)
        name = (
            f"{b.deal.title}: {b.days} days in {b.deal.stage_label}, "
            f"{format_short(b.cost)} {currency} a week, contract "
            f"{format_short(b.value) if b.value is not None else 'value unknown'} {currency}"
        )
        url = b.deal.get_absolute_url()
        parts.append(
            f'<a class="chart-link" href="{url}" aria-label="{escape(name)}">'
            f'<circle class="chart-bubble" cx="{x(b.days)}" cy="{y(float(b.cost))}" '
            f'r="{radius}"><title>{escape(name)}</title></circle></a>'
        )
    return _close(parts)


def heat_map_chart(heat: HeatMap) -> SafeString:
    """Departments × week of the due date: answered late / due, overdue hatched and '!'."""
    label_w, top, row = 92, 22, 28
    col = (WIDTH - label_w) / max(len(heat.weeks), 1)
    height = top + row * len(heat.rows) + 4
    desc = (
        f"Reviews due in the last {len(heat.weeks)} weeks by department: {heat.late} of "
        f"{heat.due} answered late or not yet answered past the due date; {heat.overdue} "
        "still waiting past it. "
        + "; ".join(
            f"{name}: {sum(c.late for c in cells)} late of {sum(c.due for c in cells)}"
            for name, cells in heat.rows
        )
        + "."
    )
    parts = _open("review-heat", "Review turnaround against the due date", desc, height)
    parts.append(
        '<defs><pattern id="heat-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line class="heat-hatch" x1="0" y1="0" x2="0" y2="6">'
        "</line></pattern></defs>"
    )
    for index, week in enumerate(heat.weeks):
        # The month only where it changes: "12 Oct 19 26 2 Nov 9…" fits eight columns.
        new_month = index == 0 or week.month != heat.weeks[index - 1].month
        label = f"{week.day} {week:%b}" if new_month else str(week.day)
        parts.append(_text(label_w + col * index + col / 2, 14, label, "chart-tick", "middle"))
    for r, (name, cells) in enumerate(heat.rows):
        y = top + r * row
        parts.append(_text(label_w - 6, y + 18, name[:14], anchor="end"))
        for index, cell in enumerate(cells):
            cx = round(label_w + col * index, 1)
            level = (
                "none"
                if not cell.due
                else "ok"
                if not cell.late
                else "1"
                if cell.share_late <= 0.25
                else "2"
                if cell.share_late <= 0.5
                else "3"
            )
            parts.append(
                f'<rect class="heat heat-{level}" x="{cx + 1}" y="{y + 1}" '
                f'width="{round(col - 2, 1)}" height="{row - 2}" rx="2"></rect>'
            )
            if cell.overdue:
                parts.append(
                    f'<rect class="heat-overdue" x="{cx + 1}" y="{y + 1}" '
                    f'width="{round(col - 2, 1)}" height="{row - 2}" rx="2" '
                    'fill="url(#heat-hatch)"></rect>'
                )
            if cell.due:
                text = f"{cell.late}/{cell.due}" + ("!" if cell.overdue else "")
                parts.append(_text(cx + col / 2, y + 18, text, "chart-cell", anchor="middle"))
    return _close(parts)


def promised_chart(live: Sequence[LiveDeal]) -> SafeString:
    """Per live deal: the share of its metrics' promised change the line promised by the
    latest check-ins, against the share the check-ins show."""
    row, top, left, right = 48, 6, 8, 56
    height = top + row * max(len(live), 1) + 6
    most = max([100, *(d.realised for d in live), *(d.promised for d in live)])
    x = Scale(0, min(most, 150), left, WIDTH - right)
    desc = (
        "For each live deal, the mean share of its outcome metrics' baseline-to-target "
        "change that the plan promised by the latest check-in, against the share realised. "
        + "; ".join(
            f"{d.deal.title}: promised {d.promised}%, realised {d.realised}% "
            f"({d.measured} of {d.metrics} metrics measured)"
            if d.measured
            else f"{d.deal.title}: not measured yet"
            for d in live
        )
        + "."
    )
    parts = _open("promised-realised", "Promised against realised, live deals", desc, height)
    full = x(100)
    parts.append(
        f'<line class="chart-grid goal" x1="{full}" y1="{top}" x2="{full}" '
        f'y2="{height - 4}"></line>'
    )
    for index, d in enumerate(live):
        y = top + index * row
        title = d.deal.title if len(d.deal.title) <= 44 else d.deal.title[:43] + "…"
        parts.append(_text(left, y + 12, title, "chart-name"))
        if not d.measured:
            parts.append(_text(left, y + 30, "not measured yet", "chart-label"))
            continue
        for offset, share, css, word in (
            (18, d.promised, "chart-promised", "promised"),
            (32, d.realised, "chart-realised", "realised"),
        ):
            width = round(x(max(0, min(share, 150))) - left, 1)
            parts.append(
                f'<rect class="{css}" x="{left}" y="{y + offset}" width="{max(width, 1)}" '
                'height="10" rx="2"></rect>'
            )
            parts.append(_text(WIDTH - 2, y + offset + 9, f"{word[0]} {share}%", anchor="end"))
    return _close(parts)


def signed_chart(months: Sequence[Month], currency: str) -> SafeString:
    """Vertical bars: contract value signed per month, the last twelve months."""
    left, right, top, bottom, height = 8, 8, 18, 22, 190
    col = (WIDTH - left - right) / max(len(months), 1)
    most = max((float(m.value.amount) for m in months), default=0) or 1.0
    y = Scale(0, most, height - bottom, top)
    total = sum(m.value.amount for m in months)
    desc = (
        f"Contract value signed per month in {currency}, {format_short(total)} in "
        f"{len(months)} months. "
        + "; ".join(
            f"{m.month:%b %Y}: {format_short(m.value.amount)} ({m.count} deals)" for m in months
        )
        + "."
    )
    parts = _open("signed-months", "Signed value per month", desc, height)
    parts.append(
        f'<line class="chart-axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" '
        f'y2="{height - bottom}"></line>'
    )
    for index, m in enumerate(months):
        cx = left + col * index
        py = y(float(m.value.amount))
        if m.value.amount:
            parts.append(
                f'<rect class="chart-bar" x="{round(cx + 4, 1)}" y="{py}" '
                f'width="{round(col - 8, 1)}" height="{round(height - bottom - py, 1)}" '
                'rx="2"></rect>'
            )
            parts.append(
                _text(cx + col / 2, py - 4, format_short(m.value.amount), "chart-value-s", "middle")
            )
        parts.append(_text(cx + col / 2, height - 6, f"{m.month:%b}", anchor="middle"))
    return _close(parts)


def dashboard_charts(figures: dict) -> dict[str, SafeString]:
    """Every picture of the dashboard from dashboard_figures()."""
    currency = figures["rates"].currency
    return {
        "stages": value_by_stage_chart(figures["stages"], currency),
        "bubbles": bubble_chart(figures["bubbles"], currency, figures["tiles"]["stalled_deals"]),
        "heat": heat_map_chart(figures["heat"]),
        "live": promised_chart(figures["live"]),
        "months": signed_chart(figures["months"], currency),
    }
