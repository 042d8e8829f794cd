"""The auditor's dossier: a zip of one deal's record as of a date, its manifest true to
every file, the same bytes for the same date, nothing dated after the date in it, and
only for the sponsor, executives and administrators."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from deals.models import ContractDocument, Deal, StageChange, Term, TermRevision
from deals.services import decision_record, term_create, term_revise
from dossier import archive
from dossier.models import Dossier, DossierStatus
from stakeholders.models import Concern, ConcernReply, Review
from stakeholders.services import concern_raise, concern_reply, review_give_verdict
from tests.factories import department

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate()
LAST_WEEK = TODAY - dt.timedelta(days=7)
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def backdate(deal: Deal, days: int = 10) -> None:
    """Move everything recorded so far on the deal `days` into the past."""
    then = timezone.now() - dt.timedelta(days=days)
    Deal.objects.filter(pk=deal.pk).update(created_at=then)
    StageChange.objects.filter(deal=deal).update(at=then)
    Term.objects.filter(deal=deal).update(created_at=then, updated_at=then)
    TermRevision.objects.filter(term__deal=deal).update(at=then)
    Review.objects.filter(deal=deal).update(created_at=then)
    Review.objects.filter(deal=deal, decided_at__isnull=False).update(decided_at=then)
    Concern.objects.filter(deal=deal).update(raised_at=then)
    ConcernReply.objects.filter(concern__deal=deal).update(at=then)
    ContractDocument.objects.filter(deal=deal).update(uploaded_at=then)
    AuditEvent.objects.filter(deal=deal).update(at=then)


@pytest.fixture
def recorded_deal(personas, deal_in_review, media, client_for):
    """A deal in review with a term, a verdict, a concern and its reply, a decision and a
    contract document: all of it ten days old."""
    deal = deal_in_review
    term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "liability_cap",
            "title": "Liability cap",
            "wording": "Capped at 12 months of fees.",
            "department": department("legal"),
        },
    )
    review_give_verdict(
        review=deal.reviews.get(department__slug="it"),
        user=personas.it,
        verdict="request_changes",
        text="Single sign-on, please.",
    )
    concern = concern_raise(
        deal=deal,
        user=personas.it,
        data={"title": "Data residency", "detail": "Where?", "severity": "high", "blocking": True},
    )
    concern_reply(concern=concern, user=personas.owner, body="In Frankfurt.")
    decision_record(
        deal=deal,
        user=personas.executive,
        data={"kind": "trade_off", "title": "Go on", "rationale": "Worth it."},
    )
    response = client_for(personas.owner).post(
        f"/deals/{deal.pk}/documents/",
        {"file": SimpleUploadedFile("msa.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302, response.content
    backdate(deal)
    return Deal.objects.get(pk=deal.pk)


def inflated(pdf: bytes) -> bytes:
    """Every stream of a PDF, uncompressed where it can be: its XMP metadata is one."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"".join(out)


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive_:
        return {info.filename: archive_.read(info) for info in archive_.infolist()}


def test_the_manifest_names_every_file_with_its_sha256_and_what_was_left_out(recorded_deal):
    files = unzip(archive.build(recorded_deal, YESTERDAY))
    manifest = json.loads(files["manifest.json"])

    assert {f["name"] for f in manifest["files"]} == set(files) - {"manifest.json"}
    for entry in manifest["files"]:
        content = files[entry["name"]]
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["name"]
        assert len(content) == entry["size"]
    expected = {
        "README.txt",
        "briefing.pdf",
        "deal.json",
        "people.json",
        "stage_changes.csv",
        "terms/terms.json",
        "terms/diffs.html",
        "reviews.csv",
        "decisions.json",
        "concerns.json",
        "audit/audit.csv",
        "audit/audit.jsonl",
    }
    assert expected <= set(files)
    [document] = [name for name in files if name.startswith("documents/")]
    assert files[document] == PDF
    left_out = {item["what"]: item["why"] for item in manifest["left_out"]}
    assert "Everything dated after the as-of date" in left_out
    assert "Audit events of dossier exports" in left_out
    assert left_out["agreement.json"] == "No agreement as of the date."
    assert left_out["business_case/"] == "No business case as of the date."
    assert manifest["as_of"] == YESTERDAY.isoformat()
    assert files["briefing.pdf"].startswith(b"%PDF-")
    assert b'pdfaid:part="3"' in inflated(files["briefing.pdf"])  # PDF/A-3b, in its XMP
    # The reviews' whole history: requests and the verdict.
    reviews = list(csv.DictReader(io.StringIO(files["reviews.csv"].decode())))
    assert [r["what"] for r in reviews].count("requested") == 3
    [verdict] = [r for r in reviews if r["what"] == "verdict"]
    assert verdict["status"] == "changes_requested" and verdict["channel"] == "web"
    concerns = json.loads(files["concerns.json"])
    assert concerns[0]["replies"][0]["body"] == "In Frankfurt."


