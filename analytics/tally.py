"""The ended intervals as histograms (analytics.models.IntervalTally): the trigger that
keeps them, the recount, and the percentiles read from them.

A percentile over every ended interval sorts every interval: 60,000 at 10,000 deals, ten
times that at 100,000. The buckets grow with the spread of the lengths, not with the
number of deals: bucket i holds the lengths in (GAMMA^(i-1), GAMMA^i] and stands for
2·GAMMA^i/(GAMMA+1), within half a per cent of any length in it (a relative-error
histogram, as DDSketch). So a percentile read from the buckets is within half a per
cent of the exact one; the page shows days to one decimal.

Every path reads the same buckets. The tallies count current deals only (archived ones
are in no figure) and key a confidential deal's rows by its sponsor and owner, as the
dashboard's do (deals.models.tally): a person reads the rows they may see (`seen_by`)
plus, grouped live with the same bucket expression, the few confidential deals they see
through a reviewing department or an invitation (deals.selectors.confidential_read_live).
With the page's filters, the matching intervals are grouped live. Months are UTC months.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Ceil, Greatest, Ln

from deals import tally_sql
from deals.tally_sql import KEYED, keyed
from stakeholders.models import ReviewStatus

from .models import REASSIGNED, IntervalTally, PendingTally, TermTally
from .stats import Group, interpolate

TALLIES = [IntervalTally, TermTally, PendingTally]
GAMMA = 1.01
LN_GAMMA = math.log(GAMMA)
# Shorter waits (under a minute and a half) share the first bucket.
FLOOR = 0.001
UNITS = {"calendar": "days", "business": "business_days"}
# How a review interval ends with a verdict (the review's status then).
VERDICT_OUTCOMES = tuple(
    status.value
    for status in (
        ReviewStatus.APPROVED,
        ReviewStatus.APPROVED_WITH_CONDITIONS,
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.REJECTED,
    )
)
CHANGES_REQUESTED = ReviewStatus.CHANGES_REQUESTED.value


def bucket_index(length: float) -> int:
    """The bucket of a length, as the trigger's SQL computes it."""
    return math.ceil(math.log(max(length, FLOOR)) / LN_GAMMA)


def value_of(bucket: int) -> float:
    """The length bucket `bucket` stands for."""
    return 2 * GAMMA**bucket / (GAMMA + 1)


# Counting an interval: the same statement for the trigger and the recount.


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def interval_row(
    vendor: str, r: str, unit: str, sign: str, d: str = "d", source: str = "FROM deals_deal d"
) -> str:
    """What the interval `r` of the deal `d` counts as in `unit`: one interval of its
    kind, stage and department, ended in its UTC month, in its length's bucket, of a deal
    of that confidentiality (sponsor and owner). Nothing while the deal is archived."""
    column = f"{r}.{UNITS[unit]}"
    if vendor == "postgresql":
        month = f"date_trunc('month', {r}.ended_at AT TIME ZONE 'UTC')::date"
        greatest = "GREATEST"
    else:
        month = f"date({r}.ended_at, 'start of month')"
        greatest = "MAX"
    # Only the reviews' trend is by month: the stays' and decisions' rows stay few.
    month = f"CASE WHEN {r}.kind = 'review' THEN {month} END"
    bucket = f"CAST(CEIL(LN({greatest}({column}, {FLOOR!r})) / {LN_GAMMA!r}) AS INTEGER)"
    verdict = f"{r}.outcome IN ({', '.join(repr(o) for o in VERDICT_OUTCOMES)})"
    counts = [
        "1",
        _flag(verdict),
        _flag(f"{verdict} AND {r}.business_days <= {r}.sla_days"),
        _flag(f"{r}.outcome = '{CHANGES_REQUESTED}'"),
        _flag(f"{r}.round > 1"),
        _flag(f"{r}.outcome = '{REASSIGNED}'"),
    ]
    return (
        f"INSERT INTO analytics_intervaltally ({', '.join(IntervalTally.KEY)}, "
        f"{', '.join(IntervalTally.SUMS)}) SELECT '{unit}', {r}.kind, {r}.stage, "
        f"{r}.department_id, {month}, {bucket}, {d}.confidential, {keyed(d)}, "
        + ", ".join(f"{sign}{count}" for count in counts)
        + f" {source} WHERE {d}.id = {r}.deal_id AND {d}.archived_at IS NULL "
        f"AND {r}.ended_at IS NOT NULL AND {column} IS NOT NULL"
    )


