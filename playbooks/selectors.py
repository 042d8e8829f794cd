"""Reads: the playbook versions a deal is on, and each of its terms against them.

`assess(deal, terms)` is what the deal page, the review page and the gate show: one
query whatever the number of terms (the versions with their positions), and one more for
the terms' places unless they came with the terms (Term.objects.for_page()).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from deals.diff import word_diff
from deals.models import PLAYBOOK_PLACE, Term, TermStatus
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
        .annotate(pinned=_is_pinned(deal, OuterRef("pk")))
        .order_by("playbook_id", "number")
    )
    return _pins_of(deal, versions)


def _is_pinned(deal, version) -> Exists:
    return Exists(DealPlaybook.objects.filter(deal_id=deal.pk, version=version))


def _pins_of(deal, versions) -> dict[int, Pin]:
    """Pins from versions annotated `pinned`, in playbook and number order."""
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


def positions_and_pins(deal) -> tuple[list[Position], dict[int, Pin]]:
    """The positions of the deal's playbook versions, and the pins, in one query: the
    versions come with their positions (a version always has some: see the admin).

    A deal pinned to a version never needs an older one (the current version is at least
    as new as any it was pinned to), so only versions from its pin on are read: the rows
    grow with the playbooks' edits since the deal's pin, not with every edit ever made."""
    pinned_number = DealPlaybook.objects.filter(
        deal_id=deal.pk, playbook_id=OuterRef("version__playbook_id")
    ).values("version__number")
    rows = list(
        Position.objects.select_related("version__playbook__department", "clause_type__department")
        .annotate(pinned=_is_pinned(deal, OuterRef("version_id")))
        .filter(version__number__gte=Coalesce(Subquery(pinned_number), 0))
        .order_by("version__playbook_id", "version__number", "clause_type_id", "rank")
    )
    versions: dict[int, PlaybookVersion] = {}
    for position in rows:
        position.version.pinned = position.pinned
        versions.setdefault(position.version_id, position.version)
    found_pins = _pins_of(deal, versions.values())
    chosen = {pin.version.pk for pin in found_pins.values()}
    return [p for p in rows if p.version_id in chosen], found_pins


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
    positions, found_pins = positions_and_pins(deal)
    if not found_pins:
        return Assessment()
    in_scope = [p for p in positions if p.applies_to(deal)]
    by_clause: dict[int, list[Position]] = defaultdict(list)
    for position in in_scope:
        by_clause[position.clause_type_id].append(position)
    places = term_places(terms)
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


def term_places(terms: list[Term]) -> dict[int, TermPosition]:
    """Each placed term's place by term id: as loaded with the terms (Term.objects
    .for_page(), deals.models.PLAYBOOK_PLACE), else in one query."""
    places, unread = {}, []
    for term in terms:
        if not Term.playbook_position.is_cached(term):
            unread.append(term.pk)
        else:
            with suppress(TermPosition.DoesNotExist):  # loaded: not placed
                places[term.pk] = term.playbook_position
    if unread:
        found = TermPosition.objects.filter(term__in=unread).select_related(
            "clause_type__department", "position", "approved_by"
        )
        places.update((place.term_id, place) for place in found)
    return places


def live_terms(deal) -> list[Term]:
    terms = Term.objects.filter(deal=deal).select_related(*PLAYBOOK_PLACE)
    return list(terms.exclude(status=TermStatus.WITHDRAWN))


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
