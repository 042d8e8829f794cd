"""Sentences for the signed contract's life: the agreement, its renewals, obligations and
amendments (the agreements app writes them).

A module of its own so that deals.activity stays under 500 lines; deals.activity adds
these to its RENDERERS. Values are labels and numbers, as the service wrote them.
"""

from __future__ import annotations

from collections.abc import Callable

from core.models import AuditAction, AuditEvent

from .activity_values import date_text, joined, number, quote, said

Renderer = Callable[[AuditEvent], str]


def _amendment(event: AuditEvent) -> str:
    n, title = event.after.get("number"), quote(event.after.get("title"))
    name = f"Amendment {n}" if number(n) else "an amendment"
    return f"{name} {title}" if title else name


def _changes(event: AuditEvent) -> str:
    count = event.after.get("changes")
    if not number(count):
        return ""
    return f" ({count} change{'' if count == 1 else 's'})"


def drafted(event: AuditEvent) -> str:
    return f"drafted {_amendment(event)}."


def edited(event: AuditEvent) -> str:
    after = event.after
    subject = quote(after.get("subject"))
    subject = f" {subject}" if subject else ""
    for key, phrase in (("added", "added a line to"), ("removed", "removed a line from")):
        kind = after.get(key)
        if isinstance(kind, str) and kind:
            return f"{phrase} {_amendment(event)}: {kind.lower()}{subject}."
    return f"edited the draft of {_amendment(event)}."


def proposed(event: AuditEvent) -> str:
    return f"proposed {_amendment(event)}{_changes(event)} for approval."


def approved(event: AuditEvent) -> str:
    names = [n for n in event.after.get("reopened") or [] if isinstance(n, str)]
    reopened = f"; it re-opened the review of {joined(names)}" if names else ""
    return said(f"approved {_amendment(event)}{_changes(event)}{reopened}", event.after.get("note"))


def rejected(event: AuditEvent) -> str:
    return said(f"rejected {_amendment(event)}", event.after.get("note"))


def obligation_changed(event: AuditEvent) -> str:
    after = event.after
    title = quote(after.get("title"))
    what = f"the obligation {title}" if title else "an obligation"
    by = after.get("amendment")
    by = f" by {by}" if isinstance(by, str) and by else ""
    until = date_text(after.get("until"))
    if until and len([k for k in after if k not in ("title", "amendment", "dropped")]) == 1:
        return f"ended {what}{by}: last due {until}."
    return f"changed {what}{by}."


# --- The signed contract's life (the agreements app writes these; values are labels) ---


def _agreement_dates(event: AuditEvent) -> str:
    after = event.after
    parts = []
    if date_text(after.get("term_end")):
        parts.append(f"the term ends {date_text(after['term_end'])}")
    if date_text(after.get("notice_deadline")):
        parts.append(f"notice by {date_text(after['notice_deadline'])}")
    return f" ({', '.join(parts)})" if parts else ""


def agreement_opened(event: AuditEvent) -> str:
    return f"opened the agreement on signing{_agreement_dates(event)}."


def agreement_edited(event: AuditEvent) -> str:
    names = [n for n in event.after.get("changed") or [] if isinstance(n, str)]
    what = f" {joined(names)}" if names else " terms"
    return f"recorded the agreement's{what}{_agreement_dates(event)}."


def agreement_renewed(event: AuditEvent) -> str:
    count = event.after.get("renewals")
    nth = f" for renewal {count}" if number(count) else ""
    return f"renewed the agreement{nth}{_agreement_dates(event)}."


def agreement_ended(event: AuditEvent) -> str:
    when = date_text(event.after.get("ended_on"))
    return f"ended the agreement on {when}." if when else "ended the agreement."


def renewal_decided(event: AuditEvent) -> str:
    after = event.after
    decision = after.get("decision")
    decision = decision.lower() if isinstance(decision, str) and decision else ""
    predicate = f"decided to {decision} the agreement" if decision else "decided the renewal"
    given = date_text(after.get("notice_given_on"))
    if given:
        predicate += f", notice given on {given}"
    if isinstance(after.get("renewal_deal"), str) and after["renewal_deal"]:
        predicate += f", opening {quote(after['renewal_deal'])}"
    return said(predicate, after.get("note"))


def _obligation(event: AuditEvent) -> str:
    title = quote(event.after.get("title"))
    return f"the obligation {title}" if title else "an obligation"


def obligation_added(event: AuditEvent) -> str:
    after = event.after
    recurrence = after.get("recurrence")
    how = f" ({recurrence.lower()})" if isinstance(recurrence, str) and recurrence else ""
    return f"added {_obligation(event)}{how}."


def evidence_submitted(event: AuditEvent) -> str:
    due = date_text(event.after.get("due_on"))
    return f"uploaded evidence for {_obligation(event)}" + (f" due {due}." if due else ".")


def evidence_reviewed(event: AuditEvent) -> str:
    verb = "accepted" if event.after.get("accepted") is True else "rejected"
    return said(f"{verb} the evidence for {_obligation(event)}", event.after.get("note"))


def obligation_missed(event: AuditEvent) -> str:
    due = date_text(event.after.get("due_on"))
    return f"marked {_obligation(event)} missed" + (f" (due {due})." if due else ".")


def renewal_window_opened(event: AuditEvent) -> str:
    deadline = date_text(event.after.get("notice_deadline"))
    by = f": notice by {deadline}" if deadline else ""
    return f"opened the renewal window of the agreement{by}."


CONTRACT_RENDERERS: dict[AuditAction, Renderer] = {
    AuditAction.RENEWAL_WINDOW_OPENED: renewal_window_opened,
    AuditAction.AGREEMENT_OPENED: agreement_opened,
    AuditAction.AGREEMENT_EDITED: agreement_edited,
    AuditAction.AGREEMENT_RENEWED: agreement_renewed,
    AuditAction.AGREEMENT_ENDED: agreement_ended,
    AuditAction.RENEWAL_DECIDED: renewal_decided,
    AuditAction.OBLIGATION_ADDED: obligation_added,
    AuditAction.EVIDENCE_SUBMITTED: evidence_submitted,
    AuditAction.EVIDENCE_REVIEWED: evidence_reviewed,
    AuditAction.OBLIGATION_MISSED: obligation_missed,
    AuditAction.AMENDMENT_DRAFTED: drafted,
    AuditAction.AMENDMENT_EDITED: edited,
    AuditAction.AMENDMENT_PROPOSED: proposed,
    AuditAction.AMENDMENT_APPROVED: approved,
    AuditAction.AMENDMENT_REJECTED: rejected,
    AuditAction.OBLIGATION_CHANGED: obligation_changed,
}
