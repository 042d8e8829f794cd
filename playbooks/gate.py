"""The playbook's part in the gate, plugged into stakeholders.signoff at ready().

A term within a fallback, or outside the playbook (custom), holds the gate until its
approver signs it off for the term as it now reads; a walk-away holds it until the
sponsor records a decision on it — which the sponsor's general overrule does not stand
in for. Both are asked on every move into Approved, Signed and Live.

A deal is pinned to the playbook versions in effect when it is created: heard from the
audit trail (core.audit.subscribe), so the deals app never calls this one.
"""

from __future__ import annotations

from django.utils import timezone

from core.audit import AuditAction, subscribe
from core.models import AuditEvent
from deals.models import Deal
from stakeholders.signoff import Hold, register_gate_check

from .models import DealPlaybook, PlaybookVersion
from .selectors import assess, current_version, live_terms


def playbook_holds(deal: Deal) -> list[Hold]:
    """What the deal's terms hold the gate for, under the deal's lock (three queries)."""
    if not PlaybookVersion.objects.exists():
        return []
    rows = assess(deal, live_terms(deal)).holds
    return [Hold(row.hold, overrulable=not row.found.needs_decision) for row in rows]


def pin_new_deal(event: AuditEvent) -> None:
    """A deal created now starts on the playbook versions in effect today."""
    if event.action != AuditAction.CREATED or event.object_type != "deals.deal":
        return
    versions = list(PlaybookVersion.objects.order_by("playbook_id", "number"))
    if not versions:
        return
    today = timezone.localdate(event.at)
    by_playbook: dict[int, list[PlaybookVersion]] = {}
    for version in versions:
        by_playbook.setdefault(version.playbook_id, []).append(version)
    DealPlaybook.objects.bulk_create(
        [
            DealPlaybook(
                deal_id=event.deal_id, playbook_id=pk, version=current_version(group, today)
            )
            for pk, group in by_playbook.items()
        ],
        ignore_conflicts=True,
    )


def connect() -> None:
    register_gate_check(playbook_holds)
    subscribe(pin_new_deal)
