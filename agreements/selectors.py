"""Reads for agreement pages: access checks and the Renewals page, each a fixed number
of queries whatever the number of agreements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from deals.selectors import get_under_deal_for_user, visible_deals

from .models import (
    Agreement,
    Amendment,
    AmendmentChange,
    Occurrence,
    OccurrenceStatus,
    RenewalDecision,
    RenewalType,
)

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


# What a row of the Renewals page shows (templates/agreements/_renewal_rows.html).
ROW_FIELDS = (
    "pk",
    "notice_deadline",
    "current_term_end",
    "renewal_type",
    "renewal_term_months",
    "decision",
    "deal__title",
    "deal__partnership__partner__name",
    "band",
    "band_size",
)


@dataclass(frozen=True)
class RenewalRow:
    """One agreement on the Renewals page, its words made here: up to 200 rows render
    at 10,000 agreements, and model instances and template filters per cell cost more
    than the query (bench/)."""

    url: str
    title: str
    partner: str
    deadline: str
    days_left: int
    term_end: str
    renewal: str
    decision: str

    @property
    def days_label(self) -> str:
        return f"{-self.days_left} ago" if self.days_left < 0 else str(self.days_left)


def _row(values: tuple, today: dt.date, url_of) -> RenewalRow:
    pk, deadline, term_end, renewal, months, decision, title, partner, *_ = values
    renewal_label = RenewalType(renewal).label + (f", {months} months" if months else "")
    return RenewalRow(
        url=url_of(pk),
        title=title,
        partner=partner,
        deadline=f"{deadline:%a} {deadline.day} {deadline:%b %Y}",
        days_left=(deadline - today).days,
        term_end=f"{term_end.day} {term_end:%b %Y}" if term_end else "",
        renewal=renewal_label,
        decision=RenewalDecision(decision).label if decision else "",
    )


def renewals(user, *, today: dt.date | None = None, mine: bool = False) -> dict:
    """The bands of upcoming notice deadlines and the windows missed, of the agreements
    this person may see (or only theirs: owner or sponsor). One query, whatever the
    number of agreements: each row carries its band, its place in the band and the
    band's size (window functions), and only the first BAND_LIMIT of each are fetched."""
    today = today or timezone.localdate()
    deals = visible_deals(user)
    if mine:
        deals = deals.filter(Q(owner=user) | Q(sponsor=user))

    def days(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    # Missed: the last day to give notice passed and nobody decided, the term still on.
    # A passed deadline is at most a notice period old (the term then rolls forward), so
    # every row shown has a deadline before the last band's end: an index range.
    missed = Q(notice_deadline__lt=today, decision="")
    band = Case(
        When(missed, then=Value("missed")),
        *(
            When(notice_deadline__gte=days(low), notice_deadline__lte=days(high), then=Value(key))
            for key, _, low, high in BANDS
        ),
        output_field=CharField(),
    )
    rows = (
        Agreement.objects.with_deadline()
        .filter(deal__in=deals.values("pk"), deal__archived_at__isnull=True)
        .filter(missed | Q(notice_deadline__gte=today, notice_deadline__lte=days(BANDS[-1][3])))
        .annotate(band=band)
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("band")], order_by=[F("notice_deadline"), F("pk")]
            ),
            band_size=Window(Count("pk"), partition_by=[F("band")]),
        )
        .filter(place__lte=BAND_LIMIT)
        .order_by("notice_deadline", "pk")
        .values_list(*ROW_FIELDS)
    )
    # One reverse() for every row's link: /agreements/<pk>/.
    prefix, _, suffix = reverse("agreement_detail", args=[0]).rpartition("0")

    def url_of(pk: int) -> str:
        return f"{prefix}{pk}{suffix}"

    grouped: dict[str, list[RenewalRow]] = {"missed": [], **{key: [] for key, *_ in BANDS}}
    counts = dict.fromkeys(grouped, 0)
    for values in rows:
        key, size = values[-2:]
        grouped[key].append(_row(values, today, url_of))
        counts[key] = size
    bands = [
        {
            "key": key,
            "label": label,
            "rows": grouped[key],
            "count": counts[key],
            "more": counts[key] - len(grouped[key]),
        }
        for key, label, _, _ in BANDS
    ]
    return {
        "bands": bands,
        "missed": grouped["missed"],
        "missed_count": counts["missed"],
        "missed_more": counts["missed"] - len(grouped["missed"]),
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
