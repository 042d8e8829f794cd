"""The deal page shows the dossier card without the deals app importing this one:
`{% load dossier %}{% dossier_card deal %}`.

The card loads itself after the page (htmx, `hx-trigger="load"`): who may export and the
newest dossier cost the deal page no query, and most who read a deal may not export it.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("dossier/_card_placeholder.html")
def dossier_card(deal) -> dict:
    return {"deal": deal}
