"""Percentiles and counts per group, in one query whatever the number of rows.

On PostgreSQL the database computes them: `percentile_cont(f) WITHIN GROUP (ORDER BY
…)` with `COUNT(*) FILTER (WHERE …)` beside it. SQLite has no percentile aggregate: one
values() query brings the group, the measured columns and the counted conditions, and
`percentile` interpolates exactly as percentile_cont does, so both give the same figure.

Figures from fewer than MIN_CASES cases are not shown (`Figure.shown`): with four
reviews a median tells more about the four people than about the process.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, BooleanField, Count, ExpressionWrapper, Field, Q, Value

MIN_CASES = 5


class _Floats(Field):
    """A float8[] read as the list psycopg gives (no contrib.postgres needed)."""


class Percentiles(Aggregate):
    """PostgreSQL's continuous percentiles of an expression, several fractions from one
    sort: `percentile_cont(ARRAY[…]) WITHIN GROUP (ORDER BY …)`."""

    function = "percentile_cont"
    template = (
        "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    )

    def __init__(self, expression, fractions: list[float], **extra):
        # Constants of our code, never user input: formatted into the SQL as numbers.
        text = ", ".join(repr(float(f)) for f in fractions)
        super().__init__(expression, fractions=text, output_field=_Floats(), **extra)


def percentile(ordered: list[float], fraction: float) -> float | None:
    """percentile_cont over values sorted ascending: linear between the closest ranks."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Group:
    n: int = 0
    values: dict[str, float | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def grouped(
    queryset,
    by: list[str],
    percentiles: dict[str, tuple[str, float]],
    counts: dict[str, Q] | None = None,
) -> dict:
    """{(values of the `by` fields): Group} over `queryset`.

    `percentiles` names each figure: (column, fraction); `counts` names conditions whose
    rows are counted. Rows whose column is null are not measured (nor counted in n).
    """
    counts = counts or {}
    columns = sorted({col for col, _ in percentiles.values()})
    if connection.vendor == "postgresql":
        # One aggregate per column, with every fraction asked of it: one sort each.
        asked = {col: sorted({f for c, f in percentiles.values() if c == col}) for col in columns}
        rows = (
            queryset.values(*by)
            .annotate(
                # COUNT(*) and COUNT(1), not COUNT(id): an index without the id can answer.
                _n=Count("*"),
                **{f"_p_{col}": Percentiles(col, asked[col]) for col in columns},
                **{name: Count(Value(1), filter=q) for name, q in counts.items()},
            )
            .order_by()
        )
        result = {}
        for row in rows:
            found = {
                col: dict(zip(asked[col], row[f"_p_{col}"] or [], strict=False)) for col in columns
            }
            result[tuple(row[name] for name in by)] = Group(
                n=row["_n"],
                values={name: found[col].get(f) for name, (col, f) in percentiles.items()},
                counts={name: row[name] for name in counts},
            )
        return result
    flags = {
        f"_c_{name}": ExpressionWrapper(q, output_field=BooleanField())
        for name, q in counts.items()
    }
    result: dict = defaultdict(Group)
    measured: dict = defaultdict(lambda: defaultdict(list))
    for row in queryset.annotate(**flags).values(*by, *columns, *flags).order_by():
        key = tuple(row[name] for name in by)
        group = result[key]
        group.n += 1
        for col in columns:
            if row[col] is not None:
                measured[key][col].append(row[col])
        for name in counts:
            group.counts[name] = group.counts.get(name, 0) + bool(row[f"_c_{name}"])
    for key, group in result.items():
        for col in columns:
            measured[key][col].sort()
        group.values = {
            name: percentile(measured[key][col], f) for name, (col, f) in percentiles.items()
        }
        for name in counts:
            group.counts.setdefault(name, 0)
    return dict(result)


@dataclass
class Figure:
    """A number and the cases behind it; shown only from MIN_CASES cases on."""

    value: float | int | None
    cases: int

    @property
    def shown(self) -> bool:
        return self.cases >= MIN_CASES and self.value is not None

    @property
    def none(self) -> bool:
        return self.cases == 0


def share(part: int, whole: int) -> Figure:
    return Figure(round(100 * part / whole) if whole else None, whole)
