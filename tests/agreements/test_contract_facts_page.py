"""Facts read from the signed document are proposed on the agreement; the owner confirms
or corrects each, and nothing unconfirmed is saved."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import BytesIO

import pytest
from django.core.files.base import File
from django.urls import reverse

from agreements.models import Agreement, NoticeUnit, RenewalType
from deals.models import ContractDocument

pytestmark = pytest.mark.django_db

TEXT = (
    'This Agreement is entered into as of March 1, 2019 (the "Effective Date"). '
    "This Agreement shall automatically renew for successive one (1) year periods unless either "
    "party gives notice of non-renewal at least sixty (60) days prior to the end of the then-current term. "
    "This Agreement shall be governed by the laws of the State of New York."
)


@pytest.fixture
def signed_docx(settings, tmp_path, personas, agreement):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        body = "".join(f"<w:p><w:r><w:t>{s}.</w:t></w:r></w:p>" for s in TEXT.split(". "))
        archive.writestr("word/document.xml", f"<w:document><w:body>{body}</w:body></w:document>")
    document = ContractDocument(
        deal=agreement.deal,
        original_name="signed.docx",
        kind="docx",
        size=len(buffer.getvalue()),
        sha256="1" * 64,
        uploaded_by=personas.owner,
    )
    document.file.save("signed.docx", File(buffer, name="signed.docx"), save=False)
    document.save()
    return document


def test_the_page_proposes_each_fact_with_its_sentence(
    client_for, personas, agreement, signed_docx
):
    page = client_for(personas.owner).get(reverse("agreement_facts", args=[agreement.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2019-03-01"' in html and 'value="New York"' in html
    assert "sixty (60) days prior" in html
    assert "governed by the laws of the State of New York" in html


def test_only_the_confirmed_facts_are_saved(client_for, personas, agreement, signed_docx):
    before = Agreement.objects.get(pk=agreement.pk)
    url = reverse("agreement_facts", args=[agreement.pk])
    client = client_for(personas.owner)
    response = client.post(url, {"governing_law": "New York", "notice_days": "75"})
    assert response.status_code == 422  # nothing ticked: nothing saved
    assert Agreement.objects.get(pk=agreement.pk).governing_law == ""
    response = client.post(
        url,
        {
            "governing_law": "New York",
            "confirm_governing_law": "on",
            "notice_days": "75",  # corrected by the owner
            "confirm_notice_days": "on",
            "effective_date": "2019-03-01",  # proposed, not confirmed: left as it was
            "renewal_type": "automatic",
            "confirm_renewal_type": "on",
        },
    )
    assert response.status_code == 302
    after = Agreement.objects.get(pk=agreement.pk)
    assert after.governing_law == "New York"
    assert (after.notice_unit, after.notice_amount) == (NoticeUnit.DAYS, 75)
    assert after.renewal_type == RenewalType.AUTOMATIC
    assert after.effective_date == before.effective_date != dt.date(2019, 3, 1)


def test_others_may_not_confirm_facts(client_for, personas, agreement, signed_docx):
    url = reverse("agreement_facts", args=[agreement.pk])
    assert client_for(personas.legal).get(url).status_code == 403


def _pdf_bytes(kind: str) -> bytes:
    """A corrupt PDF, a scan (a page without text) or a password-protected PDF."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    if kind == "corrupt":
        return b"%PDF-1.7\n" + b"\x00garbage" * 50
    if kind == "scan":
        blank = PdfWriter()
        blank.add_blank_page(width=595, height=842)
        out = BytesIO()
        blank.write(out)
        return out.getvalue()
    locked = PdfWriter(clone_from=PdfReader(BytesIO(HTML(string=f"<p>{TEXT}</p>").write_pdf())))
    locked.encrypt("secret")
    out = BytesIO()
    locked.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("corrupt", "The PDF is damaged"),
        ("scan", "has no text (a scan?)"),
        ("locked", "password-protected"),
        ("huge", "the limit is 20 MB"),
    ],
)
def test_an_unreadable_contract_gets_a_clear_message_and_nothing_is_saved(
    settings, tmp_path, client_for, personas, agreement, kind, words
):
    settings.MEDIA_ROOT = tmp_path
    document = ContractDocument(
        deal=agreement.deal,
        original_name=f"{kind}.pdf",
        kind="pdf",
        size=1,
        sha256="2" * 64,
        uploaded_by=personas.owner,
    )
    if kind == "huge":  # 50 MB on disk, past the 20 MB the reader accepts
        document.file.save("huge.pdf", File(BytesIO(b"%PDF-1.7\n"), name="huge.pdf"), save=False)
        with open(document.file.path, "r+b") as out:
            out.truncate(50 * 1024 * 1024)
    else:
        document.file.save(f"{kind}.pdf", File(BytesIO(_pdf_bytes(kind)), name="x.pdf"), save=False)
    document.save()
    before = Agreement.objects.get(pk=agreement.pk)
    page = client_for(personas.owner).get(reverse("agreement_facts", args=[agreement.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{kind}.pdf" in html and words in html
    assert "fact-evidence" not in html  # nothing proposed
    after = Agreement.objects.get(pk=agreement.pk)
    assert [getattr(after, f.attname) for f in Agreement._meta.concrete_fields] == [
        getattr(before, f.attname) for f in Agreement._meta.concrete_fields
    ]


@pytest.mark.parametrize("wanted", ["²", "①", "99999999999999999999999", "1 OR 1=1"])
def test_an_odd_document_id_finds_no_document_and_is_no_500(
    client_for, personas, agreement, signed_docx, wanted
):
    client = client_for(personas.owner)
    page = client.get(reverse("agreement_facts", args=[agreement.pk]), {"document": wanted})
    assert page.status_code == 200
    assert "Attach the signed contract" in page.content.decode()
    dismissed = client.post(
        reverse("agreement_facts_dismiss", args=[agreement.pk]), {"document": wanted}
    )
    assert dismissed.status_code == 404
