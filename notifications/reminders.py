"""Review reminders: one email a day to each reviewer with reviews due soon or overdue,
at REMINDER_HOUR in the reviewer's time zone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute, thread_id
from core.timezones import local_now
from deals.models import ACTIVE_STAGES
from stakeholders.email_decision import tokens_issue
from stakeholders.models import Membership, Review, ReviewStatus, User

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


def plan_review_reminders(
    *, now: dt.datetime | None = None, local_hour: int | None = None
) -> list[int]:
    """One reminder a day per reviewer with reviews due within two days or overdue,
    "today" being the reviewer's own day, in their time zone.

    Beat passes `local_hour` (REMINDER_HOUR) every quarter of an hour: each run plans
    only the people whose local clock shows that hour, so a reviewer in New York hears
    at 08:00 New York time. Without it (a manual run) everyone due one is planned.
    The key names the person's local day: however often the planner runs that hour,
    one row per person per day.
    """
    now = now or timezone.now()
    # The latest "today" anywhere on Earth (UTC+14) bounds the query; each person's own
    # day is applied below, in Python, over what it found.
    due = list(
        due_reviews(latest_local_date(now)).values_list("reviewer_id", "department_id", "due_on")
    )
    # (person, due date) for every review that is theirs to do.
    theirs = [(reviewer, due_on) for reviewer, _, due_on in due if reviewer]
    # An unassigned review is everyone's in its department.
    unassigned: dict[int, list[dt.date]] = defaultdict(list)
    for reviewer, department, due_on in due:
        if reviewer is None:
            unassigned[department].append(due_on)
    if unassigned:
        for user_id, department in Membership.objects.filter(
            department__in=list(unassigned), user__is_active=True
        ).values_list("user_id", "department_id"):
            theirs += [(user_id, due_on) for due_on in unassigned[department]]
    soonest: dict[int, dt.date] = {}
    for person, due_on in theirs:
        soonest[person] = min(due_on, soonest.get(person, due_on))
    zones = dict(User.objects.filter(pk__in=list(soonest)).values_list("pk", "time_zone"))
    rows = []
    for person in sorted(soonest):
        local = local_now(zones.get(person), now)
        if local_hour is not None and local.hour != local_hour:
            continue
        today = local.date()
        if soonest[person] > today + dt.timedelta(days=DUE_SOON_DAYS):
            continue  # due soon in Kiritimati, not yet where this person is
        rows.append(
            Notification(
                recipient_id=person,
                kind=NotificationKind.REMINDER,
                key=f"reminder:{person}:{today.isoformat()}",
                payload={"date": today.isoformat()},
            )
        )
    return insert(rows)


def latest_local_date(now: dt.datetime) -> dt.date:
    """The date in the zone furthest ahead of UTC (+14:00): no one's today is later."""
    return (now.astimezone(dt.UTC) + dt.timedelta(hours=14)).date()


def compose_reminders(notifications: list[Notification], now: dt.datetime) -> dict:
    """Each reminder as of its recipient's own day; the queries do not grow with the batch."""
    people = [n.recipient_id for n in notifications]
    departments: dict[int, set[int]] = defaultdict(set)
    for user_id, department_id in Membership.objects.filter(user__in=people).values_list(
        "user_id", "department_id"
    ):
        departments[user_id].add(department_id)
    all_departments = set().union(*departments.values()) if departments else set()
    reviews = list(
        due_reviews(latest_local_date(now))
        .filter(Q(reviewer__in=people) | Q(reviewer__isnull=True, department__in=all_departments))
        .select_related("deal__partnership__partner", "department")
        .order_by("due_on", "pk")
    )
    out = {}
    mine_by_person = {}
    for n in notifications:
        today = n.recipient.local_date(now)
        mine_by_person[n.pk] = [
            review_row(r, today)
            for r in reviews
            if (
                r.reviewer_id == n.recipient_id
                or (r.reviewer_id is None and r.department_id in departments[n.recipient_id])
            )
            and r.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS)
        ]
    # Each pending review listed carries the recipient's own link to decide it.
    links = tokens_issue(
        pairs=[
            (n.recipient_id, row["review"].pk)
            for n in notifications
            if n.recipient.is_active
            for row in mine_by_person[n.pk]
            if row["review"].status == ReviewStatus.PENDING
        ],
        now=now,
    )
    for n in notifications:
        mine = mine_by_person[n.pk]
        for row in mine:
            link = links.get((n.recipient_id, row["review"].pk))
            row["decide_url"] = absolute(link) if link else ""
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
