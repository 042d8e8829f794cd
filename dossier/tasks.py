"""Thin Celery entry point for dossiers: takes an id, calls dossier.build."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from core.backoff import backoff

from . import build

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def build_dossier(self, dossier_id: int) -> bool:
    """Build one dossier. A worker that dies mid-build gets it redelivered."""
    try:
        return build.dossier_build(dossier_id=dossier_id) is not None
    except SoftTimeLimitExceeded:
        build.dossier_fail(dossier_id=dossier_id, error="Building took longer than allowed.")
    except (OSError, OperationalError, InterfaceError) as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
        build.dossier_fail(dossier_id=dossier_id, error=f"{type(error).__name__}: {error}")
    except Exception as error:
        log.exception("Dossier %s failed", dossier_id)
        build.dossier_fail(dossier_id=dossier_id, error=f"{type(error).__name__}: {error}")
    return False
