"""Approving an amendment holds the agreement's row, which the daily roll-forward takes:
a renewal cannot commit between the approval's stale check and the dates it applies."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from agreements.amendments import amendment_draft, lock_amendment
from agreements.models import Agreement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are tested on PostgreSQL (CI runs it there)")


def test_a_locked_amendment_holds_its_agreement_against_the_roll_forward(personas, agreement):
    amendment = amendment_draft(
        agreement=agreement,
        user=personas.owner,
        data={"title": "Uplift", "reason": "Agreed.", "effective_date": timezone.localdate()},
    )
    locked, release = threading.Event(), threading.Event()

    def approver():
        try:
            with transaction.atomic():
                lock_amendment(amendment)
                locked.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=approver)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        # The roll-forward's own lock (agreements.services.agreement_roll_forward).
        with pytest.raises(DatabaseError), transaction.atomic():
            Agreement.objects.select_for_update(nowait=True).get(pk=agreement.pk)
    finally:
        release.set()
        thread.join(timeout=10)
    with transaction.atomic():
        assert Agreement.objects.select_for_update(nowait=True).get(pk=agreement.pk)
