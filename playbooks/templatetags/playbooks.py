"""The deal page and the review page show each term beside its playbook without the
deals and stakeholders apps importing this one:

    {% load playbooks %}{% deal_playbook deal terms request.user as playbook %}
    {% include "playbooks/_term_playbook.html" %}

One query whatever the number of terms (the versions with their positions) when the
terms came with their places (Term.objects.for_page(), as on both pages), else two; and
one more for the reader's memberships when a deviation waits for an approver.
"""

from __future__ import annotations

from django import template

from deals import rules as deal_rules

from ..rules import ADOPT_VERSION, APPROVE_POSITION, PLACE_TERM
from ..selectors import Assessment, assess

register = template.Library()


@register.simple_tag
def deal_playbook(deal, terms, user) -> Assessment:
    for term in terms:
        term.deal = deal  # the page's deal: the rules below ask no query
    found = assess(deal, list(terms))
    is_sponsor = deal_rules.RECORD_DECISION(user, deal)
    for row in found.rows:
        row.may_approve = (
            bool(row.hold) and row.found.needs_approval and APPROVE_POSITION(user, row)
        )
        row.may_decide = bool(row.hold) and row.found.needs_decision and is_sponsor
    found.may_place = PLACE_TERM(user, deal) and deal.terms_can_change
    found.may_adopt = ADOPT_VERSION(user, deal)
    return found
