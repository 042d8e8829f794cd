"""An endpoint stops: on 410 Gone, after failures in a row, or by hand. Audited, its
pending deliveries given up, and its owner told by email after the commit."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import AuditAction, audit_record
from core.emails import absolute, make_message

from .models import DeliveryStatus, WebhookEndpoint

REASONS = {
    "gone": "it answered 410 Gone: the receiver says it no longer exists",
    "failures": "its deliveries failed too many times in a row",
    "manual": "an administrator disabled it",
}


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, user=None) -> bool:
    """True when this call disabled it (a conditional UPDATE: once, whoever races)."""
    now = timezone.now()
    won = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
        disabled_at=now, disabled_reason=reason
    )
    if not won:
        return False
    endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error="The endpoint was disabled.", claimed_at=None
    )
    audit_record(
        actor=user,
        action=AuditAction.WEBHOOK_DISABLED,
        instance=endpoint,
        after={"name": endpoint.name, "reason": reason},
    )
    message = make_message(
        "webhook_disabled",
        endpoint.owner.email,
        {
            "endpoint": endpoint,
            "owner": endpoint.owner,
            "reason": REASONS[reason],
            "log_url": absolute(reverse("webhook_detail", args=[endpoint.pk])),
        },
    )
    transaction.on_commit(lambda: message.send(fail_silently=True))
    return True
