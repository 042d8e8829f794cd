"""Intervals of the bulk deals, for "Where time goes" at benchmark sizes.

The bulk loader writes no audit trail (seed_bulk), so the intervals are built from the
rows the trail would have named: each stage change opens a stay that the next one
closes; each review is a wait from its request to its verdict. Their `opened_by` is
negative (minus the stage change's id, or minus REVIEW_OFFSET and the review's id): no
audit event has it, so the backfill, which works from audit events, leaves them alone.
"""

from __future__ import annotations

from itertools import groupby

from analytics.intervals import close
from analytics.models import Interval, IntervalKind
from deals.models import StageChange
from stakeholders.models import Review

from . import copy

REVIEW_OFFSET = 10**12


def bulk_intervals(changes: list[StageChange], reviews: list[Review]) -> int:
    rows = []
    for _, stays in groupby(sorted(changes, key=lambda c: (c.deal_id, c.at)), lambda c: c.deal_id):
        stays = list(stays)
        for index, change in enumerate(stays):
            row = Interval(
                kind=IntervalKind.STAGE,
                deal_id=change.deal_id,
                stage=change.to_stage,
                started_at=change.at,
                opened_by=-change.pk,
            )
            if index + 1 < len(stays):
                after = stays[index + 1]
                close(row, at=after.at, outcome=after.to_stage, actor_id=after.by_id)
            rows.append(row)
    for review in reviews:
        row = Interval(
            kind=IntervalKind.REVIEW,
            deal_id=review.deal_id,
            department_id=review.department_id,
            review_id=review.pk,
            round=review.round,
            sla_days=review.department.review_sla_days,
            started_at=review.created_at,
            opened_by=-(REVIEW_OFFSET + review.pk),
        )
        if review.decided_at is not None:
            close(row, at=review.decided_at, outcome=review.status, actor_id=review.decided_by_id)
        rows.append(row)
    copy.insert(Interval, rows)
    return len(rows)
