"""Registering an endpoint (its secret shown once) and sending a delivery again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record

from . import rules
from .disabling import endpoint_disable
from .guard import resolve
from .models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from .sending import new_secret
from .tasks import enqueue

__all__ = ["delivery_redeliver", "endpoint_create", "endpoint_disable"]


@transaction.atomic
def endpoint_create(*, user, name: str, url: str, events: list[str], owner) -> WebhookEndpoint:
    rules.MANAGE_WEBHOOKS.require(user)
    unknown = set(events) - set(EventType.values)
    if unknown or not events:
        raise ValidationError({"events": "Choose one or more of the events listed."})
    resolve(url)  # refuses private, loopback, link-local… hosts (again at each send)
    endpoint = WebhookEndpoint(
        name=name.strip(), url=url, events=sorted(events), owner=owner, secret=new_secret()
    )
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        actor=user,
        action=AuditAction.WEBHOOK_ADDED,
        instance=endpoint,
        after={"name": endpoint.name, "events": endpoint.events},
    )
    return endpoint


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, user) -> WebhookDelivery:
    """Send it again now, with the same webhook-id (the receiver may dedupe on it)."""
    rules.MANAGE_WEBHOOKS.require(user)
    if delivery.endpoint.disabled_at is not None:
        raise ValidationError("The endpoint is disabled: register it again to send to it.")
    now = timezone.now()
    # A new three-day window from now: an administrator asked for it once more.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, claimed_at=None, created_at=now
    )
    audit_record(
        actor=user,
        action=AuditAction.WEBHOOK_REDELIVERED,
        instance=delivery.endpoint,
        after={"name": delivery.endpoint.name, "type": delivery.event_type},
    )
    transaction.on_commit(lambda: enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
