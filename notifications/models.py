"""The outbox of emails and each person's digest settings.

Both tables were created by the stakeholders app and keep their names
(stakeholders_notification, stakeholders_digestpreference): the models moved
here without copying a row (migrations 0001 here and stakeholders 0006).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Review reminder"
    ESCALATION = "escalation", "Overdue review escalation"
    STALLED = "stalled", "Stalled deal escalation"
    DIGEST = "digest", "Weekly digest"
    INVITATION = "invitation", "Working session invitation"
    NOTICE_REMINDER = "notice_reminder", "Agreement notice deadline reminder"
    NOTICE_ESCALATION = "notice_escalation", "Undecided renewal escalation"
    # Events: sent as they happen and listed in the app (notifications.events).
    REVIEW_REQUESTED = "review_requested", "A review is requested from my department"
    REREVIEW = "rereview", "A review needs doing again"
    CHANGES_REQUESTED = "changes_requested", "Changes requested on my deal"
    REJECTED = "rejected", "My deal rejected by a department"
    CONDITIONS = "conditions", "My deal approved with conditions"
    DECISION_REQUESTED = "decision_requested", "My decision requested as sponsor"
    DECISION_RECORDED = "decision_recorded", "The sponsor's decision recorded"
    CONCERN_RAISED = "concern_raised", "A concern raised on my deal or in my department"
    REPLY = "reply", "A reply to my concern or to a review I commented on"
    MENTION = "mention", "Someone mentions me"
    INTAKE_SUBMITTED = "intake_submitted", "A request comes in for a deal I own"


EVENT_KINDS = [
    NotificationKind.REVIEW_REQUESTED,
    NotificationKind.REREVIEW,
    NotificationKind.CHANGES_REQUESTED,
    NotificationKind.REJECTED,
    NotificationKind.CONDITIONS,
    NotificationKind.DECISION_REQUESTED,
    NotificationKind.DECISION_RECORDED,
    NotificationKind.CONCERN_RAISED,
    NotificationKind.REPLY,
    NotificationKind.MENTION,
    NotificationKind.INTAKE_SUBMITTED,
]


class Channel(models.TextChoices):
    """How someone hears of one kind of event."""

    EMAIL = "email", "Email and in the app"
    APP = "app", "In the app only"
    OFF = "off", "Off"


# Without a saved choice every event comes by email and in the app.
DEFAULT_CHANNEL = Channel.EMAIL


class Notification(models.Model):
    """One email to one person, recorded before it is sent and never sent twice.

    `key` names what the email is about (`reminder:7:2025-03-03`); it is unique,
    so planning the same email twice (beat firing twice, two workers) inserts one
    row. A sender claims a row with a conditional UPDATE before it talks to SMTP
    and marks it sent after the server accepted the message
    (notifications.delivery.deliver).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True)
    # The ids the email is about (a review, a deal); the text is composed at send time.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The task (its Celery id) sending it now, and since when: see deliver().
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Not sent on purpose: the person unsubscribed or left before it went out.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Listed on the person's notifications page (events); read_at clears it from the badge.
    in_app = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "stakeholders_notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notification_unsent_idx",
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
            ),
            # Named as when the app was stakeholders: the index in the database keeps it.
            models.Index(
                fields=["recipient", "-created_at"], name="stakeholder_recipie_99f10a_idx"
            ),
            # The unread badge on every page: one COUNT over this person's unread rows.
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(in_app=True, read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.in_app and self.cancelled_at and not self.last_error:
            return "in the app"
        if self.cancelled_at:
            return "cancelled"
        return "failing" if self.last_error else "waiting"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def default_digest_weekday() -> int:
    return settings.DIGEST_WEEKDAY


class DigestPreference(models.Model):
    """Whether and on which day someone gets the weekly digest.

    Created when a person first saves their settings; without a row the defaults
    apply (subscribed, on DIGEST_WEEKDAY), so nobody needs seeding.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_preference",
    )
    subscribed = models.BooleanField("send me the weekly digest", default=True)
    weekday = models.PositiveSmallIntegerField(
        "digest day", choices=Weekday.choices, default=default_digest_weekday
    )
    # {kind: Channel} for the event kinds someone changed; the others are DEFAULT_CHANNEL.
    event_channels = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "stakeholders_digestpreference"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="digest_weekday_0_to_6"
            )
        ]

    def channel(self, kind: str) -> str:
        return self.event_channels.get(kind, DEFAULT_CHANNEL)

    def __str__(self) -> str:
        return f"{self.user}: {'weekly on ' + self.get_weekday_display() if self.subscribed else 'no digest'}"
