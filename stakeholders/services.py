"""Writes for reviews, concerns and working sessions: atomic, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record
from deals.models import Deal

from . import rules, signoff
from .models import (
    Concern,
    ConcernReply,
    Membership,
    Review,
    ReviewComment,
    ReviewStatus,
    User,
    WorkingSession,
)

# What each verdict needs in words, and the status it leads to.
VERDICTS: dict[str, tuple[ReviewStatus, str | None]] = {
    "approve": (ReviewStatus.APPROVED, None),
    "approve_with_conditions": (
        ReviewStatus.APPROVED_WITH_CONDITIONS,
        "Write the conditions of your approval.",
    ),
    "request_changes": (ReviewStatus.CHANGES_REQUESTED, "Say what needs to change."),
    "reject": (ReviewStatus.REJECTED, "Give the reason for rejecting."),
}


class VerdictAlreadyGiven(Exception):
    """Someone gave this review's verdict first; carries the review as it now stands."""

    def __init__(self, review: Review):
        super().__init__(f"{review.decided_by} decided this review first.")
        self.review = review


@transaction.atomic
def review_give_verdict(
    *, review: Review, user, verdict: str, text: str = "", terms_seen: str | None = None
) -> Review:
    """Record one department's verdict. Exactly one of two racing verdicts wins.

    `terms_seen` is the terms stamp of the page the reviewer gave it on: a verdict is
    refused when the department's terms changed since, so it never covers unseen wording.
    """
    if verdict not in VERDICTS:
        raise ValidationError(
            {"verdict": "Choose Approve, Approve with conditions, Request changes or Reject."}
        )
    rules.GIVE_VERDICT.require(user, review)
    status, needs_text = VERDICTS[verdict]
    text = text.strip()
    if needs_text and not text:
        raise ValidationError({"text": needs_text})
    Deal.objects.lock(review.deal_id)  # term edits take the same lock before changing wording
    if terms_seen is not None:
        signoff.check_stamp(review, terms_seen)
    now = timezone.now()
    # The conditional UPDATE settles two deciders: only a pending review changes, once.
    won = Review.objects.filter(pk=review.pk, status=ReviewStatus.PENDING).update(
        status=status,
        verdict_text="" if status == ReviewStatus.APPROVED_WITH_CONDITIONS else text,
        conditions=text if status == ReviewStatus.APPROVED_WITH_CONDITIONS else "",
        decided_by=user,
        decided_at=now,
        needs_rereview=False,
    )
    fresh = Review.objects.select_related("decided_by", "department", "deal").get(pk=review.pk)
    if not won:
        raise VerdictAlreadyGiven(fresh)
    audit_record(
        actor=user,
        action=AuditAction.VERDICT_GIVEN,
        instance=fresh,
        before={"status": ReviewStatus.PENDING},
        after={"status": status, "text": text, "department": fresh.department.name},
        deal=fresh.deal,
    )
    return fresh


@transaction.atomic
def review_reassign(*, review: Review, user, reviewer: User | None) -> Review:
    rules.REASSIGN_REVIEW.require(user, review)
    if reviewer is not None and not rules.is_member(reviewer, review.department_id):
        raise ValidationError({"reviewer": f"{reviewer} is not a member of {review.department}."})
    before = {"reviewer": str(review.reviewer) if review.reviewer else None}
    review.reviewer = reviewer
    review.save(update_fields=["reviewer"])
    audit_record(
        actor=user,
        action=AuditAction.REVIEW_REASSIGNED,
        instance=review,
        before=before,
        after={
            "reviewer": str(reviewer) if reviewer else None,
            "department": review.department.name,
        },
        deal=review.deal,
    )
    return review


@transaction.atomic
def review_comment(*, review: Review, user, body: str) -> ReviewComment:
    rules.COMMENT_ON_REVIEW.require(user, review)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    comment = ReviewComment.objects.create(review=review, author=user, body=body)
    audit_record(
        actor=user,
        action=AuditAction.COMMENTED,
        instance=comment,
        after={"body": body, "department": review.department.name},
        deal=review.deal,
    )
    return comment


@transaction.atomic
def concern_raise(*, deal, user, data: dict[str, Any]) -> Concern:
    rules.RAISE_CONCERN.require(user, deal)
    Deal.objects.lock(deal.pk)  # a move through the gate waits for this concern
    concern = Concern(deal=deal, raised_by=user, **data)
    concern.full_clean()
    concern.save()
    audit_record(
        actor=user,
        action=AuditAction.CONCERN_RAISED,
        instance=concern,
        after={"title": concern.title, "blocking": concern.blocking, "severity": concern.severity},
        deal=deal,
    )
    return concern


@transaction.atomic
def concern_reply(*, concern: Concern, user, body: str) -> ConcernReply:
    rules.RAISE_CONCERN.require(user, concern.deal)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a reply first."})
    reply = ConcernReply.objects.create(concern=concern, author=user, body=body)
    audit_record(
        actor=user,
        action=AuditAction.CONCERN_REPLY,
        instance=reply,
        after={"body": body, "concern": concern.title},
        deal=concern.deal,
    )
    return reply


@transaction.atomic
def concern_resolve(*, concern: Concern, user, resolution: str) -> Concern:
    rules.RESOLVE_CONCERN.require(user, concern)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": "Say how the concern was resolved."})
    won = Concern.objects.filter(pk=concern.pk, resolved_at__isnull=True).update(
        resolution=resolution, resolved_by=user, resolved_at=timezone.now()
    )
    if not won:
        raise ValidationError({"resolution": "This concern was already resolved."})
    concern.refresh_from_db()
    audit_record(
        actor=user,
        action=AuditAction.CONCERN_RESOLVED,
        instance=concern,
        before={"status": "open"},
        after={"status": "resolved", "resolution": resolution, "concern": concern.title},
        deal=concern.deal,
    )
    return concern


@transaction.atomic
def session_schedule(*, deal, user, data: dict[str, Any], departments, invitees) -> WorkingSession:
    rules.SCHEDULE_SESSION.require(user, deal)
    session = WorkingSession(deal=deal, organiser=user, **data)
    session.full_clean()
    session.save()
    session.departments.set(departments)
    session.invitees.set(invitees)
    audit_record(
        actor=user,
        action=AuditAction.SESSION_SCHEDULED,
        instance=session,
        after={
            "title": session.title,
            "starts_at": session.starts_at.isoformat(),
            "departments": [d.name for d in departments],
            "invitees": [u.email for u in invitees],
        },
        deal=deal,
    )
    return session


@transaction.atomic
def session_record(
    *, session: WorkingSession, user, outcomes: str, decisions: str, attendees
) -> WorkingSession:
    rules.RECORD_SESSION.require(user, session)
    before = {"outcomes": session.outcomes, "decisions": session.decisions}
    session.outcomes = outcomes.strip()
    session.decisions = decisions.strip()
    session.recorded_at = timezone.now()
    session.save()
    session.attendees.set(attendees)
    audit_record(
        actor=user,
        action=AuditAction.SESSION_RECORDED,
        instance=session,
        before=before,
        after={
            "title": session.title,
            "outcomes": session.outcomes,
            "decisions": session.decisions,
            "attendees": [u.email for u in attendees],
            # Kept so that "whose voice is heard" needs no lookup per deal page.
            "attendee_ids": [u.pk for u in attendees],
            "attendee_departments": sorted(
                set(
                    Membership.objects.filter(user__in=attendees).values_list(
                        "department__name", flat=True
                    )
                )
            ),
        },
        deal=session.deal,
    )
    return session
