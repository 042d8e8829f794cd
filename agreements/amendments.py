"""Amendments of a signed contract: drafted, proposed, then approved or rejected by a
second person. Each write is atomic and audited.

Nothing in the contract changes until approval. Approval (`amendment_approval`), under
the deal's lock, checks that nothing the proposer saw has changed since
(`stale_reasons`), then applies every change through the owning services: a term through deals.services (`term_revise`,
`term_create` with the amendment's label: the one deliberate path past "signed terms do
not change in place"; the revision's note says "Amendment N", and
stakeholders.signoff.wording_changed re-opens the term's department's review), the
dates through `agreement_update`, an obligation through `obligation_add` or
`obligation_amend`.

A review re-opened on a Signed or Live deal does not move the deal: the contract is
signed and the amendment agreed with the partner. The department reviews the new
wording as a new round (it appears in their reviews, due within their SLA); a Signed
deal cannot go Live until they have signed off again or the sponsor overrules — the gate
on Live, as for any wording change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import AuditAction, audit_record, snapshot
from deals.models import Deal, Term, TermStatus
from stakeholders.signoff import terms_stamp

from . import rules
from .models import (
    Agreement,
    Amendment,
    AmendmentChange,
    AmendmentStatus,
    ChangeKind,
    Obligation,
)
from .services import FIELD_NAMES

# The agreement's stated terms an amendment may change (what its form records).
DATE_FIELDS = [name for name in FIELD_NAMES if name != "governing_law"]
# What an amendment may change of an obligation: what the contract states of it.
OBLIGATION_FIELDS = Obligation.STATED_FIELDS


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def agreement_state(agreement: Agreement) -> dict[str, Any]:
    """The agreement as an amendment's proposer saw it: stated terms and renewals."""
    return snapshot(agreement, [*DATE_FIELDS, "renewals_done", "ended_on"])


def projected_dates(agreement: Agreement, values: dict[str, Any]) -> dict[str, Any]:
    """The current term end and notice deadline if `values` were the agreement's."""
    copy = Agreement(**{name: getattr(agreement, name) for name in DATE_FIELDS})
    copy.renewals_done = agreement.renewals_done
    for name, value in values.items():
        field = Agreement._meta.get_field(name)
        setattr(copy, name, field.to_python(value))
    copy.compute_dates()
    return {
        "term_end": _json(copy.current_term_end),
        "notice_deadline": _json(copy.notice_deadline),
    }


def require_term_in_progress_kept(agreement: Agreement, projected: dict[str, Any]) -> None:
    """Refuse new dates that move the end of a renewed agreement's term in progress.

    The term end is counted from the stated terms as if they had always held
    (`Agreement.term_end_after`): once the agreement has renewed, a new renewal length,
    initial term or effective date would re-count the renewals already done. Shortened,
    the term in progress would end in the past and the next daily run would renew or
    end the contract at once; lengthened, every past renewal would grow too."""
    if not agreement.renewals_done:
        return
    now = _json(agreement.current_term_end)
    if projected["term_end"] != now:
        raise ValidationError(
            f"The agreement has renewed {agreement.renewals_done} time(s) and its current "
            f"term ends on {now}; these dates would count its past renewals again and move "
            f"that end to {projected['term_end']}. Keep the effective date, the initial "
            "term and the renewal term as they are."
        )


def lock_amendment(amendment: Amendment) -> Amendment:
    """The deal's row lock first (as every writer of a deal), then the amendment's."""
    Deal.objects.lock(amendment.agreement.deal_id)
    return (
        Amendment.objects.select_for_update().select_related("agreement__deal").get(pk=amendment.pk)
    )


def _require_draft(amendment: Amendment) -> None:
    if not amendment.is_draft:
        raise ValidationError(
            f"{amendment.label} is {amendment.get_status_display().lower()}: "
            "only a draft changes. Draft a new amendment instead."
        )


def _audit_edit(amendment: Amendment, user, **after: Any) -> None:
    audit_record(
        actor=user,
        action=AuditAction.AMENDMENT_EDITED,
        instance=amendment,
        after={"number": amendment.number, "title": amendment.title, **after},
        deal=amendment.agreement.deal,
    )


# --- Drafting ---------------------------------------------------------------------------


@transaction.atomic
def amendment_draft(*, agreement: Agreement, user, data: dict[str, Any]) -> Amendment:
    """A new draft, numbered next on the agreement (under the deal's lock: no two 3s)."""
    rules.DRAFT_AMENDMENT.require(user, agreement)
    Deal.objects.lock(agreement.deal_id)
    if Agreement.objects.filter(pk=agreement.pk, ended_on__isnull=False).exists():
        raise ValidationError("The agreement has ended: there is nothing left to amend.")
    last = agreement.amendments.aggregate(n=Max("number"))["n"] or 0
    amendment = Amendment(agreement=agreement, number=last + 1, created_by=user, **data)
    amendment.full_clean()
    amendment.save()
    audit_record(
        actor=user,
        action=AuditAction.AMENDMENT_DRAFTED,
        instance=amendment,
        after={"number": amendment.number, "title": amendment.title},
        deal=agreement.deal,
    )
    return amendment


