"""Writes for reviews, concerns and working sessions: atomic, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from deals.models import Deal, Stage, Term

from .models import (
    Concern,
    ConcernReply,
    Department,
    Membership,
    Review,
    ReviewComment,
    ReviewRule,
    ReviewStatus,
    User,
    WorkingSession,
)

# What each decision needs in words, and the status it leads to.
DECISIONS: dict[str, tuple[ReviewStatus, str | None]] = {
    "approve": (ReviewStatus.APPROVED, None),
    "approve_with_conditions": (
        ReviewStatus.APPROVED_WITH_CONDITIONS,
        "Write the conditions of your approval.",
    ),
    "request_changes": (ReviewStatus.CHANGES_REQUESTED, "Say what needs to change."),
    "reject": (ReviewStatus.REJECTED, "Give the reason for rejecting."),
}


class AlreadyDecided(Exception):
    """Someone decided this review first; carries the review as it now stands."""

    def __init__(self, review: Review):
        super().__init__(f"{review.decided_by} decided this review first.")
        self.review = review


class TermsChanged(Exception):
    """The department's terms changed after the reviewer loaded them; carries what changed."""

    def __init__(self, review: Review, changed_terms: list[Term], stamp: str):
        super().__init__("The terms changed since this review was opened.")
        self.review = review
        self.changed_terms = changed_terms
        # The stamp of the terms as read under the lock: what a panel showing
        # `changed_terms` may offer to decide on, and nothing newer.
        self.stamp = stamp


def terms_stamp(terms) -> str:
    """What a reviewer saw of their department's terms: each term's id and version."""
    return ",".join(f"{term.pk}:{term.version}" for term in sorted(terms, key=lambda t: t.pk))


def department_terms(review: Review):
    return Term.objects.filter(deal_id=review.deal_id, department_id=review.department_id)


def current_terms_stamp(review: Review) -> str:
    return terms_stamp(department_terms(review).only("pk", "version"))


def _changed_since(review: Review, seen: str) -> tuple[list[Term], str]:
    """The department's terms that are new or revised since the stamp `seen`, and the
    stamp of the terms as they are now."""
    versions = {}
    for part in seen.split(","):
        pk, _, version = part.partition(":")
        if pk.isdigit() and version.isdigit():
            versions[int(pk)] = int(version)
    terms = list(department_terms(review).select_related("updated_by").order_by("pk"))
    changed = [term for term in terms if versions.get(term.pk) != term.version]
    return changed, terms_stamp(terms)


def lock_deal(deal_id: int) -> None:
    """Row lock on the deal: decisions, term edits, concerns and stage moves of one deal
    are applied one after another, so none of them acts on what another is changing.

    NO KEY: a plain FOR UPDATE would also block every insert of a row pointing at the
    deal (an audit event, a review), and a writer holding such a row would deadlock.
    """
    Deal.objects.select_for_update(no_key=True).filter(pk=deal_id).values_list(
        "pk", flat=True
    ).first()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def is_member(user: User, department_id: int) -> bool:
    return Membership.objects.filter(user=user, department_id=department_id).exists()


def required_departments(deal) -> list[Department]:
    """The departments whose sign-off the review rules require for this deal."""
    has_case = _has_business_case(deal)
    rules = ReviewRule.objects.filter(active=True).select_related("department")
    found: dict[int, Department] = {}
    for rule in rules:
        if rule.applies_to(deal, has_business_case=has_case):
            found[rule.department_id] = rule.department
    return sorted(found.values(), key=lambda d: d.name)


def _has_business_case(deal) -> bool:
    try:
        BusinessCase = apps.get_model("metrics", "BusinessCase")
    except LookupError:
        return False
    return BusinessCase.objects.filter(deal=deal).exists()


def reviews_route(*, deal, user) -> list[Review]:
    """Create the required reviews for a deal entering review; re-open refused ones.

    Called inside deal_advance's transaction. Approvals from an earlier round stay.
    """
    today = timezone.localdate()
    existing = {review.department_id: review for review in deal.reviews.all()}
    created = []
    for department in required_departments(deal):
        due = add_working_days(today, department.review_sla_days)
        review = existing.get(department.pk)
        if review is None:
            created.append(_request_review(deal, department, user=user, due=due))
        elif review.status in (ReviewStatus.CHANGES_REQUESTED, ReviewStatus.REJECTED):
            _reopen(review, user=user, due=due, reason="Deal back in review")
    return created


# Stages in which the departments' reviews are live: a department that becomes
# required here (value raised, business case added, partner now handles customer
# data, a new rule) is asked at once, not only when the deal next enters review.
REVIEWING_STAGES = (Stage.REVIEW, Stage.NEGOTIATION)


