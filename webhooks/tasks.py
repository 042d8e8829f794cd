"""Thin Celery entry points: a delivery's id in, one attempt; the sweep of due ones."""

from __future__ import annotations

from celery import shared_task

from . import delivery


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_webhook(delivery_id: int) -> str:
    wait = delivery.attempt(delivery_id)
    if wait is not None:
        send_webhook.apply_async((delivery_id,), countdown=wait)
        return f"retry in {wait:.0f} s"
    return "done"


@shared_task(acks_late=True)
def sweep_webhooks() -> int:
    ids = delivery.due_ids()
    enqueue(ids)
    return len(ids)


def enqueue(ids: list[int]) -> None:
    """Called after the planning transaction committed."""
    for delivery_id in ids:
        send_webhook.delay(delivery_id)
