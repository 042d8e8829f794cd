"""Sentences for the clause playbooks (playbooks.services writes them).

A module of its own so that deals.activity stays under 500 lines; deals.activity adds
these to its RENDERERS. Values are titles, labels and version numbers, as written.
"""

from __future__ import annotations

from collections.abc import Callable

from core.models import AuditAction, AuditEvent

from .activity_values import number, quote, said

Renderer = Callable[[AuditEvent], str]


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _version(event: AuditEvent) -> str:
    n = event.after.get("version")
    return f"version {n}" if number(n) else "a new version"


def _playbook(event: AuditEvent) -> str:
    title = _text(event.after.get("playbook"))
    return f"the {title} playbook" if title else "a playbook"


def revised(event: AuditEvent) -> str:
    after = event.after
    what = " ".join(filter(None, [_text(after.get("clause")), _text(after.get("position"))]))
    edited = f", changing {what.lower() if what else 'a position'}"
    return said(f"made {_version(event)} of {_playbook(event)}{edited}", after.get("note"))


def reviewed(event: AuditEvent) -> str:
    return f"confirmed {_playbook(event)} as reviewed."


def adopted(event: AuditEvent) -> str:
    return f"moved the deal to {_version(event)} of {_playbook(event)}."


def _term(event: AuditEvent) -> str:
    title = quote(event.after.get("title"))
    return f"the term {title}" if title else "a term"


def position_set(event: AuditEvent) -> str:
    after = event.after
    clause = _text(after.get("clause"))
    position = _text(after.get("position"))
    where = f" under {clause}" if clause else ""
    chosen = f" as {position.lower()}" if position else ""
    deviation = _text(after.get("deviation"))
    tail = f" ({deviation.lower()})" if deviation else ""
    return f"placed {_term(event)}{where}{chosen} in the playbook{tail}."


def approved(event: AuditEvent) -> str:
    deviation = _text(event.after.get("deviation"))
    what = f" ({deviation.lower()})" if deviation else ""
    return f"approved {_term(event)}{what} against the playbook."


PLAYBOOK_RENDERERS: dict[AuditAction, Renderer] = {
    AuditAction.PLAYBOOK_REVISED: revised,
    AuditAction.PLAYBOOK_REVIEWED: reviewed,
    AuditAction.PLAYBOOK_ADOPTED: adopted,
    AuditAction.TERM_POSITION_SET: position_set,
    AuditAction.POSITION_APPROVED: approved,
}