@transaction.atomic
def reviews_top_up(*, deal, user, reason: str) -> list[Review]:
    """Request the reviews that the rules now require but nobody was asked for."""
    # Under the deal's lock, as every other writer of its reviews: the stage is read
    # fresh (not moving to Approved meanwhile) and no two top-ups add the same review.
    lock_deal(deal.pk)
    stage, archived_at = Deal.objects.values_list("stage", "archived_at").get(pk=deal.pk)
    if stage not in REVIEWING_STAGES or archived_at is not None:
        return []
    existing = set(deal.reviews.values_list("department_id", flat=True))
    today = timezone.localdate()
    created = []
    for department in required_departments(deal):
        if department.pk in existing:
            continue
        due = add_working_days(today, department.review_sla_days)
        created.append(_request_review(deal, department, user=user, due=due, reason=reason))
    return created


def _request_review(deal, department, *, user, due: dt.date, reason: str = "") -> Review:
    review = Review.objects.create(deal=deal, department=department, due_on=due)
    after = {"department": department.name, "due_on": due.isoformat()}
    if reason:
        after["reason"] = reason
    audit_record(actor=user, action="review requested", instance=review, after=after, deal=deal)
    return review


def reviews_top_up_many(*, deals, user, reason: str) -> int:
    """reviews_top_up for every live deal of a queryset (a partner or rule changed)."""
    count = 0
    live = deals.filter(stage__in=REVIEWING_STAGES, archived_at__isnull=True)
    for deal in live.select_related("partnership__partner").order_by("pk"):  # lock order
        count += len(reviews_top_up(deal=deal, user=user, reason=reason))
    return count


def _reopen(review: Review, *, user, due: dt.date | None = None, reason: str) -> None:
    before = {"status": review.status, "round": review.round}
    review.status = ReviewStatus.PENDING
    review.needs_rereview = True
    review.round += 1
    review.decided_by = None
    review.decided_at = None
    if due:
        review.due_on = due
    review.save()
    audit_record(
        actor=user,
        action="review re-opened",
        instance=review,
        before=before,
        after={"status": review.status, "round": review.round, "reason": reason},
        deal=review.deal,
    )


def review_reopen(*, review: Review, user, reason: str) -> None:
    due = add_working_days(timezone.localdate(), review.department.review_sla_days)
    _reopen(review, user=user, due=due, reason=reason)


@transaction.atomic
def review_decide(
    *, review: Review, user, decision: str, text: str = "", terms_seen: str | None = None
) -> Review:
    """Record one department's decision. Exactly one of two racing decisions wins.

    `terms_seen` is the terms_stamp of the page the reviewer decided on: a decision is
    refused when the department's terms changed since, so it never covers unseen wording.
    """
    if decision not in DECISIONS:
        raise ValidationError(
            {"decision": "Choose Approve, Approve with conditions, Request changes or Reject."}
        )
    if not is_member(user, review.department_id):
        raise PermissionDenied(f"Only members of {review.department} decide this review.")
    status, needs_text = DECISIONS[decision]
    text = text.strip()
    if needs_text and not text:
        raise ValidationError({"text": needs_text})
    lock_deal(review.deal_id)  # term_revise takes the same lock before changing wording
    if terms_seen is not None:
        changed_terms, stamp = _changed_since(review, terms_seen)
        if changed_terms:
            raise TermsChanged(review, changed_terms, stamp)
    now = timezone.now()
    # The conditional UPDATE settles two deciders: only a pending review changes, once.
    won = Review.objects.filter(pk=review.pk, status=ReviewStatus.PENDING).update(
        status=status,
        decision_text="" if status == ReviewStatus.APPROVED_WITH_CONDITIONS else text,
        conditions=text if status == ReviewStatus.APPROVED_WITH_CONDITIONS else "",
        decided_by=user,
        decided_at=now,
        needs_rereview=False,
    )
    fresh = Review.objects.select_related("decided_by", "department", "deal").get(pk=review.pk)
    if not won:
        raise AlreadyDecided(fresh)
    audit_record(
        actor=user,
        action="review decided",
        instance=fresh,
        before={"status": ReviewStatus.PENDING},
        after={"status": status, "text": text},
        deal=fresh.deal,
    )
    return fresh


