"""Writes to obligations: added by the owner or sponsor, their occurrences made by the
daily task (once per obligation and due date), evidence uploaded and reviewed, and a
missed one marked (a partner's raising a concern on the deal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import AuditAction, audit_record, changed, snapshot
from deals.documents import sha256_of
from deals.models import Deal
from stakeholders import rules as stakeholder_rules
from stakeholders.models import Severity
from stakeholders.services import concern_raise

from . import rules
from .models import Agreement, Obligation, Occurrence, OccurrenceStatus, OwedBy


@transaction.atomic
def obligation_add(*, agreement: Agreement, user, data: dict[str, Any]) -> Obligation:
    rules.ADD_OBLIGATION.require(user, agreement)
    Deal.objects.lock(agreement.deal_id)
    obligation = Obligation(agreement=agreement, **data)
    obligation.full_clean()
    _require_insiders(obligation, agreement.deal_id)
    obligation.save()
    audit_record(
        actor=user,
        action=AuditAction.OBLIGATION_ADDED,
        instance=obligation,
        after={
            "title": obligation.title,
            "owed_by": obligation.get_owed_by_display(),
            "recurrence": obligation.get_recurrence_display(),
            "first_due": obligation.first_due.isoformat(),
        },
        deal=agreement.deal,
    )
    occurrences_plan(obligations=[obligation])
    return obligation


def _require_insiders(obligation: Obligation, deal_id: int) -> None:
    """Whoever owns or reviews it must see the deal: otherwise its occurrence is a 404 to
    them, and the calendar feed would name a confidential deal to an outsider."""
    outsiders = {
        field: f"{person.display_name} cannot see this deal: choose someone who works on it."
        for field in ("owner", "reviewer")
        if (person := getattr(obligation, field))
        and not Deal.objects.visible_to(person).filter(pk=deal_id).exists()
    }
    if outsiders:
        raise ValidationError(outsiders)


@transaction.atomic
def obligation_amend(
    *, obligation: Obligation, user, data: dict[str, Any], amendment: str
) -> Obligation:
    """Change or end an obligation, as an approved amendment says (`amendment` is its
    label). Open occurrences without evidence that the new schedule no longer has are
    dropped (they were only planned ahead); the others stay as the history."""
    agreement = obligation.agreement
    rules.ADD_OBLIGATION.require(user, agreement)
    Deal.objects.lock(agreement.deal_id)
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    names = [name.removesuffix("_id") for name in data]
    before = snapshot(locked, names)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    _require_insiders(locked, agreement.deal_id)
    locked.save()
    planned = locked.occurrences.filter(status=OccurrenceStatus.OPEN, evidence="")
    last = max(planned.values_list("due_on", flat=True), default=None)
    keep = set(locked.due_dates(last)) if last else set()
    dropped = [o.pk for o in planned if o.due_on not in keep]
    Occurrence.objects.filter(pk__in=dropped).delete()
    old, new = changed(before, snapshot(locked, names))
    audit_record(
        actor=user,
        action=AuditAction.OBLIGATION_CHANGED,
        instance=locked,
        before=old,
        after={
            **new,
            "title": locked.title,
            "amendment": amendment,
            "dropped": len(dropped),
        },
        deal=agreement.deal,
    )
    # The new schedule runs from today: dates it has before today were never due under
    # the contract as it stood, and made now they would be missed at once (a concern on
    # the deal for each of a partner's).
    occurrences_plan(obligations=[locked], since=timezone.localdate())
    return locked


def occurrences_plan(
    *,
    today: dt.date | None = None,
    obligations: list[Obligation] | None = None,
    since: dt.date | None = None,
) -> int:
    """Create the occurrences due within each obligation's lead days. The unique
    (obligation, due date) makes this safe to run twice, or on two workers at once:
    a row made by another run is skipped by the database, never duplicated.

    Occurrences are made in due-date order, so an obligation has every date up to its
    newest occurrence already: only the dates after it are offered to the database (at
    10,000 agreements, offering every past date again took most of the daily run).
    `since`: no date before it (an amended schedule starts when it is applied)."""
    today = today or timezone.localdate()
    if obligations is None:
        obligations = list(
            Obligation.objects.filter(agreement__ended_on__isnull=True)
            .annotate(last_due=Max("occurrences__due_on"))
            .only("pk", "recurrence", "first_due", "until", "lead_days")
        )
    rows = [
        Occurrence(obligation_id=o.pk, due_on=day)
        for o in obligations
        for day in o.due_dates(today + dt.timedelta(days=o.lead_days))
        if (getattr(o, "last_due", None) is None or day > o.last_due)
        and (since is None or day >= since)
    ]
    before = Occurrence.objects.count()
    Occurrence.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Occurrence.objects.count() - before


def _file_fields(occurrence: Occurrence, upload) -> None:
    occurrence.evidence_name = upload.name[:255]
    occurrence.evidence_kind = upload.kind
    occurrence.evidence_sha256 = sha256_of(upload)
    occurrence.evidence.save(upload.name, upload, save=False)


def _lock(occurrence: Occurrence) -> Occurrence:
    Deal.objects.lock(occurrence.obligation.agreement.deal_id)
    return (
        Occurrence.objects.select_for_update()
        .select_related("obligation__agreement__deal")
        .get(pk=occurrence.pk)
    )


@transaction.atomic
def evidence_submit(*, occurrence: Occurrence, user, upload, note: str = "") -> Occurrence:
    """The owner's evidence that the obligation was met (a checked upload)."""
    rules.SUBMIT_EVIDENCE.require(user, occurrence)
    locked = _lock(occurrence)
    if not locked.is_open:
        raise ValidationError(f"This occurrence is {locked.get_status_display().lower()}.")
    _file_fields(locked, upload)
    locked.status = OccurrenceStatus.SUBMITTED
    locked.submitted_by, locked.submitted_at, locked.note = user, timezone.now(), note.strip()
    locked.save()
    audit_record(
        actor=user,
        action=AuditAction.EVIDENCE_SUBMITTED,
        instance=locked,
        after={
            "title": locked.obligation.title,
            "due_on": locked.due_on.isoformat(),
            "name": locked.evidence_name,
        },
        deal=locked.obligation.agreement.deal,
    )
    return locked


