"""The intervals rebuilt from the audit trail: `manage.py analytics_backfill`, and the
data migration that fills the table when the app is installed.

The trail is replayed in order through the subscriber's own table (intervals.apply),
in memory, and the result is written by `opened_by`: an interval already there is
updated when the trail says otherwise (closed since, by a change the subscriber missed),
a missing one is added, none is added twice. Running it again changes nothing.
Intervals no audit event opened (none today) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core.models import AuditEvent
from stakeholders.models import Review

from .intervals import HEARD, MemoryLedger, apply
from .models import Interval

FIELDS = [
    "kind",
    "deal_id",
    "stage",
    "department_id",
    "review_id",
    "round",
    "sla_days",
    "started_at",
    "ended_at",
    "days",
    "business_days",
    "outcome",
    "actor_id",
]


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def replay() -> list[Interval]:
    """Every interval the audit trail says there was, unsaved, oldest first."""
    departments = {
        pk: (department_id, sla)
        for pk, department_id, sla in Review.objects.values_list(
            "pk", "department_id", "department__review_sla_days"
        )
    }
    ledger = MemoryLedger(departments=departments)
    events = (
        AuditEvent.objects.filter(action__in=[str(a) for a in HEARD], deal__isnull=False)
        .only("pk", "deal_id", "actor_id", "at", "action", "object_type", "object_id", "after")
        .order_by("at", "pk")
    )
    for event in events.iterator(chunk_size=2000):
        apply(event, ledger)
    return ledger.rows


@transaction.atomic
def backfill() -> Result:
    rows = replay()
    existing = Interval.objects.in_bulk([row.opened_by for row in rows], field_name="opened_by")
    result = Result()
    changed, new = [], []
    for row in rows:
        found = existing.get(row.opened_by)
        if found is None:
            new.append(row)
        elif any(getattr(found, name) != getattr(row, name) for name in FIELDS):
            for name in FIELDS:
                setattr(found, name, getattr(row, name))
            changed.append(found)
        else:
            result.unchanged += 1
    # Updates first: an interval the trail closed makes room for the one it opened next
    # (at most one open interval per deal and kind).
    Interval.objects.bulk_update(changed, [f.removesuffix("_id") for f in FIELDS], batch_size=1000)
    Interval.objects.bulk_create(new, batch_size=1000)
    result.created, result.updated = len(new), len(changed)
    return result
