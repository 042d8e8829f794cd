import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from deals.models import ContractDocument, Deal

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, deal, name, content, content_type="application/pdf"):
    return client.post(
        reverse("document_upload", args=[deal.pk]),
        {"file": SimpleUploadedFile(name, content, content_type)},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("msa.pdf", PDF), ("msa.docx", docx_bytes()), ("msa.txt", "Signed — § 1.".encode())],
)
def test_the_owner_attaches_a_pdf_or_docx_and_people_on_the_deal_download_it(
    client_for, personas, deal, settings, name, content
):
    response = upload(client_for(personas.owner), deal, name, content)
    assert response.status_code == 302
    document = ContractDocument.objects.get()
    assert document.kind == name.rsplit(".", 1)[1]
    assert document.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "/static" not in document.file.path
    assert AuditEvent.objects.filter(action="document attached").exists()

    download = client_for(personas.legal).get(document.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # The deal page takes plain text too, but only as .txt (issue 15, part 6).
        ("evil.pdf", b"<script>alert(1)</script>", "Only PDF, Word (DOCX) and plain-text"),
        ("evil.docx", b"PK\x03\x04not really a zip", "Only PDF, Word (DOCX) and plain-text"),
        ("sheet.docx", None, "Only PDF, Word (DOCX) and plain-text"),
        ("binary.txt", b"\x00\x01\x02ELF", "not plain UTF-8 text"),
        ("renamed.docx", PDF, "content is PDF but its name ends in .docx"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_anything_but_a_real_pdf_or_docx_is_refused(
    client_for, personas, deal, name, content, message
):
    if content is None:  # a zip that is not a Word document
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        content = buffer.getvalue()
    response = upload(client_for(personas.owner), deal, name, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_a_document_over_the_limit_is_refused(client_for, personas, deal, settings):
    settings.CONTRACT_DOCUMENT_MAX_BYTES = 1024
    response = upload(client_for(personas.owner), deal, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 422
    assert "the limit is" in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_documents_of_a_confidential_deal_are_404_to_outsiders(
    client_for, personas, confidential_deal
):
    upload(client_for(personas.owner), confidential_deal, "secret.pdf", PDF)
    document = ContractDocument.objects.get()
    assert client_for(personas.outsider).get(document.get_absolute_url()).status_code == 404
    assert upload(client_for(personas.outsider), confidential_deal, "x.pdf", PDF).status_code == 404
    assert client_for(personas.legal).post(
        reverse("document_upload", args=[confidential_deal.pk]), {}
    ).status_code in (403, 404)


def test_reviewers_cannot_attach_documents(client_for, personas, deal):
    assert upload(client_for(personas.legal), deal, "x.pdf", PDF).status_code == 403


def test_a_deal_is_archived_not_deleted_and_leaves_the_dashboard(client_for, personas, deal):
    client = client_for(personas.owner)
    client.post(reverse("deal_archive", args=[deal.pk]), {"archive": "1"})
    deal.refresh_from_db()
    assert deal.archived_at is not None
    assert deal.title not in client.get("/").content.decode()
    assert deal.title in client.get("/", {"archived": "on"}).content.decode()
    assert client.get(deal.get_absolute_url()).status_code == 200
    client.post(reverse("deal_archive", args=[deal.pk]), {"archive": "0"})
    assert Deal.objects.get(pk=deal.pk).archived_at is None
    assert list(
        AuditEvent.objects.filter(deal=deal, action__in=["archived", "restored"]).values_list(
            "action", flat=True
        )
    ) == [
        "restored",
        "archived",
    ]


def test_nobody_deletes_deals_reviews_or_terms_in_the_admin(client_for, personas, deal):
    client = client_for(personas.admin)
    assert client.post(f"/admin/deals/deal/{deal.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_an_archived_document_is_no_longer_downloadable(client_for, personas, deal):
    from django.utils import timezone

    upload(client_for(personas.owner), deal, "msa.pdf", PDF)
    document = ContractDocument.objects.get()
    assert client_for(personas.owner).get(document.get_absolute_url()).status_code == 200
    ContractDocument.objects.filter(pk=document.pk).update(archived_at=timezone.now())
    assert client_for(personas.owner).get(document.get_absolute_url()).status_code == 404


def test_the_partnership_list_counts_only_the_deals_the_viewer_may_see(
    client_for, personas, deal, confidential_deal
):
    def count_for(user) -> str:
        html = client_for(user).get(reverse("partnership_list")).content.decode()
        return html.split(deal.partnership.title, 1)[1].split('class="num">', 1)[1].split("<")[0]

    assert count_for(personas.owner) == "2"  # the owner is on both
    assert count_for(personas.outsider) == "1"  # the confidential one is not even counted
