"""Sentences for the integrations' changes: API keys (api.keys) and webhook endpoints
(webhooks.services). Its own module so that deals.activity stays under 500 lines;
deals.activity adds these to its RENDERERS."""

from __future__ import annotations

from collections.abc import Callable

from core.models import AuditAction, AuditEvent

from .activity_values import quote

Renderer = Callable[[AuditEvent], str]

SCOPES = {"read": "read-only", "write": "read and write"}
REASONS = {
    "gone": "the receiver answered that it is gone",
    "failures": "its deliveries kept failing",
    "manual": "",
}


def _named(event: AuditEvent, noun: str) -> str:
    name = quote(event.after.get("name"))
    return f"the {noun} {name}" if name else f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def key_created(event: AuditEvent) -> str:
    scope = SCOPES.get(event.after.get("scope"), "")
    return f"created {_named(event, 'API key')}{f' ({scope})' if scope else ''}."


def key_revoked(event: AuditEvent) -> str:
    return f"revoked {_named(event, 'API key')}."


def webhook_added(event: AuditEvent) -> str:
    events = event.after.get("events")
    count = len(events) if isinstance(events, list) else 0
    heard = f", for {count} kind{'' if count == 1 else 's'} of event" if count else ""
    return f"added {_named(event, 'webhook endpoint')}{heard}."


def webhook_disabled(event: AuditEvent) -> str:
    reason = REASONS.get(event.after.get("reason"), "")
    return f"disabled {_named(event, 'webhook endpoint')}{f': {reason}' if reason else ''}."


def webhook_redelivered(event: AuditEvent) -> str:
    return f"sent a webhook again to {_named(event, 'webhook endpoint')}."


INTEGRATION_RENDERERS: dict[AuditAction, Renderer] = {
    AuditAction.API_KEY_CREATED: key_created,
    AuditAction.API_KEY_REVOKED: key_revoked,
    AuditAction.WEBHOOK_ADDED: webhook_added,
    AuditAction.WEBHOOK_DISABLED: webhook_disabled,
    AuditAction.WEBHOOK_REDELIVERED: webhook_redelivered,
}
