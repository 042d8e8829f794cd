"""Obligations: occurrences made once per due date however often the daily task runs,
evidence uploaded by the owner and accepted or rejected by the reviewer, a missed
partner obligation raising a concern on the deal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Obligation, Occurrence, OccurrenceStatus
from agreements.obligations import (
    evidence_review,
    evidence_submit,
    obligation_add,
    occurrences_mark_missed,
    occurrences_plan,
)
from core.models import AuditAction, AuditEvent
from deals.models import Deal
from stakeholders.models import Concern
from tests.factories import OutcomeMetricFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
D = dt.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf():
    upload = SimpleUploadedFile("evidence.pdf", PDF, "application/pdf")
    upload.kind = "pdf"
    return upload


def add(agreement, user, **fields):
    data = {
        "title": "Monthly service report",
        "owed_by": "partner",
        "category": "reporting",
        "clause": "§ 7.2",
        "owner": user,
        "reviewer": agreement.deal.sponsor,
        "recurrence": "monthly",
        "first_due": D(2026, 1, 31),
        "lead_days": 10,
        **fields,
    }
    return obligation_add(agreement=agreement, user=user, data=data)


def test_recurring_due_dates_keep_the_month_end_without_drifting():
    """Each due date stays in its own month: clamped to a short month's last day, and
    counted from the first due date, so 31 January never drifts to the 29th."""
    obligation = Obligation(recurrence="monthly", first_due=D(2024, 1, 31))
    assert obligation.due_dates(D(2024, 5, 31)) == [
        D(2024, 1, 31),
        D(2024, 2, 29),  # no 31 February: the month's last day
        D(2024, 3, 31),
        D(2024, 4, 30),
        D(2024, 5, 31),
    ]
    quarterly = Obligation(recurrence="quarterly", first_due=D(2025, 11, 30))
    assert quarterly.due_dates(D(2026, 8, 31)) == [
        D(2025, 11, 30),
        D(2026, 2, 28),
        D(2026, 5, 30),
        D(2026, 8, 30),
    ]
    yearly = Obligation(recurrence="yearly", first_due=D(2024, 2, 29), until=D(2027, 12, 31))
    assert yearly.due_dates(D(2030, 1, 1)) == [
        D(2024, 2, 29),
        D(2025, 2, 28),
        D(2026, 2, 28),
        D(2027, 2, 28),
    ]


def test_two_runs_of_the_daily_planner_never_duplicate_an_occurrence(personas, agreement):
    obligation = add(
        agreement, personas.owner, first_due=timezone.localdate() - dt.timedelta(days=70)
    )
    made = Occurrence.objects.filter(obligation=obligation).count()
    assert made >= 3
    assert occurrences_plan() == 0
    assert occurrences_plan(today=timezone.localdate()) == 0
    assert Occurrence.objects.filter(obligation=obligation).count() == made
    # Due dates further on appear lead_days before them, each once.
    today, later = timezone.localdate(), timezone.localdate() + dt.timedelta(days=45)
    new = len(obligation.due_dates(later + dt.timedelta(days=10))) - len(
        obligation.due_dates(today + dt.timedelta(days=10))
    )
    assert new >= 1
    assert occurrences_plan(today=later) == new
    assert occurrences_plan(today=later) == 0
    assert Occurrence.objects.filter(obligation=obligation).count() == made + new


def test_only_the_owner_or_sponsor_adds_obligations(personas, agreement):
    with pytest.raises(PermissionDenied):
        add(agreement, personas.legal)


def test_an_obligation_may_link_to_an_outcome_metric(personas, agreement):
    metric = OutcomeMetricFactory(deal=agreement.deal)
    assert add(agreement, personas.owner, metric=metric).metric == metric


def test_the_owner_uploads_evidence_and_the_reviewer_accepts_or_rejects_it(personas, agreement):
    obligation = add(agreement, personas.owner, recurrence="once", first_due=timezone.localdate())
    occurrence = obligation.occurrences.get()
    with pytest.raises(PermissionDenied):
        evidence_submit(occurrence=occurrence, user=personas.legal, upload=pdf())
    occurrence = evidence_submit(occurrence=occurrence, user=personas.owner, upload=pdf())
    assert occurrence.status == OccurrenceStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        evidence_review(occurrence=occurrence, user=personas.owner, accept=True)
    with pytest.raises(ValidationError):
        evidence_review(occurrence=occurrence, user=personas.executive, accept=False)
    occurrence = evidence_review(
        occurrence=occurrence, user=personas.executive, accept=False, note="Wrong quarter."
    )
    assert occurrence.status == OccurrenceStatus.REJECTED
    occurrence = evidence_submit(occurrence=occurrence, user=personas.owner, upload=pdf())
    occurrence = evidence_review(occurrence=occurrence, user=personas.executive, accept=True)
    assert occurrence.status == OccurrenceStatus.ACCEPTED
    actions = list(
        AuditEvent.objects.filter(object_type="agreements.occurrence")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.EVIDENCE_SUBMITTED,
        AuditAction.EVIDENCE_REVIEWED,
        AuditAction.EVIDENCE_SUBMITTED,
        AuditAction.EVIDENCE_REVIEWED,
    ]


def test_a_missed_partner_obligation_raises_a_concern_once(personas, agreement):
    obligation = add(
        agreement,
        personas.owner,
        recurrence="once",
        first_due=timezone.localdate() - dt.timedelta(days=1),
    )
    assert occurrences_mark_missed() == 1
    assert occurrences_mark_missed() == 0
    occurrence = obligation.occurrences.get()
    assert occurrence.status == OccurrenceStatus.MISSED
    concern = Concern.objects.get(deal=agreement.deal)
    assert concern == occurrence.concern
    assert concern.title == "Missed obligation: Monthly service report"
    assert "§ 7.2" in concern.detail


def test_a_missed_obligation_of_ours_raises_no_concern(personas, agreement):
    add(
        agreement,
        personas.owner,
        owed_by="us",
        recurrence="once",
        first_due=timezone.localdate() - dt.timedelta(days=1),
    )
    assert occurrences_mark_missed() == 1
    assert not Concern.objects.filter(deal=agreement.deal).exists()


def test_evidence_that_is_not_a_pdf_or_docx_is_refused_and_nothing_saved(
    client_for, personas, agreement
):
    obligation = add(agreement, personas.owner, recurrence="once", first_due=timezone.localdate())
    occurrence = obligation.occurrences.get()
    response = client_for(personas.owner).post(
        reverse("evidence_upload", args=[occurrence.pk]),
        {"file": SimpleUploadedFile("evidence.pdf", b"\x89PNG\r\n", "application/pdf")},
    )
    assert response.status_code == 422
    assert "Only PDF and Word" in response.content.decode()
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.OPEN and not occurrence.evidence


def test_the_occurrence_page_offers_upload_to_the_owner_and_review_to_the_reviewer(
    client_for, personas, agreement
):
    obligation = add(agreement, personas.owner, recurrence="once", first_due=timezone.localdate())
    occurrence = obligation.occurrences.get()
    url = occurrence.get_absolute_url()
    assert "Upload evidence" in client_for(personas.owner).get(url).content.decode()
    response = client_for(personas.owner).post(
        reverse("evidence_upload", args=[occurrence.pk]),
        {"file": SimpleUploadedFile("evidence.pdf", PDF, "application/pdf"), "note": "Q1"},
    )
    assert response.status_code == 302
    page = client_for(personas.executive).get(url).content.decode()
    assert "Your verdict" in page
    response = client_for(personas.executive).post(
        reverse("evidence_review", args=[occurrence.pk]), {"verdict": "accept"}
    )
    assert response.status_code == 302
    download = client_for(personas.legal).get(reverse("evidence_download", args=[occurrence.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_the_owner_and_reviewer_must_see_the_deal_and_be_two_people(personas, agreement):
    Deal.objects.filter(pk=agreement.deal_id).update(confidential=True)
    with pytest.raises(ValidationError) as refused:
        add(agreement, personas.owner, owner=personas.outsider)
    assert "cannot see this deal" in refused.value.message_dict["owner"][0]
    with pytest.raises(ValidationError) as refused:
        add(agreement, personas.owner, reviewer=personas.owner)
    assert "someone other than its owner" in refused.value.message_dict["reviewer"][0]
    assert not Obligation.objects.exists()
