"""How far a term is from its playbook, computed from loaded rows (no queries).

Structured values are compared numerically where the clause has a kind and the term a
value; otherwise the position chosen says it. Bounds and values by kind:

- cap: bounds {"base", "min_multiple", "max_multiple", "carve_outs": [required…]};
  value {"base", "multiple", "carve_outs": […]}. A base must match; every required
  carve-out must be carved out.
- payment_days, notice_days: bounds {"min_days", "max_days"}; value {"days"}.
- governing_law: bounds {"laws": […]}; value {"law"} (compared case-insensitively).

A walk-away position's bounds are the region where we walk away: a value inside it is a
walk-away whatever else it matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import ApproverRole, ClauseKind, Position, Tier

STANDARD, FALLBACK, OUTSIDE, WALK_AWAY, MISSING = (
    "standard",
    "fallback",
    "outside",
    "walk_away",
    "missing",
)
LABELS = {
    STANDARD: "Standard",
    FALLBACK: "Within fallback {rank}",
    OUTSIDE: "Outside the playbook",
    WALK_AWAY: "Walk-away",
    MISSING: "Missing",
}


@dataclass(frozen=True)
class Deviation:
    kind: str
    rank: int = 0
    position: Position | None = None  # the position the term matches, if any

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.rank}"

    @property
    def label(self) -> str:
        return LABELS[self.kind].format(rank=self.rank)

    @property
    def needs_approval(self) -> bool:
        return self.kind in (FALLBACK, OUTSIDE)

    @property
    def needs_decision(self) -> bool:
        return self.kind == WALK_AWAY


def number(value: Any) -> Decimal | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def has_value(kind: str, value: dict) -> bool:
    """Does the term carry a structured value this kind can compare?"""
    if kind == ClauseKind.CAP:
        return number(value.get("multiple")) is not None
    if kind in (ClauseKind.PAYMENT_DAYS, ClauseKind.NOTICE_DAYS):
        return number(value.get("days")) is not None
    if kind == ClauseKind.GOVERNING_LAW:
        return bool(str(value.get("law") or "").strip())
    return False


def _between(amount: Decimal, low: Any, high: Any) -> bool:
    low, high = number(low), number(high)
    return (low is None or amount >= low) and (high is None or amount <= high)


def within(kind: str, bounds: dict, value: dict) -> bool:
    """Does a structured value lie within a position's bounds?"""
    if kind == ClauseKind.CAP:
        if bounds.get("base") and bounds["base"] != value.get("base"):
            return False
        required = {str(c).strip().lower() for c in bounds.get("carve_outs") or []}
        given = {str(c).strip().lower() for c in value.get("carve_outs") or []}
        multiple = number(value.get("multiple"))
        return (
            multiple is not None
            and _between(multiple, bounds.get("min_multiple"), bounds.get("max_multiple"))
            and required <= given
        )
    if kind in (ClauseKind.PAYMENT_DAYS, ClauseKind.NOTICE_DAYS):
        days = number(value.get("days"))
        return days is not None and _between(days, bounds.get("min_days"), bounds.get("max_days"))
    if kind == ClauseKind.GOVERNING_LAW:
        law = str(value.get("law") or "").strip().lower()
        return law in {str(x).strip().lower() for x in bounds.get("laws") or []}
    return False


def by_value(kind: str, positions: Iterable[Position], value: dict) -> Deviation:
    """The deviation of a structured value against a clause type's positions."""
    ordered = sorted(positions, key=lambda p: p.rank)
    for position in ordered:
        if (
            position.tier == Tier.WALK_AWAY
            and position.bounds
            and within(kind, position.bounds, value)
        ):
            return Deviation(WALK_AWAY, position=position)
    for tier in (Tier.STANDARD, Tier.FALLBACK):
        for position in ordered:
            if position.tier == tier and within(kind, position.bounds, value):
                if tier == Tier.STANDARD:
                    return Deviation(STANDARD, position=position)
                return Deviation(FALLBACK, position.rank, position)
    return Deviation(OUTSIDE)


def by_choice(position: Position | None) -> Deviation:
    """The deviation said by the position chosen (None: a custom term)."""
    if position is None:
        return Deviation(OUTSIDE)
    if position.tier == Tier.STANDARD:
        return Deviation(STANDARD, position=position)
    if position.tier == Tier.FALLBACK:
        return Deviation(FALLBACK, position.rank, position)
    return Deviation(WALK_AWAY, position=position)


def deviation(term_position, positions: Iterable[Position]) -> Deviation:
    """A term's deviation: by its structured value where it has one, else by its choice.
    `positions`: the clause type's positions in the deal's pinned version."""
    kind = term_position.clause_type.kind
    if kind != ClauseKind.TEXT and has_value(kind, term_position.value or {}):
        return by_value(kind, positions, term_position.value)
    return by_choice(term_position.position)


def approver_role(term_position, found: Deviation) -> str:
    """Who approves the deviation: the matching fallback's approver, else the clause's."""
    if found.kind == WALK_AWAY:
        return ApproverRole.SPONSOR
    if found.position is not None and found.position.approver_role:
        return found.position.approver_role
    return term_position.clause_type.custom_approver


def approval_covers(term_position, term, found: Deviation) -> bool:
    """An approval stands for the deviation it approved on the term's version it saw."""
    return (
        term_position.approved_at is not None
        and term_position.approved_term_version == term.version
        and term_position.approved_key == found.key
    )


def decision_covers(term_position, term) -> bool:
    return (
        term_position.decision_id is not None
        and term_position.decision_term_version == term.version
    )
