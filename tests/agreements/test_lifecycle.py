"""An agreement opens when its deal is signed, rolls forward after each automatic
renewal (audited, once however often the daily task runs) and ends when it must."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agreements.models import Agreement, RenewalType, TermKind
from agreements.services import (
    agreement_roll_forward,
    agreement_update,
    agreements_open_windows,
    agreements_roll_forward,
)
from agreements.tasks import agreements_daily
from core.models import AuditAction, AuditEvent
from deals.activity import sentence
from webhooks.models import WebhookDelivery
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db


def test_signing_a_deal_opens_its_agreement_once_with_the_deals_term(personas, signed_deal):
    agreement = Agreement.objects.get(deal=signed_deal)
    assert agreement.term_kind == TermKind.MONTHS
    assert agreement.initial_term_months == signed_deal.term_months
    # Renewal and notice are explicitly not stated until someone records the contract's.
    assert agreement.renewal_type == RenewalType.NOT_STATED
    assert agreement.notice_deadline is None
    event = AuditEvent.objects.get(action=AuditAction.AGREEMENT_OPENED)
    assert event.deal_id == signed_deal.pk and event.actor == personas.owner
    assert sentence(event).startswith(f"{personas.owner.display_name} opened the agreement")


def test_no_agreement_opens_before_signing(deal_in_negotiation_all_approved):
    assert not Agreement.objects.exists()


def test_recording_the_terms_computes_the_deadline_and_audits_it(personas, agreement):
    assert agreement.notice_deadline is not None
    assert agreement.notice_deadline.weekday() < 5
    assert (agreement.current_term_end - agreement.notice_deadline).days >= 90
    event = AuditEvent.objects.filter(action=AuditAction.AGREEMENT_EDITED).get()
    assert "renewal type" in event.after["changed"]
    assert event.after["notice_deadline"] == agreement.notice_deadline.isoformat()


def test_only_the_owner_or_sponsor_records_the_terms(personas, agreement):
    for person in (personas.legal, personas.outsider, personas.finance):
        with pytest.raises(PermissionDenied):
            agreement_update(agreement=agreement, user=person, data={"notice_amount": 30})


def test_bad_terms_change_nothing(personas, agreement):
    with pytest.raises(ValidationError) as error:
        agreement_update(
            agreement=agreement,
            user=personas.owner,
            data={"renewal_term_months": None},
        )
    assert "renewal_term_months" in error.value.message_dict
    agreement.refresh_from_db()
    assert agreement.renewal_term_months == 12


def test_the_daily_task_renews_an_automatic_agreement_once_and_audits_it(agreement):
    end = agreement.current_term_end
    day_after = end + dt.timedelta(days=1)
    assert agreements_roll_forward(today=day_after) == 1
    assert agreements_roll_forward(today=day_after) == 0  # a re-run changes nothing
    agreement.refresh_from_db()
    assert agreement.renewals_done == 1
    assert agreement.current_term_end > end
    assert agreement.notice_deadline > end - dt.timedelta(days=90)
    [event] = AuditEvent.objects.filter(action=AuditAction.AGREEMENT_RENEWED)
    assert event.actor is None and event.before["term_end"] == end.isoformat()
    assert event.after["term_end"] == agreement.current_term_end.isoformat()
    assert sentence(event).startswith("Deal Desk renewed the agreement for renewal 1")


def test_a_run_after_a_long_outage_catches_up_every_renewal_and_stops_at_the_maximum(
    personas, agreement
):
    agreement = agreement_update(agreement=agreement, user=personas.owner, data={"max_renewals": 2})
    end = agreement.current_term_end
    far = end + dt.timedelta(days=365 * 5)
    assert agreement_roll_forward(agreement_id=agreement.pk, today=far) == 3  # 2 renewals, 1 end
    agreement.refresh_from_db()
    assert agreement.renewals_done == 2
    assert agreement.ended_on == agreement.current_term_end
    assert agreement.notice_deadline is None
    actions = list(
        AuditEvent.objects.filter(
            action__in=[AuditAction.AGREEMENT_RENEWED, AuditAction.AGREEMENT_ENDED]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["agreement renewed", "agreement renewed", "agreement ended"]


def test_an_agreement_without_renewal_ends_at_its_term_end(personas, agreement):
    agreement = agreement_update(
        agreement=agreement,
        user=personas.owner,
        data={"renewal_type": RenewalType.NONE, "renewal_term_months": None},
    )
    assert agreement.notice_deadline is None
    agreement_roll_forward(
        agreement_id=agreement.pk, today=agreement.current_term_end + dt.timedelta(days=1)
    )
    agreement.refresh_from_db()
    assert agreement.ended_on == agreement.current_term_end


def test_the_daily_task_runs_every_step(agreement):
    # The fixture's notice deadline is 40 days out: its renewal window opens.
    assert agreements_daily() == {"rolled": 0, "windows": 1, "occurrences": 0, "missed": 0}


def test_the_renewal_window_is_announced_once_per_deadline_and_sent_as_a_webhook(
    personas, agreement, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    endpoint_create(
        user=personas.admin,
        name="Contracts system",
        url="http://127.0.0.1:9/hooks",
        events=["agreement.renewal_window_opened"],
        owner=personas.owner,
    )
    today = timezone.localdate()
    assert 0 <= (agreement.notice_deadline - today).days <= 90  # within the first lead time
    # 100 days out is beyond the longest lead time (90): nothing yet.
    assert agreements_open_windows(today=agreement.notice_deadline - dt.timedelta(days=100)) == 0
    assert agreements_open_windows(today=today) == 1
    assert agreements_open_windows(today=today) == 0  # a re-run, or a second worker
    [event] = AuditEvent.objects.filter(action=AuditAction.RENEWAL_WINDOW_OPENED)
    assert sentence(event).endswith(f"notice by {agreement.notice_deadline:%-d %b %Y}.")
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["type"] == "agreement.renewal_window_opened"
    assert delivery.payload["data"] == {"deal_id": agreement.deal_id, "agreement_id": agreement.pk}
    # The next term's deadline opens its own window once it comes near.
    agreement_roll_forward(
        agreement_id=agreement.pk, today=agreement.current_term_end + dt.timedelta(days=1)
    )
    renewed = Agreement.objects.get(pk=agreement.pk)
    assert agreements_open_windows(today=renewed.notice_deadline - dt.timedelta(days=30)) == 1
    # A decided agreement has nothing to announce.
    renewed.decision = "renew"
    renewed.save()
    assert agreements_open_windows(today=renewed.notice_deadline - dt.timedelta(days=30)) == 0
