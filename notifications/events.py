"""Event notifications: who hears of an audited change, at once, by email and in the app.

core.audit calls `on_audit` with every AuditEvent it saves, inside the transaction of
the change (notifications.apps subscribes it), so:

- a change rolled back takes its notifications with it (same transaction);
- each person hears of an event once: the key is `event:<audit id>:<person>`, and
  when one event concerns someone twice (a reply that also mentions them) the more
  specific kind wins;
- mail goes through the outbox, enqueued only after commit (`transaction.on_commit`),
  and the outbox sends each row once whatever the retries;
- nobody hears of their own action, nor of a confidential deal they may not see;
- an amendment proposed asks its approver as a decision request, and its approval or
  rejection is told as a decision recorded (to the proposer, the owner and the sponsor);
- each person's choice per kind (notifications.models.Channel) decides: email and
  in the app, in the app only (the row is listed, never mailed), or nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agreements.models import Amendment
from core.audit import AuditAction, subscribe
from core.models import AuditEvent
from deals.models import Deal, Decision
from stakeholders.models import (
    Concern,
    ConcernReply,
    Membership,
    Review,
    ReviewComment,
    User,
    WorkingSession,
)

from .models import Channel, DigestPreference, Notification, NotificationKind
from .outbox import insert
from .tasks import enqueue_delivery

log = logging.getLogger(__name__)

DETAIL_LENGTH = 500

# "@" and an email address, or "@" and one to four words (an exact display name is
# looked up among them, longest first). Not inside a word or an address ("a@b.c").
MENTION = re.compile(
    r"(?<![\w@])@(?:(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<name>[^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*){0,3}))"
)


@dataclass
class Plan:
    """What one event says, and to whom: {person: [kinds]}, the most specific last (a
    mention after a reply). Each person gets one row, of the most specific kind they
    have not switched off."""

    deal: Deal
    text: str
    url: str
    detail: str = ""
    to: dict[int, list[NotificationKind]] = field(default_factory=dict)
    # A review asked for: its email carries each recipient's link to decide it.
    review: int | None = None

    def add(self, people, kind: NotificationKind) -> None:
        for person in people:
            if person:
                self.to.setdefault(person, []).append(kind)


def _members(department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return list(
        Membership.objects.filter(department_id=department_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def mentioned(text: str) -> set[int]:
    """The active people a text mentions: `@ada@example.com` or `@Ada Lovelace`."""
    emails, names = set(), []
    for match in MENTION.finditer(text):
        if match["email"]:
            emails.add(match["email"].casefold())
        else:
            words = match["name"].split(" ")
            names.append([" ".join(words[:n]).casefold() for n in range(len(words), 0, -1)])
    if not emails and not names:
        return set()
    first_words = {candidates[-1] for candidates in names}
    query = Q()
    for word in first_words:
        query |= Q(first_name__iexact=word)
    for address in emails:
        query |= Q(email__iexact=address)
    people = list(
        User.objects.filter(query, is_active=True).only("pk", "email", "first_name", "last_name")
    )
    found = {person.pk for person in people if person.email.casefold() in emails}
    by_name: dict[str, set[int]] = {}
    for person in people:
        by_name.setdefault(person.get_full_name().casefold(), set()).add(person.pk)
    for candidates in names:
        # The longest run of words that is someone's whole name: "@Ada Lovelace, thanks".
        for candidate in candidates:
            if candidate in by_name:
                found |= by_name[candidate]
                break
    return found


def _name(event: AuditEvent) -> str:
    return event.actor.display_name if event.actor else "Deal Desk"


# --------------------------------------------------------------------------- planners
# One per audit action that people hear of: load the object, say what happened, name
# the people. The text is kept on the row: the list and the email show it as it was.


def _review_requested(event: AuditEvent, *, again: bool) -> Plan:
    review = Review.objects.select_related("deal", "department").get(pk=event.object_id)
    department, deal = review.department.name, review.deal
    if again:
        text = f"{deal.title} needs {department}'s review again"
        detail = event.after.get("reason", "")
    else:
        text = f"{_name(event)} asked {department} to review {deal.title}"
        detail = f"Due {review.due_on:%-d %B %Y}."
    plan = Plan(
        deal=deal, text=text, url=review.get_absolute_url(), detail=detail, review=review.pk
    )
    # Assigned: the reviewer's; unassigned: everyone's in the department.
    people = [review.reviewer_id] if review.reviewer_id else _members(review.department_id)
    plan.add(people, NotificationKind.REREVIEW if again else NotificationKind.REVIEW_REQUESTED)
    return plan


VERDICT_EVENTS = {
    "changes_requested": (NotificationKind.CHANGES_REQUESTED, "requested changes to"),
    "rejected": (NotificationKind.REJECTED, "rejected"),
    "approved_with_conditions": (NotificationKind.CONDITIONS, "approved with conditions"),
}


def _verdict(event: AuditEvent) -> Plan | None:
    if event.after.get("status") not in VERDICT_EVENTS:
        return None  # a plain approval is good news nobody needs mailed
    kind, verb = VERDICT_EVENTS[event.after["status"]]
    review = Review.objects.select_related("deal", "department").get(pk=event.object_id)
    deal = review.deal
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} ({review.department.name}) {verb} {deal.title}",
        url=review.get_absolute_url(),
        detail=event.after.get("text", ""),
    )
    plan.add([deal.owner_id, deal.sponsor_id], kind)
    return plan


def _decision_requested(event: AuditEvent) -> Plan:
    deal = Deal.objects.get(pk=event.object_id)
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} asks for your decision on {deal.title}",
        url=deal.get_absolute_url(),
        detail=event.after.get("note", ""),
    )
    plan.add([deal.sponsor_id], NotificationKind.DECISION_REQUESTED)
    return plan


def _requester(event: AuditEvent) -> int | None:
    """Who asked for the decision now recorded: the last request since the last decision."""
    requests = AuditEvent.objects.filter(deal_id=event.deal_id, pk__lt=event.pk)
    last_request = requests.filter(action=AuditAction.DECISION_REQUESTED).order_by("-pk").first()
    if last_request is None:
        return None
    answered = requests.filter(
        action=AuditAction.DECISION_RECORDED, pk__gt=last_request.pk
    ).exists()
    return None if answered else last_request.actor_id


def _decision_recorded(event: AuditEvent) -> Plan:
    decision = Decision.objects.select_related("deal").get(pk=event.object_id)
    deal = decision.deal
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} recorded a decision on {deal.title}: {decision.title}",
        url=deal.get_absolute_url(),
        detail=decision.rationale,
    )
    plan.add([deal.owner_id, _requester(event)], NotificationKind.DECISION_RECORDED)
    return plan


def _concern_raised(event: AuditEvent) -> Plan:
    concern = Concern.objects.select_related("deal", "department").get(pk=event.object_id)
    deal = concern.deal
    where = f" for {concern.department.name}" if concern.department else ""
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} raised a concern{where} on {deal.title}: {concern.title}",
        url=concern.get_absolute_url(),
        detail=concern.detail,
    )
    plan.add(_members(concern.department_id), NotificationKind.CONCERN_RAISED)
    plan.add([deal.owner_id, deal.sponsor_id], NotificationKind.CONCERN_RAISED)
    return plan


def _concern_reply(event: AuditEvent) -> Plan:
    reply = ConcernReply.objects.select_related("concern__deal").get(pk=event.object_id)
    concern = reply.concern
    plan = Plan(
        deal=concern.deal,
        text=f"{_name(event)} replied to the concern “{concern.title}” on {concern.deal.title}",
        url=concern.get_absolute_url(),
        detail=reply.body,
    )
    plan.add([concern.raised_by_id], NotificationKind.REPLY)
    plan.add(mentioned(reply.body), NotificationKind.MENTION)
    return plan


def _commented(event: AuditEvent) -> Plan:
    comment = ReviewComment.objects.select_related("review__deal", "review__department").get(
        pk=event.object_id
    )
    review = comment.review
    plan = Plan(
        deal=review.deal,
        text=f"{_name(event)} commented on {review.department.name}'s review of {review.deal.title}",
        url=review.get_absolute_url(),
        detail=comment.body,
    )
    others = ReviewComment.objects.filter(review=review).exclude(pk=comment.pk)
    plan.add(set(others.values_list("author_id", flat=True)), NotificationKind.REPLY)
    plan.add(mentioned(comment.body), NotificationKind.MENTION)
    return plan


def _amendment(event: AuditEvent) -> Amendment:
    return Amendment.objects.select_related("agreement__deal").get(pk=event.object_id)


def _amendment_proposed(event: AuditEvent) -> Plan:
    """The second person is asked: the sponsor, or the owner when the sponsor proposed."""
    amendment = _amendment(event)
    deal = amendment.agreement.deal
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} asks you to approve {amendment.label} of {deal.title}: "
        f"{amendment.title}",
        url=amendment.get_absolute_url(),
        detail=amendment.reason,
    )
    by_sponsor = amendment.proposed_by_id == deal.sponsor_id
    plan.add(
        [deal.owner_id if by_sponsor else deal.sponsor_id], NotificationKind.DECISION_REQUESTED
    )
    return plan


def _amendment_decided(event: AuditEvent) -> Plan:
    amendment = _amendment(event)
    deal = amendment.agreement.deal
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} {amendment.get_status_display().lower()} {amendment.label} of "
        f"{deal.title}: {amendment.title}",
        url=amendment.get_absolute_url(),
        detail=amendment.decision_note,
    )
    people = [amendment.proposed_by_id, deal.owner_id, deal.sponsor_id]
    plan.add(people, NotificationKind.DECISION_RECORDED)
    return plan


def _intake_submitted(event: AuditEvent) -> Plan:
    """The deal's owner (the request type's triage person) hears of a new request."""
    deal = Deal.objects.get(pk=event.deal_id)
    plan = Plan(
        deal=deal,
        text=f"{_name(event)} submitted a {event.after.get('request_type', 'new')} request: "
        f"{deal.title}",
        url=deal.get_absolute_url(),
        detail=event.after.get("routing", ""),
    )
    plan.add([deal.owner_id], NotificationKind.INTAKE_SUBMITTED)
    return plan


PLANNERS: dict[str, Callable[[AuditEvent], Plan | None]] = {
    AuditAction.INTAKE_SUBMITTED: _intake_submitted,
    AuditAction.AMENDMENT_PROPOSED: _amendment_proposed,
    AuditAction.AMENDMENT_APPROVED: _amendment_decided,
    AuditAction.AMENDMENT_REJECTED: _amendment_decided,
    AuditAction.REVIEW_REQUESTED: lambda event: _review_requested(event, again=False),
    AuditAction.REVIEW_REOPENED: lambda event: _review_requested(event, again=True),
    AuditAction.VERDICT_GIVEN: _verdict,
    AuditAction.DECISION_REQUESTED: _decision_requested,
    AuditAction.DECISION_RECORDED: _decision_recorded,
    AuditAction.CONCERN_RAISED: _concern_raised,
    AuditAction.CONCERN_REPLY: _concern_reply,
    AuditAction.COMMENTED: _commented,
}


# --------------------------------------------------------------------------- recording


def _audience(plan: Plan, actor_id: int | None) -> list[User]:
    """The active people of the plan but the actor, who may see the deal."""
    ids = set(plan.to) - {actor_id}
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    deal = plan.deal
    if deal.confidential:
        # Deal.visible_to for everyone at once (one query): superusers and those with
        # a part in it — owner, sponsor, a reviewing department's members, invitees.
        reviews_it = Review.objects.filter(deal=deal, department__memberships__user=OuterRef("pk"))
        invited = WorkingSession.objects.filter(deal=deal, invitees=OuterRef("pk"))
        people = people.filter(
            Q(is_superuser=True)
            | Q(pk__in=[deal.owner_id, deal.sponsor_id])
            | Exists(reviews_it)
            | Exists(invited)
        )
    return list(people)


def on_audit(event: AuditEvent) -> list[int]:
    """Record the notifications an audited change makes; mail them after commit.

    Returns the ids of the rows to mail. A failure here is logged and costs the
    notification, never the change: it runs in a savepoint of the change's transaction.
    """
    planner = PLANNERS.get(event.action)
    if planner is None:
        return []
    try:
        with transaction.atomic():
            return _record(event, planner(event))
    except Exception:
        log.exception("Could not plan the notifications of audit event %s", event.pk)
        return []


def _record(event: AuditEvent, plan: Plan | None) -> list[int]:
    if plan is None or not plan.to:
        return []
    people = _audience(plan, event.actor_id)
    if not people:
        return []
    channels = {
        preference.user_id: preference
        for preference in DigestPreference.objects.filter(user__in=people)
    }
    now = timezone.now()
    payload = {
        "event": event.pk,
        "deal": plan.deal.pk,
        "text": plan.text,
        "detail": plan.detail[:DETAIL_LENGTH],
        "url": plan.url,
    }
    if plan.review:
        payload["review"] = plan.review
    rows = []
    for person in people:
        preference = channels.get(person.pk)
        choices = [
            (kind, preference.channel(kind) if preference else Channel.EMAIL)
            for kind in reversed(plan.to[person.pk])
        ]
        kind, channel = next(((k, c) for k, c in choices if c != Channel.OFF), (None, Channel.OFF))
        if channel == Channel.OFF:
            continue
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                key=f"event:{event.pk}:{person.pk}",
                payload=payload,
                in_app=True,
                created_at=now,
                # In the app only: listed, and never mailed (not sent, on purpose).
                cancelled_at=now if channel == Channel.APP else None,
            )
        )
    ids = insert(rows)
    if ids:
        # robust: the change is committed by then; a broker down must not turn it into
        # an error page. The rows stay unsent, and the beat sweeper enqueues them.
        transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
    return ids


def listen() -> None:
    """Hear of every audited change (called once, from NotificationsConfig.ready)."""
    subscribe(on_audit)
