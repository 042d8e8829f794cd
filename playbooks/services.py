"""Writes: a term placed in the playbook, a deviation approved, a walk-away decided by
the sponsor, a newer playbook version taken on; a playbook revised (a new version) or
confirmed as reviewed. Each is atomic and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import AuditAction, audit_record
from deals import rules as deal_rules
from deals.models import Deal, DecisionKind, Term
from deals.services import decision_record

from . import rules
from .models import ClauseType, DealPlaybook, Playbook, PlaybookVersion, Position, TermPosition
from .selectors import Row, assess, pins


def _pin(deal: Deal, playbook_id: int) -> PlaybookVersion:
    """The deal's version of a playbook, stored now if it was only inferred."""
    pin = pins(deal).get(playbook_id)
    if pin is None:
        raise ValidationError("This clause has no playbook yet.")
    if not pin.pinned:
        DealPlaybook.objects.get_or_create(
            deal=deal, playbook_id=playbook_id, defaults={"version": pin.version}
        )
    return pin.version


def clean_value(clause_type: ClauseType, value: dict[str, Any]) -> dict[str, Any]:
    """Only the keys the clause's kind compares, trimmed; empty values dropped."""
    keep = {
        "cap": ("base", "multiple", "carve_outs"),
        "payment_days": ("days",),
        "notice_days": ("days",),
        "governing_law": ("law",),
    }.get(clause_type.kind, ())
    cleaned = {}
    for key in keep:
        item = value.get(key)
        if isinstance(item, list):
            item = [str(x).strip() for x in item if str(x).strip()]
        elif item is not None:
            item = str(item).strip()
        if item:
            cleaned[key] = item
    return cleaned


def _row(term: Term) -> Row:
    term.deal.partnership  # noqa: B018  (the scope reads the partner)
    row = assess(term.deal, [term]).row_for(term)
    assert row is not None
    return row


@transaction.atomic
def term_position_set(
    *,
    term: Term,
    user,
    clause_type: ClauseType,
    position: Position | None,
    value: dict[str, Any] | None = None,
) -> TermPosition:
    """Place a term in its playbook: the clause type, the position chosen (None: custom)
    and its structured value. Any approval or walk-away decision given before no longer
    covers it."""
    rules.PLACE_TERM.require(user, term.deal)
    locked = Deal.objects.lock(term.deal_id)
    if not locked.terms_can_change:
        raise ValidationError(f"The deal is {locked.stage_label}: its terms no longer change here.")
    playbook = Playbook.objects.filter(department_id=clause_type.department_id).first()
    if playbook is None:
        raise ValidationError({"clause_type": f"{clause_type.department} has no playbook yet."})
    version = _pin(locked, playbook.pk)
    if position is not None and (
        position.version_id != version.pk or position.clause_type_id != clause_type.pk
    ):
        raise ValidationError(
            {"position": "Choose a position of this clause in the deal's playbook."}
        )
    place, _ = TermPosition.objects.update_or_create(
        term=term,
        defaults={
            "clause_type": clause_type,
            "position": position,
            "value": clean_value(clause_type, value or {}),
            "set_by": user,
            "set_at": timezone.now(),
            "approved_key": "",
            "approved_term_version": None,
            "approved_by": None,
            "approved_at": None,
            "decision": None,
            "decision_term_version": None,
        },
    )
    term.deal = locked
    row = _row(term)
    audit_record(
        actor=user,
        action=AuditAction.TERM_POSITION_SET,
        instance=place,
        after={
            "title": term.title,
            "clause": clause_type.name,
            "position": position.label if position else "Custom",
            "deviation": row.found.label if row.found else "",
        },
        deal=locked,
    )
    return place


@transaction.atomic
def term_position_approve(*, term: Term, user) -> TermPosition:
    """The approver signs off a fallback or custom term as it now reads."""
    locked = Deal.objects.lock(term.deal_id)
    term = Term.objects.select_related("department").get(pk=term.pk)
    term.deal = locked
    row = _row(term)
    if row.place is None or row.found is None or not row.found.needs_approval:
        raise ValidationError("This term needs no approval: it is not a fallback or custom.")
    rules.APPROVE_POSITION.require(user, row)
    place = row.place
    place.approved_key = row.found.key
    place.approved_term_version = term.version
    place.approved_by = user
    place.approved_at = timezone.now()
    place.save(
        update_fields=["approved_key", "approved_term_version", "approved_by", "approved_at"]
    )
    audit_record(
        actor=user,
        action=AuditAction.POSITION_APPROVED,
        instance=place,
        after={"title": term.title, "deviation": row.found.label},
        deal=locked,
    )
    return place


