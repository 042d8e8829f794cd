"""Reads for agreement pages: access checks and the Renewals page, each a fixed number
of queries whatever the number of agreements."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from deals.selectors import get_under_deal_for_user, visible_deals

from .models import Agreement, Amendment, AmendmentChange, Occurrence, OccurrenceStatus

# The Renewals page's bands: days from today to the notice deadline.
BANDS = (
    ("urgent", "Notice within 13 days", 0, 13),
    ("soon", "Notice in 14 to 44 days", 14, 44),
    ("later", "Notice in 45 to 89 days", 45, 89),
)
BAND_LIMIT = 50


def get_agreement_for_user(user, pk: int) -> Agreement:
    """The agreement, or 404 unless its deal is visible to this person."""
    queryset = Agreement.objects.select_related(
        "deal__partnership__partner", "deal__owner", "deal__sponsor", "decided_by", "renewal_deal"
    )
    return get_under_deal_for_user(queryset, user, pk, "agreement")


def get_occurrence_for_user(user, pk: int) -> Occurrence:
    found = (
        Occurrence.objects.filter(
            obligation__agreement__deal__in=visible_deals(user).values("pk"), pk=pk
        )
        .select_related(
            "obligation__agreement__deal__partnership__partner",
            "obligation__owner",
            "obligation__reviewer",
            "obligation__metric",
            "submitted_by",
            "reviewed_by",
            "concern",
        )
        .first()
    )
    if found is None:
        raise Http404("No obligation here, or it is not shared with you.")
    return found


def _rows(queryset):
    return queryset.select_related("deal__partnership__partner", "deal__owner", "deal__sponsor")


def renewals(user, *, today: dt.date | None = None, mine: bool = False) -> dict:
    """The bands of upcoming notice deadlines and the windows missed, of the agreements
    this person may see (or only theirs: owner or sponsor). Five queries."""
    today = today or timezone.localdate()
    deals = visible_deals(user)
    if mine:
        deals = deals.filter(Q(owner=user) | Q(sponsor=user))
    base = Agreement.objects.with_deadline().filter(
        deal__in=deals.values("pk"), deal__archived_at__isnull=True
    )

    def days(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    # Missed: the last day to give notice passed and nobody decided, the term still on.
    missed = base.filter(notice_deadline__lt=today, decision="")
    counts = base.aggregate(
        missed=Count("pk", filter=Q(notice_deadline__lt=today, decision="")),
        **{
            key: Count(
                "pk", filter=Q(notice_deadline__gte=days(low), notice_deadline__lte=days(high))
            )
            for key, _, low, high in BANDS
        },
    )
    bands = []
    for key, label, low, high in BANDS:
        rows = list(
            _rows(
                base.filter(notice_deadline__gte=days(low), notice_deadline__lte=days(high))
            ).order_by("notice_deadline", "pk")[:BAND_LIMIT]
        )
        for row in rows:
            row.days_left = (row.notice_deadline - today).days
        bands.append(
            {
                "key": key,
                "label": label,
                "rows": rows,
                "count": counts[key],
                "more": counts[key] - len(rows),
            }
        )
    missed_rows = list(_rows(missed).order_by("notice_deadline", "pk")[:BAND_LIMIT])
    for row in missed_rows:
        row.days_left = (row.notice_deadline - today).days
    return {
        "bands": bands,
        "missed": missed_rows,
        "missed_count": counts["missed"],
        "missed_more": counts["missed"] - len(missed_rows),
        "today": today,
    }


def open_occurrences(agreement: Agreement) -> list[Occurrence]:
    return list(
        Occurrence.objects.filter(obligation__agreement=agreement)
        .exclude(status=OccurrenceStatus.ACCEPTED)
        .select_related("obligation__owner", "obligation__reviewer")
        .order_by("due_on", "pk")
    )


def get_amendment_for_user(user, pk: int) -> Amendment:
    """The amendment, or 404 unless its deal is visible to this person."""
    found = (
        Amendment.objects.filter(agreement__deal__in=visible_deals(user).values("pk"), pk=pk)
        .select_related(
            "agreement__deal__partnership__partner",
            "agreement__deal__owner",
            "agreement__deal__sponsor",
            "created_by",
            "proposed_by",
            "decided_by",
        )
        .first()
    )
    if found is None:
        raise Http404("No amendment here, or it is not shared with you.")
    return found


def get_amendment_change_for_user(user, pk: int) -> AmendmentChange:
    found = (
        AmendmentChange.objects.filter(
            amendment__agreement__deal__in=visible_deals(user).values("pk"), pk=pk
        )
        .select_related("amendment__agreement__deal")
        .first()
    )
    if found is None:
        raise Http404("No such change, or it is not shared with you.")
    return found


def amendments_of(agreement: Agreement) -> list[Amendment]:
    """The agreement's amendments, newest first, with their number of changes: one query."""
    return list(
        agreement.amendments.select_related("proposed_by", "decided_by").annotate(
            n_changes=Count("changes")
        )
    )
