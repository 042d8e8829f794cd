"""Thin Celery entry points: take ids, call a service. The notification tasks are in
notifications.tasks."""

from __future__ import annotations

from celery import shared_task

from core.backoff import TRANSIENT, backoff

from . import accounts, email_decision


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def send_password_reset(self, user_id: int, domain: str, protocol: str) -> bool:
    try:
        return accounts.send_password_reset(user_id=user_id, domain=domain, protocol=protocol)
    except TRANSIENT as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


@shared_task(acks_late=True)
def purge_email_decision_tokens() -> int:
    """Daily: the review emails' links past their lifetime go (email_decision)."""
    return email_decision.tokens_purge()
