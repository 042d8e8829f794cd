"""The briefing pack of a signed deal shows its agreement (issue 15, part 7): the current
term end, the notice deadline and the days left, the renewal, the decision and the
obligations not yet met. Rendered to a real PDF and read back with pypdf."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Agreement, Occurrence, OccurrenceStatus
from agreements.obligations import obligation_add
from agreements.services import agreement_decide
from deals.briefing import render_pack
from tests.deals.test_briefing import pdf_text
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def obligation(agreement, user, **fields):
    today = timezone.localdate()
    data = {
        "title": "Quarterly security audit report",
        "owed_by": "partner",
        "category": "audit",
        "clause": "§ 9.3",
        "owner": user,
        "reviewer": agreement.deal.sponsor,
        "recurrence": "once",
        "first_due": today + dt.timedelta(days=5),
        "lead_days": 14,
        **fields,
    }
    return obligation_add(agreement=agreement, user=user, data=data)


def test_the_pack_shows_the_agreements_deadlines_decision_and_open_obligations(personas, agreement):
    today = timezone.localdate()
    obligation(agreement, personas.owner)
    paid = obligation(agreement, personas.owner, title="Annual licence fee paid", owed_by="us")
    Occurrence.objects.filter(obligation=paid).update(status=OccurrenceStatus.ACCEPTED)
    agreement_decide(agreement=agreement, user=personas.owner, decision="renew", note="Worth it.")
    fresh = Agreement.objects.get(pk=agreement.pk)
    days = (fresh.notice_deadline - today).days

    text = " ".join(pdf_text(render_pack(agreement.deal)).split())

    # Table headers are set in capitals by the pack's stylesheet.
    assert "Agreement The signed contract: running." in text
    assert f"CURRENT TERM ENDS {fresh.current_term_end:%-d %B %Y}" in text
    assert f"NOTICE DEADLINE {fresh.notice_deadline:%-d %B %Y}, {days} days left" in text
    assert "RENEWAL Renews automatically, 12 months at a time" in text
    assert "NOTICE PERIOD 90 days before the term ends; Registered letter" in text
    assert f"DECISION Renew, {personas.owner.display_name}, {today:%-d %b %Y}" in text
    # The open obligation with its due date, who owes it and its owner; the met one not.
    due = today + dt.timedelta(days=5)
    assert "Open obligations" in text
    assert (
        f"{due:%-d %b %Y} Quarterly security audit report (§ 9.3) The partner owes it "
        f"{personas.owner.display_name} Open"
    ) in text
    assert "Annual licence fee paid" not in text


def test_a_passed_deadline_undecided_and_a_missed_obligation_stand_out(personas, agreement):
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement.pk).update(notice_deadline=today - dt.timedelta(days=3))
    late = obligation(agreement, personas.owner, first_due=today - dt.timedelta(days=2))
    Occurrence.objects.filter(obligation=late).update(status=OccurrenceStatus.MISSED)

    text = " ".join(pdf_text(render_pack(agreement.deal)).split())

    assert "passed 3 days ago" in text
    assert "Undecided" in text
    assert "Missed" in text


def test_a_deal_without_an_agreement_has_no_agreement_section():
    deal = DealFactory()
    text = pdf_text(render_pack(deal))
    assert "Notice deadline" not in text
    assert "Open obligations" not in text


def test_the_pack_lists_at_most_thirty_occurrences_and_counts_the_rest(personas, agreement):
    today = timezone.localdate()
    monthly = obligation(
        agreement,
        personas.owner,
        title="Monthly usage statement",
        recurrence="monthly",
        first_due=today - dt.timedelta(days=40 * 31),
        lead_days=0,
    )
    assert Occurrence.objects.filter(obligation=monthly).count() >= 35
    with CaptureQueriesContext(connection) as captured:
        text = " ".join(pdf_text(render_pack(agreement.deal)).split())
    agreement_queries = [q for q in captured if "agreements_" in q["sql"]]
    assert len(agreement_queries) == 3
    assert "more not listed here" in text
