"""From the audit trail to deliveries: core.audit calls `on_audit` with every AuditEvent
inside the transaction of the change, and a delivery is planned per endpoint that hears
its type — unique per endpoint and message id, so a replayed event plans nothing twice.
The send task is enqueued after commit: a change rolled back sends nothing.

Payloads are thin: the type, when, and ids; the receiver reads the rest through the API.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from core.audit import AuditAction, subscribe
from core.models import AuditEvent

from .models import EventType, WebhookDelivery, WebhookEndpoint
from .tasks import enqueue

log = logging.getLogger(__name__)

# The object an action's audit row names, said as the id the payload carries.
SIMPLE = {
    AuditAction.VERDICT_GIVEN: (EventType.REVIEW_DECIDED, "review_id"),
    AuditAction.REVIEW_REOPENED: (EventType.APPROVAL_RESET, "review_id"),
    AuditAction.TERM_REVISED: (EventType.TERM_REVISED, "term_id"),
    AuditAction.DECISION_RECORDED: (EventType.DECISION_RECORDED, "decision_id"),
    AuditAction.OBLIGATION_MISSED: (EventType.OBLIGATION_MISSED, "occurrence_id"),
    AuditAction.RENEWAL_WINDOW_OPENED: (EventType.RENEWAL_WINDOW_OPENED, "agreement_id"),
}


def events_of(event: AuditEvent) -> list[tuple[EventType, dict]]:
    """(type, data) of each webhook event an audit row makes: none, one or two."""
    base = {"deal_id": event.deal_id}
    if event.action == AuditAction.MOVED:
        stages = {"from_stage": event.before.get("stage"), "to_stage": event.after.get("stage")}
        found = [(EventType.DEAL_STAGE_CHANGED, {**base, **stages})]
        if stages["to_stage"] == "signed":
            found.append((EventType.DEAL_SIGNED, base))
        return found
    if event.action in SIMPLE:
        kind, id_name = SIMPLE[AuditAction(event.action)]
        return [(kind, {**base, id_name: int(event.object_id)})]
    return []


def message_id(event: AuditEvent, kind: EventType) -> str:
    return f"msg_{event.pk}_{kind.value.replace('.', '_')}"


def plan(event: AuditEvent) -> list[int]:
    """The deliveries newly planned for an audit row. No query for a row that makes no
    webhook event (most rows), one when no active endpoint hears it."""
    found = events_of(event)
    if not found:
        return []
    kinds = [kind.value for kind, _ in found]
    endpoints = [
        e
        for e in WebhookEndpoint.objects.active()
        if e.events and any(k in e.events for k in kinds)
    ]
    if not endpoints:
        return []
    planned = []
    # In a savepoint: a fault here costs the webhooks, never the change it hears of.
    with transaction.atomic():
        for kind, data in found:
            payload = {"type": kind.value, "timestamp": event.at.isoformat(), "data": data}
            for endpoint in endpoints:
                if kind.value not in endpoint.events:
                    continue
                delivery, created = WebhookDelivery.objects.get_or_create(
                    endpoint=endpoint,
                    msg_id=message_id(event, kind),
                    defaults={"event_type": kind.value, "payload": payload},
                )
                if created:
                    planned.append(delivery.pk)
    return planned


def on_audit(event: AuditEvent) -> None:
    try:
        planned = plan(event)
    except (IntegrityError, ValueError):
        log.exception("Webhook planning failed for audit event %s", event.pk)
        return
    if planned:
        transaction.on_commit(lambda: enqueue(planned))


subscribe(on_audit)
