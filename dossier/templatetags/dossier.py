"""The deal page shows the dossier card without the deals app importing this one:
`{% load dossier %}{% dossier_card deal user %}`."""

from __future__ import annotations

from django import template

from ..selectors import card_context

register = template.Library()


@register.inclusion_tag("dossier/_card.html")
def dossier_card(deal, user) -> dict:
    return card_context(deal, user)
