"""Money on pages: `{{ amount|money:currency }}` and `{% money_total total %}`."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from core.money import Total, format_amount

register = template.Library()


@register.filter
def money(value: Decimal | int | None, currency: str = ""):
    """An amount with its currency; a negative one has a minus sign and `money--negative`."""
    if value is None or value == "":
        return "—"
    css = "money money--negative" if Decimal(value) < 0 else "money"
    text = format_amount(value)
    if currency:
        return format_html('<span class="{}">{}\u00a0{}</span>', css, text, currency)
    return format_html('<span class="{}">{}</span>', css, text)


@register.inclusion_tag("includes/money_total.html")
def money_total(total: Total | None, compact: bool = False) -> dict:
    """A total in the reporting currency, the rate date, what it is made of, and each
    currency left out for want of a rate."""
    return {"total": total, "compact": compact}
