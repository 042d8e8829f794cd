"""Thin Celery entry points for deals: take ids, call deals.briefing; fold the tallies."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from core.backoff import backoff

from . import briefing, tally_sql

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_briefing_pack(self, pack_id: int) -> bool:
    """Render one briefing pack. A worker that dies mid-render gets it redelivered."""
    try:
        return briefing.briefing_render(pack_id=pack_id) is not None
    except SoftTimeLimitExceeded:
        briefing.briefing_fail(pack_id=pack_id, error="Rendering took longer than allowed.")
    except (OSError, OperationalError, InterfaceError) as error:
        # The disk or the database: worth another try before giving up.
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
        briefing.briefing_fail(pack_id=pack_id, error=f"{type(error).__name__}: {error}")
    except Exception as error:
        # A bug or bad data: another try would fail the same way.
        log.exception("Briefing pack %s failed", pack_id)
        briefing.briefing_fail(pack_id=pack_id, error=f"{type(error).__name__}: {error}")
    return False


@shared_task
def compact_tallies() -> int:
    """Fold the dashboard's tallies into one row per key (deals.tally_sql.compact): the
    triggers add rows with every change; reading stays a few hundred rows. Then give
    back the pages a bulk change left empty (tally_sql.reclaim)."""
    left = tally_sql.compact()
    tally_sql.reclaim()
    return left
