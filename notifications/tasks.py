"""Thin Celery entry points: take ids, call the planners and the delivery."""

from __future__ import annotations

from celery import shared_task

from core.backoff import TRANSIENT, backoff

from . import delivery, digests, escalations, notices, outbox, reminders


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def deliver_notifications(self, notification_ids: list[int]) -> dict:
    # The task id is the claim token: a redelivery or retry of this task picks up
    # the rows it claimed; see notifications.outbox.
    token = self.request.id or outbox.new_token()
    try:
        return delivery.deliver(ids=notification_ids, token=token).as_dict()
    except TRANSIENT as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


def enqueue_delivery(ids: list[int]) -> int:
    """One delivery task per batch; called after the planning transaction committed."""
    count = 0
    for batch in outbox.batches(ids):
        deliver_notifications.delay_on_commit(batch)
        count += 1
    return count


@shared_task(acks_late=True)
def send_review_reminders(local_hour: int | None = None) -> int:
    """Beat passes REMINDER_HOUR: the reminders of those whose local clock shows it."""
    return enqueue_delivery(reminders.plan_review_reminders(local_hour=local_hour))


@shared_task(acks_late=True)
def send_notice_reminders(local_hour: int | None = None) -> int:
    """Beat passes REMINDER_HOUR: agreements' notice reminders of those whose clock shows it."""
    return enqueue_delivery(notices.plan_notice_reminders(local_hour=local_hour))


@shared_task(acks_late=True)
def send_escalations(local_hour: int | None = None) -> int:
    """Beat passes REMINDER_HOUR: the escalations of sponsors whose local clock shows it."""
    return enqueue_delivery(escalations.plan_escalations(local_hour=local_hour))


@shared_task(acks_late=True)
def send_digests(local_hour: int | None = None) -> int:
    """Beat passes DIGEST_HOUR: the digests of those whose local clock shows it."""
    return enqueue_delivery(digests.plan_digests(local_hour=local_hour))


@shared_task(acks_late=True)
def deliver_unsent_notifications() -> int:
    return enqueue_delivery(outbox.unsent_ids())
