"""The dashboard's grouped figures read from the tallies (deals.models.tally), so that
their cost does not grow with the number of deals.

A person's figures are the tallies they may see (TallyQuerySet.seen_by: the
non-confidential deals and the confidential ones they sponsor or own; every deal for a
superuser) plus, read live, the confidential deals they see through a reviewing
department or an invitation: one UNION ALL query for the deals, one for the reviews.
What the tallies cannot hold is read live from an index: the deals that entered their
stage on the stall cutoff's own day (stalled or not by the hour).

The tally reads are written as SQL, portable between PostgreSQL and SQLite: built by the
ORM, their filtered sums cost 5 ms of Python on each first view of the dashboard, three
times what the database spends. The live reads of confidential deals stay ORM queries,
added to the same UNION ALL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import timezone

from core.sql import as_decimal, fetch, table
from core.tally import seen_sql

from .models import ACTIVE_STAGES, OPEN_STAGES, BlockTally, Deal, ReviewTally, StageTally

WEEK = dt.timedelta(days=7)
NO_MONEY = Value(Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=2))


def _money(expression) -> Coalesce:
    return Coalesce(
        expression, NO_MONEY, output_field=DecimalField(max_digits=20, decimal_places=2)
    )


def deal_rows(
    user, stall_cutoff: dt.datetime, blocking_ids, secret: list[int] | None
) -> list[dict]:
    """Visible current deals grouped by (stage, currency): n, total, stalled, stalled_cost
    and blocked, as selectors.dashboard_tiles reads them. `blocking_ids` is a subquery of
    the deals held by a blocking concern, `secret` the confidential deals the person sees
    that the tallies leave out (selectors.confidential_read_live), read live. One query."""
    cutoff_day = stall_cutoff.astimezone(dt.UTC).date()
    cutoff_day_start = dt.datetime.combine(cutoff_day, dt.time(), tzinfo=dt.UTC)
    at = connection.ops.adapt_datetimefield_value  # as the ORM stores it (SQLite: text)
    seen, seen_params = seen_sql(user)
    active, active_params = _in(ACTIVE_STAGES)
    open_, open_params = _in(OPEN_STAGES)
    parts = [
        (
            "SELECT stage, currency, SUM(deals) AS n, SUM(value) AS total,"
            f" SUM(CASE WHEN day < %s AND stage IN {active} THEN deals ELSE 0 END) AS stalled,"
            f" SUM(CASE WHEN day < %s AND stage IN {active} THEN cost ELSE 0 END),"
            f" 0 FROM {table(StageTally)} WHERE {seen} GROUP BY stage, currency",
            [cutoff_day, *active_params, cutoff_day, *active_params, *seen_params],
        ),
        # The tallied deals that entered their stage on the cutoff's day: stalled by the hour.
        (
            "SELECT stage, currency, 0, 0, COUNT(*), SUM(weekly_cost_of_delay), 0"
            f" FROM {table(Deal)} WHERE archived_at IS NULL AND {seen} AND stage IN {active}"
            " AND stage_changed_at < %s AND stage_changed_at >= %s GROUP BY stage, currency",
            [*seen_params, *active_params, at(stall_cutoff), at(cutoff_day_start)],
        ),
        # Held by a blocking concern (a deal once, however many concerns hold it).
        (
            f"SELECT stage, currency, 0, 0, 0, 0, SUM(deals) FROM {table(BlockTally)}"
            f" WHERE {seen} AND stage IN {open_} GROUP BY stage, currency",
            [*seen_params, *open_params],
        ),
    ]
    if secret:
        stalled = Q(stage__in=ACTIVE_STAGES, stage_changed_at__lt=stall_cutoff)
        held = Q(stage__in=OPEN_STAGES, pk__in=blocking_ids)
        parts.append(
            Deal.objects.filter(pk__any_of=secret)
            .values("stage", "currency")
            .annotate(
                n=Count("pk"),
                total=Sum("contract_value"),
                stalled=Count("pk", filter=stalled),
                stalled_cost=_money(Sum("weekly_cost_of_delay", filter=stalled)),
                blocked=Count("pk", filter=held),
            )
            .order_by()
        )
    sums = ("n", "total", "stalled", "stalled_cost", "blocked")
    return _merge(fetch(parts), ("stage", "currency"), sums, money=("total", "stalled_cost"))


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
    """selectors.review_counts from the tallies: reviews pending or due in the window `due`
    (weeks from a Monday), per department and week of the due date (only inside the
    window), with the pending, overdue, due, late and waiting counts. `confidential` is
    review_counts' query over the confidential deals the tallies leave out (None for a
    superuser). One query."""
    today = timezone.localdate()
    seen, seen_params = seen_sql(user)
    window = list(due or (today, today))  # no window: nothing is due in it
    weeks = [window[0] + WEEK * i for i in range((window[1] - window[0]).days // 7)]
    # The week of a due date inside the window: a CASE of the weeks, as portable SQL
    # (without a window, a NULL as review_counts' own).
    week = "CASE " + " ".join("WHEN due_on >= %s AND due_on < %s THEN %s" for _ in weeks) + " END"
    week_params = [p for w in weeks for p in (w, w + WEEK, w)]
    if not weeks:
        week = "NULL"
    in_window = "due_on >= %s AND due_on < %s"
    waiting = "NOT answered AND due_on < %s"
    parts = [
        (
            f"SELECT department_id, {week} AS day,"
            " SUM(CASE WHEN still_pending THEN reviews ELSE 0 END),"
            " SUM(CASE WHEN still_pending AND due_on < %s THEN reviews ELSE 0 END),"
            f" SUM(CASE WHEN {in_window} THEN reviews ELSE 0 END),"
            f" SUM(CASE WHEN {in_window} AND ({waiting} OR answered_late) THEN reviews ELSE 0 END),"
            f" SUM(CASE WHEN {in_window} AND {waiting} AND still_pending THEN reviews ELSE 0 END)"
            f" FROM {table(ReviewTally)} WHERE {seen} AND (still_pending OR {in_window})"
            " GROUP BY 1, 2",
            [
                *week_params,
                today,
                *window,
                *window,
                today,
                *window,
                today,
                *seen_params,
                *window,
            ],
        )
    ]
    if confidential is not None:
        parts.append(confidential)
    sums = ("pending", "overdue", "due", "late", "waiting")
    rows = _merge(fetch(parts), ("department_pk", "day"), sums)
    for row in rows:  # SQLite gives a date as text
        if isinstance(row["day"], str):
            row["day"] = dt.date.fromisoformat(row["day"])
    return rows


def _in(values) -> tuple[str, list]:
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def _merge(
    rows: list[tuple], key: tuple[str, ...], sums: tuple[str, ...], money: tuple[str, ...] = ()
) -> list[dict]:
    """The union's rows, (*key, *sums) each, summed by `key`, in no particular order. The
    `money` sums are Decimals (SQLite gives a float, or an int for whole amounts)."""
    merged: dict[tuple, dict] = {}
    width = len(key)
    for row in rows:
        group = row[:width]
        found = merged.get(group)
        if found is None:
            found = merged[group] = dict(zip(key, group, strict=True)) | dict.fromkeys(sums, 0)
        for name, value in zip(sums, row[width:], strict=True):
            if value is not None:
                found[name] += as_decimal(value) if name in money else value
    return list(merged.values())
