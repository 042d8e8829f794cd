"""Sentences for the amendments of a signed contract (agreements.amendments writes them).

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


CONTRACT_RENDERERS: dict[AuditAction, Renderer] = {
    AuditAction.AMENDMENT_DRAFTED: drafted,
    AuditAction.AMENDMENT_EDITED: edited,
    AuditAction.AMENDMENT_PROPOSED: proposed,
    AuditAction.AMENDMENT_APPROVED: approved,
    AuditAction.AMENDMENT_REJECTED: rejected,
    AuditAction.OBLIGATION_CHANGED: obligation_changed,
}
