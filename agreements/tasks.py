"""Thin Celery entry points for agreements: the daily roll-forward and occurrences, and
reading a signed contract's key facts."""

from __future__ import annotations

from celery import shared_task

from . import obligations, readings, services


@shared_task(acks_late=True)
def agreements_daily() -> dict:
    """Renew or end the terms that ended, announce renewal windows that opened, make the
    obligations' occurrences due soon, mark the ones missed. Each step is safe to repeat and to run on two workers."""
    return {
        "rolled": services.agreements_roll_forward(),
        "windows": services.agreements_open_windows(),
        "occurrences": obligations.occurrences_plan(),
        "missed": obligations.occurrences_mark_missed(),
    }


@shared_task(acks_late=True, reject_on_worker_lost=True)
def read_contract(document_id: int) -> bool:
    """Propose the key facts of an attached contract (once per document)."""
    return readings.contract_read(document_id=document_id) is not None
