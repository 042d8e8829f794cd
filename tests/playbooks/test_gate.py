"""Deviations hold the gate through deals.services.deal_advance: a fallback until its
approver signs it off (and again once the term changes), a walk-away until the sponsor
decides on it — a general overrule does not stand in for that decision."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deals.models import Stage, Term
from deals.services import deal_advance, decision_record, term_revise
from playbooks.services import term_position_approve, term_position_set, walk_away_decide
from stakeholders.services import review_give_verdict

from .conftest import add_term

pytestmark = pytest.mark.django_db
CAP = {"base": "fees_12_months", "carve_outs": ["data protection"]}


@pytest.fixture
def negotiating(personas, deal_in_review):
    """The deal in Negotiation, every department's review approved, with a liability cap
    term placed in Legal's playbook by the test."""
    term = add_term(deal_in_review, personas)
    deal = deal_advance(deal=deal_in_review, user=personas.owner, to_stage=Stage.NEGOTIATION)
    for slug in ("legal", "procurement", "it"):
        review_give_verdict(
            review=deal.reviews.get(department__slug=slug),
            user=getattr(personas, slug),
            verdict="approve",
        )
    return deal, term


def advance(deal, personas):
    return deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)


def refusal(deal, personas) -> str:
    with pytest.raises(ValidationError) as refused:
        advance(deal, personas)
    return " ".join(refused.value.message_dict["to_stage"])


def test_a_fallbacks_approval_holds_the_gate_and_resets_when_the_term_changes(
    personas, playbooks, negotiating
):
    deal, term = negotiating
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.8"},
    )
    said = refusal(deal, personas)
    assert (
        "approval by a reviewer of the department (Legal) of “Liability cap” (within fallback 1)"
        in said
    )

    # Procurement's reviewer holds no approver role for Legal's clause.
    with pytest.raises(PermissionDenied):
        term_position_approve(term=term, user=personas.procurement)
    term_position_approve(term=term, user=personas.legal)
    assert advance(deal, personas).stage == Stage.APPROVED

    # The wording changes: the deal drops back to Negotiation, Legal's review re-opens,
    # and the fallback's approval no longer covers the term.
    term = term_revise(
        term=Term.objects.get(pk=term.pk),
        user=personas.owner,
        wording="Capped at 80% of the fees of the last 12 months.",
        expected_version=term.version,
    )
    deal.refresh_from_db()
    assert deal.stage == Stage.NEGOTIATION
    review_give_verdict(
        review=deal.reviews.get(department__slug="legal"), user=personas.legal, verdict="approve"
    )
    assert "(within fallback 1)" in refusal(deal, personas)
    term_position_approve(term=term, user=personas.legal)
    assert advance(deal, personas).stage == Stage.APPROVED


def test_a_second_fallback_needs_the_departments_lead(personas, playbooks, negotiating):
    deal, term = negotiating
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.5"},
    )
    assert "the department's lead (Legal)" in refusal(deal, personas)
    term_position_approve(term=term, user=personas.legal)  # the fixtures' Legal lead
    assert advance(deal, personas).stage == Stage.APPROVED


def test_placing_the_term_again_needs_the_approval_again(personas, playbooks, negotiating):
    deal, term = negotiating
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.8"},
    )
    term_position_approve(term=term, user=personas.legal)
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.5"},
    )
    assert "(within fallback 2)" in refusal(deal, personas)


def test_a_walk_away_without_a_sponsor_decision_blocks(personas, playbooks, negotiating):
    deal, term = negotiating
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.2"},
    )
    assert "the sponsor's decision on the walk-away in “Liability cap”" in refusal(deal, personas)
    # The sponsor's overrule lets a deal past missing sign-offs, not past a walk-away.
    decision_record(
        deal=deal,
        user=personas.executive,
        data={"kind": "override", "title": "Go", "rationale": "Needed.", "overrules_gate": True},
    )
    assert "overrule does not cover it" in refusal(deal, personas)
    # Only the sponsor decides it, with a reason; the decision names the term.
    with pytest.raises(PermissionDenied):
        walk_away_decide(term=term, user=personas.owner, rationale="Fine.")
    with pytest.raises(ValidationError):
        walk_away_decide(term=term, user=personas.executive, rationale=" ")
    decision = walk_away_decide(
        term=term,
        user=personas.executive,
        rationale="The partner is the only supplier; insurance covers it.",
    )
    assert decision.title == "Past the walk-away on “Liability cap”"
    assert advance(deal, personas).stage == Stage.APPROVED


def test_a_standard_term_and_an_unplaced_one_hold_nothing(personas, playbooks, negotiating):
    deal, term = negotiating
    assert advance(deal, personas).stage == Stage.APPROVED


def test_an_overrule_covers_a_fallback_as_it_covers_a_missing_sign_off(
    personas, playbooks, negotiating
):
    deal, term = negotiating
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.8"},
    )
    decision_record(
        deal=deal,
        user=personas.executive,
        data={"kind": "override", "title": "Go", "rationale": "Needed.", "overrules_gate": True},
    )
    assert advance(deal, personas).stage == Stage.APPROVED
