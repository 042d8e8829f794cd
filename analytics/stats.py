"""Figures and the arithmetic behind them.

`interpolate` is percentile_cont's: linear between the two closest ranks. The page reads
its percentiles from histograms (analytics.tally) through it; `percentile` applies it to
a sorted list.

Figures from fewer than MIN_CASES cases are not shown (`Figure.shown`): with four
reviews a median tells more about the four people than about the process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

MIN_CASES = 5


def interpolate(at: Callable[[int], float], n: int, fraction: float) -> float | None:
    """percentile_cont over n ordered values, `at(rank)` the value of a rank (from 0)."""
    if not n:
        return None
    position = fraction * (n - 1)
    low = int(position)
    low_value, high_value = at(low), at(min(low + 1, n - 1))
    return low_value + (high_value - low_value) * (position - low)


def percentile(ordered: list[float], fraction: float) -> float | None:
    """percentile_cont over values sorted ascending."""
    return interpolate(ordered.__getitem__, len(ordered), fraction)


@dataclass
class Group:
    n: int = 0
    values: dict[str, float | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


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
