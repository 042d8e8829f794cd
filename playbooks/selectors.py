"""Reads: the playbook versions a deal is on, and each of its terms against them.

`assess(deal, terms)` is what the deal page, the review page and the gate show: three
queries whatever the number of terms (the versions, their positions, the terms' places).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from deals.diff import word_diff
from deals.models import Term, TermStatus
from deals.selectors import get_under_deal_for_user

from . import deviation as dev
from .models import (
    ApproverRole,
    DealPlaybook,
    Playbook,
    PlaybookVersion,
    Position,
    TermPosition,
    Tier,
)

STALE_AFTER = dt.timedelta(days=365)


@dataclass
class Pin:
    playbook: Playbook
    version: PlaybookVersion  # the deal's: pinned, or the one effective when it started
    current: PlaybookVersion  # the newest in effect today
    pinned: bool  # stored on the deal (DealPlaybook), not only inferred

    @property
    def newer_available(self) -> bool:
        return self.current.number > self.version.number


def current_version(versions: list[PlaybookVersion], today: dt.date) -> PlaybookVersion:
    """The newest version in effect on `today` (the first when none is yet)."""
    effective = [v for v in versions if v.effective_from <= today]
    return max(effective or versions[:1], key=lambda v: v.number)


def pins(deal) -> dict[int, Pin]:
    """Each playbook's version for the deal, by playbook id (one query). A deal keeps the
    version stored on it; without one (a deal older than the playbook), the version in
    effect when the deal was created."""
    versions = (
        PlaybookVersion.objects.select_related("playbook__department")
        .annotate(
            pinned=Exists(DealPlaybook.objects.filter(deal_id=deal.pk, version=OuterRef("pk")))
        )
        .order_by("playbook_id", "number")
    )
    grouped: dict[int, list[PlaybookVersion]] = defaultdict(list)
    for version in versions:
        grouped[version.playbook_id].append(version)
    started = timezone.localdate(deal.created_at)
    today = timezone.localdate()
    found = {}
    for playbook_id, group in grouped.items():
        stored = next((v for v in group if v.pinned), None)
        chosen = stored or current_version(group, started)
        found[playbook_id] = Pin(
            group[0].playbook, chosen, current_version(group, today), bool(stored)
        )
    return found


@dataclass
class Row:
    """One term beside its playbook."""

    term: Term
    place: TermPosition | None
    standard: Position | None  # the clause's standard position in the deal's scope
    found: dev.Deviation | None = None
    approver: str = ""  # ApproverRole value, for a deviation that needs one
    covered: bool = True  # approved or decided for this version of the term
    diff: str = ""

    @property
    def approver_label(self) -> str:
        if not self.approver:
            return ""
        who = ApproverRole(self.approver).label
        if self.approver != ApproverRole.SPONSOR and self.place is not None:
            who = f"{who} ({self.place.clause_type.department.name})"
        return who

    @property
    def hold(self) -> str:
        """What this term holds the gate for, or ""."""
        if self.found is None or self.covered:
            return ""
        title = self.term.title
        if self.found.needs_decision:
            return f"the sponsor's decision on the walk-away in “{title}”"
        return f"approval by {self.approver_label} of “{title}” ({self.found.label.lower()})"


@dataclass
class Assessment:
    rows: list[Row] = field(default_factory=list)
    missing: list = field(default_factory=list)  # clause types required and absent
    pins: dict[int, Pin] = field(default_factory=dict)

    @property
    def holds(self) -> list[Row]:
        return [row for row in self.rows if row.hold]

    @property
    def newer(self) -> list[Pin]:
        return [pin for pin in self.pins.values() if pin.newer_available]

    def row_for(self, term) -> Row | None:
        return next((row for row in self.rows if row.term.pk == term.pk), None)


def assess(deal, terms: list[Term]) -> Assessment:
    """Every term of `terms` against the deal's playbook versions; the clauses the deal's
    scope requires and no live term covers. `deal.partnership.partner` should be loaded."""
    found_pins = pins(deal)
    if not found_pins:
        return Assessment()
    positions = list(
        Position.objects.filter(version__in=[pin.version.pk for pin in found_pins.values()])
        .select_related("clause_type__department")
        .order_by("clause_type_id", "rank")
    )
    in_scope = [p for p in positions if p.applies_to(deal)]
    by_clause: dict[int, list[Position]] = defaultdict(list)
    for position in in_scope:
        by_clause[position.clause_type_id].append(position)
    places = {
        place.term_id: place
        for place in TermPosition.objects.filter(term__in=[t.pk for t in terms]).select_related(
            "clause_type__department", "position", "approved_by"
        )
    }
    rows, covered_clauses = [], set()
    for term in terms:
        place = places.get(term.pk)
        clause_positions = by_clause.get(place.clause_type_id, []) if place else []
        if place is None:
            # Not placed yet: the standard of the one clause type of its category, if any.
            guesses = {
                p.clause_type_id for p in in_scope if p.clause_type.category == term.category
            }
            clause_positions = by_clause[guesses.pop()] if len(guesses) == 1 else []
        standard = next((p for p in clause_positions if p.tier == Tier.STANDARD), None)
        row = Row(term=term, place=place, standard=standard)
        if standard is not None:
            row.diff = word_diff(standard.wording, term.wording)
        if place is not None and term.status != TermStatus.WITHDRAWN:
            covered_clauses.add(place.clause_type_id)
            row.found = dev.deviation(place, clause_positions)
            if row.found.needs_approval or row.found.needs_decision:
                row.approver = dev.approver_role(place, row.found)
                row.covered = (
                    dev.decision_covers(place, term)
                    if row.found.needs_decision
                    else dev.approval_covers(place, term, row.found)
                )
        rows.append(row)
    missing = sorted(
        {
            p.clause_type
            for p in in_scope
            if p.tier == Tier.STANDARD and p.required and p.clause_type_id not in covered_clauses
        },
        key=lambda c: c.name,
    )
    return Assessment(rows=rows, missing=missing, pins=found_pins)


def live_terms(deal) -> list[Term]:
    return list(Term.objects.filter(deal=deal).exclude(status=TermStatus.WITHDRAWN))


def get_term_for_user(user, pk: int) -> Term:
    """A term, or 404 when its deal is not visible to this person."""
    terms = Term.objects.select_related(
        "deal__owner", "deal__sponsor", "deal__partnership__partner", "department"
    )
    return get_under_deal_for_user(terms, user, pk, "term")


def stale_playbooks(now: dt.datetime | None = None):
    """Playbooks nobody reviewed for 12 months: flagged to their departments."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return Playbook.objects.filter(reviewed_at__lt=cutoff).select_related("department")
