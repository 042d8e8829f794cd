"""The gate holds on every path: a verdict covers only the wording it saw, on the way
into Approved, Signed and Live alike (issue 12, findings 1, 2 and 8)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from deals.models import PIPELINE, Decision, DecisionKind, Stage, Term, TermStatus
from deals.services import (
    StageMoved,
    deal_advance,
    deal_update,
    decision_record,
    term_create,
    term_revise,
)
from stakeholders.models import APPROVALS, ReviewStatus
from stakeholders.services import concern_raise, review_give_verdict
from stakeholders.signoff import current_terms_stamp, required_departments
from tests.factories import DealFactory, PartnershipFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db

LEGAL_TERM = {
    "category": "termination",
    "title": "Termination for convenience",
    "wording": "Partner may terminate at will; we pay all costs.",
}


def add_legal_term(deal, owner):
    return term_create(
        deal=deal, user=owner, data={**LEGAL_TERM, "department": department("legal")}
    )


def overrule(*, deal, sponsor):
    """The sponsor's decision that overrules the gate."""
    return decision_record(
        deal=deal,
        user=sponsor,
        data={
            "kind": DecisionKind.OVERRIDE,
            "title": "Go ahead",
            "rationale": "Worth it.",
            "overrules_gate": True,
        },
    )


def _approve_all(deal, personas):
    for review in deal.reviews.filter(status=ReviewStatus.PENDING).select_related("department"):
        reviewer = getattr(personas, review.department.slug)
        review_give_verdict(
            review=review,
            user=reviewer,
            verdict="approve",
            terms_seen=current_terms_stamp(review),
        )


@pytest.fixture
def negotiating(personas, partnership):
    """A deal in Negotiation with Legal, Procurement and IT all approved."""
    deal = DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)
    for stage in (Stage.BUSINESS_CASE, Stage.REVIEW, Stage.NEGOTIATION):
        deal = deal_advance(deal=deal, user=personas.owner, to_stage=stage)
    _approve_all(deal, personas)
    return deal


def test_a_term_added_after_approval_reopens_its_departments_review(personas, negotiating):
    add_legal_term(negotiating, personas.owner)

    legal = negotiating.reviews.get(department__slug="legal")
    assert legal.status == ReviewStatus.PENDING
    assert legal.round == 2
    with pytest.raises(ValidationError, match="sign-off from Legal"):
        deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)


def test_wording_changed_after_approval_sends_the_deal_back_to_negotiation(personas, negotiating):
    term = add_legal_term(negotiating, personas.owner)
    _approve_all(negotiating, personas)
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    term_revise(
        term=term, user=personas.owner, wording="We may terminate at will.", expected_version=1
    )

    deal.refresh_from_db()
    assert deal.stage == Stage.NEGOTIATION
    assert deal.stage_changes.last().note.startswith("Term “Termination for convenience” changed")
    with pytest.raises(ValidationError, match="sign-off from Legal"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
    _approve_all(deal, personas)
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
    assert deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED).stage == Stage.SIGNED


def test_a_term_revised_after_approval_holds_signing_until_its_department_approves_again(
    personas, negotiating
):
    """Finding 2 as reported: the revision re-opens Legal's review; the deal is not signed."""
    term = add_legal_term(negotiating, personas.owner)
    _approve_all(negotiating, personas)
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    term_revise(
        term=term, user=personas.owner, wording="We pay half the costs.", expected_version=1
    )
    assert deal.reviews.get(department__slug="legal").status == ReviewStatus.PENDING

    with pytest.raises(ValidationError):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)
    deal.refresh_from_db()
    assert deal.stage != Stage.SIGNED


@pytest.mark.parametrize("into", [Stage.SIGNED, Stage.LIVE])
def test_a_blocking_concern_raised_after_approval_holds_every_later_gated_stage(
    personas, negotiating, into
):
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    if into == Stage.LIVE:
        deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)
    concern_raise(
        deal=deal,
        user=personas.legal,
        data={"title": "Data residency", "detail": "Calls are recorded abroad.", "blocking": True},
    )

    with pytest.raises(ValidationError, match="1 blocking concern to be resolved"):
        deal_advance(deal=deal, user=personas.owner, to_stage=into)


def test_signing_checks_the_departments_required_today(personas, negotiating):
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    deal_update(deal=deal, user=personas.owner, data={"contract_value": Decimal("5000000")})

    with pytest.raises(ValidationError, match="move to Signed only when.*Security"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)