@transaction.atomic
def evidence_review(*, occurrence: Occurrence, user, accept: bool, note: str = "") -> Occurrence:
    rules.REVIEW_EVIDENCE.require(user, occurrence)
    note = note.strip()
    if not accept and not note:
        raise ValidationError({"note": "Say why the evidence does not show the obligation met."})
    locked = _lock(occurrence)
    if locked.status != OccurrenceStatus.SUBMITTED:
        raise ValidationError("There is no evidence waiting for review.")
    locked.status = OccurrenceStatus.ACCEPTED if accept else OccurrenceStatus.REJECTED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = user, timezone.now(), note
    locked.save()
    audit_record(
        actor=user,
        action=AuditAction.EVIDENCE_REVIEWED,
        instance=locked,
        before={"status": OccurrenceStatus.SUBMITTED.label},
        after={
            "title": locked.obligation.title,
            "accepted": accept,
            "status": locked.get_status_display(),
            "note": note,
        },
        deal=locked.obligation.agreement.deal,
    )
    return locked


@transaction.atomic
def occurrence_mark_missed(*, occurrence_id: int, today: dt.date) -> bool:
    """An occurrence past its due date without accepted or waiting evidence is missed.
    A partner's raises a concern on the deal, from the obligation's owner (or the deal's
    owner when the obligation's owner may not raise one)."""
    locked = (
        Occurrence.objects.select_for_update()
        .select_related("obligation__agreement__deal", "obligation__owner")
        .filter(pk=occurrence_id, due_on__lt=today)
        .filter(status__in=[OccurrenceStatus.OPEN, OccurrenceStatus.REJECTED])
        .first()
    )
    if locked is None:
        return False  # another run marked it, or evidence came in meanwhile
    obligation = locked.obligation
    deal = obligation.agreement.deal
    locked.status = OccurrenceStatus.MISSED
    if obligation.owed_by in (OwedBy.PARTNER, OwedBy.BOTH):
        raiser = (
            obligation.owner
            if stakeholder_rules.RAISE_CONCERN(obligation.owner, deal)
            else deal.owner
        )
        clause = f" ({obligation.clause})" if obligation.clause else ""
        locked.concern = concern_raise(
            deal=deal,
            user=raiser,
            data={
                "title": f"Missed obligation: {obligation.title}"[:200],
                "detail": (
                    f"{obligation.get_owed_by_display()}{clause}: due on "
                    f"{locked.due_on:%-d %b %Y}, no accepted evidence."
                ),
                "severity": Severity.HIGH,
                "blocking": False,
            },
        )
    locked.save(update_fields=["status", "concern"])
    audit_record(
        actor=None,
        action=AuditAction.OBLIGATION_MISSED,
        instance=locked,
        after={
            "title": obligation.title,
            "due_on": locked.due_on.isoformat(),
            "owed_by": obligation.get_owed_by_display(),
        },
        deal=deal,
    )
    return True


def occurrences_mark_missed(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    late = Occurrence.objects.filter(
        due_on__lt=today, status__in=[OccurrenceStatus.OPEN, OccurrenceStatus.REJECTED]
    ).values_list("pk", flat=True)
    return sum(occurrence_mark_missed(occurrence_id=pk, today=today) for pk in list(late))
