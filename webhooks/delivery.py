"""Attempts: claim a due delivery with a conditional UPDATE (two workers never send it
at once), send it, record the answer; retry with exponential backoff and jitter for up
to three days; disable the endpoint on 410 Gone or after too many failures in a row."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .disabling import endpoint_disable
from .guard import Refused
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .sending import Answer, send

RETRY_WINDOW = dt.timedelta(days=3)
# A claim older than this is a worker that died mid-send: the delivery may be taken again.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
FIRST_DELAY = 30.0  # seconds; doubled each attempt
MAX_DELAY = 6 * 3600.0


def delay(attempts: int) -> float:
    """Exponential, capped, jittered (half to full) so retries of a batch spread out."""
    ceiling = min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


def claim(delivery_id: int, now: dt.datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now)
    )


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> float | None:
    """Send one due delivery; seconds until its next attempt, or None when it is done
    (delivered, given up, or not due or not ours to send)."""
    now = now or timezone.now()
    if not claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint__owner").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if endpoint.disabled_at is not None:
        _finish(delivery, DeliveryStatus.FAILED, Answer(None, "The endpoint is disabled."), now)
        return None
    try:
        answer = send(
            url=endpoint.url,
            secret=endpoint.secret,
            msg_id=delivery.msg_id,
            timestamp=int(now.timestamp()),
            payload=delivery.payload,
        )
    except Refused as refused:
        answer = Answer(None, refused.messages[0][:300])
    return record(delivery, answer, now)


def _finish(delivery: WebhookDelivery, status: str, answer: Answer, now: dt.datetime) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        last_status_code=answer.status,
        last_error=answer.error,
        delivered_at=now if status == DeliveryStatus.DELIVERED else None,
        claimed_at=None,
    )


def record(delivery: WebhookDelivery, answer: Answer, now: dt.datetime) -> float | None:
    endpoint = delivery.endpoint
    if answer.ok:
        _finish(delivery, DeliveryStatus.DELIVERED, answer, now)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return None
    if answer.status is not None and not answer.error:
        answer.error = f"HTTP {answer.status}" + (
            " (redirects are not followed)" if 300 <= answer.status < 400 else ""
        )
    failures = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    failures.update(consecutive_failures=F("consecutive_failures") + 1)
    if answer.status == 410:
        _finish(delivery, DeliveryStatus.FAILED, answer, now)
        endpoint_disable(endpoint=endpoint, reason="gone", user=None)
        return None
    in_a_row = failures.values_list("consecutive_failures", flat=True).get()
    if in_a_row >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        _finish(delivery, DeliveryStatus.FAILED, answer, now)
        endpoint_disable(endpoint=endpoint, reason="failures", user=None)
        return None
    wait = delay(delivery.attempts + 1)
    next_at = now + dt.timedelta(seconds=wait)
    if next_at > delivery.created_at + RETRY_WINDOW:
        _finish(delivery, DeliveryStatus.FAILED, answer, now)
        return None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        last_status_code=answer.status,
        last_error=answer.error,
        next_attempt_at=next_at,
        claimed_at=None,
    )
    return wait


def due_ids(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time came (a retry whose task was lost, a worker that
    died): the beat sweep enqueues them again."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
