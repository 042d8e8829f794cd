"""Demo amendments: on one signed deal, an approved amendment (a term reworded and the
notice period changed: the term's history says "Amendment 1", its department's review
re-opened) and a second one proposed, waiting for the sponsor. Through the services, so
the audit trail and the activity feed tell it; safe to run again."""

from __future__ import annotations

from django.utils import timezone

from agreements.amendment_approval import amendment_decide
from agreements.amendments import (
    DATE_FIELDS,
    amendment_change_dates,
    amendment_change_term,
    amendment_draft,
    amendment_propose,
)
from agreements.models import Agreement, Amendment, NoticeUnit
from deals.models import TermCategory, TermStatus


def _first(terms: list, categories: set) -> object | None:
    return next((term for term in terms if term.category in categories), None)


def _pick(agreements) -> tuple | None:
    """The first agreement with a price and a service-level term (the amendments' wording
    fits them), else the first with two terms; never one whose owner sponsors it."""
    fallback = None
    for agreement in agreements:
        deal = agreement.deal
        if deal.owner_id == deal.sponsor_id:
            continue
        live_terms = list(deal.terms.exclude(status=TermStatus.WITHDRAWN).order_by("pk"))
        price = _first(live_terms, {TermCategory.PRICE, TermCategory.PAYMENT})
        service = _first(live_terms, {TermCategory.SLA})
        if price and service:
            return agreement, [price, service]
        if fallback is None and len(live_terms) >= 2:
            fallback = agreement, live_terms[:2]
    return fallback


def seed_amendments() -> int:
    """The two amendments, on the first signed agreement with two terms; 0 if done."""
    if Amendment.objects.exists():
        return 0
    running = Agreement.objects.running().select_related("deal__owner", "deal__sponsor")
    # Preferably one the demo logins run: owner@ drafts, exec@ approves the next one.
    demo_led = running.filter(
        deal__owner__email="owner@demo.test", deal__sponsor__email="exec@demo.test"
    )
    picked = _pick(demo_led.order_by("pk")) or _pick(running.order_by("pk"))
    if picked is None:
        return 0
    agreement, terms = picked
    deal = agreement.deal
    fitting = terms[0].category in (TermCategory.PRICE, TermCategory.PAYMENT)
    owner, sponsor, today = deal.owner, deal.sponsor, timezone.localdate()

    def draft(title: str, reason: str):
        return amendment_draft(
            agreement=agreement,
            user=owner,
            data={"title": title, "reason": reason, "effective_date": today},
        )

    first = draft(
        "Volume discount and shorter notice",
        "Agreed with the partner at the quarterly business review.",
    )
    amendment_change_term(
        amendment=first,
        user=owner,
        kind="term_revise",
        term=terms[0],
        data={
            "wording": f"{terms[0].wording} A 5% discount applies above the agreed volume."
            if fitting
            else f"{terms[0].wording} This applies to the volumes agreed at the quarterly review."
        },
    )
    if agreement.notice_unit == NoticeUnit.DAYS and agreement.notice_amount:
        stated = {name: getattr(agreement, name) for name in DATE_FIELDS}
        amendment_change_dates(
            amendment=first,
            user=owner,
            data={**stated, "notice_amount": max(agreement.notice_amount - 30, 30)},
        )
    first = amendment_propose(amendment=first, user=owner)
    amendment_decide(amendment=first, user=sponsor, approve=True, note="As agreed at the QBR.")
    second = draft(
        "Extended support hours",
        "The partner offered weekend support from next quarter.",
    )
    amendment_change_term(
        amendment=second,
        user=owner,
        kind="term_revise",
        term=deal.terms.get(pk=terms[1].pk),
        data={
            "wording": f"{terms[1].wording} Support also covers weekends, 9:00 to 17:00."
            if terms[1].category == TermCategory.SLA
            else f"{terms[1].wording} This also applies to weekend support, 9:00 to 17:00."
        },
    )
    amendment_change_term(
        amendment=second,
        user=owner,
        kind="term_add",
        data={
            "title": "Weekend support fee",
            "category": "price",
            "department": terms[0].department if fitting else terms[1].department,
            "wording": "EUR 2,000 per month for weekend support, invoiced quarterly.",
        },
    )
    amendment_propose(amendment=second, user=owner)
    return 2
