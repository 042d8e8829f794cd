"""Sentences for intake (intake.services writes them) and for a review the rules no longer
ask for (stakeholders.signoff.reviews_reroute). deals.activity adds these to its RENDERERS."""

from __future__ import annotations

from collections.abc import Callable

from core.models import AuditAction, AuditEvent

from .activity_values import joined, number, quote

Renderer = Callable[[AuditEvent], str]


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def submitted(event: AuditEvent) -> str:
    kind = _text(event.after.get("request_type"))
    what = f"a {quote(kind)} request" if kind else "a request"
    routing = _text(event.after.get("routing"))
    return f"submitted {what} that opened the deal" + (f". {routing}" if routing else ".")


def answers_changed(event: AuditEvent) -> str:
    labels = [quote(n) for n in event.after.get("questions") or [] if isinstance(n, str)]
    what = f"the answers to {joined(labels)}" if labels else "the request's answers"
    routing = _text(event.after.get("routing"))
    return f"changed {what}" + (f". {routing}" if routing else ".")


def form_published(event: AuditEvent) -> str:
    kind = _text(event.after.get("request_type"))
    n = event.after.get("version")
    version = f"version {n} of " if number(n) else ""
    return f"published {version}the {quote(kind) or 'intake'} form."


def review_not_needed(event: AuditEvent) -> str:
    name = _text(event.after.get("department"))
    review = f"{name}'s review" if name else "a review"
    note = _text(event.after.get("note"))
    return f"marked {review} as no longer needed" + (f" ({note})." if note else ".")


INTAKE_RENDERERS: dict[AuditAction, Renderer] = {
    AuditAction.INTAKE_SUBMITTED: submitted,
    AuditAction.INTAKE_ANSWERS_CHANGED: answers_changed,
    AuditAction.INTAKE_FORM_PUBLISHED: form_published,
    AuditAction.REVIEW_NOT_NEEDED: review_not_needed,
}