def test_a_document_missing_from_storage_is_listed_as_left_out(recorded_deal):
    document = ContractDocument.objects.get(deal=recorded_deal)
    document.file.storage.delete(document.file.name)
    manifest = json.loads(unzip(archive.build(recorded_deal, YESTERDAY))["manifest.json"])
    [missing] = [i for i in manifest["left_out"] if i["what"].startswith("documents/")]
    assert missing["why"] == "The file is missing from storage."


def test_the_same_as_of_date_gives_the_same_bytes_even_after_later_changes(personas, recorded_deal):
    first = archive.build(recorded_deal, YESTERDAY)
    assert archive.build(recorded_deal, YESTERDAY) == first

    # Today: the term is revised, the concern resolved, the deal edited.
    term = Term.objects.get(deal=recorded_deal)
    term_revise(term=term, user=personas.owner, wording="Capped at 24 months.", expected_version=1)
    from stakeholders.services import concern_resolve

    concern_resolve(
        concern=Concern.objects.get(deal=recorded_deal), user=personas.it, resolution="EU."
    )
    again = archive.build(Deal.objects.get(pk=recorded_deal.pk), YESTERDAY)
    assert again == first
    with zipfile.ZipFile(io.BytesIO(again)) as zipped:
        assert [i.filename for i in zipped.infolist()] == sorted(unzip(again))
        assert {i.date_time[:3] for i in zipped.infolist()} == {
            (YESTERDAY.year, YESTERDAY.month, YESTERDAY.day)
        }


def test_an_as_of_date_before_a_change_leaves_the_change_out(personas, recorded_deal):
    term = Term.objects.get(deal=recorded_deal)
    term_revise(term=term, user=personas.owner, wording="Capped at 24 months.", expected_version=1)
    before = unzip(archive.build(recorded_deal, YESTERDAY))
    after = unzip(archive.build(recorded_deal, TODAY))

    [old] = json.loads(before["terms/terms.json"])
    [new] = json.loads(after["terms/terms.json"])
    assert old["wording"] == "Capped at 12 months of fees." and old["version"] == 1
    assert len(old["revisions"]) == 1
    assert new["wording"] == "Capped at 24 months." and new["version"] == 2
    assert "<del>12</del><ins>24</ins>" in new["revisions"][1]["diff_html"]
    assert b"<del>" in after["terms/diffs.html"]

    def actions(files):
        return [json.loads(line)["action"] for line in files["audit/audit.jsonl"].splitlines()]

    assert AuditAction.TERM_REVISED not in actions(before)
    assert AuditAction.TERM_REVISED in actions(after)
    # A deal created after the as-of date is not in it at all.
    empty = unzip(archive.build(recorded_deal, LAST_WEEK - dt.timedelta(days=7)))
    assert json.loads(empty["deal.json"]) == {"id": recorded_deal.pk, "not_yet_created": True}
    assert json.loads(empty["terms/terms.json"]) == []
    assert empty["audit/audit.jsonl"] == b""


def test_a_deal_edited_later_is_shown_as_it_was(personas, recorded_deal):
    from deals.services import deal_update

    deal_update(deal=recorded_deal, user=personas.owner, data={"title": "Renamed later"})
    old = json.loads(unzip(archive.build(recorded_deal, YESTERDAY))["deal.json"])
    new = json.loads(unzip(archive.build(recorded_deal, TODAY))["deal.json"])
    assert old["title"] == "Cloud migration" and new["title"] == "Renamed later"


