"""Webhook endpoints an administrator registers, and one delivery per endpoint and event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventType(models.TextChoices):
    DEAL_STAGE_CHANGED = "deal.stage_changed", "Deal stage changed"
    REVIEW_DECIDED = "review.decided", "Review decided (verdict given)"
    APPROVAL_RESET = "review.reopened", "Approval reset (review re-opened)"
    TERM_REVISED = "term.revised", "Term revised"
    DECISION_RECORDED = "decision.recorded", "Sponsor decision recorded"
    DEAL_SIGNED = "deal.signed", "Deal signed"
    OBLIGATION_MISSED = "obligation.missed", "Obligation missed"
    RENEWAL_WINDOW_OPENED = "agreement.renewal_window_opened", "Renewal window opened"


class EndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def active(self) -> EndpointQuerySet:
        return self.filter(disabled_at__isnull=True)


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="EventType values this endpoint hears.")
    # whsec_<base64 of 32 random bytes>: shown once at registration. Kept as is because
    # signing needs it (an HMAC key cannot be hashed away).
    secret = models.CharField(max_length=100, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=20, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # gave up: three days, or the endpoint is disabled


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent until it is delivered or three days have passed.
    `msg_id` is the webhook-id header: the same on every attempt, so receivers dedupe."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    msg_id = models.CharField(max_length=80)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "msg_id"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"
