"""Intervals written as things happen: analytics hears every audited change (core.audit
`subscribe`) inside the change's transaction, and opens or closes intervals.

What each audited action does (the one table, `apply`, used by the subscriber and by
the backfill alike, so both write the same rows):

- a deal created: its first stage interval opens;
- a deal moved: the open stage interval ends (outcome: the stage it went to, actor: who
  moved it) and the next stage's opens. On hold is a stage interval of its own, so the
  time on hold is never counted in the stage it interrupted;
- a review requested: a review interval opens (round 1);
- a review re-opened: a new review interval opens in the next round;
- a review reassigned while pending: its interval ends ("reassigned") and a new one opens
  for the new reviewer, in the same round — each interval is a wait of its own;
- a verdict given: the review's interval ends with the verdict;
- a decision requested: the sponsor's decision interval opens; a decision recorded ends it.

The payloads carry no department id for a review: it is read from the review's row.
A failure here is logged and rolled back to a savepoint: analytics never fails the
change it hears of (the backfill repairs what was missed).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction

from core.audit import AuditAction, subscribe
from core.models import AuditEvent
from stakeholders.models import Review

from .days import business_days, calendar_days
from .models import REASSIGNED, SUPERSEDED, Interval, IntervalKind

log = logging.getLogger(__name__)

HEARD = {
    AuditAction.CREATED,
    AuditAction.MOVED,
    AuditAction.REVIEW_REQUESTED,
    AuditAction.REVIEW_REOPENED,
    AuditAction.REVIEW_REASSIGNED,
    AuditAction.VERDICT_GIVEN,
    AuditAction.DECISION_REQUESTED,
    AuditAction.DECISION_RECORDED,
}
DEAL = "deals.deal"
REVIEW = "stakeholders.review"


def close(interval: Interval, *, at: dt.datetime, outcome: str, actor_id: int | None) -> None:
    """End an interval and keep its length in calendar and business days."""
    at = max(at, interval.started_at)  # an out-of-order trail never yields a negative wait
    interval.ended_at = at
    interval.outcome = outcome[:40]
    interval.actor_id = actor_id
    interval.days = calendar_days(interval.started_at, at)
    interval.business_days = business_days(interval.started_at, at)


class Ledger:
    """Where `apply` finds open intervals and puts new ones: the database (the
    subscriber) or memory (the backfill)."""

    def open_stage(self, deal_id: int, kind: str) -> Interval | None:
        raise NotImplementedError

    def open_review(self, review_id: int) -> Interval | None:
        raise NotImplementedError

    def department_of(self, review_id: int) -> tuple[int, int] | None:
        """The review's department and that department's SLA in business days."""
        raise NotImplementedError

    def add(self, interval: Interval) -> None:
        raise NotImplementedError

    def ended(self, interval: Interval) -> None:
        """`interval` was closed by `close`."""


class DatabaseLedger(Ledger):
    def open_stage(self, deal_id: int, kind: str) -> Interval | None:
        return Interval.objects.filter(deal_id=deal_id, kind=kind, ended_at=None).first()

    def open_review(self, review_id: int) -> Interval | None:
        return Interval.objects.filter(
            review_id=review_id, kind=IntervalKind.REVIEW, ended_at=None
        ).first()

    def department_of(self, review_id: int) -> tuple[int, int] | None:
        return (
            Review.objects.filter(pk=review_id)
            .values_list("department_id", "department__review_sla_days")
            .first()
        )

    def add(self, interval: Interval) -> None:
        if not Interval.objects.filter(opened_by=interval.opened_by).exists():
            interval.save()

    def ended(self, interval: Interval) -> None:
        interval.save(update_fields=["ended_at", "outcome", "actor", "days", "business_days"])


@dataclass
class MemoryLedger(Ledger):
    """Every interval the trail produces, built in memory; `departments` maps review ids
    to their department and its SLA (one query for the whole trail)."""

    departments: dict[int, tuple[int, int]]
    rows: list[Interval] = field(default_factory=list)
    _open: dict[tuple, Interval] = field(default_factory=dict)

    def open_stage(self, deal_id: int, kind: str) -> Interval | None:
        return self._open.get((kind, deal_id))

    def open_review(self, review_id: int) -> Interval | None:
        return self._open.get((IntervalKind.REVIEW, review_id))

    def department_of(self, review_id: int) -> tuple[int, int] | None:
        return self.departments.get(review_id)

    def add(self, interval: Interval) -> None:
        self.rows.append(interval)
        key = interval.review_id if interval.kind == IntervalKind.REVIEW else interval.deal_id
        self._open[(interval.kind, key)] = interval

    def ended(self, interval: Interval) -> None:
        key = interval.review_id if interval.kind == IntervalKind.REVIEW else interval.deal_id
        self._open.pop((interval.kind, key), None)


def _review_id(event: AuditEvent) -> int | None:
    try:
        return int(event.object_id)
    except (TypeError, ValueError):
        return None


def _open_review(event: AuditEvent, ledger: Ledger, review_id: int, round_: int) -> None:
    found = ledger.department_of(review_id)
    if found is None:  # the review is gone: its deal was deleted since
        return
    department_id, sla_days = found
    ledger.add(
        Interval(
            kind=IntervalKind.REVIEW,
            deal_id=event.deal_id,
            department_id=department_id,
            review_id=review_id,
            round=round_,
            sla_days=sla_days,
            started_at=event.at,
            opened_by=event.pk,
        )
    )


def _end(ledger: Ledger, interval: Interval | None, event: AuditEvent, outcome: str) -> None:
    if interval is not None:
        close(interval, at=event.at, outcome=outcome, actor_id=event.actor_id)
        ledger.ended(interval)


def apply(event: AuditEvent, ledger: Ledger) -> None:
    """Open and close the intervals one audit event says began or ended."""
    action, after = event.action, event.after or {}
    if action not in HEARD or event.deal_id is None:
        return
    if event.object_type == DEAL and action in (AuditAction.CREATED, AuditAction.MOVED):
        stage = after.get("stage")
        if not stage:
            return
        _end(ledger, ledger.open_stage(event.deal_id, IntervalKind.STAGE), event, stage)
        ledger.add(
            Interval(
                kind=IntervalKind.STAGE,
                deal_id=event.deal_id,
                stage=stage,
                started_at=event.at,
                opened_by=event.pk,
            )
        )
    elif event.object_type == DEAL and action == AuditAction.DECISION_REQUESTED:
        if ledger.open_stage(event.deal_id, IntervalKind.DECISION) is None:
            ledger.add(
                Interval(
                    kind=IntervalKind.DECISION,
                    deal_id=event.deal_id,
                    started_at=event.at,
                    opened_by=event.pk,
                )
            )
    elif action == AuditAction.DECISION_RECORDED:
        interval = ledger.open_stage(event.deal_id, IntervalKind.DECISION)
        _end(ledger, interval, event, after.get("kind", "decided"))
    elif event.object_type == REVIEW and (review_id := _review_id(event)) is not None:
        current = ledger.open_review(review_id)
        if action == AuditAction.REVIEW_REQUESTED:
            _end(ledger, current, event, SUPERSEDED)
            _open_review(event, ledger, review_id, 1)
        elif action == AuditAction.REVIEW_REOPENED:
            _end(ledger, current, event, SUPERSEDED)
            _open_review(event, ledger, review_id, int(after.get("round") or 1))
        elif action == AuditAction.REVIEW_REASSIGNED and current is not None:
            _end(ledger, current, event, REASSIGNED)
            _open_review(event, ledger, review_id, current.round)
        elif action == AuditAction.VERDICT_GIVEN:
            _end(ledger, current, event, after.get("status", "decided"))


def on_audit(event: AuditEvent) -> None:
    """The subscriber: keep the intervals of this change, in its transaction."""
    if event.action not in HEARD:
        return
    try:
        with transaction.atomic():
            apply(event, DatabaseLedger())
    except Exception:
        log.exception("Could not keep the intervals of audit event %s", event.pk)


def listen() -> None:
    subscribe(on_audit)
