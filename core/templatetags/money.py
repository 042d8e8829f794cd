"""Money on pages: `{{ amount|money:currency }}` and `{% money_total total %}`."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.money import Total, format_amount

register = template.Library()


@register.filter
def money(value: Decimal | int | None, currency: str = ""):
    """An amount with its currency; a negative one has a minus sign and `money--negative`."""
    if value is None or value == "":
        return "—"
    css = "money money--negative" if Decimal(value) < 0 else "money"
    # Digits, separators and a minus sign: nothing to escape but the currency. (A table
    # of deals shows a hundred of these: format_html's escaping of each part shows.)
    text = format_amount(value)
    if currency:
        return mark_safe(f'<span class="{css}">{text}\u00a0{escape(currency)}</span>')
    return mark_safe(f'<span class="{css}">{text}</span>')


@register.inclusion_tag("includes/money_total.html")
def money_total(total: Total | None, compact: bool = False) -> dict:
    """A total in the reporting currency, the rate date, what it is made of, and each
    currency left out for want of a rate."""
    return {"total": total, "compact": compact}
