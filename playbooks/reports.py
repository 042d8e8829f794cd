"""The playbooks' report: where deals leave the playbooks, which fallbacks are used,
which clauses are negotiated most, and which playbooks nobody reviewed for a year.
Over the deals the reader may see; a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count

from deals.models import Deal, TermStatus

from . import deviation as dev
from .models import ClauseType, DealPlaybook, Playbook, PlaybookVersion, Position, TermPosition
from .selectors import current_version, stale_playbooks

DEVIATING = (dev.FALLBACK, dev.OUTSIDE, dev.WALK_AWAY)


def report(user) -> dict:
    visible = Deal.objects.visible_to(user).values("pk")
    places = list(
        TermPosition.objects.filter(term__deal__in=visible)
        .exclude(term__status=TermStatus.WITHDRAWN)
        .select_related("term__department", "term__deal__partnership__partner", "clause_type")
        .annotate(n_revisions=Count("term__revisions"))
    )
    versions: dict[int, list[PlaybookVersion]] = defaultdict(list)
    for version in PlaybookVersion.objects.order_by("number"):
        versions[version.playbook_id].append(version)
    playbook_of = dict(Playbook.objects.values_list("department_id", "pk"))
    pinned = {
        (pin.deal_id, pin.playbook_id): pin.version_id
        for pin in DealPlaybook.objects.filter(deal__in={p.term.deal_id for p in places})
    }
    positions: dict[tuple[int, int], list[Position]] = defaultdict(list)
    for position in Position.objects.all():
        positions[position.version_id, position.clause_type_id].append(position)

    heat: dict[tuple[int, str], int] = Counter()
    fallbacks: Counter = Counter()
    negotiated: Counter = Counter()
    departments: set[str] = set()
    for place in places:
        term, deal = place.term, place.term.deal
        playbook_id = playbook_of.get(place.clause_type.department_id)
        version_id = pinned.get((deal.pk, playbook_id))
        if version_id is None and versions.get(playbook_id):
            version_id = current_version(versions[playbook_id], deal.created_at.date()).pk
        in_scope = [p for p in positions[version_id, place.clause_type_id] if p.applies_to(deal)]
        found = dev.deviation(place, in_scope)
        departments.add(term.department.name)
        if found.kind in DEVIATING:
            heat[place.clause_type_id, term.department.name] += 1
        if found.kind == dev.FALLBACK:
            fallbacks[place.clause_type_id, found.rank] += 1
        negotiated[place.clause_type_id] += max(0, place.n_revisions - 1)
    clauses = {c.pk: c for c in ClauseType.objects.select_related("department")}
    columns = sorted(departments)
    peak = max(heat.values(), default=0)
    rows = [
        {
            "clause": clause,
            "cells": [
                {
                    "department": name,
                    "count": heat[clause.pk, name],
                    "level": round(4 * heat[clause.pk, name] / peak) if peak else 0,
                }
                for name in columns
            ],
        }
        for clause in clauses.values()
        if any(heat[clause.pk, name] for name in columns)
    ]
    return {
        "columns": columns,
        "heat_rows": rows,
        "fallbacks": [
            {"clause": clauses[pk], "rank": rank, "count": count}
            for (pk, rank), count in sorted(fallbacks.items(), key=lambda i: (-i[1], i[0]))
        ],
        "negotiated": [
            {"clause": clauses[pk], "revisions": count}
            for pk, count in negotiated.most_common(10)
            if count
        ],
        "stale": list(stale_playbooks()),
        "placed": len(places),
    }