def test_the_agreement_and_its_obligations_are_in_it_once_opened(personas, recorded_deal):
    from agreements import obligations as obligation_services
    from agreements import services as agreement_services

    Deal.objects.filter(pk=recorded_deal.pk).update(stage="signed")
    agreement = agreement_services.agreement_open(deal=recorded_deal, user=personas.owner)
    agreement = agreement_services.agreement_update(
        agreement=agreement,
        user=personas.owner,
        data={"effective_date": TODAY, "initial_term_months": 12},
    )
    obligation_services.obligation_add(
        agreement=agreement,
        user=personas.owner,
        data={
            "title": "Quarterly service report",
            "owed_by": "partner",
            "owner": personas.owner,
            "reviewer": personas.executive,
            "first_due": TODAY + dt.timedelta(days=30),
        },
    )
    files = unzip(archive.build(recorded_deal, TODAY))
    data = json.loads(files["agreement.json"])
    assert data["initial_term_months"] == 12
    assert [o["title"] for o in data["obligations"]] == ["Quarterly service report"]
    assert "occurrences" in data["obligations"][0]
    assert "agreement.json" in unzip(archive.build(recorded_deal, TODAY))
    assert "agreement.json" not in unzip(archive.build(recorded_deal, YESTERDAY))


# --------------------------------------------------------------------------- the pages


def test_the_sponsor_builds_it_in_the_background_and_downloads_it(
    personas, recorded_deal, client_for, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(personas.executive)
    page = client.get(recorded_deal.get_absolute_url()).content.decode()
    assert f'hx-get="/deals/{recorded_deal.pk}/dossier/" hx-trigger="load"' in page
    card = client.get(f"/deals/{recorded_deal.pk}/dossier/", headers={"HX-Request": "true"})
    assert "Auditor's dossier" in card.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/deals/{recorded_deal.pk}/dossier/",
            {"as_of": YESTERDAY.isoformat()},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.READY and dossier.as_of == YESTERDAY
    event = AuditEvent.objects.get(action=AuditAction.DOSSIER_EXPORTED)
    assert event.actor == personas.executive and event.after == {"as_of": YESTERDAY.isoformat()}

    download = client.get(f"/deals/{recorded_deal.pk}/dossier/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == dossier.sha256
    assert content == archive.build(recorded_deal, YESTERDAY)
    assert str(dossier.file.path).startswith(str(dossier.file.storage.location))


def test_while_it_is_built_the_card_polls(personas, recorded_deal, client_for):
    client = client_for(personas.executive)
    client.post(f"/deals/{recorded_deal.pk}/dossier/", {"as_of": YESTERDAY.isoformat()})
    card = client.get(f"/deals/{recorded_deal.pk}/dossier/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in card.content.decode()


def test_only_the_sponsor_executives_and_administrators_export(personas, recorded_deal, client_for):
    url = f"/deals/{recorded_deal.pk}/dossier/"
    for person in (personas.owner, personas.legal, personas.finance):
        assert client_for(person).post(url, {"as_of": YESTERDAY.isoformat()}).status_code == 403
        assert client_for(person).get(url + "download/").status_code == 403
        card = client_for(person).get(url, headers={"HX-Request": "true"})
        assert card.status_code == 200 and card.content.decode().strip() == ""
    assert client_for(personas.admin).post(url, {"as_of": YESTERDAY.isoformat()}).status_code == 302
    Deal.objects.filter(pk=recorded_deal.pk).update(confidential=True)
    assert (
        client_for(personas.outsider).post(url, {"as_of": YESTERDAY.isoformat()}).status_code == 404
    )
    assert client_for(personas.outsider).get(url + "download/").status_code == 404


def test_a_date_in_the_future_is_refused(personas, recorded_deal, client_for):
    response = client_for(personas.executive).post(
        f"/deals/{recorded_deal.pk}/dossier/",
        {"as_of": (TODAY + dt.timedelta(days=1)).isoformat()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and "no future" in response.content.decode()
    assert not Dossier.objects.exists()
