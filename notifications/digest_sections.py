"""What the weekly digest says, one section builder per role: the digest's read model.

Executives: portfolio status, deals that moved this week, stalled deals and their
cost of delay, decisions waiting for them, metrics off track. Reviewers: their
queue, overdue items, what waits for their departments. Deal owners: their open
deals.

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
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from core.emails import absolute
from deals.models import ACTIVE_STAGES, OPEN_STAGES, Deal, Stage, StageChange
from metrics.models import (
    OFF_TRACK_GAP,
    Direction,
    OutcomeMetric,
    Status,
    achieved_share,
    expected_share,
    track_status,
)
from stakeholders.models import Membership, Review, ReviewStatus, User

from .reminders import review_row

DIGEST_LIST_LIMIT = 10


def readers(user_ids: list[int]) -> list[User]:
    """The active people among `user_ids`, with their settings, roles and departments."""
    users = list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .select_related("digest_preference")
        .prefetch_related(
            "groups",
            Prefetch("memberships", queryset=Membership.objects.select_related("department")),
        )
    )
    for user in users:
        user._role_names = {group.name for group in user.groups.all()}
    return users


def _money(rows: Iterable[tuple[str, Decimal]]) -> list[dict]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in rows:
        totals[currency] += amount or 0
    return [
        {"currency": currency, "total": total}
        for currency, total in sorted(totals.items(), key=lambda item: -item[1])
        if total
    ]


def _window(expression, partition: list, order: list | None = None) -> Window:
    return Window(expression, partition_by=partition, order_by=order)


def _top_visible(
    queryset, *, deal: str, order: list, executives: list[int]
) -> tuple[list, dict[int, int]]:
    """The first DIGEST_LIST_LIMIT rows each executive may see, and how many they may see.

    One query. An executive sees the public rows and the confidential ones of deals they
    sponsor or own. Two window partitions split those apart: by `seen_as_sponsor`
    (NULL for every public row, else the sponsor) and by `seen_as_owner` (the owner of
    a confidential deal that someone else sponsors). An executive's first rows are
    among the first of the public partition and of their own partitions, which the
    windows keep and count. `deal` is the path to the deal ("" or "deal__").
    """
    confidential = Q(**{f"{deal}confidential": True})
    sponsor, owner = F(f"{deal}sponsor_id"), F(f"{deal}owner_id")
    limit = DIGEST_LIST_LIMIT
    rows = list(
        queryset.filter(
            Q(**{f"{deal}confidential": False})
            | Q(**{f"{deal}sponsor__in": executives})
            | Q(**{f"{deal}owner__in": executives})
        )
        .annotate(
            seen_as_sponsor=Case(When(confidential, then=sponsor)),
            seen_as_owner=Case(When(confidential & ~Q(**{f"{deal}owner": sponsor}), then=owner)),
        )
        .annotate(
            rn_sponsor=_window(RowNumber(), [F("seen_as_sponsor")], order),
            n_sponsor=_window(Count("pk"), [F("seen_as_sponsor")]),
            rn_owner=_window(RowNumber(), [F("seen_as_owner")], order),
            n_owner=_window(Count("pk"), [F("seen_as_owner")]),
        )
        .filter(
            Q(seen_as_sponsor__isnull=True, rn_sponsor__lte=limit)
            | Q(seen_as_sponsor__in=executives, rn_sponsor__lte=limit)
            | Q(seen_as_owner__in=executives, rn_owner__lte=limit)
        )
        .order_by(*order)
    )
    public = 0
    as_sponsor: dict[int, int] = {}
    as_owner: dict[int, int] = {}
    for row in rows:
        if row.seen_as_sponsor is None:
            public = row.n_sponsor
        else:
            as_sponsor[row.seen_as_sponsor] = row.n_sponsor
        if row.seen_as_owner is not None:
            as_owner[row.seen_as_owner] = row.n_owner
    counts = {e: public + as_sponsor.get(e, 0) + as_owner.get(e, 0) for e in executives}
    return rows, counts


def _awaiting_decision(executives: list[int]) -> tuple[dict[int, list[Deal]], dict[int, int]]:
    """Each sponsor's open deals asked to decide, or where a department rejected."""
    awaiting: dict[int, list[Deal]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    # EXISTS, not a join and DISTINCT. Longest waiting first (deals only rejected come
    # after those asked about).
    rejected = Review.objects.filter(deal=OuterRef("pk"), status=ReviewStatus.REJECTED)
    waiting = [F("decision_requested_at").asc(nulls_last=True), F("pk").asc()]
    for deal in (
        Deal.objects.current()
        .filter(sponsor__in=executives, stage__in=OPEN_STAGES)
        .filter(Q(decision_requested_at__isnull=False) | Exists(rejected))
        .annotate(
            rn=_window(RowNumber(), [F("sponsor_id")], waiting),
            n=_window(Count("pk"), [F("sponsor_id")]),
        )
        .filter(rn__lte=DIGEST_LIST_LIMIT)
        .order_by(*waiting)
    ):
        awaiting[deal.sponsor_id].append(deal)
        count[deal.sponsor_id] = deal.n
    return awaiting, count


def _off_track(executives: list[int]) -> tuple[dict[int, list[OutcomeMetric]], dict[int, int]]:
    """Each sponsor's metrics off track, those of the biggest deals first."""
    off_track: dict[int, list[OutcomeMetric]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    # Status is judged on plain values first (thousands of rows at a large company),
    # then only the off-track metrics shown are loaded as objects.
    shown: list[int] = []
    progressed = F("baseline") + (1 - OFF_TRACK_GAP) * (F("target") - F("baseline"))
    for pk, sponsor_id, baseline, target, value, on, start, end in (
        OutcomeMetric.objects.filter(
            deal__sponsor__in=executives,
            deal__archived_at__isnull=True,
            latest_value__isnull=False,
            latest_on__gt=F("start_date"),
        )
        # Off track needs less than 3/4 of the change achieved (the line promises
        # at most all of it): most metrics are ruled out here, without a division.
        .filter(
            Q(direction=Direction.INCREASE, latest_value__lte=progressed)
            | Q(direction=Direction.DECREASE, latest_value__gte=progressed)
        )
        .exclude(deal__stage=Stage.ABANDONED)
        .order_by(F("deal__contract_value").desc(nulls_last=True), "deal_id", "pk")
        .values_list(
            "pk",
            "deal__sponsor_id",
            "baseline",
            "target",
            "latest_value",
            "latest_on",
            "start_date",
            "target_date",
        )
    ):
        status = track_status(
            expected_share(start, end, on), achieved_share(baseline, target, value)
        )
        if status == Status.OFF_TRACK:
            if count[sponsor_id] < DIGEST_LIST_LIMIT:
                shown.append(pk)
            count[sponsor_id] += 1
    metrics = OutcomeMetric.objects.select_related("deal").in_bulk(shown)
    for pk in shown:
        off_track[metrics[pk].deal.sponsor_id].append(metrics[pk])
    return off_track, count


def executive_sections(users: list[User], *, now: dt.datetime) -> dict[int, dict]:
    """Portfolio, moves, stalls, decisions and metrics, for each executive among `users`."""
    executives = [u.pk for u in users if u.is_executive]
    if not executives:
        return {}
    limit = DIGEST_LIST_LIMIT
    current = Deal.objects.current()
    stall_cutoff = now - dt.timedelta(days=settings.STALL_DAYS)
    # Counts and values by stage, and what the stalled ones cost, in one grouped query.
    stalled_q = Q(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff)
    stage_counts = list(
        current.filter(confidential=False, stage__in=OPEN_STAGES)
        .values("stage", "currency")
        .annotate(
            n=Count("pk"),
            total=Sum("contract_value"),
            stalled_cost=Sum("weekly_cost_of_delay", filter=stalled_q),
        )
        .order_by()
    )
    stalled_money = _money((row["currency"], row["stalled_cost"]) for row in stage_counts)
    moved, moved_count = _top_visible(
        StageChange.objects.filter(
            at__gte=now - dt.timedelta(days=7), deal__archived_at__isnull=True, from_stage__gt=""
        )
        .select_related("deal")
        # Narrow rows: the windows sort every move of the week.
        .only(
            "deal__title",
            "deal__confidential",
            "deal__sponsor_id",
            "deal__owner_id",
            "from_stage",
            "to_stage",
            "at",
        ),
        deal="deal__",
        order=[F("at").desc(), F("pk").desc()],
        executives=executives,
    )
    stalled, stalled_count = _top_visible(
        current.stalled(now),
        deal="",
        order=[F("weekly_cost_of_delay").desc(), F("pk").asc()],
        executives=executives,
    )
    awaiting, awaiting_count = _awaiting_decision(executives)
    off_track, off_track_count = _off_track(executives)
    by_stage: dict[str, int] = defaultdict(int)
    for row in stage_counts:
        by_stage[row["stage"]] += row["n"]
    portfolio = [
        {"label": stage.label, "count": by_stage[stage.value]}
        for stage in Stage
        if stage in OPEN_STAGES
    ]

    sections = {}
    for user in users:
        if user.pk not in executives:
            continue

        def sees(deal: Deal, user: User = user) -> bool:
            return not deal.confidential or user.pk in (deal.sponsor_id, deal.owner_id)

        my_moves = [c for c in moved if sees(c.deal)][:limit]
        my_stalled = [d for d in stalled if sees(d)][:limit]
        decisions = awaiting[user.pk]
        sections[user.pk] = {
            "portfolio": portfolio,
            "open_deals": sum(row["count"] for row in portfolio),
            "pipeline": _money((row["currency"], row["total"]) for row in stage_counts),
            "moved": [{"change": c, "url": absolute(c.deal.get_absolute_url())} for c in my_moves],
            "moved_more": max(0, moved_count[user.pk] - len(my_moves)),
            "stalled": [{"deal": d, "url": absolute(d.get_absolute_url())} for d in my_stalled],
            "stalled_count": stalled_count[user.pk],
            "stalled_more": max(0, stalled_count[user.pk] - len(my_stalled)),
            "stalled_money": stalled_money,
            "decisions": [
                {
                    "deal": d,
                    "url": absolute(d.get_absolute_url()),
                    "decide_url": absolute(reverse("decision_create", args=[d.pk])),
                }
                for d in decisions
            ],
            "decisions_count": awaiting_count[user.pk],
            "decisions_more": max(0, awaiting_count[user.pk] - len(decisions)),
            "off_track": [
                {"metric": m, "url": absolute(m.deal.get_absolute_url())}
                for m in off_track[user.pk]
            ],
            "off_track_more": max(0, off_track_count[user.pk] - len(off_track[user.pk])),
        }
    return sections


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
            rn_department=_window(RowNumber(), [department], due),
            n_department=_window(Count("pk"), [department]),
            late_department=_window(late, [department]),
            rn_queue=_window(RowNumber(), [department, reviewer], due),
            n_queue=_window(Count("pk"), [department, reviewer]),
            late_queue=_window(late, [department, reviewer]),
        )
        .filter(
            Q(rn_department__lte=limit)
            | Q(rn_queue__lte=limit, reviewer__isnull=True)
            | Q(rn_queue__lte=limit, reviewer__in=[u.pk for u in users])
        )
        .select_related("deal__partnership__partner", "department", "reviewer")
        .order_by(*due)
    )
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
                    "reviews": [review_row(r, today) for r in rows],
                    "more": max(0, (rows[0].n_department if rows else 0) - len(rows)),
                }
            )
        sections[user.pk] = {
            "queue": [review_row(r, today) for r in queue[:limit]],
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
            rn=_window(RowNumber(), [F("owner_id")], longest),
            n=_window(Count("pk"), [F("owner_id")]),
            n_stalled=_window(
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
