"""The dossier's zip: its files from dossier.record, a manifest, and nothing that varies.

Byte for byte the same for the same as-of date: entries sorted by name, each dated the
as-of date (ZIP stores local date and time, no zone), the same permissions and
compression, JSON with sorted keys, CSV with "\\n" line ends, dates in UTC or in the
site's zone (never the requester's), no "generated at", and a PDF/A-3b whose creation
date and file identifier are derived from the deal and the date, not the clock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from deals.activity import sentence

from . import record

MANIFEST = "manifest.json"


def as_json(data: Any) -> bytes:
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def as_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in r] for r in rows])
    return out.getvalue().encode()


def _utc(moment) -> str:
    return record.plain(moment)


def audit_files(events) -> dict[str, bytes]:
    rows = [
        {
            "id": e.pk,
            "at": _utc(e.at),
            "action": e.action,
            "actor": e.actor.display_name if e.actor else "Deal Desk",
            "actor_email": e.actor.email if e.actor else "",
            "object_type": e.object_type,
            "object_id": e.object_id,
            "sentence": sentence(e),
            "before": e.before,
            "after": e.after,
        }
        for e in events
    ]
    header = ["id", "at", "action", "actor", "actor_email", "object_type", "object_id"]
    csv_rows = [
        [r[k] for k in header]
        + [
            r["sentence"],
            json.dumps(r["before"], sort_keys=True),
            json.dumps(r["after"], sort_keys=True),
        ]
        for r in rows
    ]
    return {
        "audit/audit.csv": as_csv([*header, "sentence", "before", "after"], csv_rows),
        "audit/audit.jsonl": "".join(
            json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows
        ).encode(),
    }


REVIEW_COLUMNS = ["at", "review", "department", "what", "status", "by", "text", "channel", "round"]


def diffs_page(terms: list[dict]) -> bytes:
    return render_to_string("dossier/diffs.html", {"terms": terms}).encode()


def briefing_pdf(data: dict) -> bytes:
    """The briefing as of the date, PDF/A-3b: from the dossier's own as-of record (the
    live briefing pack reads the deal as it is now)."""
    from weasyprint import HTML  # loads Pango; only the worker that builds pays for it

    html = render_to_string("pdf/dossier.html", data)
    identifier = hashlib.sha256(f"{data['deal'].pk}:{data['as_of']}".encode()).hexdigest()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_identifier=identifier[:32].encode()
    )


def files_of(data: dict) -> tuple[dict[str, bytes], list[dict]]:
    """Every file of the dossier but the manifest, and what was left out and why."""
    left_out = list(record.RULES_LEFT_OUT)
    files: dict[str, bytes] = {
        "deal.json": as_json(data["deal_data"]),
        "people.json": as_json(data["people"]),
        "stage_changes.csv": as_csv(
            ["at", "from_stage", "to_stage", "by", "note"],
            [
                [c["at"], c["from_stage"], c["to_stage"], c["by"], c["note"]]
                for c in data["stage_changes"]
            ],
        ),
        "terms/terms.json": as_json(data["terms"]),
        "terms/diffs.html": diffs_page(data["terms"]),
        "reviews.csv": as_csv(
            REVIEW_COLUMNS, [[r[k] for k in REVIEW_COLUMNS] for r in data["reviews"]]
        ),
        "decisions.json": as_json(data["decisions"]),
        "concerns.json": as_json(data["concerns"]),
        "briefing.pdf": briefing_pdf(data),
        **audit_files(data["events"]),
    }
    for case in data["cases"]:
        files[f"business_case/version-{case['version']}.json"] = as_json(case)
    if not data["cases"]:
        left_out.append({"what": "business_case/", "why": "No business case as of the date."})
    if data["agreement"] is not None:
        files["agreement.json"] = as_json(data["agreement"])
    else:
        left_out.append({"what": "agreement.json", "why": "No agreement as of the date."})
    left_out.append(
        {
            "what": "Obligation evidence and notice evidence files",
            "why": "Named with their SHA-256 in agreement.json; the contract documents are "
            "the files this dossier carries.",
        }
    )
    for document in data["documents"]:
        name = f"documents/{document.pk}-{get_valid_filename(document.original_name)}"
        try:
            with document.file.open("rb") as handle:
                content = handle.read()
        except OSError:
            left_out.append({"what": name, "why": "The file is missing from storage."})
            continue
        if hashlib.sha256(content).hexdigest() != document.sha256:
            left_out.append(
                {"what": name, "why": "The stored file no longer matches its SHA-256 at upload."}
            )
            continue
        files[name] = content
    return files, left_out


def readme(data: dict, names: list[str]) -> bytes:
    return render_to_string("dossier/README.txt", {**data, "names": names}).encode()


def build(deal, as_of) -> bytes:
    """The dossier's zip bytes: the same for the same deal and as-of date."""
    with timezone.override(timezone.get_default_timezone()):
        data = record.read(deal, as_of)
        files, left_out = files_of(data)
        files["README.txt"] = readme(data, sorted([*files, "README.txt", MANIFEST]))
    files[MANIFEST] = as_json(
        {
            "deal": data["deal"].pk,
            "as_of": as_of.isoformat(),
            "cutoff": record.plain(data["cutoff"]),
            "files": [
                {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                for name, content in sorted(files.items())
            ],
            "left_out": left_out,
        }
    )
    out = io.BytesIO()
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the machine
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return out.getvalue()
