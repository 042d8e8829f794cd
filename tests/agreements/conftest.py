"""Fixtures for agreements: a deal signed through deal_advance, so its agreement is the
one the signal opened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Agreement, NoticeUnit, RenewalType, TermKind
from agreements.services import agreement_update
from deals.models import Stage
from deals.services import deal_advance


@pytest.fixture
def signed_deal(personas, deal_in_negotiation_all_approved):
    deal = deal_advance(
        deal=deal_in_negotiation_all_approved, user=personas.owner, to_stage=Stage.APPROVED
    )
    return deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)


@pytest.fixture
def agreement(personas, signed_deal) -> Agreement:
    """Automatic yearly renewal, 90 days' notice; its notice deadline 40 days from today."""
    today = timezone.localdate()
    found = Agreement.objects.get(deal=signed_deal)
    # A one-year term ending ~130 days from now: started ~235 days ago.
    return agreement_update(
        agreement=found,
        user=personas.owner,
        data={
            "effective_date": today - dt.timedelta(days=235),
            "term_kind": TermKind.MONTHS,
            "initial_term_months": 12,
            "renewal_type": RenewalType.AUTOMATIC,
            "renewal_term_months": 12,
            "notice_unit": NoticeUnit.DAYS,
            "notice_amount": 90,
            "notice_method": "Registered letter",
        },
    )
