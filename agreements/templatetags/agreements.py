"""The deal page shows its agreement without the deals app importing this one:
`{% load agreements %}{% deal_agreement deal as agreement %}` (one query, signed deals only)."""

from __future__ import annotations

from django import template
from django.db.models import Count, Q

from ..models import Agreement, OccurrenceStatus

register = template.Library()


@register.simple_tag
def deal_agreement(deal) -> Agreement | None:
    due = [OccurrenceStatus.OPEN, OccurrenceStatus.REJECTED, OccurrenceStatus.SUBMITTED]
    return (
        Agreement.objects.filter(deal_id=deal.pk)
        .annotate(
            open_obligations=Count(
                "obligations__occurrences", filter=Q(obligations__occurrences__status__in=due)
            ),
            missed_obligations=Count(
                "obligations__occurrences",
                filter=Q(obligations__occurrences__status=OccurrenceStatus.MISSED),
            ),
        )
        .first()
    )
