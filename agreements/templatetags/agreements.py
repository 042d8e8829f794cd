"""The deal page and the briefing pack show the agreement without the deals app importing
this one: `{% load agreements %}{% deal_agreement deal as agreement %}` (one query, signed
deals only) and `{% agreement_brief deal generated_at as brief %}` (the pack's section)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from ..models import READING_PENDING, Agreement, ContractReading, Occurrence, OccurrenceStatus
from ..rules import EDIT_AGREEMENT

register = template.Library()


@register.simple_tag
def deal_agreement(deal) -> Agreement | None:
    due = [OccurrenceStatus.OPEN, OccurrenceStatus.REJECTED, OccurrenceStatus.SUBMITTED]
    # The facts read from the newest contract and not yet reviewed (the banner), in the
    # same query.
    pending = ContractReading.objects.filter(
        agreement=OuterRef("pk"), status__in=READING_PENDING, document__archived_at__isnull=True
    ).order_by("-document__uploaded_at", "-document_id")
    agreement = (
        Agreement.objects.filter(deal_id=deal.pk)
        .annotate(
            open_obligations=Count(
                "obligations__occurrences", filter=Q(obligations__occurrences__status__in=due)
            ),
            missed_obligations=Count(
                "obligations__occurrences",
                filter=Q(obligations__occurrences__status=OccurrenceStatus.MISSED),
            ),
            facts_document=Subquery(pending.values("document_id")[:1]),
            facts_file=Subquery(pending.values("document__original_name")[:1]),
            facts_found=Subquery(pending.values("found")[:1]),
            facts_status=Subquery(pending.values("status")[:1]),
        )
        .first()
    )
    if agreement is not None:
        agreement.deal = deal  # the page's deal: the rules below ask no query
    return agreement


@register.simple_tag
def may_review_facts(agreement, user) -> bool:
    """The owner or sponsor confirms what was read from the contract (no query)."""
    return bool(agreement.facts_document) and EDIT_AGREEMENT(user, agreement)


# The pack lists at most this many occurrences; the rest are counted.
BRIEF_OCCURRENCES = 30


@register.simple_tag
def agreement_brief(deal, now: dt.datetime | None = None) -> dict | None:
    """The briefing pack's agreement: its dates, the days left to give notice as of the
    pack's `now`, and the obligations' occurrences not yet accepted (open, evidence
    waiting or rejected, missed), soonest first. Two queries; three when there are more
    occurrences than the pack lists. None when the deal has no agreement."""
    agreement = Agreement.objects.filter(deal_id=deal.pk).select_related("decided_by").first()
    if agreement is None:
        return None
    today = timezone.localdate(now) if now else timezone.localdate()
    open_ = Occurrence.objects.filter(obligation__agreement=agreement).exclude(
        status=OccurrenceStatus.ACCEPTED
    )
    rows = list(
        open_.select_related("obligation__owner").order_by("due_on", "pk")[: BRIEF_OCCURRENCES + 1]
    )
    more = open_.count() - BRIEF_OCCURRENCES if len(rows) > BRIEF_OCCURRENCES else 0
    for row in rows:
        row.overdue = row.due_on < today and row.is_open
    return {
        "agreement": agreement,
        "days_left": agreement.days_to_deadline(today),
        "occurrences": rows[:BRIEF_OCCURRENCES],
        "more": more,
    }
