"""Thin Celery entry points: take ids, call stakeholders.notifications."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

from core.backoff import backoff

from . import accounts, notifications

# SMTP trouble, a network blip or a database restart: worth another try later.
TRANSIENT = (SMTPException, OSError, OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def deliver_notifications(self, notification_ids: list[int]) -> dict:
    # The task id is the claim token: a redelivery or retry of this task picks up
    # the rows it claimed; see stakeholders.notifications.
    token = self.request.id or notifications.new_token()
    try:
        return notifications.deliver(ids=notification_ids, token=token).as_dict()
    except TRANSIENT as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


def enqueue_delivery(ids: list[int]) -> int:
    """One delivery task per batch; called after the planning transaction committed."""
    count = 0
    for batch in notifications.batches(ids):
        deliver_notifications.delay_on_commit(batch)
        count += 1
    return count


@shared_task(acks_late=True)
def send_review_reminders() -> int:
    return enqueue_delivery(notifications.plan_review_reminders())


@shared_task(acks_late=True)
def send_escalations() -> int:
    return enqueue_delivery(notifications.plan_escalations())


@shared_task(acks_late=True)
def send_digests() -> int:
    return enqueue_delivery(notifications.plan_digests())


@shared_task(acks_late=True)
def deliver_unsent_notifications() -> int:
    return enqueue_delivery(notifications.unsent_ids())


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def send_password_reset(self, user_id: int, domain: str, protocol: str) -> bool:
    try:
        return accounts.send_password_reset(user_id=user_id, domain=domain, protocol=protocol)
    except TRANSIENT as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