def _revision_counts(r: str, sign: str, total: bool = False) -> str:
    wrap = (lambda flag: f"{sign}SUM({flag})") if total else (lambda flag: f"{sign}{flag}")
    return ", ".join(
        wrap(_flag(condition))
        for condition in (f"{r}.number = 1", f"{r}.number > 1", f"{r}.reopened_review")
    )


TERM_COLUMNS = f"category, confidential, {KEYED}, terms, revisions, resets"


def revision_row(r: str, sign: str, source: str = "FROM deals_term t, deals_deal d") -> str:
    """What the term revision `r` counts as: a term (its first revision), a later
    revision, a reset, under its term's category, of a deal of that confidentiality."""
    return (
        f"INSERT INTO analytics_termtally ({TERM_COLUMNS}) "
        f"SELECT t.category, d.confidential, {keyed('d')}, {_revision_counts(r, sign)} "
        f"{source} WHERE t.id = {r}.term_id AND d.id = t.deal_id AND d.archived_at IS NULL"
    )


def term_row(t: str, sign: str) -> str:
    """What the term `t`'s revisions count as, under its category (a term re-filed)."""
    return (
        f"INSERT INTO analytics_termtally ({TERM_COLUMNS}) "
        f"SELECT {t}.category, d.confidential, {keyed('d')}, "
        f"{_revision_counts('r', sign, total=True)} FROM deals_termrevision r, deals_deal d "
        f"WHERE r.term_id = {t}.id AND d.id = {t}.deal_id AND d.archived_at IS NULL "
        "GROUP BY r.term_id, d.confidential, d.sponsor_id, d.owner_id"
    )


def deal_terms_row(d: str, sign: str) -> str:
    """What the deal `d`'s term revisions count as (the deal changed confidentiality,
    sponsor, owner or currentness)."""
    return (
        f"INSERT INTO analytics_termtally ({TERM_COLUMNS}) "
        f"SELECT t.category, {d}.confidential, {keyed(d)}, "
        f"{_revision_counts('r', sign, total=True)} FROM deals_termrevision r, deals_term t "
        f"WHERE t.deal_id = {d}.id AND r.term_id = t.id AND {d}.archived_at IS NULL "
        "GROUP BY t.category"
    )


def pending_row(r: str, d: str, sign: str, source: str) -> str:
    """What the review `r` of the deal `d` counts as: if pending, one of its department
    on a deal of the deal's stage and currency, with the deal's weekly cost of delay."""
    return (
        "INSERT INTO analytics_pendingtally (department_id, stage, currency, confidential, "
        f"{KEYED}, reviews, cost) SELECT {r}.department_id, {d}.stage, {d}.currency, "
        f"{d}.confidential, {keyed(d)}, {sign}1, {sign}{d}.weekly_cost_of_delay {source} "
        f"AND {r}.status = 'pending' AND {d}.archived_at IS NULL"
    )


def _review_pending(side: str, sign: str) -> str:
    return pending_row(side, "d", sign, f"FROM deals_deal d WHERE d.id = {side}.deal_id")


def _deal_pending(side: str, sign: str) -> str:
    return pending_row("r", side, sign, f"FROM stakeholders_review r WHERE r.deal_id = {side}.id")


CHANGED = (
    "kind",
    "stage",
    "department_id",
    "ended_at",
    "days",
    "business_days",
    "outcome",
    "round",
    "sla_days",
)


def _statements(vendor: str, side: str, sign: str) -> list[str]:
    return [interval_row(vendor, side, unit, sign) for unit in UNITS]


def _deal_counts(vendor: str, side: str, sign: str) -> list[str]:
    """The deal `side`'s intervals and term revisions, counted (or taken back)."""
    intervals = [
        interval_row(vendor, "i", unit, sign, d=side, source="FROM analytics_interval i")
        for unit in UNITS
    ]
    return [*intervals, deal_terms_row(side, sign)]


# What a tally row says of its deal besides its figures: who may read it, and whether
# it counts at all (current deals only).
DEAL_PEOPLE = ("confidential", "sponsor_id", "owner_id", "archived_at")


