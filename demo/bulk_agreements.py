"""Bulk agreements for benchmarks: the contracts of many deals, their obligations and the
occurrences the daily task would have made, written by COPY (demo/copy.py).

The mix is a large desk's: most contracts renew automatically or by option, a few do not
or do not say; notice periods of 30 days to six months, some in business days; current
terms ending over the next two years, some in the last few days (the daily task rolls
them), a few ended; decisions taken on a share of the close deadlines. Each obligation
has every occurrence up to its lead days, as the daily task would leave them: the past
ones accepted or missed, the last few days' still open (the next run marks them missed),
the coming ones open. Deterministic for a given random stream.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from agreements import dates
from agreements.models import (
    Agreement,
    NoticeUnit,
    Obligation,
    ObligationCategory,
    Occurrence,
    OccurrenceStatus,
    OwedBy,
    Recurrence,
    RenewalDecision,
    RenewalType,
    TermKind,
)
from deals.models import Deal

from . import copy

# (weight, renewal type); then notice as (weight, unit, amount, business days).
RENEWALS = [
    (55, RenewalType.AUTOMATIC),
    (20, RenewalType.OPTION),
    (15, RenewalType.NONE),
    (10, RenewalType.NOT_STATED),
]
NOTICES = [
    (20, NoticeUnit.DAYS, 30, False),
    (20, NoticeUnit.DAYS, 60, False),
    (20, NoticeUnit.DAYS, 90, False),
    (6, NoticeUnit.DAYS, 120, False),
    (4, NoticeUnit.DAYS, 180, False),
    (5, NoticeUnit.DAYS, 20, True),
    (8, NoticeUnit.MONTHS, 3, False),
    (5, NoticeUnit.MONTHS, 6, False),
    (2, NoticeUnit.MONTHS, 1, False),
    (10, NoticeUnit.NOT_STATED, None, False),
]
OBLIGATIONS = [
    ("Quarterly service-level report", OwedBy.PARTNER, ObligationCategory.SERVICE_LEVEL),
    ("Monthly usage statement", OwedBy.PARTNER, ObligationCategory.REPORTING),
    ("Annual licence fee paid", OwedBy.US, ObligationCategory.PAYMENT),
    ("Certificate of insurance renewed", OwedBy.PARTNER, ObligationCategory.INSURANCE),
    ("Security audit report", OwedBy.PARTNER, ObligationCategory.AUDIT),
    ("Data-processing records reviewed", OwedBy.BOTH, ObligationCategory.DATA_PROTECTION),
    ("Joint steering meeting held", OwedBy.BOTH, ObligationCategory.OTHER),
]
RECURRENCES = [Recurrence.ONCE, Recurrence.MONTHLY, Recurrence.QUARTERLY, Recurrence.YEARLY]


def _pick(rng: random.Random, weighted):
    return rng.choices(weighted, weights=[w[0] for w in weighted])[0]


def _agreement(deal: Deal, rng: random.Random, today: dt.date) -> Agreement:
    renewal = _pick(rng, RENEWALS)[1]
    _, unit, amount, business = _pick(rng, NOTICES)
    renews = renewal in (RenewalType.AUTOMATIC, RenewalType.OPTION)
    months = rng.choice([12, 12, 12, 24, 24, 36, 60])
    renewal_months = rng.choice([12, 12, 12, 24, 6]) if renews else None
    ended = rng.random() < 0.04
    if ended:  # ended months ago: no deadline, not on the Renewals page
        end = today + dt.timedelta(days=rng.randint(-400, -6))
    else:  # the current term ends over the next two years, or in the last five days
        end = today + dt.timedelta(days=rng.randint(-5, 760))
    done = rng.randint(1, 3) if renews and not ended and rng.random() < 0.35 else 0
    stretch = months + done * (renewal_months or 0)
    start = dates.anniversary(end + dt.timedelta(days=1), -stretch)
    by_date = rng.random() < 0.2
    term_kind = TermKind.END_DATE if by_date else TermKind.MONTHS
    if rng.random() < 0.05:
        term_kind = TermKind.NOT_STATED
    agreement = Agreement(
        deal=deal,
        signed_on=start - dt.timedelta(days=rng.randint(0, 30)),
        effective_date=start,
        term_kind=term_kind,
        initial_term_months=months if term_kind == TermKind.MONTHS else None,
        initial_end_date=dates.term_end(start, months) if term_kind == TermKind.END_DATE else None,
        renewal_type=renewal,
        renewal_term_months=renewal_months,
        max_renewals=rng.choice([2, 3, 5]) if renewal == RenewalType.OPTION else None,
        notice_unit=unit,
        notice_amount=amount,
        notice_business_days=business,
        notice_method="Written notice by registered letter" if amount else "",
        governing_law=rng.choice(["England and Wales", "New York", "Germany", "Ontario, Canada"]),
        renewals_done=done,
        created_at=timezone.now(),
    )
    if agreement.renewals_left == 0 and done:
        agreement.renewals_done = agreement.max_renewals
    agreement.compute_dates()
    if ended and agreement.current_term_end:
        agreement.ended_on = agreement.current_term_end
    deadline = agreement.notice_deadline
    if deadline and not agreement.ended_on:
        # Close deadlines are often decided; far ones rarely; passed ones half the time.
        days = (deadline - today).days
        share = 0.5 if days < 0 else 0.35 if days < 90 else 0.05
        if rng.random() < share:
            agreement.decision = rng.choice(
                [RenewalDecision.RENEW, RenewalDecision.RENEW, RenewalDecision.RENEGOTIATE]
            )
            agreement.decided_by_id = deal.owner_id
            agreement.decided_at = timezone.now() - dt.timedelta(days=rng.randint(1, 60))
    return agreement


def _obligations(agreement: Agreement, deal: Deal, rng: random.Random) -> list[Obligation]:
    if agreement.ended_on or deal.owner_id == deal.sponsor_id:
        return []
    start = agreement.effective_date or agreement.signed_on
    out = []
    for n in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        title, owed_by, category = OBLIGATIONS[(deal.pk + n) % len(OBLIGATIONS)]
        out.append(
            Obligation(
                agreement=agreement,
                title=title,
                owed_by=owed_by,
                category=category,
                clause=f"§ {rng.randint(3, 14)}.{rng.randint(1, 9)}",
                owner_id=deal.owner_id,
                reviewer_id=deal.sponsor_id,
                recurrence=rng.choice(RECURRENCES),
                first_due=start + dt.timedelta(days=rng.randint(15, 120)),
                lead_days=rng.choice([7, 14, 14, 30]),
                created_at=timezone.now(),
            )
        )
    return out


def _occurrences(obligation: Obligation, rng: random.Random, today: dt.date) -> list[Occurrence]:
    """What the daily task would have made, in the state people left it."""
    rows = []
    for day in obligation.due_dates(today + dt.timedelta(days=obligation.lead_days)):
        if day >= today or (today - day).days <= 3 and rng.random() < 0.5:
            status = OccurrenceStatus.OPEN  # coming, or just due and still without evidence
        else:
            status = _pick(
                rng,
                [
                    (85, OccurrenceStatus.ACCEPTED),
                    (10, OccurrenceStatus.MISSED),
                    (5, OccurrenceStatus.SUBMITTED),
                ],
            )[1]
        done = status in (OccurrenceStatus.ACCEPTED, OccurrenceStatus.SUBMITTED)
        at = timezone.now() - dt.timedelta(days=max((today - day).days, 0))
        rows.append(
            Occurrence(
                obligation=obligation,
                due_on=day,
                status=status,
                evidence_name="evidence.pdf" if done else "",
                evidence_kind="pdf" if done else "",
                submitted_by_id=obligation.owner_id if done else None,
                submitted_at=at if done else None,
                reviewed_by_id=obligation.reviewer_id
                if status == OccurrenceStatus.ACCEPTED
                else None,
                reviewed_at=at if status == OccurrenceStatus.ACCEPTED else None,
                created_at=at,
            )
        )
    return rows


def bulk_agreements(deals: list[Deal], rng: random.Random) -> int:
    """An agreement for each of `deals` (none may have one), with obligations and their
    occurrences. No audit rows: the bulk desk has no history of them."""
    today = timezone.localdate()
    agreements = [_agreement(deal, rng, today) for deal in deals]
    copy.insert(Agreement, agreements)
    obligations = [
        obligation
        for agreement, deal in zip(agreements, deals, strict=True)
        for obligation in _obligations(agreement, deal, rng)
    ]
    copy.insert(Obligation, obligations)
    copy.insert(Occurrence, (row for o in obligations for row in _occurrences(o, rng, today)))
    return len(agreements)
