"""Writes that change a deal: each is atomic and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import AuditAction, audit_record, changed, snapshot
from stakeholders import services as stakeholder_services

from .briefing import render_pack
from .models import (
    BriefingPack,
    ContractDocument,
    Deal,
    Decision,
    PackStatus,
    Stage,
    StageChange,
    Term,
    TermRevision,
    TermStatus,
    briefing_path,
)


@transaction.atomic
def deal_create(*, user, data: dict[str, Any]) -> Deal:
    deal = Deal(**data)
    deal.stage = Stage.INTAKE
    deal.stage_changed_at = timezone.now()
    deal.full_clean()
    deal.save()
    StageChange.objects.create(
        deal=deal, from_stage="", to_stage=deal.stage, by=user, note="Created"
    )
    audit_record(
        actor=user, action=AuditAction.CREATED, instance=deal, after=snapshot(deal), deal=deal
    )
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, user, data: dict[str, Any]) -> Deal:
    # Lock the row so that two people saving at once are applied one by one.
    locked = Deal.objects.select_for_update(no_key=True).get(pk=deal.pk)
    before = snapshot(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    old, new = changed(before, snapshot(locked))
    old.pop("updated_at", None)
    new.pop("updated_at", None)
    if new:
        audit_record(
            actor=user,
            action=AuditAction.EDITED,
            instance=locked,
            before=old,
            after=new,
            deal=locked,
        )
        stakeholder_services.reviews_top_up(deal=locked, user=user, reason="Deal edited")
    return locked


@transaction.atomic
def deal_advance(*, deal: Deal, user, to_stage: str, note: str = "") -> Deal:
    """Move a deal to another stage, if the transition table allows it."""
    if not deal.can_be_edited_by(user):
        raise PermissionDenied("Only the deal's owner or sponsor can move it.")
    # The stage is read again under a row lock: two clicks cannot both move it.
    locked = Deal.objects.select_for_update(no_key=True).get(pk=deal.pk)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": f"{to_stage!r} is not a stage."})
    refusal = locked.refusal_to_move(to_stage)
    if not refusal and to_stage == Stage.APPROVED:
        refusal = stakeholder_services.gate_refusal(locked)
    if refusal:
        raise ValidationError({"to_stage": refusal})
    from_stage = locked.stage
    now = timezone.now()
    locked.stage = to_stage
    locked.stage_changed_at = now
    locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    StageChange.objects.create(
        deal=locked, from_stage=from_stage, to_stage=to_stage, by=user, at=now, note=note
    )
    audit_record(
        actor=user,
        action=AuditAction.MOVED,
        instance=locked,
        before={"stage": from_stage},
        after={"stage": to_stage, "note": note},
        deal=locked,
    )
    if to_stage == Stage.REVIEW:
        stakeholder_services.reviews_route(deal=locked, user=user)
    elif to_stage == Stage.NEGOTIATION:
        stakeholder_services.reviews_top_up(deal=locked, user=user, reason="Deal in negotiation")
    return locked


class TermConflict(Exception):
    """The term changed since the editor loaded it; carries the current term."""

    def __init__(self, term: Term):
        super().__init__("This term was changed by someone else.")
        self.term = term


@transaction.atomic
def term_create(*, deal: Deal, user, data: dict[str, Any]) -> Term:
    if not deal.can_edit_terms(user):
        raise PermissionDenied("Only the deal owner edits its terms.")
    stakeholder_services.lock_deal(deal.pk)
    term = Term(deal=deal, updated_by=user, **data)
    term.full_clean()
    term.save()
    TermRevision.objects.create(
        term=term, number=1, round=deal.revision_rounds, by=user, new_wording=term.wording
    )
    audit_record(
        actor=user,
        action=AuditAction.TERM_ADDED,
        instance=term,
        after={"title": term.title, "wording": term.wording, "department": term.department.name},
        deal=deal,
    )
    return term


@transaction.atomic
def term_revise(
    *,
    term: Term,
    user,
    wording: str,
    expected_version: int,
    note: str = "",
    status: str | None = None,
) -> Term:
    """Change a term's wording. A decided review of its department needs a re-review.

    Applies only if nobody changed the term since the editor loaded `expected_version`.
    """
    deal = term.deal
    if not deal.can_edit_terms(user):
        raise PermissionDenied("Only the deal owner edits its terms.")
    wording = wording.strip()
    if not wording:
        raise ValidationError({"wording": "The term needs its wording or value."})
    if status is not None and status not in TermStatus.values:
        raise ValidationError({"status": "Choose a valid status."})
    stakeholder_services.lock_deal(deal.pk)  # a review decision waits, then sees the change
    old = Term.objects.get(pk=term.pk)
    if wording == old.wording and (status is None or status == old.status):
        return old
    updated = Term.objects.filter(pk=term.pk, version=expected_version).update(
        wording=wording,
        status=status or old.status,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if not updated:
        raise TermConflict(Term.objects.select_related("updated_by").get(pk=term.pk))
    review = deal.reviews.filter(department_id=term.department_id).first()
    # An approval, a request for changes or a rejection no longer covers new wording.
    reopened = bool(review and review.is_decided and wording != old.wording)
    if reopened:
        # Counted once per deal-wide round, under a row lock on the deal.
        Deal.objects.filter(pk=deal.pk).update(revision_rounds=F("revision_rounds") + 1)
        stakeholder_services.review_reopen(
            review=review, user=user, reason=f"Term “{term.title}” changed after approval"
        )
    deal.refresh_from_db(fields=["revision_rounds"])
    if wording != old.wording:
        TermRevision.objects.create(
            term=term,
            number=term.revisions.count() + 1,
            round=deal.revision_rounds,
            by=user,
            old_wording=old.wording,
            new_wording=wording,
            note=note,
            reopened_review=reopened,
        )
    fresh = Term.objects.get(pk=term.pk)
    audit_record(
        actor=user,
        action=AuditAction.TERM_REVISED,
        instance=fresh,
        before={"wording": old.wording, "status": old.status},
        after={"wording": fresh.wording, "status": fresh.status, "note": note},
        deal=deal,
    )
    return fresh


@transaction.atomic
def decision_record(*, deal: Deal, user, data: dict[str, Any]) -> Decision:
    """The sponsor's call, with its rationale; clears a pending request for a decision."""
    if not deal.can_decide(user):
        raise PermissionDenied("Only the deal's executive sponsor records decisions.")
    decision = Decision(deal=deal, decided_by=user, **data)
    decision.full_clean()
    decision.save()
    Deal.objects.filter(pk=deal.pk).update(
        decision_requested_at=None, decision_requested_by=None, decision_request_note=""
    )
    audit_record(
        actor=user,
        action=AuditAction.DECISION_RECORDED,
        instance=decision,
        after={
            "kind": decision.kind,
            "title": decision.title,
            "rationale": decision.rationale,
            "overrules_gate": decision.overrules_gate,
        },
        deal=deal,
    )
    return decision


