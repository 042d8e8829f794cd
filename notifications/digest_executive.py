"""The executive's section of the weekly digest: portfolio, moves, stalls, decisions and
metrics off track, for every executive of a batch in a fixed number of queries.

The portfolio, the moves and the stalls cover what each executive sees on the
dashboard: Deal.objects.visible_to, archived deals left out. Decisions and metrics
are those of the deals they sponsor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from analytics.figures import waiting_now
from core.emails import absolute
from core.money import Rates, Total, rates_on, total
from deals.models import ACTIVE_STAGES, OPEN_STAGES, Deal, Stage, StageChange
from deals.selectors import waiting_for_decision
from metrics.models import (
    OFF_TRACK_GAP,
    Direction,
    MetricStatus,
    OutcomeMetric,
    achieved_share,
    expected_share,
    track_status,
)
from stakeholders.models import User

from .digest_sections import DIGEST_LIST_LIMIT, window


def _money(rows: Iterable[tuple[str, Decimal]], rates: Rates) -> Total:
    """In the reporting currency, as on the dashboard (core.money)."""
    return total(rows, rates)


@dataclass
class Confidential:
    """The confidential deals each executive of a batch may see, among those the section
    can list (open, or moved this week), and what the lists count of each."""

    seen: dict[int, set[int]]  # executive → deal ids
    stalled: set[int]  # deal ids
    moves: dict[int, int]  # deal id → stage changes this week

    @property
    def anyone(self) -> set[int]:
        return set().union(*self.seen.values())


def _confidential(executives: list[User], *, now: dt.datetime) -> Confidential:
    """One query: the confidential deals someone in the batch may see, a flag per
    executive, each flag the dashboard's rule (Deal.objects.visible_to) asked inside
    the query.

    Everyone sees every public deal: the public rows are read once for the whole batch
    and only the confidential ones are told apart by executive. (A window per executive
    over every row instead cost seconds for a batch of a hundred executives, mostly in
    building the SQL.)
    """
    flags = {
        f"sees_{e.pk}": Exists(Deal.objects.visible_to(e).filter(pk=OuterRef("pk")))
        for e in executives
    }
    moves = _moves(now).filter(deal=OuterRef("pk"))  # of the current deal of the row
    moves_count = moves.order_by().values("deal").annotate(n=Count("pk")).values("n")
    found = Confidential(seen={e.pk: set() for e in executives}, stalled=set(), moves={})
    for pk, stalled, moved, *sees in (
        Deal.objects.current()
        .filter(confidential=True)
        .filter(Q(stage__in=OPEN_STAGES) | Exists(moves))
        .annotate(
            stalled=Exists(Deal.objects.stalled(now).filter(pk=OuterRef("pk"))),
            moved=Subquery(moves_count),
            **flags,
        )
        .values_list("pk", "stalled", "moved", *flags)
        .order_by()
    ):
        for executive, flag in zip(executives, sees, strict=True):
            if flag:
                found.seen[executive.pk].add(pk)
        if stalled:
            found.stalled.add(pk)
        found.moves[pk] = moved or 0
    return found


def _moves(now: dt.datetime):
    """The stage changes of the week: what "Moved this week" lists, of current deals."""
    return StageChange.objects.filter(at__gte=now - dt.timedelta(days=7), from_stage__gt="")


def _top_visible(
    queryset, *, deal: str, confidential: str, order: list, seen: dict[int, set[int]]
) -> tuple[dict[int, list], int]:
    """Each executive's first DIGEST_LIST_LIMIT rows among those they may see, and how
    many public rows there are.

    One query, of the rows that may be first for someone: the first public rows, and
    the rows of confidential deals someone in the batch sees that come before the last
    of those (a running count of the public rows). In the query's order, an executive's
    first rows are the first of the public ones and of their own confidential ones.
    `deal` holds the row's deal id, `confidential` its flag.
    """
    limit = DIGEST_LIST_LIMIT
    public = Sum(Case(When(**{confidential: False}, then=Value(1)), default=Value(0)))
    rows = list(
        queryset.filter(
            Q(**{confidential: False}) | Q(**{f"{deal}__in": set().union(*seen.values())})
        )
        .annotate(
            private=F(confidential),
            public_until=Window(public, order_by=order),
            public_count=Window(public),
        )
        .filter(Q(private=False, public_until__lte=limit) | Q(private=True, public_until__lt=limit))
        .order_by(*order)
    )
    top = {
        executive: [row for row in rows if not row.private or getattr(row, deal) in mine][:limit]
        for executive, mine in seen.items()
    }
    return top, rows[0].public_count if rows else 0


def _awaiting_decision(executives: list[int]) -> tuple[dict[int, list[Deal]], dict[int, int]]:
    """Each sponsor's open deals asked to decide, or where a department rejected."""
    awaiting: dict[int, list[Deal]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    # The dashboard's list (waiting_for_decision). Longest waiting first (deals only
    # rejected come after those asked about).
    waiting = [F("decision_requested_at").asc(nulls_last=True), F("pk").asc()]
    for deal in (
        waiting_for_decision()
        .filter(sponsor__in=executives)
        .annotate(
            rn=window(RowNumber(), [F("sponsor_id")], waiting),
            n=window(Count("pk"), [F("sponsor_id")]),
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
        if status == MetricStatus.OFF_TRACK:
            if count[sponsor_id] < DIGEST_LIST_LIMIT:
                shown.append(pk)
            count[sponsor_id] += 1
    metrics = OutcomeMetric.objects.select_related("deal").in_bulk(shown)
    for pk in shown:
        off_track[metrics[pk].deal.sponsor_id].append(metrics[pk])
    return off_track, count


def _portfolio(
    executives: list[User], *, stall_cutoff: dt.datetime, seen: dict[int, set[int]]
) -> dict[int, list[dict]]:
    """Open deals by stage and currency with their value and what the stalled ones cost,
    counted over what each executive sees on the dashboard: one grouped query. Public
    deals share one group per stage and currency; a confidential one seen by someone in
    the batch is a group of its own, counted for those who see it."""
    stalled = Q(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff)
    rows = list(
        Deal.objects.current()
        .filter(stage__in=OPEN_STAGES)
        .filter(Q(confidential=False) | Q(pk__in=set().union(*seen.values())))
        # Who each deal waits on (deals.waiting), for "Where time goes": no query more.
        .annotate(party=F("waiting_on"), private=Case(When(confidential=True, then=F("pk"))))
        .values("stage", "currency", "party", "private")
        .annotate(
            n=Count("pk"),
            total=Sum("contract_value"),
            stalled_cost=Sum("weekly_cost_of_delay", filter=stalled),
            cost=Sum("weekly_cost_of_delay"),
        )
        .order_by()
    )
    return {
        e.pk: [row for row in rows if row["private"] is None or row["private"] in seen[e.pk]]
        for e in executives
    }


def executive_sections(users: list[User], *, now: dt.datetime) -> dict[int, dict]:
    """Portfolio, moves, stalls, decisions and metrics, for each executive among `users`.

    The portfolio, the moves and the stalls cover the deals the executive sees on the
    dashboard (Deal.objects.visible_to, archived deals left out); decisions and metrics
    are those of the deals they sponsor.
    """
    executives = [u for u in users if u.is_executive]
    if not executives:
        return {}
    ids = [e.pk for e in executives]
    rates = rates_on(timezone.localdate(now))  # one query per batch with executives
    confidential = _confidential(executives, now=now)
    seen = confidential.seen
    stage_counts = _portfolio(
        executives, stall_cutoff=now - dt.timedelta(days=settings.STALL_DAYS), seen=seen
    )
    moved, moved_public = _top_visible(
        _moves(now)
        .filter(deal__archived_at__isnull=True)
        .select_related("deal")
        # Narrow rows: the windows sort every move of the week.
        .only("deal__title", "from_stage", "to_stage", "at"),
        deal="deal_id",
        confidential="deal__confidential",
        order=[F("at").desc(), F("pk").desc()],
        seen=seen,
    )
    stalled, stalled_public = _top_visible(
        Deal.objects.current().stalled(now),
        deal="pk",
        confidential="confidential",
        order=[F("weekly_cost_of_delay").desc(), F("pk").asc()],
        seen=seen,
    )
    awaiting, awaiting_count = _awaiting_decision(ids)
    off_track, off_track_count = _off_track(ids)

    sections = {}
    for user in executives:
        rows = stage_counts[user.pk]
        by_stage: dict[str, int] = defaultdict(int)
        for row in rows:
            by_stage[row["stage"]] += row["n"]
        portfolio = [
            {"label": stage.label, "count": by_stage[stage.value]}
            for stage in Stage
            if stage in OPEN_STAGES
        ]
        mine = seen[user.pk]
        my_moves = moved[user.pk]
        moved_count = moved_public + sum(confidential.moves[pk] for pk in mine)
        my_stalled = stalled[user.pk]
        stalled_count = stalled_public + len(mine & confidential.stalled)
        decisions = awaiting[user.pk]
        sections[user.pk] = {
            "portfolio": portfolio,
            "open_deals": sum(row["count"] for row in portfolio),
            "pipeline": _money(((row["currency"], row["total"]) for row in rows), rates),
            "moved": [{"change": c, "url": absolute(c.deal.get_absolute_url())} for c in my_moves],
            "moved_more": max(0, moved_count - len(my_moves)),
            "stalled": [{"deal": d, "url": absolute(d.get_absolute_url())} for d in my_stalled],
            "stalled_count": stalled_count,
            "stalled_more": max(0, stalled_count - len(my_stalled)),
            "stalled_money": _money(
                ((row["currency"], row["stalled_cost"]) for row in rows), rates
            ),
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
            "waiting": [row for row in waiting_now(rows, rates) if row["count"].value],
            "time_url": absolute(reverse("where_time_goes")),
        }
    return sections
