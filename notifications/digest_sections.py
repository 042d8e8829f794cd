"""What the weekly digest says, one section builder per role: the digest's read model.

Executives: portfolio status, deals that moved this week, stalled deals and their
cost of delay, decisions waiting for them, metrics off track (the largest section,
in digest_executive). Reviewers: their queue, overdue items, what waits for their
departments. Deal owners: their open deals.

Each builder takes every reader of a batch and runs a fixed number of queries for
any number of them. A digest is read by a person: each list shows its
DIGEST_LIST_LIMIT most pressing items (decisions waiting longest, costliest stalls,
soonest due reviews…) and says how many more there are, counted in the database.
The database returns only the rows shown, so a digest costs the same at 1,000 deals
as at 10,000.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string

from core.emails import absolute
from deals.models import ACTIVE_STAGES, OPEN_STAGES, Deal
from stakeholders.backends import remember_roles, with_roles
from stakeholders.models import Membership, Review, User

from .reminders import review_row

DIGEST_LIST_LIMIT = 10


def readers(user_ids: list[int]) -> list[User]:
    """The active people among `user_ids`, with their settings, roles and departments."""
    users = list(
        with_roles(User.objects.filter(pk__in=user_ids, is_active=True))
        .select_related("digest_preference")
        .prefetch_related(
            Prefetch(
                "memberships",
                # With the department's clause playbook: the digest flags a stale one.
                queryset=Membership.objects.select_related("department__playbook"),
            ),
        )
    )
    return [remember_roles(user) for user in users]


def window(expression, partition: list, order: list | None = None) -> Window:
    return Window(expression, partition_by=partition, order_by=order)


def reviewer_sections(users: list[User], *, today: dt.date) -> dict[int, dict]:
    """Each department member's queue (assigned to them, or to nobody in their departments)
    and what waits for each of their departments, with the counts: one query."""
    department_ids = {m.department_id for u in users for m in u.memberships.all()}
    if not department_ids:
        return {}
    limit = DIGEST_LIST_LIMIT
    department, reviewer = F("department_id"), F("reviewer_id")
    due = [F("due_on").asc(), F("pk").asc()]
    late = Sum(Case(When(due_on__lt=today, then=Value(1)), default=Value(0)))
    department_reviews = list(
        Review.objects.open()
        .filter(
            department__in=department_ids,
            deal__stage__in=OPEN_STAGES,
            deal__archived_at__isnull=True,
        )
        .annotate(
            rn_department=window(RowNumber(), [department], due),
            n_department=window(Count("pk"), [department]),
            late_department=window(late, [department]),
            rn_queue=window(RowNumber(), [department, reviewer], due),
            n_queue=window(Count("pk"), [department, reviewer]),
            late_queue=window(late, [department, reviewer]),
        )
        .filter(
            Q(rn_department__lte=limit)
            | Q(rn_queue__lte=limit, reviewer__isnull=True)
            | Q(rn_queue__lte=limit, reviewer__in=[u.pk for u in users])
        )
        .select_related("deal__partnership__partner", "department", "reviewer")
        .order_by(*due)
    )
    # Worded and rendered once per batch: a department's reviews are listed to each of
    # its members, and an include per item per email was most of a digest's rendering.
    rows_by_pk = {r.pk: review_row(r, today) for r in department_reviews}
    for row in rows_by_pk.values():
        row["html"] = render_to_string("emails/_review_item.html", {"row": row})
    sections = {}
    for user in users:
        mine = {m.department_id for m in user.memberships.all()}
        if not mine:
            continue
        queue = [
            r
            for r in department_reviews
            if r.department_id in mine and r.reviewer_id in (user.pk, None) and r.rn_queue <= limit
        ]
        # The queue's counts: each of my departments' unassigned reviews and mine.
        partitions = {(r.department_id, r.reviewer_id): r for r in queue}
        waiting = []
        for membership in user.memberships.all():
            rows = [
                r
                for r in department_reviews
                if r.department_id == membership.department_id and r.rn_department <= limit
            ]
            waiting.append(
                {
                    "department": membership.department.name,
                    "count": rows[0].n_department if rows else 0,
                    "overdue": rows[0].late_department if rows else 0,
                    "reviews": [rows_by_pk[r.pk] for r in rows],
                    "more": max(0, (rows[0].n_department if rows else 0) - len(rows)),
                }
            )
        sections[user.pk] = {
            "queue": [rows_by_pk[r.pk] for r in queue[:limit]],
            "queue_count": sum(r.n_queue for r in partitions.values()),
            "overdue": sum(r.late_queue for r in partitions.values()),
            "departments": waiting,
        }
    return sections


def owner_sections(users: list[User], *, now: dt.datetime) -> dict[int, dict]:
    """Each deal owner's open deals, longest in their stage first, and how many stalled."""
    stall_cutoff = now - dt.timedelta(days=settings.STALL_DAYS)
    owned: dict[int, list[Deal]] = defaultdict(list)
    owned_count: dict[int, int] = {}
    owned_stalled: dict[int, int] = {}
    longest = [F("stage_changed_at").asc(), F("pk").asc()]
    for deal in (
        Deal.objects.current()
        .filter(owner__in=[u.pk for u in users], stage__in=OPEN_STAGES)
        .annotate(
            rn=window(RowNumber(), [F("owner_id")], longest),
            n=window(Count("pk"), [F("owner_id")]),
            n_stalled=window(
                Sum(
                    Case(
                        When(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff, then=1),
                        default=0,
                    )
                ),
                [F("owner_id")],
            ),
        )
        .filter(rn__lte=DIGEST_LIST_LIMIT)
        .select_related("partnership__partner")
        .order_by(*longest)
    ):
        owned[deal.owner_id].append(deal)
        owned_count[deal.owner_id] = deal.n
        owned_stalled[deal.owner_id] = deal.n_stalled
    return {
        owner: {
            "deals": [{"deal": d, "url": absolute(d.get_absolute_url())} for d in deals],
            "count": owned_count[owner],
            "stalled": owned_stalled[owner],
            "more": max(0, owned_count[owner] - len(deals)),
        }
        for owner, deals in owned.items()
    }
