"""A term's deviation from its playbook, structured values compared numerically."""

from __future__ import annotations

import pytest

from deals.models import Term
from playbooks import deviation as dev
from playbooks.models import ClauseType, Position, Tier
from playbooks.selectors import assess
from playbooks.services import term_position_set

from .conftest import add_term, department, position

pytestmark = pytest.mark.django_db


def place(deal, personas, clause, value, *, position=None, **term):
    found = add_term(deal, personas, **term)
    term_position_set(
        term=found, user=personas.owner, clause_type=clause, position=position, value=value
    )
    fresh = Term.objects.get(pk=found.pk)
    return assess(deal, [fresh]).rows[0]


CAP = {"base": "fees_12_months", "carve_outs": ["data protection"]}


def test_a_cap_of_twice_the_fees_is_standard_where_the_standard_is_at_least_once(
    personas, deal, playbooks
):
    row = place(deal, personas, playbooks["cap"], {**CAP, "multiple": "2"})
    assert row.found.kind == dev.STANDARD
    assert row.found.label == "Standard"
    assert not row.hold


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ({**CAP, "multiple": "0.8"}, "Within fallback 1"),
        ({**CAP, "multiple": "0.5"}, "Within fallback 2"),
        ({**CAP, "multiple": "0.4"}, "Outside the playbook"),
        ({**CAP, "multiple": "0.2"}, "Walk-away"),
        # Twice the fees, but without the data protection carve-out: no position allows it.
        ({"base": "fees_12_months", "multiple": "2", "carve_outs": []}, "Outside the playbook"),
        # Twice the whole contract value: another base, not the playbook's.
        ({**CAP, "base": "contract_value", "multiple": "2"}, "Outside the playbook"),
    ],
)
def test_a_cap_falls_back_in_order_and_walks_away_below_a_quarter(
    personas, deal, playbooks, value, label
):
    assert place(deal, personas, playbooks["cap"], value).found.label == label


def test_sixty_day_payment_is_outside_where_standard_is_30_and_the_fallback_45(
    personas, deal, playbooks
):
    terms = {
        "title": "Payment",
        "category": "payment",
        "slug": "procurement",
        "wording": "Invoices are payable within 60 days of receipt.",
    }
    row = place(deal, personas, playbooks["payment"], {"days": "60"}, **terms)
    assert row.found.kind == dev.OUTSIDE
    assert row.found.label == "Outside the playbook"
    # Outside the playbook is approved as a custom term: by the clause's custom approver.
    assert row.approver == "lead"
    assert "approval by the department's lead (Procurement)" in row.hold
    assert place(deal, personas, playbooks["payment"], {"days": "45"}, **terms).found.label == (
        "Within fallback 1"
    )
    assert place(deal, personas, playbooks["payment"], {"days": "30"}, **terms).found.kind == (
        dev.STANDARD
    )


def test_a_governing_law_outside_the_accepted_list_is_outside_the_playbook(
    personas, deal, playbooks
):
    terms = {"title": "Governing law", "category": "other"}
    assert place(deal, personas, playbooks["law"], {"law": "New York"}, **terms).found.kind == (
        dev.OUTSIDE
    )
    assert place(deal, personas, playbooks["law"], {"law": "ireland"}, **terms).found.label == (
        "Within fallback 1"
    )
    assert (
        place(deal, personas, playbooks["law"], {"law": "England and Wales"}, **terms).found.kind
        == dev.STANDARD
    )


def test_without_a_structured_value_the_position_chosen_says_it_and_none_is_custom(
    personas, deal, playbooks
):
    fallback = Position.objects.get(clause_type=playbooks["law"], tier=Tier.FALLBACK)
    terms = {"title": "Governing law", "category": "other"}
    assert place(deal, personas, playbooks["law"], {}, position=fallback, **terms).found.label == (
        "Within fallback 1"
    )
    custom = place(deal, personas, playbooks["law"], {}, **terms)
    assert custom.place.is_custom
    assert custom.found.label == "Outside the playbook"


def test_a_clause_the_scope_requires_is_missing_until_a_term_covers_it(personas, deal, playbooks):
    assert [c.name for c in assess(deal, []).missing] == ["Liability cap"]
    row = place(deal, personas, playbooks["cap"], {**CAP, "multiple": "1"})
    assert assess(deal, [row.term]).missing == []


def test_a_required_clause_out_of_the_deals_value_band_is_not_missing(personas, deal, playbooks):
    Position.objects.filter(clause_type=playbooks["cap"]).update(value_min=10**9)
    assert assess(deal, []).missing == []


def test_the_standard_wording_is_shown_as_a_word_diff_against_the_terms(personas, deal, playbooks):
    row = place(
        deal,
        personas,
        playbooks["cap"],
        {**CAP, "multiple": "2"},
        wording="Each party's total liability is capped at 200% of the fees paid in "
        "the previous 12 months. The cap does not apply to data protection breaches.",
    )
    assert "<del>100%</del><ins>200%</ins>" in row.diff


def test_notice_days_compare_as_numbers_and_a_year_or_more_walks_away(personas, deal, playbooks):
    notice = ClauseType.objects.create(
        slug="termination-convenience",
        name="Termination for convenience",
        department=department("legal"),
        category="termination",
        kind="notice_days",
    )
    version = playbooks["legal"].versions.get()
    position(version, notice, Tier.STANDARD, bounds={"max_days": 90})
    position(version, notice, Tier.FALLBACK, 1, approver_role="lead", bounds={"max_days": 180})
    position(version, notice, Tier.WALK_AWAY, 9, bounds={"min_days": 365})
    terms = {"title": "Termination", "category": "termination"}
    for days, label in [
        ("90", "Standard"),
        ("120", "Within fallback 1"),
        ("200", "Outside the playbook"),
        ("400", "Walk-away"),
    ]:
        assert place(deal, personas, notice, {"days": days}, **terms).found.label == label
