"""The deal page shows the request a deal came in with, without the deals app importing
this one: `{% load intake %}{% deal_intake deal as intake %}` (no query on the deal page:
deals.selectors.get_deal_for_user reads the one-to-one with the deal; one elsewhere)."""

from __future__ import annotations

from django import template

from ..models import IntakeRequest
from ..rules import CHANGE_ANSWERS

register = template.Library()


@register.simple_tag
def deal_intake(deal) -> IntakeRequest | None:
    try:
        return deal.intake_request
    except IntakeRequest.DoesNotExist:
        return None


@register.simple_tag
def may_change_answers(user, intake: IntakeRequest) -> bool:
    return CHANGE_ANSWERS(user, intake)
