"""Writes for reviews, concerns and working sessions: atomic, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import AuditAction, audit_record
from core.timezones import validate_time_zone
from deals.models import Deal

from . import rules, signoff
from .calendar import Method
from .models import (
    Concern,
    ConcernReply,
    Membership,
    Review,
    ReviewComment,
    ReviewStatus,
    User,
    VerdictChannel,
    WorkingSession,
)
from .signals import session_invitation_changed

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
def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """The zone this person reads dates and times in, and gets their morning emails by."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = locked.time_zone
    if before == time_zone:
        return locked
    validate_time_zone(time_zone)
    locked.time_zone = time_zone
    locked.save(update_fields=["time_zone"])
    audit_record(
        actor=user,
        action=AuditAction.EDITED,
        instance=locked,
        before={"time_zone": before},
        after={"time_zone": time_zone},
    )
    user.time_zone = time_zone
    return locked


@transaction.atomic
def review_give_verdict(
    *,
    review: Review,
    user,
    verdict: str,
    text: str = "",
    terms_seen: str | None = None,
    channel: str = VerdictChannel.WEB,
) -> Review:
    """Record one department's verdict. Exactly one of two racing verdicts wins.

    `terms_seen` is the terms stamp of the page the reviewer gave it on: a verdict is
    refused when the department's terms changed since, so it never covers unseen wording.
    `channel` says where it was given (the review page, an email's link), kept on the
    review and in the audit trail.
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
        verdict_channel=channel,
    )
    fresh = Review.objects.select_related("decided_by", "department", "deal").get(pk=review.pk)
    if not won:
        raise VerdictAlreadyGiven(fresh)
    audit_record(
        actor=user,
        action=AuditAction.VERDICT_GIVEN,
        instance=fresh,
        before={"status": ReviewStatus.PENDING},
        after={
            "status": status,
            "text": text,
            "department": fresh.department.name,
            "channel": channel,
        },
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
    now = timezone.now()
    session = WorkingSession(deal=deal, organiser=user, created_at=now, updated_at=now, **data)
    session.full_clean()
    session.save()
    session.departments.set(departments)
    session.invitees.set(invitees)
    session_invitation_changed.send(WorkingSession, session=session, method=Method.REQUEST)
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


# What a reschedule may change: the invitation's when, where and what.
RESCHEDULABLE = ("starts_at", "duration_minutes", "location", "agenda")


def _when(session: WorkingSession) -> dict[str, Any]:
    return {
        "starts_at": session.starts_at.isoformat(),
        "duration_minutes": session.duration_minutes,
        "location": session.location,
        "agenda": session.agenda,
    }


@transaction.atomic
def session_reschedule(*, session: WorkingSession, user, data: dict[str, Any]) -> WorkingSession:
    """Move a session or change its place or agenda; the invitees get the update
    (same UID, the next SEQUENCE)."""
    rules.RESCHEDULE_SESSION.require(user, session)
    # The row lock orders two organisers' changes: each gets its own SEQUENCE.
    session = WorkingSession.objects.select_for_update().select_related("deal").get(pk=session.pk)
    rules.RESCHEDULE_SESSION.require(user, session)  # it may have been cancelled meanwhile
    before = _when(session)
    for name in RESCHEDULABLE:
        if name in data:
            setattr(session, name, data[name])
    if _when(session) == before:
        raise ValidationError("Nothing changed: change the time, the place or the agenda.")
    session.sequence += 1
    session.updated_at = timezone.now()
    session.full_clean()
    session.save(update_fields=[*RESCHEDULABLE, "sequence", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.SESSION_RESCHEDULED,
        instance=session,
        before=before,
        after={**_when(session), "sequence": session.sequence, "title": session.title},
        deal=session.deal,
    )
    session_invitation_changed.send(WorkingSession, session=session, method=Method.REQUEST)
    return session


@transaction.atomic
def session_cancel(*, session: WorkingSession, user) -> WorkingSession:
    """Call a session off. It stays, marked cancelled; the invitees get METHOD:CANCEL."""
    rules.CANCEL_SESSION.require(user, session)
    now = timezone.now()
    # The conditional UPDATE settles two cancellers: the session is cancelled once.
    won = WorkingSession.objects.filter(pk=session.pk, cancelled_at=None).update(
        cancelled_at=now, updated_at=now, sequence=F("sequence") + 1
    )
    if not won:
        raise ValidationError("This session was already cancelled.")
    session = WorkingSession.objects.select_related("deal", "organiser").get(pk=session.pk)
    audit_record(
        actor=user,
        action=AuditAction.SESSION_CANCELLED,
        instance=session,
        before={"status": "scheduled"},
        after={"status": "cancelled", "sequence": session.sequence, "title": session.title},
        deal=session.deal,
    )
    session_invitation_changed.send(WorkingSession, session=session, method=Method.CANCEL)
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
