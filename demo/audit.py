"""The audit trail a seeded deal's history would have left, so that timelines are not empty.

Rows are built by core.audit.audit_event, as the services build theirs, so they name
their object the same way; they are written in bulk, and seed_demo bumps the data
version once at the end.
"""

from __future__ import annotations

from core.audit import AuditAction, audit_event
from core.models import AuditEvent
from deals.models import Deal
from stakeholders.models import Concern, ReviewComment


def audit_history(deal: Deal) -> None:
    """Audit rows for the deal's stage changes, decided reviews, concerns and comments."""
    events = [
        audit_event(
            actor=change.by,
            action=AuditAction.MOVED if change.from_stage else AuditAction.CREATED,
            instance=deal,
            before={"stage": change.from_stage} if change.from_stage else None,
            after={"stage": change.to_stage, "note": change.note},
            deal=deal,
            at=change.at,
        )
        for change in deal.stage_changes.all()
    ]
    # Each review was requested when the deal entered Review (analytics times the wait
    # from here to the verdict).
    events += [
        audit_event(
            actor=deal.owner,
            action=AuditAction.REVIEW_REQUESTED,
            instance=review,
            after={"department": review.department.name, "due_on": review.due_on.isoformat()},
            deal=deal,
            at=review.created_at,
        )
        for review in deal.reviews.select_related("department")
    ]
    events += [
        audit_event(
            actor=review.decided_by,
            action=AuditAction.VERDICT_GIVEN,
            instance=review,
            before={"status": "pending"},
            after={
                "status": review.status,
                "text": review.verdict_text or review.conditions,
                "department": review.department.name,
            },
            deal=deal,
            at=review.decided_at,
        )
        for review in deal.reviews.exclude(decided_at=None).select_related("department")
    ]
    events += [
        audit_event(
            actor=concern.raised_by,
            action=AuditAction.CONCERN_RAISED,
            instance=concern,
            after={
                "title": concern.title,
                "blocking": concern.blocking,
                "severity": concern.severity,
            },
            deal=deal,
            at=concern.raised_at,
        )
        for concern in Concern.objects.filter(deal=deal)
    ]
    events += [
        audit_event(
            actor=comment.author,
            action=AuditAction.COMMENTED,
            instance=comment,
            after={"body": comment.body, "department": comment.review.department.name},
            deal=deal,
            at=comment.at,
        )
        for comment in ReviewComment.objects.filter(review__deal=deal).select_related(
            "review__department"
        )
    ]
    AuditEvent.objects.bulk_create(events)
