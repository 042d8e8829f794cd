"""The dashboard's grouped figures read from the tallies (deals.models.tally), so that
their cost does not grow with the number of deals.

A person's figures are the tallies they may see (TallyQuerySet.seen_by: the
non-confidential deals and the confidential ones they sponsor or own; every deal for a
superuser) plus, read live, the confidential deals they see through a reviewing
department or an invitation: one UNION ALL query for the deals, one for the reviews.
What the tallies cannot hold is read live from an index: the deals that entered their
stage on the stall cutoff's own day (stalled or not by the hour).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone

from .models import (
    ACTIVE_STAGES,
    OPEN_STAGES,
    BlockTally,
    Deal,
    DealQuerySet,
    ReviewTally,
    StageTally,
)

ZERO = Value(0, output_field=IntegerField())
NO_MONEY = Value(Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=2))


def _int(expression) -> Coalesce:
    return Coalesce(expression, ZERO, output_field=IntegerField())


def _money(expression) -> Coalesce:
    return Coalesce(
        expression, NO_MONEY, output_field=DecimalField(max_digits=20, decimal_places=2)
    )


def deal_rows(
    user, deals: DealQuerySet, stall_cutoff: dt.datetime, blocking_ids, secret: list[int] | None
) -> list[dict]:
    """Visible current deals grouped by (stage, currency): n, total, stalled, stalled_cost
    and blocked, as selectors.dashboard_tiles reads them. `deals` are the visible current
    deals, `blocking_ids` a subquery of the deals held by a blocking concern, `secret` the
    confidential ones among them the tallies leave out (selectors.confidential_read_live).
    One query."""
    cutoff_day = stall_cutoff.astimezone(dt.UTC).date()
    cutoff_day_start = dt.datetime.combine(cutoff_day, dt.time(), tzinfo=dt.UTC)
    stalled = Q(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff)
    columns = ("stage", "currency")
    tallied = StageTally.objects.seen_by(user)
    in_tally = Q(stage__in=ACTIVE_STAGES, day__lt=cutoff_day)
    parts = [
        tallied.values(*columns).annotate(
            n=_int(Sum("deals")),
            total=_money(Sum("value")),
            stalled=_int(Sum("deals", filter=in_tally)),
            stalled_cost=_money(Sum("cost", filter=in_tally)),
            blocked=ZERO,
        ),
        # The tallied deals that entered their stage on the cutoff's day: stalled by the hour.
        (deals.exclude(pk__any_of=secret) if secret else deals)
        .filter(stalled, stage_changed_at__gte=cutoff_day_start)
        .values(*columns)
        .annotate(
            n=ZERO,
            total=NO_MONEY,
            stalled=Count("pk"),
            stalled_cost=_money(Sum("weekly_cost_of_delay")),
            blocked=ZERO,
        ),
        # Held by a blocking concern (a deal once, however many concerns hold it).
        BlockTally.objects.seen_by(user)
        .filter(stage__in=OPEN_STAGES)
        .values(*columns)
        .annotate(
            n=ZERO, total=NO_MONEY, stalled=ZERO, stalled_cost=NO_MONEY, blocked=_int(Sum("deals"))
        ),
    ]
    if secret:
        held = Q(stage__in=OPEN_STAGES, pk__in=blocking_ids)
        parts.append(
            Deal.objects.filter(pk__any_of=secret)
            .values(*columns)
            .annotate(
                n=Count("pk"),
                total=_money(Sum("contract_value")),
                stalled=Count("pk", filter=stalled),
                stalled_cost=_money(Sum("weekly_cost_of_delay", filter=stalled)),
                blocked=Count("pk", filter=held),
            )
        )
    first, *rest = (part.order_by() for part in parts)
    return _merge(first.union(*rest, all=True), columns)


def due_week(due: tuple[dt.date, dt.date] | None) -> Case:
    """The Monday of a review's week of the due date inside the window `due`, else null:
    the heat map's weeks, grouped in SQL so that a department's reviews come back as a
    row a week, not one per due day."""
    in_window = Q(due_on__gte=due[0], due_on__lt=due[1]) if due else Q(pk__in=[])
    return Case(
        When(in_window, then=Cast(TruncWeek("due_on"), DateField())),
        default=None,
        output_field=DateField(),
    )


def review_rows(user, due: tuple[dt.date, dt.date] | None, confidential) -> list[dict]:
    """selectors.review_counts from the tallies: reviews pending or due in the window `due`,
    per department and week of the due date (only inside the window), with the pending,
    overdue, due, late and waiting counts. `confidential` is review_counts' query over the
    confidential deals the tallies leave out (None for a superuser). One query."""
    today = timezone.localdate()
    in_window = Q(due_on__gte=due[0], due_on__lt=due[1]) if due else Q(pk__in=[])
    waiting = Q(answered=False, due_on__lt=today)
    tallied = ReviewTally.objects.seen_by(user)
    parts = [
        tallied.filter(Q(still_pending=True) | in_window)
        .annotate(
            department_pk=F("department_id"),
            day=due_week(due),
        )
        .values("department_pk", "day")
        .annotate(
            pending=_int(Sum("reviews", filter=Q(still_pending=True))),
            overdue=_int(Sum("reviews", filter=Q(still_pending=True, due_on__lt=today))),
            due=_int(Sum("reviews", filter=in_window)),
            late=_int(Sum("reviews", filter=in_window & (waiting | Q(answered_late=True)))),
            waiting=_int(Sum("reviews", filter=in_window & waiting & Q(still_pending=True))),
        )
        .values("department_pk", "day", "pending", "overdue", "due", "late", "waiting")
    ]
    if confidential is not None:
        parts.append(confidential)
    first, *rest = (part.order_by() for part in parts)
    return _merge(first.union(*rest, all=True), ("department_pk", "day"))


def _merge(rows, key: tuple[str, ...]) -> list[dict]:
    """The union's rows summed by `key`, in no particular order."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        found = merged.get(tuple(row[k] for k in key))
        if found is None:
            merged[tuple(row[k] for k in key)] = dict(row)
            continue
        for name, value in row.items():
            if name not in key:
                found[name] += value
    return list(merged.values())
