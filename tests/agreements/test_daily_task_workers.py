"""The daily task on real Celery workers on Redis (PostgreSQL only, as CI runs it): two
workers racing and a re-run make each occurrence once and renew the agreement once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Agreement, Obligation, Occurrence
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_and_a_rerun_make_each_occurrence_once(celery_workers, personas, agreement):
    today = timezone.localdate()
    obligation = Obligation.objects.create(
        agreement=agreement,
        title="Monthly report",
        owed_by="us",
        owner=personas.owner,
        reviewer=personas.executive,
        recurrence="monthly",
        first_due=today - dt.timedelta(days=200),
        lead_days=5,
    )
    expected = len(obligation.due_dates(today + dt.timedelta(days=5)))
    # The term ended yesterday: the daily task renews it (automatic), once.
    Agreement.objects.filter(pk=agreement.pk).update(current_term_end=today - dt.timedelta(days=1))
    celery_workers.start()
    celery_workers.start()
    for _ in range(3):  # two at once, then a re-run
        celery_workers.send("agreements.tasks.agreements_daily")

    def finished() -> bool:
        return celery_workers.log().count("agreements.tasks.agreements_daily[") >= 6

    assert celery_workers.wait_until(finished, timeout=40), celery_workers.log()
    assert "Traceback" not in celery_workers.log(), celery_workers.log()
    assert Occurrence.objects.filter(obligation=obligation).count() == expected
    assert AuditEvent.objects.filter(action=AuditAction.AGREEMENT_RENEWED).count() == 1
    assert Agreement.objects.get(pk=agreement.pk).renewals_done == 1
