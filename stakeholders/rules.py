"""Who may act on reviews, concerns and working sessions: one rule per action
(see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule

from .models import Membership, ReviewStatus


def is_member(user, department_id: int) -> bool:
    return Membership.objects.filter(user=user, department_id=department_id).exists()


GIVE_VERDICT = Rule(
    "Only members of {obj.department} give this review's verdict.",
    lambda user, review: is_member(user, review.department_id),
)
REASSIGN_REVIEW = Rule(
    "Only members of {obj.department} reassign this review, and only before its verdict.",
    lambda user, review: (
        review.status == ReviewStatus.PENDING and is_member(user, review.department_id)
    ),
)
# Those with a part in the deal, and any department's member: departments flag risks
# early, before their review is requested. Not just anyone who can read the deal.
RAISE_CONCERN = Rule(
    "Concerns are raised and discussed by the people with a part in the deal "
    "and by the departments.",
    lambda user, deal: deal.may_raise_concerns(user),
)
COMMENT_ON_REVIEW = Rule(
    "Reviews are discussed by the people with a part in the deal and by the departments.",
    lambda user, review: review.deal.may_raise_concerns(user),
)
RESOLVE_CONCERN = Rule(
    "The deal owner, the sponsor or whoever raised it resolves a concern.",
    lambda user, concern: concern.can_be_resolved_by(user),
)
SCHEDULE_SESSION = Rule(
    "The deal owner or sponsor schedules working sessions.",
    lambda user, deal: deal.is_led_by(user),
)
RECORD_SESSION = Rule(
    "The deal owner or sponsor records a session's outcomes.",
    lambda user, session: session.deal.is_led_by(user),
)


def _may_change_session(user, session) -> bool:
    return session.cancelled_at is None and (
        session.organiser_id == user.pk or session.deal.is_led_by(user)
    )


RESCHEDULE_SESSION = Rule(
    "The organiser, the deal owner or the sponsor moves a session that is not cancelled.",
    _may_change_session,
)
CANCEL_SESSION = Rule(
    "The organiser, the deal owner or the sponsor cancels a session that is not cancelled.",
    _may_change_session,
)
