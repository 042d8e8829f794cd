"""Reads for reviews, concerns and sessions: access checks and fixed-query page data."""

from __future__ import annotations

from django.db.models import Count, Q

from deals.models import AuditEvent, Stage
from deals.selectors import get_under_deal_for_user

from .models import (
    APPROVALS,
    Concern,
    Membership,
    Review,
    ReviewStatus,
    WorkingSession,
)

OPEN_STATUSES = [ReviewStatus.PENDING, ReviewStatus.CHANGES_REQUESTED]


def get_review_for_user(user, pk: int) -> Review:
    reviews = Review.objects.select_related(
        "deal__partnership__partner",
        "deal__owner",
        "deal__sponsor",
        "department",
        "reviewer",
        "decided_by",
    )
    return get_under_deal_for_user(reviews, user, pk, "review")


def get_concern_for_user(user, pk: int) -> Concern:
    concerns = Concern.objects.select_related(
        "deal__owner", "deal__sponsor", "department", "raised_by", "resolved_by"
    )
    return get_under_deal_for_user(concerns, user, pk, "concern")


def get_session_for_user(user, pk: int) -> WorkingSession:
    sessions = WorkingSession.objects.select_related("deal__owner", "deal__sponsor", "organiser")
    return get_under_deal_for_user(sessions, user, pk, "working session")


def inbox(user, status: str | None):
    """Reviews of my departments, soonest due first, and counts per status."""
    mine = Review.objects.filter(department__memberships__user=user)
    counts = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
    reviews = mine.filter(status=status) if status else mine.filter(status__in=OPEN_STATUSES)
    reviews = reviews.select_related(
        "deal__partnership__partner", "department", "reviewer"
    ).order_by("due_on", "pk")
    return reviews, {s.value: counts.get(s.value, 0) for s in ReviewStatus}


# Actions in the audit trail that count as someone speaking up on a deal.
VOICE_ACTIONS = [
    "review decided",
    "commented",
    "concern raised",
    "concern reply",
    "session recorded",
]


def voices(deal, reviews: list[Review]) -> dict:
    """Which departments and how many people have spoken on this deal; who is missing."""
    people: set[int] = set()
    emails: set[str] = set()
    for event in AuditEvent.objects.filter(deal=deal, action__in=VOICE_ACTIONS).values(
        "actor_id", "action", "after"
    ):
        if event["action"] == "session recorded":
            emails.update(event["after"].get("attendees", []))
        elif event["actor_id"]:
            people.add(event["actor_id"])
    people |= {r.decided_by_id for r in reviews if r.decided_by_id}
    memberships = Membership.objects.filter(
        Q(user_id__in=people) | Q(user__email__in=emails)
    ).values_list("user_id", "department__name")
    speakers = people | {user_id for user_id, _ in memberships}
    heard = {name for _, name in memberships}
    heard |= {r.department.name for r in reviews if r.status != ReviewStatus.PENDING}
    required = [r.department.name for r in reviews]
    silent = [name for name in required if name not in heard]
    in_review = deal.stage in (Stage.REVIEW, Stage.NEGOTIATION)
    return {
        "departments": sorted(heard),
        "people": len(speakers),
        "silent": silent,
        "flag_silent": in_review and bool(silent),
        "flag_single_voice": in_review and len(speakers) <= 1,
    }


def gate_status(deal, reviews: list[Review], open_concerns: list[Concern], decisions: list) -> dict:
    """What stands between the deal and Approved, from already-loaded rows (no queries)."""
    waiting = [r.department.name for r in reviews if r.status not in APPROVALS]
    blocking = [c for c in open_concerns if c.blocking]
    overruled = any(d.overrules_gate and d.decided_at >= deal.stage_changed_at for d in decisions)
    return {
        "waiting": waiting,
        "blocking": blocking,
        "no_reviews": not reviews,
        "clear": bool(reviews) and not waiting and not blocking,
        "overruled": overruled,
        "rejected": [r.department.name for r in reviews if r.status == ReviewStatus.REJECTED],
    }
