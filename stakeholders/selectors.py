"""Reads for reviews, concerns and sessions: access checks and fixed-query page data."""

from __future__ import annotations

from django.db.models import Count

from core import freshness
from core.audit import AuditAction
from core.models import AuditEvent
from deals.models import Stage
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
    """Reviews of my departments with this status (open ones by default), soonest due first.

    My departments come as a subquery, not a join through the memberships: with the
    partial index of open reviews in due order (review_open_due_idx) PostgreSQL walks
    the index and stops at the page's last row instead of sorting every open review.
    """
    mine = Review.objects.filter(
        department__in=Membership.objects.filter(user=user).values("department_id")
    )
    reviews = mine.filter(status=status) if status else mine.filter(status__in=OPEN_STATUSES)
    return reviews.select_related("deal__partnership__partner", "department", "reviewer").order_by(
        "due_on", "pk"
    )


def next_review(user, done: Review) -> Review | None:
    """The next review of my departments waiting for a verdict, soonest due first."""
    return inbox(user, ReviewStatus.PENDING).exclude(pk=done.pk).first()


def open_review_count(user) -> int:
    """Reviews of my departments still open (the inbox's default list), cached with
    the inbox's counts: at most one query on a page."""
    counts = freshness.cached(
        "inbox-counts", user, lambda: inbox_counts(user), scopes=(freshness.REVIEWS,)
    )
    return sum(counts[status] for status in OPEN_STATUSES)


def inbox_counts(user) -> dict[str, int]:
    """How many reviews of my departments are in each status.

    COUNT(*) over my departments as a subquery, as inbox() does: PostgreSQL counts from
    review_inbox_idx (department, status, …) alone, without reading the reviews' rows
    (COUNT(id) made it visit every row; half the time at 10,000 deals)."""
    if not getattr(user, "in_department", True):  # read with the user: stakeholders.backends
        return dict.fromkeys(ReviewStatus.values, 0)
    mine = Review.objects.filter(
        department__in=Membership.objects.filter(user=user).values("department_id")
    )
    counts = dict(mine.values_list("status").annotate(n=Count("*")).order_by())
    return {s.value: counts.get(s.value, 0) for s in ReviewStatus}


# Actions in the audit trail that count as someone speaking up on a deal.
VOICE_ACTIONS = [
    AuditAction.VERDICT_GIVEN,
    AuditAction.COMMENTED,
    AuditAction.CONCERN_RAISED,
    AuditAction.CONCERN_REPLY,
    AuditAction.SESSION_RECORDED,
]


def voices(deal, reviews: list[Review]) -> dict:
    """Which departments and how many people have spoken on this deal; who is missing.

    One query: the speakers' departments come joined to their audit events, and
    session attendance carries its departments in the event itself.
    """
    people: set[int] = {r.decided_by_id for r in reviews if r.decided_by_id}
    heard = {r.department.name for r in reviews if r.status != ReviewStatus.PENDING}
    events = AuditEvent.objects.filter(deal=deal, action__in=VOICE_ACTIONS).values_list(
        "actor_id", "action", "after", "actor__memberships__department__name"
    )
    for actor_id, action, after, department in events:
        if action == "session recorded":
            people.update(after.get("attendee_ids", []))
            heard.update(after.get("attendee_departments", []))
            continue
        if actor_id:
            people.add(actor_id)
        if department:
            heard.add(department)
    required = [r.department.name for r in reviews]
    silent = [name for name in required if name not in heard]
    in_review = deal.stage in (Stage.REVIEW, Stage.NEGOTIATION)
    return {
        "departments": sorted(heard),
        "people": len(people),
        "silent": silent,
        "flag_silent": in_review and bool(silent),
        "flag_single_voice": in_review and len(people) <= 1,
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
