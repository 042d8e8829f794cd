"""Demo agreements for the signed and live deals of the portfolio: their notice deadlines
spread over the Renewals page's bands (and one window missed), a few obligations."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agreements.dates import anniversary
from agreements.models import Agreement, NoticeUnit, Obligation, RenewalType, TermKind
from agreements.obligations import occurrences_plan
from core.audit import AuditAction, audit_event
from deals.models import Deal, Stage

# (days from today to the notice deadline, renewal, notice in days or months, business days)
SHAPES = [
    (6, RenewalType.AUTOMATIC, 90, NoticeUnit.DAYS, False),
    (11, RenewalType.AUTOMATIC, 3, NoticeUnit.MONTHS, False),
    (-4, RenewalType.AUTOMATIC, 60, NoticeUnit.DAYS, False),  # the window missed
    (21, RenewalType.OPTION, 30, NoticeUnit.DAYS, False),
    (38, RenewalType.AUTOMATIC, 40, NoticeUnit.DAYS, True),
    (62, RenewalType.AUTOMATIC, 6, NoticeUnit.MONTHS, False),
    (84, RenewalType.AUTOMATIC, 120, NoticeUnit.DAYS, False),
    (240, RenewalType.NOT_STATED, 0, NoticeUnit.NOT_STATED, False),
]


def seed_agreements(deals=None) -> int:
    """One agreement per signed or live deal that has none; safe to run again."""
    today = timezone.localdate()
    deals = list(
        (deals if deals is not None else Deal.objects.all())
        .filter(stage__in=[Stage.SIGNED, Stage.LIVE], agreement__isnull=True)
        .select_related("owner", "sponsor")
        .order_by("pk")
    )
    made = []
    for index, deal in enumerate(deals):
        offset, renewal, amount, unit, business = SHAPES[index % len(SHAPES)]
        # An end that puts the deadline `offset` days out: the notice period after it.
        if unit == NoticeUnit.MONTHS:
            end = today + dt.timedelta(days=offset + round(amount * 30.44))
        elif unit == NoticeUnit.DAYS:
            end = today + dt.timedelta(days=offset + (amount * 7 // 5 if business else amount))
        else:
            end = today + dt.timedelta(days=offset)
        start = anniversary(end + dt.timedelta(days=1), -12)  # a one-year term
        agreement = Agreement(
            deal=deal,
            signed_on=deal.stage_changed_at.date(),
            effective_date=start,
            term_kind=TermKind.END_DATE,
            initial_end_date=end,
            renewal_type=renewal,
            renewal_term_months=12 if renewal != RenewalType.NOT_STATED else None,
            max_renewals=3 if renewal == RenewalType.OPTION else None,
            notice_unit=unit,
            notice_amount=amount or None,
            notice_business_days=business,
            notice_method="Written notice by registered letter to the partner's legal department"
            if unit != NoticeUnit.NOT_STATED
            else "",
        )
        agreement.save()
        audit_event(
            actor=deal.owner,
            action=AuditAction.AGREEMENT_OPENED,
            instance=agreement,
            after={
                "term_end": agreement.current_term_end.isoformat(),
                "notice_deadline": agreement.notice_deadline.isoformat()
                if agreement.notice_deadline
                else None,
            },
            deal=deal,
            at=deal.stage_changed_at,
        ).save()
        made.append(agreement)
    for agreement in made[:3]:
        deal = agreement.deal
        Obligation.objects.create(
            agreement=agreement,
            title="Monthly service-level report",
            owed_by="partner",
            category="service_level",
            clause="Schedule 2, § 4.1",
            owner=deal.owner,
            reviewer=deal.sponsor,
            recurrence="monthly",
            first_due=today - dt.timedelta(days=3),  # the daily task marks it missed
            lead_days=10,
        )
        Obligation.objects.create(
            agreement=agreement,
            title="Annual licence fee paid",
            owed_by="us",
            category="payment",
            clause="§ 6.2",
            owner=deal.owner,
            reviewer=deal.sponsor,
            recurrence="yearly",
            first_due=today + dt.timedelta(days=12),
            lead_days=30,
        )
    if made:
        occurrences_plan(today=today)
    return len(made)
