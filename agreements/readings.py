"""The signed contract's key facts, read from a document attached to an agreement's deal
and kept as proposals until the owner or sponsor confirms or dismisses them (issue 15,
part 6).

A document is read once, after the commit of its upload (or of the signing, for the
newest document of a deal signed with documents): on a worker, never in the request
that attached it, because a 20 MB PDF may take seconds. The facts page reads a document
that has no reading yet itself, once. Reading saves nothing to the agreement; only
`facts_confirm`, with what the person ticked, does.
"""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from deals.models import ContractDocument

from . import rules
from .contract_facts import UnreadableDocument, extract_file
from .models import READING_PENDING, Agreement, ContractReading, ReadingStatus
from .services import agreement_update

FACT_NAMES = (
    "effective_date",
    "expiry_date",
    "initial_term_months",
    "renewal_type",
    "renewal_term_months",
    "notice_days",
    "governing_law",
)


def current_documents(deal_id: int):
    """The deal's documents not archived, newest first."""
    return ContractDocument.objects.filter(deal=deal_id, archived_at__isnull=True).order_by(
        "-uploaded_at", "-pk"
    )


def contract_read(*, document_id: int) -> ContractReading | None:
    """Read the document's key facts once; a document read before keeps its reading.
    None when the document is gone or archived, or its deal has no agreement. Safe on
    two workers at once: the reading is unique per document, the second save is dropped."""
    document = ContractDocument.objects.filter(pk=document_id, archived_at__isnull=True).first()
    if document is None:
        return None
    agreement = Agreement.objects.filter(deal=document.deal_id).first()
    if agreement is None:
        return None
    existing = ContractReading.objects.filter(document=document).first()
    if existing is not None:
        return existing
    reading = ContractReading(agreement=agreement, document=document)
    try:
        facts = extract_file(Path(document.file.path)).as_json()
    except (OSError, UnreadableDocument) as error:
        reading.status = ReadingStatus.UNREADABLE
        reading.problem = str(error) or "The file could not be read."
    else:
        facts.pop("path", None)
        reading.status = ReadingStatus.PROPOSED
        reading.facts = facts
        reading.found = sum(facts.get(name) is not None for name in FACT_NAMES)
    try:
        with transaction.atomic():
            reading.save()
    except IntegrityError:  # another worker read it meanwhile
        return ContractReading.objects.get(document=document)
    return reading


def pending_reading(agreement: Agreement) -> ContractReading | None:
    """The newest document's reading the owner has not confirmed or dismissed yet."""
    return (
        ContractReading.objects.filter(
            agreement=agreement, status__in=READING_PENDING, document__archived_at__isnull=True
        )
        .select_related("document")
        .order_by("-document__uploaded_at", "-document_id")
        .first()
    )


@transaction.atomic
def facts_confirm(
    *, agreement: Agreement, user, data: dict, reading: ContractReading | None
) -> Agreement:
    """Save the facts the person confirmed (and only those), and close the reading."""
    rules.EDIT_AGREEMENT.require(user, agreement)
    updated = agreement_update(agreement=agreement, user=user, data=data)
    if reading is not None:
        ContractReading.objects.filter(pk=reading.pk).update(
            status=ReadingStatus.CONFIRMED, reviewed_by=user, reviewed_at=timezone.now()
        )
    return updated


@transaction.atomic
def reading_dismiss(*, agreement: Agreement, user, reading: ContractReading) -> bool:
    """Put the proposals away unsaved; the banner goes. False if already reviewed."""
    rules.EDIT_AGREEMENT.require(user, agreement)
    return bool(
        ContractReading.objects.filter(
            pk=reading.pk, agreement=agreement, status__in=READING_PENDING
        ).update(status=ReadingStatus.DISMISSED, reviewed_by=user, reviewed_at=timezone.now())
    )