def _triggers(vendor: str) -> list[tuple[str, str, tuple[str, ...], list[str], list[str], bool]]:
    """(name, table, the columns whose change re-counts a row, the -1 statements, the +1
    statements, whether inserts and deletes count too)."""
    return [
        (
            "interval",
            "analytics_interval",
            CHANGED,
            _statements(vendor, "OLD", "-"),
            _statements(vendor, "NEW", ""),
            True,
        ),
        (
            "revision",
            "deals_termrevision",
            ("term_id", "number", "reopened_review"),
            [revision_row("OLD", "-")],
            [revision_row("NEW", "")],
            True,
        ),
        # A term re-filed under another category: its revisions move. (A term's revisions
        # are deleted before it, and a new term has none yet.)
        ("term", "deals_term", ("category",), [term_row("OLD", "-")], [term_row("NEW", "")], False),
        (
            "review",
            "stakeholders_review",
            ("deal_id", "department_id", "status"),
            [_review_pending("OLD", "-")],
            [_review_pending("NEW", "")],
            True,
        ),
        # A deal's pending reviews move with its stage, currency and cost, and with
        # its readers. (A new deal has no reviews; a deal's reviews are deleted before it.)
        (
            "deal",
            "deals_deal",
            ("stage", "currency", "weekly_cost_of_delay", *DEAL_PEOPLE),
            [_deal_pending("OLD", "-")],
            [_deal_pending("NEW", "")],
            False,
        ),
        # Its intervals and term revisions move with its readers only.
        (
            "deal_people",
            "deals_deal",
            DEAL_PEOPLE,
            _deal_counts(vendor, "OLD", "-"),
            _deal_counts(vendor, "NEW", ""),
            False,
        ),
    ]


