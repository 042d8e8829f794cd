"""Deliver a batch from the outbox: compose each email, send them over one SMTP
connection, mark each row as soon as the server has accepted its message.

The claim and the exactly-once argument are in notifications.outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as database
from django.utils import timezone

from .digests import compose_digests
from .escalations import compose_escalations
from .event_mail import compose_events
from .invitations import compose_invitations
from .models import EVENT_KINDS, Notification, NotificationKind
from .notices import NOTICE_KINDS, compose_notices
from .outbox import FoldedInto, claim, new_token, release
from .reminders import compose_reminders

log = logging.getLogger(__name__)


@dataclass
class DeliveryResult:
    """What one delivery did with the ids it was given."""

    sent: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # 5xx: cancelled, with the error
    skipped: int = 0  # sent already, or claimed by another task

    def as_dict(self) -> dict:
        return {
            "sent": len(self.sent),
            "cancelled": len(self.cancelled),
            "refused": len(self.refused),
            "skipped": self.skipped,
        }


def compose(
    notifications: list[Notification], *, now: dt.datetime
) -> list[tuple[Notification, EmailMultiAlternatives | FoldedInto | None]]:
    """Each notification's email, or None when there is nothing left to say, or FoldedInto
    when another notification's email carries it (a sponsor's escalations go as one).

    Grouped by kind, each group loads what it needs for all its recipients at
    once: the number of queries does not grow with the size of the batch. Each email
    speaks of "today" and prints dates as its recipient's time zone has them.
    """
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        by_kind[notification.kind].append(notification)
    out: dict[int, EmailMultiAlternatives | FoldedInto | None] = {}
    if by_kind[NotificationKind.REMINDER]:
        out.update(compose_reminders(by_kind[NotificationKind.REMINDER], now))
    escalations = by_kind[NotificationKind.ESCALATION] + by_kind[NotificationKind.STALLED]
    if escalations:
        out.update(compose_escalations(escalations, now))
    if by_kind[NotificationKind.DIGEST]:
        out.update(compose_digests(by_kind[NotificationKind.DIGEST], now))
    if by_kind[NotificationKind.INVITATION]:
        out.update(
            compose_invitations(by_kind[NotificationKind.INVITATION], timezone.localdate(now))
        )
    notices = [n for kind in NOTICE_KINDS for n in by_kind[kind]]
    if notices:
        out.update(compose_notices(notices, now))
    events = [n for kind in EVENT_KINDS for n in by_kind[kind]]
    if events:
        out.update(compose_events(events))
    return [(n, out.get(n.pk)) for n in notifications]


def _is_permanent(error: SMTPException) -> bool:
    """A 5xx answer about this message or its recipient: retrying will not help."""
    if isinstance(error, SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, SMTPResponseException) and 500 <= error.smtp_code < 600


@contextmanager
def _marks_without_waiting_for_the_disk():
    """Each "sent" mark is its own transaction: without waiting for PostgreSQL to flush
    it to disk (synchronous_commit off, for this batch only), a mark costs a round trip
    instead of a disk flush — most of a 10,000-person digest run's database time. A mark
    can then be lost only if the database server itself crashes within a fraction of a
    second, and its message goes out again: the at-least-once delivery promised anyway.
    Inside a transaction (tests) nothing is committed per mark, and nothing changes."""
    if database.vendor != "postgresql" or database.in_atomic_block:
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def deliver(*, ids: list[int], token: str | None = None) -> DeliveryResult:
    """Send the notifications among `ids` not sent yet, over one SMTP connection.

    A temporary SMTP failure (4xx, connection lost) releases what is left of the
    batch and raises, for the task to retry it with backoff; what was sent stays
    sent. A permanent refusal of one message is recorded on its row and the batch
    goes on.
    """
    token = token or new_token()
    result = DeliveryResult()
    now = timezone.now()
    claimed = claim(ids, token=token, now=now)
    result.skipped = len(set(ids)) - len(claimed)
    if not claimed:
        return result
    try:
        composed = compose(claimed, now=now)
    except Exception as error:
        release([n.pk for n in claimed], token=token, error=f"compose: {error!r}")
        raise
    cancelled = [n.pk for n, message in composed if message is None]
    if cancelled:
        Notification.objects.filter(pk__in=cancelled, claimed_by=token, sent_at=None).update(
            cancelled_at=now, claimed_by=""
        )
        result.cancelled = cancelled
    # A notification folded into another's email is settled with that email.
    riders: dict[int, list[int]] = defaultdict(list)
    for n, message in composed:
        if isinstance(message, FoldedInto):
            riders[message.lead].append(n.pk)
    outgoing = [(n, m) for n, m in composed if isinstance(m, EmailMultiAlternatives)]
    if not outgoing:
        return result
    pending = {n.pk for n, _ in outgoing} | {pk for group in riders.values() for pk in group}
    try:
        with (
            _marks_without_waiting_for_the_disk(),
            get_connection(fail_silently=False) as connection,
        ):
            for notification, message in outgoing:
                try:
                    connection.send_messages([message])
                except SMTPException as error:
                    if not _is_permanent(error):
                        raise
                    # A bad address stays bad: recorded, and not tried again.
                    group = [notification.pk, *riders[notification.pk]]
                    Notification.objects.filter(pk__in=group, claimed_by=token).update(
                        cancelled_at=timezone.now(), claimed_by="", last_error=f"refused: {error!r}"
                    )
                    pending.difference_update(group)
                    result.refused.extend(group)
                    log.warning("Mail server refused %s: %r", notification.key, error)
                    continue
                # The server has the message. Record that at once: if the worker
                # died between these two lines the message would go out again —
                # the one window at-least-once delivery cannot close.
                group = [notification.pk, *riders[notification.pk]]
                Notification.objects.filter(pk__in=group, claimed_by=token, sent_at=None).update(
                    sent_at=timezone.now(), claimed_by="", last_error=""
                )
                pending.difference_update(group)
                result.sent.extend(group)
    except Exception as error:
        # What was not sent goes back to the pool, for this task's retry (or the sweeper).
        release(pending, token=token, error=repr(error))
        raise
    return result
