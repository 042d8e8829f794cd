"""Renewal decisions by the owner or sponsor (renew, renegotiate, terminate with notice and
evidence), the pages, and who may see and do what on them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, RenewalDecision
from agreements.services import agreement_decide
from core.models import AuditAction, AuditEvent
from deals.activity import sentence
from deals.models import Deal, Stage
from metrics.models import BusinessCase, OutcomeMetric
from metrics.services import check_in_record
from tests.factories import BusinessCaseFactory, OutcomeMetricFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="notice.pdf", content=PDF):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    upload.kind = "pdf"
    return upload


def test_the_owner_or_sponsor_decides_and_nobody_else(personas, agreement):
    for person in (personas.legal, personas.finance, personas.outsider):
        with pytest.raises(PermissionDenied):
            agreement_decide(agreement=agreement, user=person, decision="renew")
    decided = agreement_decide(agreement=agreement, user=personas.executive, decision="renew")
    assert decided.decision == RenewalDecision.RENEW
    assert decided.decided_by == personas.executive and decided.decided_at
    event = AuditEvent.objects.get(action=AuditAction.RENEWAL_DECIDED)
    assert event.before == {"decision": ""} and event.after["decision"] == "Renew"
    assert sentence(event) == f"{personas.executive.display_name} decided to renew the agreement."


def test_terminate_needs_the_date_and_the_notice_and_saves_nothing_without(
    personas, agreement, media
):
    with pytest.raises(ValidationError) as error:
        agreement_decide(agreement=agreement, user=personas.owner, decision="terminate")
    assert set(error.value.message_dict) == {"notice_given_on", "evidence"}
    agreement.refresh_from_db()
    assert (
        agreement.decision == ""
        and not AuditEvent.objects.filter(action=AuditAction.RENEWAL_DECIDED).exists()
    )
    today = timezone.localdate()
    decided = agreement_decide(
        agreement=agreement,
        user=personas.owner,
        decision="terminate",
        notice_given_on=today,
        evidence=pdf(),
    )
    assert decided.notice_given_on == today and decided.notice_evidence_name == "notice.pdf"
    assert decided.notice_evidence.read() == PDF
    # Notice once given is final.
    with pytest.raises(ValidationError):
        agreement_decide(agreement=decided, user=personas.owner, decision="renew")


def test_renegotiate_opens_a_renewal_deal_from_the_agreement_case_and_actuals(
    personas, agreement, media
):
    deal = agreement.deal
    case = BusinessCaseFactory(deal=deal)
    metric = OutcomeMetricFactory(
        deal=deal, baseline=Decimal(100), target=Decimal(150), direction="increase"
    )
    check_in_record(
        metric=metric, user=personas.owner, date=timezone.localdate(), actual=Decimal(120)
    )
    decided = agreement_decide(
        agreement=agreement, user=personas.owner, decision="renegotiate", note="Price"
    )
    renewal = decided.renewal_deal
    assert renewal.title == f"Renewal: {deal.title}" and renewal.stage == Stage.INTAKE
    assert renewal.partnership == deal.partnership and renewal.sponsor == deal.sponsor
    assert renewal.term_months == 12
    assert "120" in renewal.summary and metric.name in renewal.summary
    carried = OutcomeMetric.objects.get(deal=renewal)
    assert carried.baseline == Decimal(120) and carried.target == Decimal(150)
    copied = BusinessCase.objects.get(deal=renewal)
    assert [y.revenue_growth for y in copied.years.all()] == [
        y.revenue_growth for y in case.years.all()
    ]
    assert Deal.objects.filter(renewal_of=decided).get() == renewal


def test_outsiders_get_404_for_a_confidential_deals_agreement(client_for, personas, agreement):
    Deal.objects.filter(pk=agreement.deal_id).update(confidential=True)
    url = agreement.get_absolute_url()
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.owner).get(url).status_code == 200


def test_the_agreement_page_shows_the_deadline_and_the_decision_form_to_deciders(
    client_for, personas, agreement
):
    page = client_for(personas.owner).get(agreement.get_absolute_url()).content.decode()
    assert "Notice deadline" in page and f"{agreement.notice_deadline:%-d %b %Y}" in page
    assert "Decide the renewal" in page
    page = client_for(personas.legal).get(agreement.get_absolute_url()).content.decode()
    assert "Decide the renewal" not in page


def test_the_deal_page_links_its_agreement_once_signed(client_for, personas, agreement):
    page = client_for(personas.legal).get(agreement.deal.get_absolute_url()).content.decode()
    assert agreement.get_absolute_url() in page


def test_the_decision_form_refuses_a_termination_without_evidence(client_for, personas, agreement):
    response = client_for(personas.owner).post(
        reverse("agreement_decide", args=[agreement.pk]),
        {"decision": "terminate", "notice_given_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 422
    assert "Attach the notice as it was sent" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).decision == ""


def test_the_decision_form_refuses_a_file_that_is_not_a_pdf(client_for, personas, agreement):
    response = client_for(personas.owner).post(
        reverse("agreement_decide", args=[agreement.pk]),
        {
            "decision": "terminate",
            "notice_given_on": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("notice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "Only PDF and Word" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).decision == ""


def test_the_edit_form_computes_the_new_deadline(client_for, personas, agreement):
    response = client_for(personas.owner).post(
        reverse("agreement_edit", args=[agreement.pk]),
        {
            "effective_date": agreement.effective_date.isoformat(),
            "term_kind": "months",
            "initial_term_months": 12,
            "renewal_type": "automatic",
            "renewal_term_months": 12,
            "notice_unit": "months",
            "notice_amount": 3,
            "notice_method": "Letter",
        },
    )
    assert response.status_code == 302
    fresh = Agreement.objects.get(pk=agreement.pk)
    assert fresh.notice_deadline <= fresh.current_term_end - dt.timedelta(days=89)


def test_the_renewals_page_puts_agreements_in_their_bands_and_lists_missed_windows(
    client_for, personas, agreement, django_assert_max_num_queries
):
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement.pk).update(notice_deadline=today + dt.timedelta(days=20))
    client = client_for(personas.owner)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("renewals")).content.decode()
    band = page.split('id="band-soon"')[1].split("</section>")[0]
    assert agreement.deal.title in band
    Agreement.objects.filter(pk=agreement.pk).update(notice_deadline=today - dt.timedelta(days=3))
    page = client.get(reverse("renewals")).content.decode()
    assert "Missed windows" in page and agreement.deal.title in page.split('id="missed-title"')[1]
    # Decided: no longer a missed window.
    Agreement.objects.filter(pk=agreement.pk).update(decision="renew")
    assert "Missed windows" not in client.get(reverse("renewals")).content.decode()


def test_the_renewals_page_shows_no_confidential_agreement_to_outsiders(
    client_for, personas, agreement
):
    Deal.objects.filter(pk=agreement.deal_id).update(confidential=True)
    Agreement.objects.filter(pk=agreement.pk).update(
        notice_deadline=timezone.localdate() + dt.timedelta(days=5)
    )
    page = client_for(personas.outsider).get(reverse("renewals")).content.decode()
    assert agreement.deal.title not in page
