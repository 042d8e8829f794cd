"""Editing a playbook makes a new version; a deal keeps the version it started on and
sees a newer one as available, taken on only when its owner or sponsor chooses to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deals.models import Term
from deals.services import deal_create
from playbooks.models import DealPlaybook, Playbook, Position, TermPosition, Tier
from playbooks.selectors import assess, pins, positions_and_pins, stale_playbooks
from playbooks.services import (
    deal_playbook_adopt,
    playbook_mark_reviewed,
    playbook_revise,
    term_position_set,
)

from .conftest import add_term

pytestmark = pytest.mark.django_db
CAP = {"base": "fees_12_months", "carve_outs": ["data protection"]}


def new_deal(personas, partnership):
    return deal_create(
        user=personas.owner,
        data={
            "partnership": partnership,
            "title": "Edge sensors",
            "summary": "Sensors.",
            "owner": personas.owner,
            "sponsor": personas.executive,
            "contract_value": Decimal("400000"),
            "expected_annual_value": Decimal("90000"),
            "term_months": 24,
        },
    )


def standard_cap(playbooks, version=1):
    return Position.objects.get(
        clause_type=playbooks["cap"],
        tier=Tier.STANDARD,
        version__number=version,
        version__playbook=playbooks["legal"],
    )


def test_a_new_deal_is_pinned_to_the_versions_in_effect(personas, partnership, playbooks):
    deal = new_deal(personas, partnership)
    pinned = {p.playbook.title: p.version.number for p in DealPlaybook.objects.filter(deal=deal)}
    assert pinned == {"Legal": 1, "Procurement": 1}


def test_editing_a_playbook_makes_a_new_version_and_the_deal_keeps_its_own(
    personas, partnership, playbooks
):
    deal = new_deal(personas, partnership)
    term = add_term(deal, personas)
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.8"},
    )
    assert assess(deal, [term]).rows[0].found.label == "Within fallback 1"

    # Legal raises its standard to 1.5× and takes the 0.75× fallback away.
    playbook_revise(
        position=standard_cap(playbooks),
        user=personas.legal,
        data={"bounds": {**CAP, "min_multiple": "1.5"}},
        note="Higher standard",
    )
    fallback = Position.objects.get(
        version__number=2,
        version__playbook=playbooks["legal"],
        clause_type=playbooks["cap"],
        tier=Tier.FALLBACK,
        rank=1,
    )
    playbook_revise(
        position=fallback, user=personas.legal, data={"bounds": {**CAP, "min_multiple": "0.9"}}
    )
    assert standard_cap(playbooks, 1).bounds["min_multiple"] == "1"  # never edited
    assert standard_cap(playbooks, 3).bounds["min_multiple"] == "1.5"

    legal = pins(deal)[playbooks["legal"].pk]
    assert (legal.version.number, legal.current.number, legal.newer_available) == (1, 3, True)
    # Not applied silently: the deal is still judged on version 1.
    assert assess(deal, [term]).rows[0].found.label == "Within fallback 1"
    # A deal created now starts on version 3.
    assert pins(new_deal(personas, partnership))[playbooks["legal"].pk].version.number == 3

    with pytest.raises(PermissionDenied):
        deal_playbook_adopt(deal=deal, user=personas.legal, playbook=playbooks["legal"])
    deal_playbook_adopt(deal=deal, user=personas.owner, playbook=playbooks["legal"])
    assert pins(deal)[playbooks["legal"].pk].version.number == 3
    assert assess(deal, [term]).rows[0].found.label == "Within fallback 2"


def summary(found: dict) -> dict:
    return {k: (p.version.number, p.current.number, p.pinned) for k, p in found.items()}


def test_the_assessment_reads_the_versions_with_their_positions_in_one_query(
    personas, partnership, deal, playbooks, django_assert_num_queries
):
    pinned = new_deal(personas, partnership)  # pinned to version 1; `deal` is not
    term = add_term(pinned, personas)
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.8"},
    )
    for _ in range(2):
        playbook_revise(
            position=Position.objects.filter(version__playbook=playbooks["legal"])
            .order_by("version__number")
            .last(),
            user=personas.legal,
            data={"wording": "Edited."},
        )
    for each in (pinned, deal):
        positions, found = positions_and_pins(each)
        assert summary(found) == summary(pins(each))
        chosen = {p.version.pk for p in found.values()}
        assert {p.version_id for p in positions} == chosen
    assert summary(positions_and_pins(pinned)[1])[playbooks["legal"].pk] == (1, 3, True)
    terms = list(Term.objects.filter(deal=pinned).for_page())
    with django_assert_num_queries(1):  # the places came with the terms
        row = assess(pinned, terms).rows[0]
    assert row.found.label == "Within fallback 1" and row.place.clause_type.department.name
    deal_playbook_adopt(deal=pinned, user=personas.owner, playbook=playbooks["legal"])
    assert summary(positions_and_pins(pinned)[1]) == summary(pins(pinned))


def test_a_version_effective_later_is_not_yet_current(personas, partnership, playbooks):
    playbook_revise(
        position=standard_cap(playbooks),
        user=personas.legal,
        data={
            "effective_from": timezone.localdate() + dt.timedelta(days=30),
            "bounds": {**CAP, "min_multiple": "2"},
        },
    )
    deal = new_deal(personas, partnership)
    assert pins(deal)[playbooks["legal"].pk].version.number == 1


def test_a_deal_older_than_its_pin_keeps_the_version_in_effect_when_it_started(
    personas, deal, playbooks
):
    deal.created_at = timezone.now() - dt.timedelta(days=10)
    deal.save()
    playbooks["legal"].versions.update(effective_from=timezone.localdate() - dt.timedelta(days=20))
    playbook_revise(
        position=standard_cap(playbooks),
        user=personas.legal,
        data={"bounds": {**CAP, "min_multiple": "2"}},
    )
    legal = pins(deal)[playbooks["legal"].pk]
    assert not legal.pinned and legal.version.number == 1 and legal.newer_available
    # Placing a term stores the pin it was judged on.
    term = add_term(deal, personas)
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "1"},
    )
    assert DealPlaybook.objects.get(deal=deal, playbook=playbooks["legal"]).version.number == 1
    assert TermPosition.objects.get(term=term).clause_type == playbooks["cap"]


def test_only_the_departments_lead_edits_its_playbook(personas, playbooks):
    with pytest.raises(PermissionDenied):
        playbook_revise(
            position=standard_cap(playbooks), user=personas.procurement, data={"wording": "No cap."}
        )


def test_a_playbook_not_reviewed_for_a_year_is_stale_until_its_lead_confirms_it(
    personas, playbooks
):
    playbooks["legal"].__class__.objects.filter(pk=playbooks["legal"].pk).update(
        reviewed_at=timezone.now() - dt.timedelta(days=400)
    )
    assert [p.title for p in stale_playbooks()] == ["Legal"]
    playbook_mark_reviewed(playbook=playbooks["legal"], user=personas.legal)
    assert list(stale_playbooks()) == []


def test_a_stale_playbook_is_flagged_in_its_departments_digest(client_for, personas, playbooks):
    Playbook.objects.filter(pk=playbooks["legal"].pk).update(
        reviewed_at=timezone.now() - dt.timedelta(days=400)
    )
    legal = client_for(personas.legal).get("/digest/preview/?format=text").content.decode()
    assert "PLAYBOOK TO REVIEW: the Legal playbook has not been reviewed since" in legal
    it = client_for(personas.it).get("/digest/preview/?format=text").content.decode()
    assert "PLAYBOOK TO REVIEW" not in it


def test_an_older_version_is_not_edited_into_a_newer_one(personas, playbooks):
    first = standard_cap(playbooks)
    playbook_revise(position=first, user=personas.legal, data={"wording": "Version two."})
    with pytest.raises(ValidationError):
        playbook_revise(position=first, user=personas.legal, data={"wording": "From one."})
    assert playbooks["legal"].versions.count() == 2
