"""Writes that change a deal: each is atomic and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import AuditAction, audit_record, model_update, snapshot
from stakeholders import signoff

from . import rules, signals
from .documents import sha256_of
from .models import (
    BriefingPack,
    ContractDocument,
    Deal,
    Decision,
    Stage,
    StageChange,
    Term,
    TermRevision,
    TermStatus,
)
from .tasks import render_briefing_pack


@transaction.atomic
def deal_create(*, user, data: dict[str, Any]) -> Deal:
    rules.CREATE_DEAL.require(user)
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
    rules.EDIT_DEAL.require(user, deal)
    # Under the row lock, so that two people saving at once are applied one by one.
    locked = Deal.objects.lock(deal.pk)
    changes = model_update(locked, data)
    if changes:
        audit_record(
            actor=user,
            action=AuditAction.EDITED,
            instance=locked,
            before=changes.before,
            after=changes.after,
            deal=locked,
        )
        signoff.reviews_top_up(deal=locked, user=user, reason="Deal edited")
    return locked


class StageMoved(Exception):
    """The deal left the stage the mover saw before their move applied."""

    def __init__(self, deal: Deal, seen: str):
        super().__init__(
            f"The deal moved from {Stage(seen).label} to {deal.stage_label} meanwhile."
        )
        self.deal = deal
        self.seen = seen


@transaction.atomic
def deal_advance(
    *, deal: Deal, user, to_stage: str, note: str = "", seen_stage: str | None = None
) -> Deal:
    """Move a deal to another stage, if the transition table and the gate allow it.

    `seen_stage` is the stage the mover's page showed: when the deal has moved since,
    the move is refused (StageMoved) instead of applying to a stage nobody looked at.
    """
    rules.MOVE_DEAL.require(user, deal)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": f"{to_stage!r} is not a stage."})
    # The stage is read again under the row lock: two clicks cannot both move it.
    locked = Deal.objects.lock(deal.pk)
    if seen_stage is not None and seen_stage != locked.stage:
        raise StageMoved(locked, seen_stage)
    refusal = locked.refusal_to_move(to_stage) or signoff.gate_refusal(locked, to_stage)
    if refusal:
        raise ValidationError({"to_stage": refusal})
    _move(locked, user=user, to_stage=to_stage, note=note)
    if to_stage == Stage.REVIEW:
        signoff.reviews_route(deal=locked, user=user)
    elif to_stage == Stage.NEGOTIATION:
        signoff.reviews_top_up(deal=locked, user=user, reason="Deal in negotiation")
    elif to_stage == Stage.SIGNED:
        # The agreements app opens the signed contract's agreement in this transaction.
        signals.deal_signed.send(sender=Deal, deal=locked, user=user)
    return locked


def _move(locked: Deal, *, user, to_stage: str, note: str) -> None:
    """Record a stage change of a deal held under its lock: row, history, audit."""
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


def _wording_moved_on(locked: Deal, *, user, reason: str) -> None:
    """Neither a verdict nor an overrule covers wording that changed after it: an
    approved deal goes back to Negotiation, never Approved on wording nobody saw."""
    if locked.stage == Stage.APPROVED:
        _move(locked, user=user, to_stage=Stage.NEGOTIATION, note=reason)


def _require_open_terms(deal: Deal, amendment: str = "") -> None:
    """Terms change in place until the deal is signed; after, only by an approved
    amendment (agreements.amendments passes its label), and never in place again."""
    if amendment:
        if deal.terms_can_change:
            raise ValidationError(
                f"The deal is {deal.stage_label}: amendments are for a signed contract; "
                "edit its terms directly."
            )
        return
    if not deal.terms_can_change:
        raise ValidationError(
            f"The deal is {deal.stage_label}: its terms are those signed and no longer change here."
        )


def _terms_rule(amendment: str):
    return rules.AMEND_TERMS if amendment else rules.EDIT_TERMS


class TermConflict(Exception):
    """The term changed since the editor loaded it; carries the current term."""

    def __init__(self, term: Term):
        super().__init__("This term was changed by someone else.")
        self.term = term


@transaction.atomic
def term_create(*, deal: Deal, user, data: dict[str, Any], amendment: str = "") -> Term:
    """Add a term. Its department's verdict did not cover it: that review re-opens.
    `amendment` ("Amendment 2"): added to a signed contract by that approved amendment."""
    _terms_rule(amendment).require(user, deal)
    locked = Deal.objects.lock(deal.pk)
    _require_open_terms(locked, amendment)
    term = Term(deal=locked, updated_by=user, **data)
    term.full_clean()
    term.save()
    audit_record(
        actor=user,
        action=AuditAction.TERM_ADDED,
        instance=term,
        after={
            "title": term.title,
            "wording": term.wording,
            "department": term.department.name,
            **({"amendment": amendment} if amendment else {}),
        },
        deal=locked,
    )
    reason = f"Term “{term.title}” added " + (
        f"by {amendment}" if amendment else "after the verdict"
    )
    reopened = signoff.wording_changed(
        deal=locked, department_id=term.department_id, user=user, reason=reason
    )
    _wording_moved_on(locked, user=user, reason=reason)
    locked.refresh_from_db(fields=["revision_rounds"])
    TermRevision.objects.create(
        term=term,
        number=1,
        round=locked.revision_rounds,
        by=user,
        new_wording=term.wording,
        note=amendment,
        reopened_review=reopened,
    )
    return term


# A withdrawn term leaves the contract and a restored one comes back: both change
# what the department's verdict covered, as much as new wording does.
def _changes_coverage(old: Term, wording: str, status: str) -> bool:
    withdrawn = TermStatus.WITHDRAWN
    return wording != old.wording or (old.status == withdrawn) != (status == withdrawn)


@transaction.atomic
def term_revise(
    *,
    term: Term,
    user,
    wording: str,
    expected_version: int,
    note: str = "",
    status: str | None = None,
    amendment: str = "",
) -> Term:
    """Change a term's wording or status. A verdict of its department no longer covers
    it: that review re-opens. Applies only if nobody changed the term since the editor
    loaded `expected_version`. `amendment` ("Amendment 2"): a signed contract's term,
    changed by that approved amendment (its revision's note names it)."""
    deal = term.deal
    _terms_rule(amendment).require(user, deal)
    wording = wording.strip()
    if not wording:
        raise ValidationError({"wording": "The term needs its wording or value."})
    if status is not None and status not in TermStatus.values:
        raise ValidationError({"status": "Choose a valid status."})
    locked = Deal.objects.lock(deal.pk)  # a verdict waits, then sees the change
    _require_open_terms(locked, amendment)
    old = Term.objects.get(pk=term.pk)
    status = status or old.status
    if wording == old.wording and status == old.status:
        return old
    updated = Term.objects.filter(pk=term.pk, version=expected_version).update(
        wording=wording,
        status=status,
        version=F("version") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if not updated:
        raise TermConflict(Term.objects.select_related("updated_by").get(pk=term.pk))
    reason = f"Term “{term.title}” changed " + (
        f"by {amendment}" if amendment else "after the verdict"
    )
    reopened = False
    if _changes_coverage(old, wording, status):
        reopened = signoff.wording_changed(
            deal=locked, department_id=term.department_id, user=user, reason=reason
        )
        _wording_moved_on(locked, user=user, reason=reason)
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
        after={
            "title": fresh.title,
            "wording": fresh.wording,
            "status": fresh.status,
            "note": note,
        },
        deal=deal,
    )
    return fresh


class DealChanged(Exception):
    """The deal changed after the sponsor opened the decision form; carries the stamp now."""

    def __init__(self, stamp: str):
        super().__init__("The deal changed since this form was opened.")
        self.stamp = stamp


@transaction.atomic
def decision_record(*, deal: Deal, user, data: dict[str, Any], seen: str | None = None) -> Decision:
    """The sponsor's call, with its rationale; clears a pending request for a decision.

    `seen` is the deal_stamp of the form the sponsor filled in: when the stage or any term
    changed since, the decision is refused, so it never covers what they did not see.
    """
    rules.RECORD_DECISION.require(user, deal)
    locked = Deal.objects.lock(deal.pk)  # term edits and moves wait for the decision
    if seen is not None and seen != signoff.deal_stamp(locked):
        raise DealChanged(signoff.deal_stamp(locked))
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
    rules.ASK_FOR_DECISION.require(user, deal)
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
    rules.ARCHIVE_DEAL.require(user, deal)
    locked = Deal.objects.lock(deal.pk)
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
    rules.ATTACH_DOCUMENT.require(user, deal)
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
    signals.document_attached.send(sender=ContractDocument, document=document, user=user)
    return document


# Briefing packs: queued here, rendered by deals.tasks.render_briefing_pack.


@transaction.atomic
def briefing_request(*, deal: Deal, user) -> BriefingPack:
    """Queue a briefing pack of the deal; one already on its way is returned instead."""
    rules.REQUEST_BRIEFING.require(user, deal)
    # The deal row lock makes two clicks at once queue one pack, not two.
    Deal.objects.lock(deal.pk)
    latest = BriefingPack.objects.filter(deal=deal).order_by("-requested_at", "-pk").first()
    # At most one render in flight per deal, and a pack just made is handed out again.
    if latest is not None and (latest.is_working or latest.is_fresh):
        return latest
    pack = BriefingPack.objects.create(deal=deal, requested_by=user)
    audit_record(actor=user, action=AuditAction.BRIEFING_REQUESTED, instance=pack, deal=deal)
    # After commit, so that the worker finds the row; robust, so that a broker
    # outage leaves a queued pack (the page offers a retry) instead of a failed request.
    transaction.on_commit(lambda: render_briefing_pack.delay(pack.pk), robust=True)
    return pack
