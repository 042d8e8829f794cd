"""Approving or rejecting a proposed amendment (agreements.amendments drafts and
proposes it); see that module for what approval applies and what a re-opened review
means on a signed deal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record, snapshot
from deals.models import Term, TermStatus
from deals.services import term_create, term_revise
from stakeholders.signoff import parse_stamp

from . import rules
from .amendments import DATE_FIELDS, OBLIGATION_FIELDS, agreement_state, lock_amendment
from .models import Agreement, Amendment, AmendmentChange, AmendmentStatus, ChangeKind
from .obligations import obligation_add, obligation_amend
from .services import FIELD_NAMES, agreement_update


class AmendmentStale(Exception):
    """What the proposer saw changed before approval; carries the sentences saying what."""

    def __init__(self, amendment: Amendment, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.amendment = amendment
        self.reasons = reasons


def stale_reasons(amendment: Amendment) -> list[str]:
    """What changed since the amendment was proposed, one sentence each (none: fresh)."""
    reasons = []
    terms = {t.pk: t for t in Term.objects.filter(deal_id=amendment.agreement.deal_id)}
    seen = parse_stamp(amendment.seen_terms) or {}
    for pk, term in sorted(terms.items()):
        if pk not in seen:
            reasons.append(f"the term “{term.title}” was added")
        elif seen[pk] != term.version:
            reasons.append(f"the term “{term.title}” was changed")
    if set(seen) - set(terms):
        reasons.append("a term was removed")
    agreement = Agreement.objects.get(pk=amendment.agreement_id)
    now, then = agreement_state(agreement), amendment.seen_agreement
    if now["renewals_done"] != then.get("renewals_done"):
        reasons.append("the agreement renewed")
    if now["ended_on"] != then.get("ended_on"):
        reasons.append("the agreement ended")
    names = [FIELD_NAMES[k] for k in DATE_FIELDS if now[k] != then.get(k)]
    if names:
        reasons.append(f"the agreement's {', '.join(names)} changed")
    for change in amendment.changes.filter(obligation__isnull=False).select_related(
        "obligation__owner", "obligation__reviewer"
    ):
        current = snapshot(change.obligation, OBLIGATION_FIELDS)
        if any(current[k] != change.before.get(k) for k in OBLIGATION_FIELDS):
            reasons.append(f"the obligation “{change.obligation.title}” was changed")
    return reasons


def _apply(change: AmendmentChange, amendment: Amendment, user) -> None:
    agreement, label = amendment.agreement, amendment.label
    after = change.after
    if change.kind == ChangeKind.TERM_ADD:
        change.term = term_create(
            deal=agreement.deal,
            user=user,
            data={
                "title": after["title"],
                "category": after["category"],
                "wording": after["wording"],
                "department": change.department,
                "status": TermStatus.AGREED,
            },
            amendment=label,
        )
        change.save(update_fields=["term"])
    elif change.kind in (ChangeKind.TERM_REVISE, ChangeKind.TERM_WITHDRAW):
        term = Term.objects.select_related("deal").get(pk=change.term_id)
        term_revise(
            term=term,
            user=user,
            wording=after.get("wording", term.wording),
            status=after.get("status"),
            expected_version=change.before["version"],
            note=f"{label}: {amendment.title}"[:300],
            amendment=label,
        )
    elif change.kind == ChangeKind.DATES:
        stated = {k: v for k, v in after.items() if k in DATE_FIELDS}
        agreement_update(agreement=agreement, user=user, data=stated)
    elif change.kind == ChangeKind.OBLIGATION_ADD:
        fields = {k: v for k, v in after.items() if k in OBLIGATION_FIELDS}
        for name in ("owner", "reviewer"):
            fields[f"{name}_id"] = fields.pop(name)
        change.obligation = obligation_add(agreement=agreement, user=user, data=fields)
        change.save(update_fields=["obligation"])
    else:
        fields = {k: v for k, v in after.items() if k in OBLIGATION_FIELDS}
        for name in ("owner", "reviewer"):
            if name in fields:
                fields[f"{name}_id"] = fields.pop(name)
        obligation_amend(obligation=change.obligation, user=user, data=fields, amendment=label)


@transaction.atomic
def amendment_decide(*, amendment: Amendment, user, approve: bool, note: str = "") -> Amendment:
    """Approve (apply every change, at once) or reject, with a note; both are final.

    Approval is refused (AmendmentStale) when a term or the agreement changed since the
    amendment was proposed: the approver would sign off something other than what they
    were shown. A change refused by its own service (a term edited meanwhile, an
    obligation's owner no longer on the deal) rolls the whole approval back."""
    rules.APPROVE_AMENDMENT.require(user, amendment)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": "Say why the amendment is rejected."})
    locked = lock_amendment(amendment)
    rules.APPROVE_AMENDMENT.require(user, locked)  # as read under the lock
    if not locked.is_proposed:
        raise ValidationError(
            f"{locked.label} is {locked.get_status_display().lower()}: there is nothing to decide."
        )
    reopened: list[str] = []
    changes = list(locked.changes.select_related("department", "obligation"))
    if approve:
        reasons = stale_reasons(locked)
        if reasons:
            raise AmendmentStale(locked, reasons)
        deal = locked.agreement.deal
        before = set(deal.reviews.filter(status="pending").values_list("department_id", flat=True))
        for change in changes:
            _apply(change, locked, user)
        touched = {c.department_id for c in changes if c.is_term}
        reopened = sorted(
            review.department.name
            for review in deal.reviews.filter(status="pending", department_id__in=touched)
            .exclude(department_id__in=before)
            .select_related("department")
        )
    locked.status = AmendmentStatus.APPROVED if approve else AmendmentStatus.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_note = user, timezone.now(), note
    locked.reopened = reopened
    locked.save()
    audit_record(
        actor=user,
        action=AuditAction.AMENDMENT_APPROVED if approve else AuditAction.AMENDMENT_REJECTED,
        instance=locked,
        before={"status": AmendmentStatus.PROPOSED.value},
        after={
            "number": locked.number,
            "title": locked.title,
            "changes": len(changes),
            "reopened": reopened,
            "note": note,
        },
        deal=locked.agreement.deal,
    )
    return locked