@transaction.atomic
def amendment_update(*, amendment: Amendment, user, data: dict[str, Any]) -> Amendment:
    rules.DRAFT_AMENDMENT.require(user, amendment.agreement)
    locked = lock_amendment(amendment)
    _require_draft(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    _audit_edit(locked, user, edited="title, reason or date")
    return locked


def _term_before(term: Term) -> dict[str, Any]:
    return {
        "title": term.title,
        "wording": term.wording,
        "status": term.status,
        "version": term.version,
    }


def _existing(locked: Amendment, **which: Any) -> AmendmentChange | None:
    return locked.changes.filter(**which).first()


@transaction.atomic
def amendment_change_term(
    *,
    amendment: Amendment,
    user,
    kind: str,
    term: Term | None = None,
    data: dict[str, Any],
) -> AmendmentChange:
    """Add one term change to a draft: new wording for a term, a term withdrawn, or a new
    term (`data`: title, category, department, wording)."""
    rules.DRAFT_AMENDMENT.require(user, amendment.agreement)
    locked = lock_amendment(amendment)
    _require_draft(locked)
    deal_id = locked.agreement.deal_id
    wording = (data.get("wording") or "").strip()
    if kind == ChangeKind.TERM_ADD:
        errors = {
            name: "Required for a new term."
            for name in ("title", "category", "department")
            if not data.get(name)
        }
        if not wording:
            errors["wording"] = "Give the new term's wording."
        if errors:
            raise ValidationError(errors)
        change = AmendmentChange(
            amendment=locked,
            kind=kind,
            department=data["department"],
            after={
                "title": data["title"].strip(),
                "category": data["category"],
                "wording": wording,
            },
        )
    elif kind in (ChangeKind.TERM_REVISE, ChangeKind.TERM_WITHDRAW):
        if term is None or term.deal_id != deal_id:
            raise ValidationError({"term": "Choose one of this contract's terms."})
        term = Term.objects.get(pk=term.pk)  # as stored, read under the lock
        if term.status == TermStatus.WITHDRAWN:
            raise ValidationError({"term": f"“{term.title}” is withdrawn already."})
        if _existing(locked, term=term):
            raise ValidationError(
                {"term": f"“{term.title}” is changed by this amendment already: remove that first."}
            )
        if kind == ChangeKind.TERM_REVISE:
            if not wording:
                raise ValidationError({"wording": "Give the term's new wording."})
            if wording == term.wording:
                raise ValidationError({"wording": "That is the wording it has: change it."})
            after = {"title": term.title, "wording": wording}
        else:
            after = {"title": term.title, "status": TermStatus.WITHDRAWN.value}
        change = AmendmentChange(
            amendment=locked,
            kind=kind,
            term=term,
            department_id=term.department_id,
            before=_term_before(term),
            after=after,
        )
    else:
        raise ValidationError({"kind": "Choose reword, withdraw or add."})
    change.save()
    _audit_edit(locked, user, added=change.get_kind_display(), subject=change.subject)
    return change


@transaction.atomic
def amendment_change_dates(
    *, amendment: Amendment, user, data: dict[str, Any]
) -> AmendmentChange | None:
    """The agreement's term, renewal and notice as the amendment states them (`data`: the
    agreement form's validated values). Only what differs is kept; one dates change per
    amendment, replaced when given again. None when nothing differs (and none is kept)."""
    rules.DRAFT_AMENDMENT.require(user, amendment.agreement)
    locked = lock_amendment(amendment)
    _require_draft(locked)
    agreement = Agreement.objects.get(pk=locked.agreement_id)
    now = agreement_state(agreement)
    after = {name: _json(data[name]) for name in DATE_FIELDS if name in data}
    after = {name: value for name, value in after.items() if value != now[name]}
    locked.changes.filter(kind=ChangeKind.DATES).delete()  # a draft's line, replaced
    if not after:
        raise ValidationError("Those are the agreement's dates as they are: change one of them.")
    projected = projected_dates(agreement, after)
    require_term_in_progress_kept(agreement, projected)
    change = AmendmentChange.objects.create(
        amendment=locked,
        kind=ChangeKind.DATES,
        before={
            **{name: now[name] for name in after},
            **projected_dates(agreement, {}),
        },
        after={**after, **projected},
    )
    _audit_edit(locked, user, added=change.get_kind_display(), subject="")
    return change


def _obligation_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for name in OBLIGATION_FIELDS:
        if name in data:
            value = data[name]
            values[name] = value.pk if hasattr(value, "pk") else _json(value)
    for name in ("owner", "reviewer"):
        if hasattr(data.get(name), "display_name"):
            values[f"{name}_name"] = data[name].display_name
    return values


def _obligation_before(obligation: Obligation) -> dict[str, Any]:
    return {
        **snapshot(obligation, OBLIGATION_FIELDS),
        "owner_name": obligation.owner.display_name,
        "reviewer_name": obligation.reviewer.display_name,
    }


@transaction.atomic
def amendment_change_obligation(
    *,
    amendment: Amendment,
    user,
    kind: str,
    obligation: Obligation | None = None,
    data: dict[str, Any],
) -> AmendmentChange:
    """Add one obligation change to a draft: a new obligation, one changed (`data`: the
    obligation form's values), or one ended (`data["until"]`: its last due date)."""
    rules.DRAFT_AMENDMENT.require(user, amendment.agreement)
    locked = lock_amendment(amendment)
    _require_draft(locked)
    after = _obligation_values(data)
    if kind == ChangeKind.OBLIGATION_ADD:
        change = AmendmentChange(amendment=locked, kind=kind, after=after)
    elif kind in (ChangeKind.OBLIGATION_CHANGE, ChangeKind.OBLIGATION_END):
        if obligation is None or obligation.agreement_id != locked.agreement_id:
            raise ValidationError({"obligation": "Choose one of this contract's obligations."})
        # As stored, read under the lock (a form may have written onto the instance given).
        obligation = Obligation.objects.select_related("owner", "reviewer").get(pk=obligation.pk)
        if _existing(locked, obligation=obligation):
            raise ValidationError(
                {"obligation": f"“{obligation}” is changed by this amendment already."}
            )
        before = _obligation_before(obligation)
        if kind == ChangeKind.OBLIGATION_END:
            if not data.get("until"):
                raise ValidationError({"until": "Say the last date it is due."})
            if data["until"] < obligation.first_due:
                raise ValidationError({"until": "It cannot end before it is first due."})
            after = {"title": obligation.title, "until": _json(data["until"])}
        else:
            after = {k: v for k, v in after.items() if v != before.get(k)}
            if not after:
                raise ValidationError("That is the obligation as it is: change something.")
            after.setdefault("title", obligation.title)
        change = AmendmentChange(
            amendment=locked, kind=kind, obligation=obligation, before=before, after=after
        )
    else:
        raise ValidationError({"kind": "Choose add, change or end."})
    change.save()
    _audit_edit(locked, user, added=change.get_kind_display(), subject=change.subject)
    return change


@transaction.atomic
def amendment_change_remove(*, change: AmendmentChange, user) -> Amendment:
    """Take a line off a draft (a draft is still being written: nothing was applied)."""
    rules.DRAFT_AMENDMENT.require(user, change.amendment.agreement)
    locked = lock_amendment(change.amendment)
    _require_draft(locked)
    AmendmentChange.objects.filter(pk=change.pk, amendment=locked).delete()
    _audit_edit(locked, user, removed=change.get_kind_display(), subject=change.subject)
    return locked


# --- Proposing, deciding ----------------------------------------------------------------


def _refresh(change: AmendmentChange, agreement: Agreement) -> None:
    """Each line's "before" as the contract is now: what the approver will be shown."""
    if change.term_id:
        change.before = _term_before(Term.objects.get(pk=change.term_id))
    elif change.obligation_id:
        obligation = Obligation.objects.select_related("owner", "reviewer")
        change.before = _obligation_before(obligation.get(pk=change.obligation_id))
    elif change.kind == ChangeKind.DATES:
        now = agreement_state(agreement)
        stated = {k: v for k, v in change.after.items() if k in DATE_FIELDS}
        projected = projected_dates(agreement, stated)
        require_term_in_progress_kept(agreement, projected)  # it may have renewed since
        change.before = {**{k: now[k] for k in stated}, **projected_dates(agreement, {})}
        change.after = {**stated, **projected}
    change.save(update_fields=["before", "after"])


@transaction.atomic
def amendment_propose(*, amendment: Amendment, user) -> Amendment:
    """Put the draft to the second person; its impact list is frozen as of now."""
    rules.DRAFT_AMENDMENT.require(user, amendment.agreement)
    locked = lock_amendment(amendment)
    _require_draft(locked)
    changes = list(locked.changes.all())
    if not changes:
        raise ValidationError("List at least one change before proposing the amendment.")
    agreement = Agreement.objects.get(pk=locked.agreement_id)
    for change in changes:
        _refresh(change, agreement)
    locked.status = AmendmentStatus.PROPOSED
    locked.proposed_by, locked.proposed_at = user, timezone.now()
    locked.seen_terms = terms_stamp(Term.objects.filter(deal_id=agreement.deal_id))
    locked.seen_agreement = agreement_state(agreement)
    locked.save()
    audit_record(
        actor=user,
        action=AuditAction.AMENDMENT_PROPOSED,
        instance=locked,
        before={"status": AmendmentStatus.DRAFT.value},
        after={"number": locked.number, "title": locked.title, "changes": len(changes)},
        deal=agreement.deal,
    )
    return locked