def install_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No analytics tally triggers for {vendor}")
    statements = []
    for name, table, columns, old, new, rows in _triggers(vendor):
        function = f"analytics_tally_{name}"
        if vendor == "postgresql":
            changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
            body = (
                f"IF TG_OP <> 'INSERT' THEN {'; '.join(old)}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {'; '.join(new)}; END IF;"
            )
            statements += [
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
                f"CREATE TRIGGER {function}_change AFTER UPDATE ON {table} "
                f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {function}()",
            ]
            if rows:
                statements.append(
                    f"CREATE TRIGGER {function}_row AFTER INSERT OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()"
                )
            continue
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        events = {"change": (f"UPDATE ON {table} WHEN {changed}", old + new)}
        if rows:
            events |= {"insert": (f"INSERT ON {table}", new), "delete": (f"DELETE ON {table}", old)}
        statements += [
            f"CREATE TRIGGER {function}_{event} AFTER {when} BEGIN "
            + " ".join(f"{s};" for s in body)
            + " END"
            for event, (when, body) in events.items()
        ]
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(schema_editor) -> None:
    for name in ("interval", "revision", "term", "review", "deal", "deal_people"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS analytics_tally_{name}() CASCADE")
        else:
            for event in ("insert", "delete", "change"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS analytics_tally_{name}_{event}")


def rebuild(using_connection=None) -> None:
    """Recount the tallies from the intervals, the term revisions and the reviews with
    the triggers' own statements. On PostgreSQL the tallies are locked first: writers wait until the
    recount commits."""
    conn = using_connection or connection
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("LOCK TABLE analytics_intervaltally IN EXCLUSIVE MODE")
            cursor.execute(
                "LOCK TABLE analytics_termtally, analytics_pendingtally IN EXCLUSIVE MODE"
            )
        for model in TALLIES:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        for unit in UNITS:
            source = "FROM analytics_interval i, deals_deal d"
            cursor.execute(interval_row(conn.vendor, "i", unit, "", source=source))
        cursor.execute(
            revision_row("r", "", "FROM deals_termrevision r, deals_term t, deals_deal d")
        )
        cursor.execute(
            pending_row(
                "r", "d", "", "FROM stakeholders_review r, deals_deal d WHERE d.id = r.deal_id"
            )
        )
    tally_sql.compact(conn, models=TALLIES)


# Reading: histograms per group, then percentiles as percentile_cont gives them.


def bucket_of(column: str):
    """The bucket expression of the trigger, for live rows."""
    ratio = Ln(Greatest(F(column), Value(FLOOR))) / Value(LN_GAMMA, output_field=FloatField())
    return Cast(Ceil(ratio), IntegerField())


@dataclass
class Histogram:
    counts: dict[int, int]

    def percentile(self, fraction: float) -> float | None:
        """percentile_cont over the buckets' values (stats.interpolate)."""
        ordered = sorted((b, n) for b, n in self.counts.items() if n > 0)
        return interpolate(
            lambda rank: self._at(ordered, rank), sum(n for _, n in ordered), fraction
        )

    @staticmethod
    def _at(ordered: list[tuple[int, int]], rank: int) -> float:
        seen = 0
        for bucket, n in ordered:
            seen += n
            if rank < seen:
                return value_of(bucket)
        raise IndexError(rank)


SUM_FIELDS = IntervalTally.SUMS


def _fetch(queryset: QuerySet) -> list[dict]:
    """A values() queryset's rows, fetched without Django's per-value converters: the
    columns here are integers, text and dates, which the drivers give as they are (but
    SQLite's dates, ISO text: `_date`). A thousand rows cost a third as much."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if rows and "month" in names and isinstance(rows[0]["month"], str):
        for row in rows:
            row["month"] = _date(row["month"])
    return rows


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def live_rows(intervals: QuerySet, units: list[str]) -> list[dict]:
    """The ended `intervals` grouped as the tally groups them, in one query: by kind,
    stage, department, UTC month and the lengths' buckets in each of `units` (`calendar`,
    `business`: fold reads a unit's bucket from the row's own column, `k_<unit>`)."""
    verdict = Q(outcome__in=VERDICT_OUTCOMES)
    buckets = {f"k_{unit}": bucket_of(UNITS[unit]) for unit in units}
    return _fetch(
        intervals.filter(ended_at__isnull=False, days__isnull=False, business_days__isnull=False)
        .annotate(month=MonthOfEnd("ended_at"), **buckets)
        .values("kind", "stage", "department_id", "month", *buckets)
        .annotate(
            intervals=Count("*"),
            verdicts=Count("pk", filter=verdict),
            within=Count("pk", filter=verdict & Q(business_days__lte=F("sla_days"))),
            returned=Count("pk", filter=Q(outcome=CHANGES_REQUESTED)),
            rereviews=Count("pk", filter=Q(round__gt=1)),
            reassigned=Count("pk", filter=Q(outcome=REASSIGNED)),
        )
        .order_by()
    )


def tally_rows(tallied: QuerySet, by: tuple[str, ...], units: list[str]) -> list[dict]:
    """The tally's rows of `units`, summed per `by` and bucket: one query."""
    return _fetch(
        tallied.filter(unit__in=units)
        .values("unit", *by, "bucket")
        .annotate(**{name: Sum(name) for name in SUM_FIELDS})
        .order_by()
    )


def fold(
    signed: list[tuple[int, list[dict]]],
    by: tuple[str, ...],
    units: list[str],
    percentiles: dict[str, tuple[str, float]],
    counts: tuple[str, ...],
) -> dict[tuple, Group]:
    """{(values of `by`): Group} from lists of tally rows, each added (+1) or taken away
    (-1): the percentiles (`percentiles` names a unit and a fraction) from the summed
    buckets, the counts from the first unit's rows."""
    histograms: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    totals: dict = defaultdict(lambda: dict.fromkeys(SUM_FIELDS, 0))
    first = units[0]
    for sign, rows in signed:
        for row in rows:
            key = tuple([row[name] for name in by])
            # A tally row is of one unit; a live row has both units' buckets.
            unit = row.get("unit")
            buckets = ((unit, row["bucket"]),) if unit else ((u, row[f"k_{u}"]) for u in units)
            for unit, bucket in buckets:
                if unit not in units:
                    continue
                histograms[key][unit][bucket] += sign * row["intervals"]
                if unit == first:
                    sums = totals[key]
                    for name in SUM_FIELDS:
                        sums[name] += sign * row[name]
    result = {}
    for key, by_unit in histograms.items():
        n = totals[key]["intervals"]
        if n <= 0:
            continue
        result[key] = Group(
            n=n,
            values={
                name: Histogram(by_unit[unit]).percentile(fraction)
                for name, (unit, fraction) in percentiles.items()
            },
            counts={name: totals[key][name] for name in counts},
        )
    return result


class MonthOfEnd(Func):
    """The first day of the UTC month of a timestamp, as the trigger computes it (a date,
    with no conversion of each row to the current time zone)."""

    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="date_trunc('month', %(expressions)s AT TIME ZONE 'UTC')::date",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="date(%(expressions)s, 'start of month')", **extra
        )