def test_terms_of_a_signed_deal_do_not_change_in_place(personas, negotiating):
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)
    with pytest.raises(ValidationError, match="terms are those signed"):
        add_legal_term(deal, personas.owner)


def test_withdrawing_a_term_reopens_the_review_that_covered_it(personas, negotiating):
    term = add_legal_term(negotiating, personas.owner)
    _approve_all(negotiating, personas)
    term_revise(
        term=term,
        user=personas.owner,
        wording=term.wording,
        status=TermStatus.WITHDRAWN,
        expected_version=1,
    )
    assert negotiating.reviews.get(department__slug="legal").status == ReviewStatus.PENDING


def test_an_overrule_made_before_the_wording_changed_does_not_cover_it(personas, negotiating):
    overrule(deal=negotiating, sponsor=personas.executive)
    add_legal_term(negotiating, personas.owner)
    with pytest.raises(ValidationError):
        deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)


def test_a_move_from_a_stage_the_deal_has_left_is_refused(personas, negotiating):
    with pytest.raises(StageMoved):
        deal_advance(
            deal=negotiating,
            user=personas.owner,
            to_stage=Stage.ON_HOLD,
            seen_stage=Stage.REVIEW,
        )


def test_the_move_form_from_an_old_page_answers_409_and_says_what_changed(
    client, personas, negotiating
):
    client.force_login(personas.owner)
    response = client.post(
        f"/deals/{negotiating.pk}/advance/",
        {"to_stage": Stage.ON_HOLD, "from_stage": Stage.REVIEW, "note": ""},
    )
    assert response.status_code == 409
    assert "has moved to Negotiation" in response.content.decode()
    negotiating.refresh_from_db()
    assert negotiating.stage == Stage.NEGOTIATION


def test_the_deal_page_carries_the_stage_it_shows(client, personas, negotiating):
    client.force_login(personas.owner)
    page = client.get(f"/deals/{negotiating.pk}/").content.decode()
    assert '<input type="hidden" name="from_stage" value="negotiation">' in page


# The property: whatever people do, in any order, a deal in Approved, Signed or Live
# has every required department's latest verdict covering the current wording,
# unless the sponsor's overrule covers it.

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(["legal", "procurement", "it"])),
        st.tuples(st.just("revise"), st.integers(0, 5)),
        st.tuples(st.just("withdraw"), st.integers(0, 5)),
        st.tuples(st.just("approve"), st.sampled_from(["legal", "procurement", "it"])),
        st.tuples(st.just("approve_stale"), st.sampled_from(["legal", "procurement", "it"])),
        st.tuples(st.just("changes"), st.sampled_from(["legal", "procurement", "it"])),
        st.tuples(st.just("move"), st.sampled_from(list(Stage))),
        # Mostly forward along the pipeline, so that sequences reach the gated stages.
        st.tuples(st.just("advance"), st.just(None)),
        st.tuples(st.just("advance"), st.just(None)),
        st.tuples(st.just("approve_all"), st.just(None)),
        st.tuples(st.just("overrule"), st.just(None)),
    ),
    max_size=30,
)


