"""The deal page shows the request a deal came in with, without the deals app importing
this one: `{% load intake %}{% deal_intake deal as intake %}` (one query)."""

from __future__ import annotations

from django import template

from ..models import IntakeRequest
from ..rules import CHANGE_ANSWERS

register = template.Library()


@register.simple_tag
def deal_intake(deal) -> IntakeRequest | None:
    return (
        IntakeRequest.objects.filter(deal_id=deal.pk)
        .select_related("request_type", "version", "requester", "deal")
        .first()
    )


@register.simple_tag
def may_change_answers(user, intake: IntakeRequest) -> bool:
    return CHANGE_ANSWERS(user, intake)