@transaction.atomic
def review_reassign(*, review: Review, user, reviewer: User | None) -> Review:
    if not is_member(user, review.department_id):
        raise PermissionDenied(f"Only members of {review.department} reassign this review.")
    if reviewer is not None and not is_member(reviewer, review.department_id):
        raise ValidationError({"reviewer": f"{reviewer} is not a member of {review.department}."})
    before = {"reviewer": str(review.reviewer) if review.reviewer else None}
    review.reviewer = reviewer
    review.save(update_fields=["reviewer"])
    audit_record(
        actor=user,
        action="review reassigned",
        instance=review,
        before=before,
        after={"reviewer": str(reviewer) if reviewer else None},
        deal=review.deal,
    )
    return review


@transaction.atomic
def review_comment(*, review: Review, user, body: str) -> ReviewComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    comment = ReviewComment.objects.create(review=review, author=user, body=body)
    audit_record(
        actor=user, action="commented", instance=comment, after={"body": body}, deal=review.deal
    )
    return comment


def gate_refusal(deal) -> str | None:
    """Why the deal cannot be approved yet, or None. A sponsor's override lifts it."""
    from .selectors import gate_status

    reviews = list(deal.reviews.select_related("department"))
    gate = gate_status(
        deal,
        reviews,
        list(Concern.objects.blocking().filter(deal=deal)),
        list(deal.decisions.all()),
    )
    if gate["overruled"]:
        return None
    # The rules may require more than was requested when the deal entered review.
    asked = {review.department_id for review in reviews}
    unasked = [d.name for d in required_departments(deal) if d.pk not in asked]
    if gate["clear"] and not unasked:
        return None
    parts = []
    if gate["no_reviews"] and not unasked:
        parts.append("the departments' reviews (none requested yet)")
    elif gate["waiting"] or unasked:
        parts.append(
            "sign-off from "
            + ", ".join(gate["waiting"] + [f"{name} (not requested yet)" for name in unasked])
        )
    if gate["blocking"]:
        count = len(gate["blocking"])
        parts.append(f"{count} blocking concern{'s' if count > 1 else ''} to be resolved")
    return (
        "The deal can move to Approved only when every department has signed off and no blocking "
        f"concern is open. Waiting for {' and '.join(parts)} — or a decision by the sponsor that "
        "overrules."
    )


def require_involved(deal, user, what: str) -> None:
    if not deal.involves(user):
        raise PermissionDenied(f"Only people with a part in the deal {what}.")


def require_concern_voice(deal, user) -> None:
    if not deal.may_raise_concerns(user):
        raise PermissionDenied(
            "Concerns are raised and discussed by the people with a part in the deal "
            "and by the departments."
        )


@transaction.atomic
def concern_raise(*, deal, user, data: dict[str, Any]) -> Concern:
    require_concern_voice(deal, user)
    lock_deal(deal.pk)  # a move to Approved checking the gate waits for this concern
    concern = Concern(deal=deal, raised_by=user, **data)
    concern.full_clean()
    concern.save()
    audit_record(
        actor=user,
        action="concern raised",
        instance=concern,
        after={"title": concern.title, "blocking": concern.blocking, "severity": concern.severity},
        deal=deal,
    )
    return concern


@transaction.atomic
def concern_reply(*, concern: Concern, user, body: str) -> ConcernReply:
    require_concern_voice(concern.deal, user)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a reply first."})
    reply = ConcernReply.objects.create(concern=concern, author=user, body=body)
    audit_record(
        actor=user, action="concern reply", instance=reply, after={"body": body}, deal=concern.deal
    )
    return reply


@transaction.atomic
def concern_resolve(*, concern: Concern, user, resolution: str) -> Concern:
    if not concern.can_be_resolved_by(user):
        raise PermissionDenied(
            "The deal owner, the sponsor or whoever raised it resolves a concern."
        )
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
        action="concern resolved",
        instance=concern,
        before={"status": "open"},
        after={"status": "resolved", "resolution": resolution},
        deal=concern.deal,
    )
    return concern


@transaction.atomic
def session_schedule(*, deal, user, data: dict[str, Any], departments, invitees) -> WorkingSession:
    if not deal.can_be_edited_by(user):
        raise PermissionDenied("The deal owner or sponsor schedules working sessions.")
    session = WorkingSession(deal=deal, organiser=user, **data)
    session.full_clean()
    session.save()
    session.departments.set(departments)
    session.invitees.set(invitees)
    audit_record(
        actor=user,
        action="session scheduled",
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
    if not session.deal.can_be_edited_by(user):
        raise PermissionDenied("The deal owner or sponsor records a session's outcomes.")
    before = {"outcomes": session.outcomes, "decisions": session.decisions}
    session.outcomes = outcomes.strip()
    session.decisions = decisions.strip()
    session.recorded_at = timezone.now()
    session.save()
    session.attendees.set(attendees)
    audit_record(
        actor=user,
        action="session recorded",
        instance=session,
        before=before,
        after={
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
