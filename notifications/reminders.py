"""Review reminders: one email a day to each reviewer with reviews due soon or overdue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute, thread_id
from deals.models import ACTIVE_STAGES
from stakeholders.models import Membership, Review

from .models import Notification, NotificationKind
from .outbox import insert, message_for

DUE_SOON_DAYS = 2


def due_reviews(today: dt.date):
    """Open reviews on deals still being worked, due within two days or overdue."""
    return Review.objects.open().filter(
        due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        deal__stage__in=ACTIVE_STAGES,
        deal__archived_at__isnull=True,
    )


def review_row(review: Review, today: dt.date) -> dict:
    """A review as every email lists it: reminders, escalations and digests."""
    days = (review.due_on - today).days
    if days < 0:
        when = f"overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        when = "due today"
    else:
        when = f"due in {days} day{'s' if days != 1 else ''}"
    return {
        "review": review,
        "deal": review.deal,
        "department": review.department.name,
        "when": when,
        "overdue": days < 0,
        "url": absolute(review.get_absolute_url()),
    }


def plan_review_reminders(*, today: dt.date | None = None) -> list[int]:
    """One reminder a day per reviewer with reviews due within two days or overdue."""
    today = today or timezone.localdate()
    due = list(due_reviews(today).values_list("reviewer_id", "department_id"))
    people = {reviewer for reviewer, _ in due if reviewer}
    # An unassigned review is everyone's in its department.
    unassigned = {department for reviewer, department in due if reviewer is None}
    if unassigned:
        people |= set(
            Membership.objects.filter(department__in=unassigned, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
    rows = [
        Notification(
            recipient_id=person,
            kind=NotificationKind.REMINDER,
            key=f"reminder:{person}:{today.isoformat()}",
            payload={"date": today.isoformat()},
        )
        for person in sorted(people)
    ]
    return insert(rows)


def compose_reminders(notifications: list[Notification], today: dt.date) -> dict:
    people = [n.recipient_id for n in notifications]
    departments: dict[int, set[int]] = defaultdict(set)
    for user_id, department_id in Membership.objects.filter(user__in=people).values_list(
        "user_id", "department_id"
    ):
        departments[user_id].add(department_id)
    all_departments = set().union(*departments.values()) if departments else set()
    reviews = list(
        due_reviews(today)
        .filter(Q(reviewer__in=people) | Q(reviewer__isnull=True, department__in=all_departments))
        .select_related("deal__partnership__partner", "department")
        .order_by("due_on", "pk")
    )
    out = {}
    for n in notifications:
        mine = [
            review_row(r, today)
            for r in reviews
            if r.reviewer_id == n.recipient_id
            or (r.reviewer_id is None and r.department_id in departments[n.recipient_id])
        ]
        if not mine or not n.recipient.is_active:
            out[n.pk] = None
            continue
        context = {
            "user": n.recipient,
            "overdue": [row for row in mine if row["overdue"]],
            "due_soon": [row for row in mine if not row["overdue"]],
            "count": len(mine),
            "inbox_url": absolute(reverse("review_inbox")),
        }
        # Each day's reminder refers to the reviews it lists: a client threads them.
        thread = [thread_id("review", row["review"].pk) for row in mine]
        out[n.pk] = message_for(n, "review_reminder", context, thread=thread)
    return out
