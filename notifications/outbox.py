"""The outbox: one `Notification` row per email, planned once and claimed by one sender.

Two steps, both safe to repeat and to run on several workers at once:

1. **Plan** (`reminders.plan_review_reminders`, `escalations.plan_escalations`,
   `digests.plan_digests`): insert one row per email with a unique key
   (`reminder:7:2025-03-03`). Planning twice — beat firing twice, two workers, a
   retry — inserts nothing new.
2. **Deliver** (`delivery.deliver`): claim a batch of rows with a conditional UPDATE,
   compose their emails in a fixed number of queries whatever the size of the batch,
   send them over one SMTP connection and mark each row sent as soon as the server has
   accepted its message.

The exactly-once argument, in one place:

- A row is sent only by the task that claimed it (`claimed_by` = the Celery task
  id). Two tasks racing for one row: the UPDATE lets exactly one of them claim it.
- The task that claimed a row may claim it again. Celery redelivers a task with
  the same id when its worker died mid-task (acks_late +
  reject_on_worker_lost, or Redis' visibility timeout), and when it retries after
  an SMTP error; so "claimed but not sent when the worker died" is sent by the
  redelivered task rather than skipped. The first run is certainly dead by then:
  the task time limit is shorter than the visibility timeout (settings refuse
  anything else).
- A claim older than CLAIM_LEASE (twice the task time limit) is abandoned and any
  sender may take it: that covers a task that was lost altogether, and
  `unsent_ids` lets the beat sweeper find such rows.
- "Sent but not marked" cannot be closed: the SMTP server may accept a message
  and the worker die before the UPDATE that records it. The window is kept to
  that instant — one UPDATE right after each accepted message, never at the end
  of the batch — and the Message-ID is derived from the key (`message_for`), so a
  duplicate from that window is recognisable downstream.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from core.emails import make_message, message_domain

from .models import Notification
from .unsubscribe import UNSUBSCRIBABLE, unsubscribe_headers

# Rows that failed this often are left for a person to look at (admin, last_error).
MAX_ATTEMPTS = 10
# Unsent rows older than this are not worth sending any more (a digest of last month).
GIVE_UP_AFTER = dt.timedelta(days=3)


def claim_lease() -> dt.timedelta:
    return dt.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


# --------------------------------------------------------------------------- planning


def insert(rows: list[Notification]) -> list[int]:
    """Insert the rows whose keys are new; return the ids of every one of them still unsent."""
    if not rows:
        return []
    # ignore_conflicts: a key planned before (or by a racing worker) stays as it is.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return list(
        Notification.objects.filter(
            key__in=[row.key for row in rows], sent_at=None, cancelled_at=None
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def unsent_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Rows nobody is working on: never claimed for a while, or their claim expired."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            sent_at=None,
            cancelled_at=None,
            attempts__lt=MAX_ATTEMPTS,
            created_at__gte=now - GIVE_UP_AFTER,
            created_at__lt=now - dt.timedelta(minutes=5),
        )
        .filter(Q(claimed_by="") | Q(claimed_at__lt=now - claim_lease()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: list[int], size: int | None = None) -> Iterator[list[int]]:
    """Batches of about `size` ids, never splitting one recipient's notifications (their
    escalations go out as one email only when they share a batch). One query."""
    size = size or settings.NOTIFICATION_BATCH_SIZE
    recipients = dict(
        Notification.objects.filter(pk__in=ids).values_list("pk", "recipient_id").order_by()
    )
    batch: list[int] = []
    for pk in sorted(ids, key=lambda pk: (recipients.get(pk, 0), pk)):
        if len(batch) >= size and recipients.get(pk) != recipients.get(batch[-1]):
            yield batch
            batch = []
        batch.append(pk)
    if batch:
        yield batch


# --------------------------------------------------------------------------- claiming


def new_token() -> str:
    return f"local-{uuid.uuid4()}"


def claim(ids: list[int], *, token: str, now: dt.datetime) -> list[Notification]:
    """Claim the unsent rows among `ids` for this task: one UPDATE, one SELECT."""
    Notification.objects.filter(pk__in=ids, sent_at=None, cancelled_at=None).filter(
        Q(claimed_by="") | Q(claimed_by=token) | Q(claimed_at__lt=now - claim_lease())
    ).update(claimed_by=token, claimed_at=now, attempts=F("attempts") + 1)
    return list(
        Notification.objects.filter(pk__in=ids, claimed_by=token, sent_at=None, cancelled_at=None)
        .select_related("recipient")
        .order_by("pk")
    )


def release(ids: Iterable[int], *, token: str, error: str) -> None:
    Notification.objects.filter(pk__in=list(ids), claimed_by=token, sent_at=None).update(
        claimed_by="", last_error=error[:2000]
    )


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class FoldedInto:
    """This notification goes out inside the email of notification `lead`."""

    lead: int


def message_for(
    notification: Notification,
    name: str,
    context: dict,
    *,
    riders: Iterable[str] = (),
    thread: Iterable[str] = (),
) -> EmailMultiAlternatives:
    """`riders`: the keys of the notifications this email also carries (see FoldedInto).
    `thread`: the thread ids (core.emails.thread_id) of what the email is about; it
    refers to them, so mail clients thread every email about the same thing."""
    # The same key always gives the same Message-ID: a copy sent twice (the
    # at-least-once window described above) is recognisable as one message.
    keys = sorted([notification.key, *riders])
    if len(keys) == 1:
        message_key = notification.key.replace(":", ".").replace(" ", "")
    else:  # the same group, the same ID; another group (even with the same lead), another
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:20]
        message_key = f"escalations.{digest}"
    headers = {
        "Message-ID": f"<{message_key}@{message_domain()}>",
        "X-Deal-Desk-Notification": " ".join(keys),
    }
    if notification.kind in UNSUBSCRIBABLE:
        headers |= unsubscribe_headers(user_id=notification.recipient_id, kind=notification.kind)
    if thread := list(thread):
        headers |= {"References": " ".join(thread), "In-Reply-To": thread[0]}
    # Dates and times in the email are the recipient's, whoever's zone the process runs in.
    with timezone.override(notification.recipient.zone):
        return make_message(name, notification.recipient.email, context, headers=headers)