@transaction.atomic
def deal_request_decision(*, deal: Deal, user, note: str) -> Deal:
    """Anyone involved asks the sponsor to decide; it shows on the sponsor's dashboard."""
    stakeholder_services.require_involved(deal, user, "ask its sponsor to decide")
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what the sponsor needs to decide."})
    Deal.objects.filter(pk=deal.pk).update(
        decision_requested_at=timezone.now(), decision_requested_by=user, decision_request_note=note
    )
    audit_record(
        actor=user,
        action=AuditAction.DECISION_REQUESTED,
        instance=deal,
        after={"note": note},
        deal=deal,
    )
    deal.refresh_from_db()
    return deal


@transaction.atomic
def deal_archive(*, deal: Deal, user, archive: bool) -> Deal:
    """Archive (or restore) a deal. Nothing is deleted: reviews, terms and history stay."""
    if not deal.can_be_edited_by(user):
        raise PermissionDenied("Only the deal's owner or sponsor archives it.")
    locked = Deal.objects.select_for_update(no_key=True).get(pk=deal.pk)
    if bool(locked.archived_at) == archive:
        return locked
    before = {"archived_at": locked.archived_at.isoformat() if locked.archived_at else None}
    locked.archived_at = timezone.now() if archive else None
    locked.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.ARCHIVED if archive else AuditAction.RESTORED,
        instance=locked,
        before=before,
        after={"archived_at": locked.archived_at.isoformat() if locked.archived_at else None},
        deal=locked,
    )
    return locked