@transaction.atomic
def walk_away_decide(*, term: Term, user, rationale: str):
    """The sponsor's decision to go on with a term at the walk-away: a Decision that
    names the term, referenced from its place, for the term as it now reads."""
    deal_rules.RECORD_DECISION.require(user, term.deal)
    locked = Deal.objects.lock(term.deal_id)
    term = Term.objects.select_related("department").get(pk=term.pk)
    term.deal = locked
    row = _row(term)
    if row.found is None or not row.found.needs_decision:
        raise ValidationError("This term is not at the walk-away: there is nothing to decide.")
    if not rationale.strip():
        raise ValidationError({"rationale": "Say why the deal goes on past the walk-away."})
    decision = decision_record(
        deal=locked,
        user=user,
        data={
            "kind": DecisionKind.TRADE_OFF,
            "title": f"Past the walk-away on “{term.title}”"[:200],
            "rationale": rationale.strip(),
            "overrules_gate": False,
        },
    )
    place = row.place
    place.decision = decision
    place.decision_term_version = term.version
    place.save(update_fields=["decision", "decision_term_version"])
    return decision


@transaction.atomic
def deal_playbook_adopt(*, deal: Deal, user, playbook: Playbook) -> DealPlaybook:
    """Take on the playbook's current version: the deal's terms keep their positions by
    tier and rank where the new version has them (else they become custom), and every
    approval given on the old version is needed again."""
    rules.ADOPT_VERSION.require(user, deal)
    locked = Deal.objects.lock(deal.pk)
    pin = pins(locked).get(playbook.pk)
    if pin is None or not pin.newer_available:
        raise ValidationError("The deal is already on the playbook's current version.")
    link, _ = DealPlaybook.objects.update_or_create(
        deal=locked,
        playbook=playbook,
        defaults={"version": pin.current, "pinned_at": timezone.now()},
    )
    new = {
        (p.clause_type_id, p.tier, p.rank): p for p in Position.objects.filter(version=pin.current)
    }
    places = TermPosition.objects.filter(
        term__deal=locked, clause_type__department=playbook.department_id
    ).select_related("position")
    for place in places:
        old = place.position
        place.position = new.get((old.clause_type_id, old.tier, old.rank)) if old else None
        place.approved_key, place.approved_term_version = "", None
        place.approved_by, place.approved_at = None, None
        place.decision, place.decision_term_version = None, None
        place.save()
    audit_record(
        actor=user,
        action=AuditAction.PLAYBOOK_ADOPTED,
        instance=link,
        before={"version": pin.version.number},
        after={"playbook": playbook.title, "version": pin.current.number},
        deal=locked,
    )
    return link


POSITION_FIELDS = (
    "wording",
    "bounds",
    "rationale",
    "approver_role",
    "required",
    "request_type",
    "value_min",
    "value_max",
    "partner_kinds",
    "data_handled",
)


@transaction.atomic
def playbook_revise(
    *, position: Position, user, data: dict[str, Any], note: str = ""
) -> PlaybookVersion:
    """Editing a playbook makes a new version: every position copied, the edited one
    changed. Deals keep the version they started on until their owner takes this one on."""
    playbook = Playbook.objects.select_for_update().get(pk=position.version.playbook_id)
    rules.EDIT_PLAYBOOK.require(user, playbook)
    latest = playbook.versions.aggregate(n=Max("number"))["n"] or 0
    source = position.version
    if source.number != latest:
        # A copy of an older version would quietly undo the edits made since.
        raise ValidationError(f"Edit version {latest}, the playbook's latest, not {source.number}.")
    version = PlaybookVersion.objects.create(
        playbook=playbook,
        number=latest + 1,
        effective_from=data.pop("effective_from", None) or timezone.localdate(),
        note=note,
        created_by=user,
    )
    copies = []
    for original in Position.objects.filter(version=source):
        copy = Position(
            version=version,
            clause_type_id=original.clause_type_id,
            tier=original.tier,
            rank=original.rank,
            **{name: getattr(original, name) for name in POSITION_FIELDS},
        )
        if original.pk == position.pk:
            for name, value in data.items():
                if name in POSITION_FIELDS:
                    setattr(copy, name, value)
            copy.full_clean(exclude=["version"])
        copies.append(copy)
    Position.objects.bulk_create(copies)
    Playbook.objects.filter(pk=playbook.pk).update(reviewed_at=timezone.now(), reviewed_by=user)
    audit_record(
        actor=user,
        action=AuditAction.PLAYBOOK_REVISED,
        instance=version,
        before={"version": source.number},
        after={
            "playbook": playbook.title,
            "version": version.number,
            "clause": position.clause_type.name,
            "position": position.label,
            "note": note,
        },
    )
    return version


@transaction.atomic
def playbook_mark_reviewed(*, playbook: Playbook, user) -> Playbook:
    """The department confirms its playbook still holds: it is not stale for 12 months."""
    rules.EDIT_PLAYBOOK.require(user, playbook)
    before = {"reviewed_at": playbook.reviewed_at.isoformat()}
    playbook.reviewed_at = timezone.now()
    playbook.reviewed_by = user
    playbook.save(update_fields=["reviewed_at", "reviewed_by"])
    audit_record(
        actor=user,
        action=AuditAction.PLAYBOOK_REVIEWED,
        instance=playbook,
        before=before,
        after={"playbook": playbook.title},
    )
    return playbook
