"""The audit trail's table. Rows are written only through core.audit."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Currency(models.TextChoices):
    """The currencies the desk knows: deals are priced in one of them, and the
    reporting currency (settings.REPORTING_CURRENCY) is one of them."""

    EUR = "EUR", "EUR"
    USD = "USD", "USD"
    GBP = "GBP", "GBP"
    CHF = "CHF", "CHF"


class AuditAction(models.TextChoices):
    """Every kind of audited change. The values are stored: never rename one."""

    CREATED = "created", "created"
    EDITED = "edited", "edited"
    DELETED = "deleted", "deleted"
    MOVED = "moved", "moved"
    ARCHIVED = "archived", "archived"
    RESTORED = "restored", "restored"
    TERM_ADDED = "term added", "term added"
    TERM_REVISED = "term revised", "term revised"
    TERM_REMOVED = "term removed", "term removed"
    DECISION_RECORDED = "decision recorded", "decision recorded"
    DECISION_REQUESTED = "decision requested", "decision requested"
    DOCUMENT_ATTACHED = "document attached", "document attached"
    BRIEFING_REQUESTED = "briefing pack requested", "briefing pack requested"
    REVIEW_REQUESTED = "review requested", "review requested"
    REVIEW_REOPENED = "review re-opened", "review re-opened"
    VERDICT_GIVEN = "review decided", "verdict given"
    REVIEW_REASSIGNED = "review reassigned", "review reassigned"
    COMMENTED = "commented", "commented"
    CONCERN_RAISED = "concern raised", "concern raised"
    CONCERN_REPLY = "concern reply", "concern reply"
    CONCERN_RESOLVED = "concern resolved", "concern resolved"
    SESSION_SCHEDULED = "session scheduled", "session scheduled"
    SESSION_RECORDED = "session recorded", "session recorded"
    SESSION_RESCHEDULED = "session rescheduled", "session rescheduled"
    SESSION_CANCELLED = "session cancelled", "session cancelled"
    UNSUBSCRIBED = "unsubscribed", "unsubscribed"
    DIGEST_SETTINGS = "digest settings", "digest settings"
    EVENT_SETTINGS = "event settings", "notification settings"
    CHECKED_IN = "checked in", "checked in"
    SIGNED_OFF = "signed off", "signed off"
    ASSESSED = "assessed", "assessed"
    # The signed contract's life (agreements)
    AGREEMENT_OPENED = "agreement opened", "agreement opened"
    AGREEMENT_EDITED = "agreement edited", "agreement edited"
    AGREEMENT_RENEWED = "agreement renewed", "agreement renewed"
    AGREEMENT_ENDED = "agreement ended", "agreement ended"
    RENEWAL_DECIDED = "renewal decided", "renewal decided"
    OBLIGATION_ADDED = "obligation added", "obligation added"
    EVIDENCE_SUBMITTED = "evidence submitted", "evidence submitted"
    EVIDENCE_REVIEWED = "evidence reviewed", "evidence reviewed"
    OBLIGATION_MISSED = "obligation missed", "obligation missed"
    RENEWAL_WINDOW_OPENED = "renewal window opened", "renewal window opened"
    OBLIGATION_CHANGED = "obligation changed", "obligation changed"
    # Amendments of a signed contract (agreements.amendments)
    AMENDMENT_DRAFTED = "amendment drafted", "amendment drafted"
    AMENDMENT_EDITED = "amendment edited", "amendment edited"
    AMENDMENT_PROPOSED = "amendment proposed", "amendment proposed"
    AMENDMENT_APPROVED = "amendment approved", "amendment approved"
    AMENDMENT_REJECTED = "amendment rejected", "amendment rejected"
    CALENDAR_ADDRESS_REPLACED = "calendar address replaced", "calendar address replaced"
    DOSSIER_EXPORTED = "dossier exported", "dossier exported"
    # Integrations (api, webhooks)
    API_KEY_CREATED = "api key created", "API key created"
    API_KEY_REVOKED = "api key revoked", "API key revoked"
    WEBHOOK_ADDED = "webhook added", "webhook endpoint added"
    WEBHOOK_DISABLED = "webhook disabled", "webhook endpoint disabled"
    WEBHOOK_REDELIVERED = "webhook redelivered", "webhook redelivered"
    # Intake (intake.services): requests, their answers, their forms
    INTAKE_SUBMITTED = "intake submitted", "intake request submitted"
    INTAKE_ANSWERS_CHANGED = "intake answers changed", "intake answers changed"
    INTAKE_FORM_PUBLISHED = "intake form published", "intake form published"
    REVIEW_NOT_NEEDED = "review not needed", "review no longer needed"
    # Clause playbooks (playbooks)
    PLAYBOOK_REVISED = "playbook revised", "playbook revised"
    PLAYBOOK_REVIEWED = "playbook reviewed", "playbook reviewed"
    PLAYBOOK_ADOPTED = "playbook adopted", "playbook version taken on"
    TERM_POSITION_SET = "term position set", "term placed in the playbook"
    POSITION_APPROVED = "position approved", "playbook deviation approved"


class AuditEvent(models.Model):
    """Who changed what, when, from what to what. Written by services only."""

    deal = models.ForeignKey(
        "deals.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # Validated against AuditAction by core.audit; no choices, so a new action needs no migration.
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table kept its name when the model moved here from deals.
        db_table = "deals_auditevent"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="deals_audit_object__28e3ac_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"


class ExchangeRate(models.Model):
    """What one unit of a currency is worth in the reporting currency, from a date on.

    Kept by an administrator in the Django admin (audited there). Totals use the latest
    rate on or before their date (core.money); a currency with no such rate is named and
    left out of a total, never guessed.
    """

    currency = models.CharField(max_length=3, choices=Currency.choices)
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="One unit of the currency in the reporting currency: 0.92 when 1 USD "
        "is worth 0.92 EUR and the reporting currency is EUR.",
    )
    applies_from = models.DateField(help_text="The first day this rate applies.")

    class Meta:
        ordering = ["currency", "-applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "applies_from"], name="one_exchange_rate_per_currency_and_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        rate = f"{self.rate.normalize():f}"
        return f"1 {self.currency} = {rate} {settings.REPORTING_CURRENCY} from {self.applies_from}"

    def clean(self) -> None:
        if self.currency and self.currency == settings.REPORTING_CURRENCY:
            raise ValidationError(
                {
                    "currency": f"{self.currency} is the reporting currency: its amounts are "
                    "counted as they are and need no rate."
                }
            )
