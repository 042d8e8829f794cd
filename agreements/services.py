"""Writes to an agreement: opened at signing, its terms recorded, the renewal decided,
rolled forward or ended by the daily task. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import AuditAction, audit_record, model_update
from deals.documents import sha256_of
from deals.models import Deal

from . import rules
from .models import Agreement, RenewalDecision, RenewalType, TermKind
from .renewal_deal import renewal_deal_open

log = logging.getLogger(__name__)

# What the audit trail and the pages call each field a person edits.
FIELD_NAMES = {
    "effective_date": "effective date",
    "term_kind": "initial term",
    "initial_term_months": "initial term in months",
    "initial_end_date": "initial end date",
    "renewal_type": "renewal type",
    "renewal_term_months": "renewal term",
    "max_renewals": "maximum renewals",
    "notice_unit": "notice period",
    "notice_amount": "notice period length",
    "notice_business_days": "business or calendar days",
    "notice_method": "notice method",
    "governing_law": "governing law",
}


def _dates(agreement: Agreement) -> dict[str, Any]:
    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "term_end": iso(agreement.current_term_end),
        "notice_deadline": iso(agreement.notice_deadline),
        "renewals": agreement.renewals_done,
    }


def _lock(agreement: Agreement) -> Agreement:
    """The deal's row lock first (as every writer of a deal), then the agreement's."""
    Deal.objects.lock(agreement.deal_id)
    return Agreement.objects.select_for_update().select_related("deal").get(pk=agreement.pk)


@transaction.atomic
def agreement_open(*, deal: Deal, user) -> Agreement:
    """The agreement of a deal that reached Signed; once per deal. Its term starts as the
    deal's term in months from today; renewal and notice are "not stated" until someone
    records what the contract says."""
    existing = Agreement.objects.filter(deal=deal).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    agreement = Agreement(
        deal=deal,
        signed_on=today,
        effective_date=today,
        term_kind=TermKind.MONTHS,
        initial_term_months=deal.term_months,
    )
    agreement.full_clean(exclude=["deal"])
    agreement.save()
    audit_record(
        actor=user,
        action=AuditAction.AGREEMENT_OPENED,
        instance=agreement,
        after=_dates(agreement),
        deal=deal,
    )
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, user, data: dict[str, Any]) -> Agreement:
    rules.EDIT_AGREEMENT.require(user, agreement)
    locked = _lock(agreement)
    if locked.ended_on:
        raise ValidationError("The agreement has ended; its terms no longer change.")
    if data.get("term_kind") == TermKind.NOT_STATED:
        data = {**data, "initial_term_months": None, "initial_end_date": None}
    before = _dates(locked)
    changes = model_update(locked, data)
    if changes:
        audit_record(
            actor=user,
            action=AuditAction.AGREEMENT_EDITED,
            instance=locked,
            before=before,
            after={
                **_dates(locked),
                "changed": [FIELD_NAMES[name] for name in changes.after if name in FIELD_NAMES],
            },
            deal=locked.deal,
        )
    return locked


@transaction.atomic
def agreement_decide(
    *,
    agreement: Agreement,
    user,
    decision: str,
    note: str = "",
    notice_given_on: dt.date | None = None,
    evidence=None,
) -> Agreement:
    """Renew, renegotiate or terminate, for the current term.

    Terminate records that notice was given, when, and the evidence (a checked upload,
    see deals.documents). Renegotiate opens the linked renewal deal. Notice once given
    is final: the decision no longer changes.
    """
    rules.DECIDE_RENEWAL.require(user, agreement)
    if decision not in (
        RenewalDecision.RENEW,
        RenewalDecision.RENEGOTIATE,
        RenewalDecision.TERMINATE,
    ):
        raise ValidationError({"decision": "Choose renew, renegotiate or terminate."})
    locked = _lock(agreement)
    if locked.ended_on:
        raise ValidationError("The agreement has ended: there is nothing left to decide.")
    if locked.notice_given_on:
        raise ValidationError("Notice of termination was given: the decision is final.")
    if decision == RenewalDecision.TERMINATE:
        errors = {}
        if notice_given_on is None:
            errors["notice_given_on"] = "Say when notice was given."
        elif notice_given_on > timezone.localdate():
            errors["notice_given_on"] = "Notice cannot have been given in the future."
        if evidence is None:
            errors["evidence"] = "Attach the notice as it was sent (PDF or DOCX)."
        if errors:
            raise ValidationError(errors)
    if decision == RenewalDecision.RENEW and locked.renewal_type == RenewalType.NONE:
        raise ValidationError({"decision": "The contract does not renew: renegotiate instead."})
    before = {"decision": locked.get_decision_display() if locked.decision else ""}
    locked.decision = decision
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    fields = ["decision", "decided_by", "decided_at", "decision_note", "updated_at"]
    if decision == RenewalDecision.TERMINATE:
        locked.notice_given_on = notice_given_on
        locked.notice_evidence_name = evidence.name[:255]
        locked.notice_evidence_kind = evidence.kind
        locked.notice_evidence_sha256 = sha256_of(evidence)
        locked.notice_evidence.save(evidence.name, evidence, save=False)
        fields += [
            "notice_given_on",
            "notice_evidence",
            "notice_evidence_name",
            "notice_evidence_kind",
            "notice_evidence_sha256",
        ]
    if decision == RenewalDecision.RENEGOTIATE and locked.renewal_deal_id is None:
        locked.renewal_deal = renewal_deal_open(agreement=locked, user=user)
        fields.append("renewal_deal")
    locked.save(update_fields=fields)
    audit_record(
        actor=user,
        action=AuditAction.RENEWAL_DECIDED,
        instance=locked,
        before=before,
        after={
            "decision": locked.get_decision_display(),
            "note": locked.decision_note,
            "notice_given_on": notice_given_on.isoformat() if notice_given_on else None,
            "evidence": locked.notice_evidence_name,
            "renewal_deal": locked.renewal_deal.title if locked.renewal_deal_id else "",
        },
        deal=locked.deal,
    )
    return locked


def _next_step(agreement: Agreement) -> str:
    """At the end of the current term: "renew" or "end"."""
    left = agreement.renewals_left
    has_left = left is None or left > 0
    if agreement.decision == RenewalDecision.TERMINATE or not has_left:
        return "end"
    if agreement.renewal_type == RenewalType.AUTOMATIC:
        return "renew"
    if agreement.renewal_type == RenewalType.OPTION and agreement.decision == RenewalDecision.RENEW:
        return "renew"
    return "end"


@transaction.atomic
def agreement_roll_forward(*, agreement_id: int, today: dt.date) -> int:
    """Every term of the agreement that ended before `today`: renewed (automatic, or an
    option taken) or the agreement ended. Returns the number of steps taken; safe to
    run twice or on two workers at once (the row lock and the dates re-read under it)."""
    locked = Agreement.objects.select_for_update().select_related("deal").get(pk=agreement_id)
    steps = 0
    while locked.ended_on is None and locked.current_term_end and locked.current_term_end < today:
        before = _dates(locked)
        if _next_step(locked) == "renew":
            locked.renewals_done += 1
            locked.decision, locked.decided_by, locked.decided_at = "", None, None
            locked.decision_note = ""
            locked.save()
            action = AuditAction.AGREEMENT_RENEWED
        else:
            locked.ended_on = locked.current_term_end
            locked.save()
            action = AuditAction.AGREEMENT_ENDED
        audit_record(
            actor=None,
            action=action,
            instance=locked,
            before=before,
            after={
                **_dates(locked),
                "ended_on": locked.ended_on.isoformat() if locked.ended_on else None,
            },
            deal=locked.deal,
        )
        steps += 1
    return steps


@transaction.atomic
def agreement_open_window(*, agreement_id: int, today: dt.date) -> bool:
    """Announce that the agreement's renewal window is open (its notice deadline is within
    the longest reminder lead time): one audit row per deadline, which webhooks send as
    `agreement.renewal_window_opened`. The conditional UPDATE claims it: a second worker
    or a re-run changes no row and announces nothing."""
    agreement = Agreement.objects.select_related("deal").get(pk=agreement_id)
    deadline = agreement.notice_deadline
    if deadline is None or deadline < today or agreement.decision or agreement.ended_on:
        return False
    claimed = (
        Agreement.objects.filter(pk=agreement_id, notice_deadline=deadline)
        .exclude(window_opened_for=deadline)
        .update(window_opened_for=deadline)
    )
    if not claimed:
        return False
    audit_record(
        actor=None,
        action=AuditAction.RENEWAL_WINDOW_OPENED,
        instance=agreement,
        before={},
        after={
            "notice_deadline": deadline.isoformat(),
            "term_end": agreement.current_term_end.isoformat()
            if agreement.current_term_end
            else None,
            "days_left": (deadline - today).days,
        },
        deal=agreement.deal,
    )
    return True


def agreements_open_windows(*, today: dt.date | None = None) -> int:
    """The daily task: each running, undecided agreement whose notice deadline came within
    the longest reminder lead time (NOTICE_REMINDER_DAYS) and was not announced yet."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(settings.NOTICE_REMINDER_DAYS, default=90))
    due = (
        Agreement.objects.with_deadline()
        .undecided()
        .filter(notice_deadline__gte=today, notice_deadline__lte=horizon)
        .exclude(window_opened_for=F("notice_deadline"))
        .values_list("pk", flat=True)
    )
    return sum(agreement_open_window(agreement_id=pk, today=today) for pk in list(due))


def agreements_roll_forward(*, today: dt.date | None = None) -> int:
    """The daily task: each agreement whose term ended, one transaction each."""
    today = today or timezone.localdate()
    due = (
        Agreement.objects.running().filter(current_term_end__lt=today).values_list("pk", flat=True)
    )
    return sum(agreement_roll_forward(agreement_id=pk, today=today) for pk in list(due))
