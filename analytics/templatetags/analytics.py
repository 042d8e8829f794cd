"""{% reads_analytics as x %} for the navigation, and {% figure f %}: a number, or
"fewer than 5" when it stands for fewer than five cases."""

from __future__ import annotations

from django import template

from analytics.rules import VIEW_ANALYTICS
from analytics.stats import MIN_CASES, Figure

register = template.Library()


@register.simple_tag(takes_context=True)
def reads_analytics(context) -> bool:
    request = context.get("request")
    return bool(request and VIEW_ANALYTICS(request.user))


@register.filter
def figure(value: Figure, places: int = 0) -> str:
    """A figure as text: "fewer than 5" below MIN_CASES cases, "—" with none at all."""
    if value.none:
        return "—"
    if not value.shown:
        return f"fewer than {MIN_CASES}"
    number = value.value
    if isinstance(number, float) or places:
        return f"{number:,.{places}f}"
    return f"{number:,}"