@transaction.atomic
def document_attach(*, deal: Deal, user, upload) -> ContractDocument:
    """Store a checked upload (see deals.documents) against the deal, audited."""
    from .documents import sha256_of

    if not deal.can_be_edited_by(user):
        raise PermissionDenied("The deal owner or sponsor attaches contract documents.")
    document = ContractDocument(
        deal=deal,
        original_name=upload.name[:255],
        kind=upload.kind,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=user,
    )
    # The file is written first; if the row cannot be saved the request fails and the
    # orphan file (named by its hash) is harmless and never served.
    document.file.save(upload.name, upload, save=False)
    document.save()
    audit_record(
        actor=user,
        action=AuditAction.DOCUMENT_ATTACHED,
        instance=document,
        after={"name": document.original_name, "kind": document.kind, "sha256": document.sha256},
        deal=deal,
    )
    return document


# Briefing packs: queued here, rendered by deals.tasks.render_briefing_pack.


@transaction.atomic
def briefing_request(*, deal: Deal, user) -> BriefingPack:
    """Queue a briefing pack of the deal; one already on its way is returned instead."""
    # The deal row lock makes two clicks at once queue one pack, not two.
    stakeholder_services.lock_deal(deal.pk)
    working = BriefingPack.objects.filter(
        deal=deal, status__in=[PackStatus.QUEUED, PackStatus.RENDERING]
    ).first()
    if working is not None and not working.is_stuck:
        return working
    pack = BriefingPack.objects.create(deal=deal, requested_by=user)
    audit_record(actor=user, action=AuditAction.BRIEFING_REQUESTED, instance=pack, deal=deal)
    from .tasks import render_briefing_pack

    # After commit, so that the worker finds the row; robust, so that a broker
    # outage leaves a queued pack (the page offers a retry) instead of a failed request.
    transaction.on_commit(lambda: render_briefing_pack.delay(pack.pk), robust=True)
    return pack


def briefing_render(*, pack_id: int) -> BriefingPack | None:
    """Render a queued pack and store it; None when there is nothing to do.

    Not one transaction: the render takes seconds and holds no lock. Safe to run
    again — a redelivered task (worker died mid-render) renders the same file
    again; a pack that is ready already is left alone.
    """
    started = BriefingPack.objects.filter(
        pk=pack_id, status__in=[PackStatus.QUEUED, PackStatus.RENDERING]
    ).update(status=PackStatus.RENDERING, started_at=timezone.now())
    if not started:
        return None
    pack = BriefingPack.objects.select_related("deal").get(pk=pack_id)
    pdf = render_pack(pack.deal)
    name = briefing_path(pack, "")
    pack.file.storage.delete(name)  # a render of an earlier attempt, if any
    pack.file.save(name, ContentFile(pdf), save=False)
    BriefingPack.objects.filter(pk=pack_id, status=PackStatus.RENDERING).update(
        status=PackStatus.READY,
        file=pack.file.name,
        size=len(pdf),
        error="",
        finished_at=timezone.now(),
    )
    pack.refresh_from_db()
    return pack


def briefing_fail(*, pack_id: int, error: str) -> None:
    BriefingPack.objects.filter(pk=pack_id).exclude(status=PackStatus.READY).update(
        status=PackStatus.FAILED, error=error[:1000], finished_at=timezone.now()
    )
