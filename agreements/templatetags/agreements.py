"""The deal page shows its agreement without the deals app importing this one:
`{% load agreements %}{% deal_agreement deal as agreement %}` (one query, signed deals only)."""

from __future__ import annotations

from django import template

from ..models import Agreement

register = template.Library()


@register.simple_tag
def deal_agreement(deal) -> Agreement | None:
    return Agreement.objects.filter(deal_id=deal.pk).first()
