"""Filters for value pages: measures without trailing zeros, months as years and months."""

from __future__ import annotations

from django import template

from metrics.charts import format_measure

register = template.Library()


@register.filter
def measure(value) -> str:
    """1234.5000 → 1,234.5"""
    return format_measure(value)


@register.filter
def months(value) -> str:
    """Payback in months, with years for long ones: 30 → '30 months (2.5 years)'."""
    if value is None:
        return "Not within the case"
    if value == 0:
        return "Immediately"
    text = f"{value} month{'s' if value != 1 else ''}"
    if value >= 24:
        text += f" ({value / 12:.1f} years)"
    return text


@register.filter
def signed(value) -> str:
    """A difference with its sign: +1,200 / −300 / 0."""
    if value is None:
        return "—"
    text = format_measure(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.filter
def minus(value, other):
    if value is None or other is None:
        return None
    return value - other