class TestGateProperty(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(actions=ACTIONS)
    def test_no_deal_is_past_the_gate_on_wording_nobody_approved(self, actions):
        owner = UserFactory()
        sponsor = UserFactory()
        reviewers = {
            slug: make_member(UserFactory(), slug) for slug in ("legal", "procurement", "it")
        }
        deal = DealFactory(partnership=PartnershipFactory(), owner=owner, sponsor=sponsor)
        for stage in (Stage.BUSINESS_CASE, Stage.REVIEW):
            deal = deal_advance(deal=deal, user=owner, to_stage=stage)
        stale_stamps: dict[str, str] = {}
        for kind, arg in actions:
            deal.refresh_from_db()
            terms = list(Term.objects.filter(deal=deal).order_by("pk"))
            try:
                if kind == "add":
                    term_create(
                        deal=deal,
                        user=owner,
                        data={**LEGAL_TERM, "department": department(arg)},
                    )
                elif kind in ("revise", "withdraw") and terms:
                    term = terms[arg % len(terms)]
                    term_revise(
                        term=term,
                        user=owner,
                        wording=term.wording + " Amended." if kind == "revise" else term.wording,
                        status=TermStatus.WITHDRAWN if kind == "withdraw" else None,
                        expected_version=term.version,
                    )
                elif kind in ("approve", "approve_stale", "changes"):
                    review = deal.reviews.filter(department__slug=arg).first()
                    if review is None:
                        continue
                    stamp = current_terms_stamp(review)
                    if kind == "approve_stale":
                        stamp = stale_stamps.get(arg, stamp)
                    stale_stamps[arg] = current_terms_stamp(review)
                    review_give_verdict(
                        review=review,
                        user=reviewers[arg],
                        verdict="approve" if kind != "changes" else "request_changes",
                        text="" if kind != "changes" else "Change it.",
                        terms_seen=stamp,
                    )
                elif kind == "move":
                    deal_advance(deal=deal, user=owner, to_stage=arg)
                elif kind == "advance" and deal.stage in PIPELINE[:-1]:
                    following = PIPELINE[PIPELINE.index(deal.stage) + 1]
                    deal_advance(deal=deal, user=owner, to_stage=following)
                elif kind == "approve_all":
                    for review in deal.reviews.filter(status=ReviewStatus.PENDING):
                        review_give_verdict(
                            review=review,
                            user=reviewers[review.department.slug],
                            verdict="approve",
                            terms_seen=current_terms_stamp(review),
                        )
                elif kind == "overrule":
                    overrule(deal=deal, sponsor=sponsor)
            except Exception as refused:  # a refusal is fine; what got through is checked
                if type(refused).__name__ not in (
                    "ValidationError",
                    "TermsChanged",
                    "VerdictAlreadyGiven",
                    "TermConflict",
                    "StageMoved",
                ):
                    raise
            self._assert_gate_held(deal)

    def _assert_gate_held(self, deal):
        deal.refresh_from_db()
        if deal.stage not in (Stage.APPROVED, Stage.SIGNED, Stage.LIVE):
            return
        entered = deal.stage_changes.filter(to_stage=deal.stage).latest("at").at
        overrules = Decision.objects.filter(deal=deal, overrules_gate=True)
        reviews = {r.department_id: r for r in deal.reviews.all()}
        for dep in required_departments(deal):
            review = reviews.get(dep.pk)
            latest_change = (
                Term.objects.filter(deal=deal, department=dep).order_by("-updated_at").first()
            )
            covered = (
                review is not None
                and review.status in APPROVALS
                and (latest_change is None or review.decided_at >= latest_change.updated_at)
            )
            if covered:
                continue
            # Otherwise only an overrule recorded after the last change, before the move.
            last_change = latest_change.updated_at if latest_change else None
            assert any(
                o.decided_at <= entered and (last_change is None or o.decided_at >= last_change)
                for o in overrules
            ), f"{deal.stage} without {dep.name}'s verdict on the current wording"


def test_adding_a_term_to_a_signed_deal_is_refused_at_the_form_not_a_500(
    client, personas, negotiating
):
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)
    client.force_login(personas.owner)

    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f"/deals/{deal.pk}/terms/new/" not in page
    response = client.post(
        f"/deals/{deal.pk}/terms/new/", {**LEGAL_TERM, "department": department("legal").pk}
    )
    assert response.status_code == 422
    assert "its terms are those signed" in response.content.decode()
    assert not Term.objects.filter(deal=deal).exists()


def test_a_decision_on_a_deal_that_changed_since_the_form_was_opened_is_refused(
    client, personas, negotiating
):
    client.force_login(personas.executive)
    form = client.get(f"/deals/{negotiating.pk}/decisions/new/").content.decode()
    seen = re.search(r'name="seen" value="([^"]*)"', form).group(1)
    # Meanwhile the owner adds a term the sponsor never saw.
    add_legal_term(negotiating, personas.owner)

    response = client.post(
        f"/deals/{negotiating.pk}/decisions/new/",
        {
            "kind": DecisionKind.OVERRIDE,
            "title": "Go ahead",
            "rationale": "Worth it, whatever Legal says.",
            "overrules_gate": "on",
            "seen": seen,
        },
    )
    assert response.status_code == 409
    assert "The deal changed while you were deciding" in response.content.decode()
    assert not Decision.objects.filter(deal=negotiating).exists()


def test_an_overrule_made_below_the_gate_carries_the_deal_through_signing(personas, negotiating):
    add_legal_term(negotiating, personas.owner)
    overrule(deal=negotiating, sponsor=personas.executive)
    deal = deal_advance(deal=negotiating, user=personas.owner, to_stage=Stage.APPROVED)
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.SIGNED)
    assert deal_advance(deal=deal, user=personas.owner, to_stage=Stage.LIVE).stage == Stage.LIVE
