"""Attaching the signed contract to a deal with an agreement (or signing a deal that has
one) has its key facts read after the commit and proposed to the owner or sponsor: a
banner on the agreement and deal pages leads to them; only what is confirmed is saved,
and once confirmed or dismissed the banner goes (issue 15, part 6)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.forms import EvidenceForm
from agreements.models import Agreement, ContractReading, ReadingStatus
from deals.documents import TEXT_MAX_BYTES, ContractUploadForm
from deals.models import ContractDocument, Deal, Stage
from deals.services import deal_advance, document_attach

pytestmark = pytest.mark.django_db

CONTRACT = (
    "MASTER SERVICES AGREEMENT\n\n"
    'This Agreement is entered into as of March 1, 2019 (the "Effective Date").\n'
    "This Agreement shall automatically renew for successive one (1) year periods unless "
    "either party gives notice of non-renewal at least sixty (60) days prior to the end of "
    "the then-current term.\n"
    "This Agreement shall be governed by the laws of the State of New York, without regard "
    "to its conflict of laws principles.\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def text_file(name="signed-contract.txt", content: bytes | None = None):
    return SimpleUploadedFile(name, CONTRACT.encode() if content is None else content)


def upload(client, deal, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("document_upload", args=[deal.pk]), {"file": file})


def test_attaching_the_signed_contract_proposes_its_facts_and_only_the_confirmed_are_saved(
    client_for, personas, agreement, eager_tasks, django_capture_on_commit_callbacks
):
    deal = agreement.deal
    client = client_for(personas.owner)
    response = upload(client, deal, text_file(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()

    document = ContractDocument.objects.get(deal=deal)
    assert document.kind == "txt"
    reading = ContractReading.objects.get(document=document)
    assert reading.status == ReadingStatus.PROPOSED and reading.found >= 3
    facts_url = f"{reverse('agreement_facts', args=[agreement.pk])}?document={document.pk}"
    for page in (deal.get_absolute_url(), agreement.get_absolute_url()):
        html = client.get(page).content.decode()
        assert f"We read {reading.found} facts from “signed-contract.txt”." in html
        assert facts_url in html
    # Nothing is saved by reading: the agreement is as it was.
    assert Agreement.objects.get(pk=agreement.pk).governing_law == ""

    html = client.get(facts_url).content.decode()
    assert 'value="New York"' in html and 'value="2019-03-01"' in html
    assert "sixty (60) days prior to the end of the then-current term" in html
    assert "governed by the laws of the State of New York" in html

    response = client.post(
        facts_url,
        {
            "governing_law": "New York",
            "confirm_governing_law": "on",
            "notice_days": "60",
            "confirm_notice_days": "on",
            "effective_date": "2019-03-01",  # proposed, not ticked: not saved
        },
    )
    assert response.status_code == 302
    after = Agreement.objects.get(pk=agreement.pk)
    assert after.governing_law == "New York"
    assert (after.notice_unit, after.notice_amount) == ("days", 60)
    assert after.effective_date == agreement.effective_date
    reading.refresh_from_db()
    assert reading.status == ReadingStatus.CONFIRMED and reading.reviewed_by == personas.owner
    for page in (deal.get_absolute_url(), agreement.get_absolute_url()):
        assert "facts-banner" not in client.get(page).content.decode()


def test_the_reading_waits_for_the_commit_and_is_not_done_in_the_upload(
    client_for, personas, agreement, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(personas.owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("document_upload", args=[agreement.deal_id]), {"file": text_file()})
    assert ContractDocument.objects.filter(deal=agreement.deal).exists()
    assert not ContractReading.objects.exists()
    assert callbacks  # the reading, queued for after the commit
    for callback in callbacks:
        callback()
    assert ContractReading.objects.get().status == ReadingStatus.PROPOSED


def test_signing_a_deal_that_has_its_contract_proposes_the_newest_documents_facts(
    personas, deal_in_negotiation_all_approved, eager_tasks, django_capture_on_commit_callbacks
):
    deal = deal_in_negotiation_all_approved
    upload_ = ContractUploadForm(files={"file": text_file("draft.txt", b"A draft.")})
    assert upload_.is_valid()
    document_attach(deal=deal, user=personas.owner, upload=upload_.cleaned_data["file"])
    signed = ContractUploadForm(files={"file": text_file()})
    assert signed.is_valid()
    newest = document_attach(deal=deal, user=personas.owner, upload=signed.cleaned_data["file"])
    assert not ContractReading.objects.exists()  # no agreement yet: nothing read
    with django_capture_on_commit_callbacks(execute=True):
        deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)
    reading = ContractReading.objects.get()
    assert reading.document == newest
    assert reading.facts["governing_law"] == "New York"


def test_an_unreadable_contract_gets_a_clear_message_and_nothing_is_saved(
    client_for, personas, agreement, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(personas.owner)
    broken = SimpleUploadedFile(
        "signed.pdf", b"%PDF-1.7\nthis is not a PDF at all", "application/pdf"
    )
    upload(client, agreement.deal, broken, django_capture_on_commit_callbacks)
    reading = ContractReading.objects.get()
    assert reading.status == ReadingStatus.UNREADABLE and reading.problem
    html = client.get(agreement.get_absolute_url()).content.decode()
    assert "We could not read “signed.pdf”." in html and "See why" in html
    page = client.get(reverse("agreement_facts", args=[agreement.pk])).content.decode()
    assert "“signed.pdf” could not be read:" in page
    assert "nothing is saved" in page
    before = Agreement.objects.get(pk=agreement.pk)
    response = client.post(reverse("agreement_facts", args=[agreement.pk]), {})
    assert response.status_code == 422
    after = Agreement.objects.get(pk=agreement.pk)
    assert (after.effective_date, after.governing_law, after.notice_amount) == (
        before.effective_date,
        before.governing_law,
        before.notice_amount,
    )


def test_dismissing_the_proposals_saves_nothing_and_the_banner_goes(
    client_for, personas, agreement, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(personas.executive)  # the sponsor may review them too
    upload(
        client_for(personas.owner), agreement.deal, text_file(), django_capture_on_commit_callbacks
    )
    document = ContractDocument.objects.get()
    assert "facts-banner" in client.get(agreement.deal.get_absolute_url()).content.decode()
    response = client.post(
        reverse("agreement_facts_dismiss", args=[agreement.pk]), {"document": document.pk}
    )
    assert response.status_code == 302
    assert ContractReading.objects.get().status == ReadingStatus.DISMISSED
    assert Agreement.objects.get(pk=agreement.pk).governing_law == ""
    assert "facts-banner" not in client.get(agreement.deal.get_absolute_url()).content.decode()
    assert "facts-banner" not in client.get(agreement.get_absolute_url()).content.decode()


def test_outsiders_get_404_and_reviewers_see_no_banner_and_cannot_confirm_or_dismiss(
    client_for, personas, agreement, eager_tasks, django_capture_on_commit_callbacks
):
    upload(
        client_for(personas.owner), agreement.deal, text_file(), django_capture_on_commit_callbacks
    )
    document = ContractDocument.objects.get()
    facts = reverse("agreement_facts", args=[agreement.pk])
    dismiss = reverse("agreement_facts_dismiss", args=[agreement.pk])
    confirm = {"governing_law": "Mars", "confirm_governing_law": "on"}

    # Someone with no part in a confidential deal: 404, as for the deal itself.
    Deal.objects.filter(pk=agreement.deal_id).update(confidential=True)
    outsider = client_for(personas.outsider)
    assert outsider.get(agreement.deal.get_absolute_url()).status_code == 404
    assert outsider.get(facts).status_code == 404
    assert outsider.post(facts, confirm).status_code == 404
    assert outsider.post(dismiss, {"document": document.pk}).status_code == 404

    legal = client_for(personas.legal)
    assert "facts-banner" not in legal.get(agreement.deal.get_absolute_url()).content.decode()
    assert "facts-banner" not in legal.get(agreement.get_absolute_url()).content.decode()
    assert legal.get(facts).status_code == 403
    assert legal.post(facts, confirm).status_code == 403
    assert legal.post(dismiss, {"document": document.pk}).status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).governing_law == ""
    assert ContractReading.objects.get().status == ReadingStatus.PROPOSED


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("contract.txt", "Vertrag über Dienste".encode("latin-1"), "not plain UTF-8 text"),
        ("contract.txt", b"MZ\x90\x00\x03\x00\x00\x00binary", "not plain UTF-8 text"),
        ("contract.txt", b"a" * (TEXT_MAX_BYTES + 1), "the limit for plain text is 2 MB"),
        ("contract.pdf", CONTRACT.encode(), "Only PDF, Word (DOCX) and plain-text"),
        ("contract", CONTRACT.encode(), "Only PDF, Word (DOCX) and plain-text"),
    ],
)
def test_only_real_utf8_text_of_a_bounded_size_is_accepted_as_plain_text(name, content, message):
    form = ContractUploadForm(files={"file": SimpleUploadedFile(name, content)})
    assert not form.is_valid()
    assert message in str(form.errors["file"])


def test_utf8_text_with_accents_and_page_breaks_is_accepted():
    content = "Société Générale — § 4.2\f\r\nPage 2\tof 9\n".encode()
    form = ContractUploadForm(files={"file": SimpleUploadedFile("contrat.TXT", content)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"].kind == "txt"


def test_evidence_and_notices_stay_pdf_or_docx():
    form = EvidenceForm(files={"file": text_file()})
    assert not form.is_valid()
    assert "Only PDF and Word (DOCX) documents can be attached." in str(form.errors["file"])
