"""Routing, deciding, the gate and re-review: the sign-off flow end to end through services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from deals.models import Deal, DecisionKind, Stage, TermCategory
from deals.services import deal_advance, decision_record, term_create, term_revise
from stakeholders.models import ReviewRule, ReviewStatus, RuleCondition
from stakeholders.services import (
    VerdictAlreadyGiven,
    concern_raise,
    concern_resolve,
    review_give_verdict,
    review_reassign,
)
from stakeholders.signoff import add_working_days
from tests.factories import DealFactory, PartnerFactory, PartnershipFactory, department

pytestmark = pytest.mark.django_db


def review_of(deal, slug):
    return deal.reviews.get(department__slug=slug)


def test_entering_review_creates_legal_procurement_and_it_reviews_by_default(deal_in_review):
    assert sorted(deal_in_review.reviews.values_list("department__slug", flat=True)) == [
        "it",
        "legal",
        "procurement",
    ]
    assert set(deal_in_review.reviews.values_list("status", flat=True)) == {ReviewStatus.PENDING}
    assert AuditEvent.objects.filter(deal=deal_in_review, action="review requested").count() == 3


def test_due_dates_count_working_days_from_the_department_sla():
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_working_days(friday, 5) == dt.date(2026, 12, 4)


def test_security_reviews_when_the_partner_handles_customer_data(personas):
    partnership = PartnershipFactory(
        partner=PartnerFactory(handles_customer_data=True), sponsor=personas.executive
    )
    deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.BUSINESS_CASE)
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    assert deal.reviews.filter(department__slug="security").exists()


def test_security_reviews_when_the_value_is_over_the_threshold(personas, partnership):
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        stage=Stage.BUSINESS_CASE,
        contract_value=Decimal("2000000"),
    )
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    assert deal.reviews.filter(department__slug="security").exists()


def test_an_administrator_edits_the_rules(personas, partnership):
    ReviewRule.objects.filter(department__slug="it").update(active=False)
    ReviewRule.objects.create(department=department("finance"), condition=RuleCondition.ALWAYS)
    deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.BUSINESS_CASE)
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    assert sorted(deal.reviews.values_list("department__slug", flat=True)) == [
        "finance",
        "legal",
        "procurement",
    ]


@pytest.mark.parametrize(
    ("decision", "text", "status"),
    [
        ("approve", "", ReviewStatus.APPROVED),
        (
            "approve_with_conditions",
            "Cap liability at 12 months of fees",
            ReviewStatus.APPROVED_WITH_CONDITIONS,
        ),
        ("request_changes", "Add a data processing agreement", ReviewStatus.CHANGES_REQUESTED),
        ("reject", "The partner fails our sanctions screening", ReviewStatus.REJECTED),
    ],
)
def test_a_member_decides_their_department_review(personas, deal_in_review, decision, text, status):
    review = review_give_verdict(
        review=review_of(deal_in_review, "legal"), user=personas.legal, verdict=decision, text=text
    )
    assert review.status == status
    assert review.decided_by == personas.legal
    assert review.decided_at is not None
    event = AuditEvent.objects.get(action="review decided")
    assert event.before == {"status": "pending"} and event.after["status"] == status
    if decision == "approve_with_conditions":
        assert review.conditions == text


@pytest.mark.parametrize("decision", ["approve_with_conditions", "request_changes", "reject"])
def test_conditions_or_a_reason_are_required(personas, deal_in_review, decision):
    with pytest.raises(ValidationError):
        review_give_verdict(
            review=review_of(deal_in_review, "legal"),
            user=personas.legal,
            verdict=decision,
            text="  ",
        )
    assert review_of(deal_in_review, "legal").status == ReviewStatus.PENDING


def test_a_reviewer_cannot_decide_for_another_department(personas, deal_in_review):
    for someone in (personas.procurement, personas.owner, personas.executive, personas.admin):
        with pytest.raises(PermissionDenied):
            review_give_verdict(
                review=review_of(deal_in_review, "legal"), user=someone, verdict="approve"
            )
    assert review_of(deal_in_review, "legal").status == ReviewStatus.PENDING


def test_the_second_decision_on_a_review_is_refused_and_says_who_was_first(
    personas, deal_in_review
):
    from tests.factories import UserFactory, make_member

    colleague = make_member(UserFactory(), "legal")
    stale = review_of(deal_in_review, "legal")
    review_give_verdict(review=stale, user=personas.legal, verdict="approve")
    with pytest.raises(VerdictAlreadyGiven) as lost:
        review_give_verdict(review=stale, user=colleague, verdict="reject", text="No")
    assert lost.value.review.decided_by == personas.legal
    assert review_of(deal_in_review, "legal").status == ReviewStatus.APPROVED
    assert AuditEvent.objects.filter(action="review decided").count() == 1


def test_reassigning_stays_within_the_department(personas, deal_in_review):
    from tests.factories import UserFactory, make_member

    colleague = make_member(UserFactory(), "legal")
    review = review_reassign(
        review=review_of(deal_in_review, "legal"), user=personas.legal, reviewer=colleague
    )
    assert review.reviewer == colleague
    with pytest.raises(ValidationError):
        review_reassign(review=review, user=personas.legal, reviewer=personas.it)


def approve_all(deal, personas):
    for slug in ("legal", "procurement", "it"):
        review_give_verdict(
            review=review_of(deal, slug), user=getattr(personas, slug), verdict="approve"
        )


def test_the_deal_is_approved_only_after_every_sign_off(personas, deal_in_review):
    deal = deal_advance(deal=deal_in_review, user=personas.owner, to_stage=Stage.NEGOTIATION)
    with pytest.raises(ValidationError, match="sign-off from IT, Legal, Procurement"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
    approve_all(deal, personas)
    assert (
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED).stage
        == Stage.APPROVED
    )


def test_a_blocking_concern_holds_the_deal_until_resolved(
    personas, deal_in_negotiation_all_approved
):
    deal = deal_in_negotiation_all_approved
    concern = concern_raise(
        deal=deal,
        user=personas.it,
        data={"title": "No SSO", "detail": "They lack SAML.", "severity": "high", "blocking": True},
    )
    with pytest.raises(ValidationError, match="1 blocking concern"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
    with pytest.raises(PermissionDenied):
        concern_resolve(concern=concern, user=personas.legal, resolution="Not mine")
    concern_resolve(
        concern=concern,
        user=personas.owner,
        resolution="SSO on their roadmap for Q1, contractually",
    )
    assert (
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED).stage
        == Stage.APPROVED
    )


def test_the_sponsor_overrules_the_gate_with_a_recorded_rationale(personas, deal_in_review):
    deal = deal_advance(deal=deal_in_review, user=personas.owner, to_stage=Stage.NEGOTIATION)
    review_give_verdict(
        review=review_of(deal, "procurement"),
        user=personas.procurement,
        verdict="reject",
        text="Too dear",
    )
    with pytest.raises(PermissionDenied):
        decision_record(
            deal=deal,
            user=personas.owner,
            data={
                "kind": DecisionKind.OVERRIDE,
                "title": "Go",
                "rationale": "x" * 30,
                "overrules_gate": True,
            },
        )
    decision_record(
        deal=deal,
        user=personas.executive,
        data={
            "kind": DecisionKind.OVERRIDE,
            "title": "Accept the price for speed to market",
            "rationale": "A year earlier to market is worth more than the 8 % premium.",
            "overrules_gate": True,
        },
    )
    assert (
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED).stage
        == Stage.APPROVED
    )
    assert AuditEvent.objects.filter(deal=deal, action="decision recorded").exists()


def test_editing_an_approved_term_reopens_its_review_and_counts_a_round(personas, deal_in_review):
    term = term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": TermCategory.LIABILITY_CAP,
            "title": "Liability cap",
            "wording": "12 months of fees",
            "department": department("legal"),
        },
    )
    review_give_verdict(
        review=review_of(deal_in_review, "legal"), user=personas.legal, verdict="approve"
    )
    revised = term_revise(
        term=term, user=personas.owner, wording="6 months of fees", expected_version=1
    )

    legal = review_of(deal_in_review, "legal")
    assert legal.status == ReviewStatus.PENDING
    assert legal.needs_rereview
    assert legal.round == 2
    assert Deal.objects.get(pk=deal_in_review.pk).revision_rounds == 1
    assert revised.version == 2
    revision = revised.revisions.last()
    assert (revision.old_wording, revision.new_wording, revision.reopened_review) == (
        "12 months of fees",
        "6 months of fees",
        True,
    )
    assert review_of(deal_in_review, "it").status == ReviewStatus.PENDING  # untouched
    assert not review_of(deal_in_review, "it").needs_rereview


def test_a_term_changed_since_the_form_was_loaded_is_not_overwritten(personas, deal_in_review):
    from deals.services import TermConflict

    term = term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Price",
            "wording": "EUR 100k",
            "department": department("procurement"),
        },
    )
    term_revise(term=term, user=personas.owner, wording="EUR 90k", expected_version=1)
    with pytest.raises(TermConflict) as clash:
        term_revise(term=term, user=personas.owner, wording="EUR 120k", expected_version=1)
    assert clash.value.term.wording == "EUR 90k"
    term.refresh_from_db()
    assert term.wording == "EUR 90k"


def test_only_the_owner_edits_terms(personas, deal_in_review):
    for someone in (personas.legal, personas.executive, personas.outsider):
        with pytest.raises(PermissionDenied):
            term_create(
                deal=deal_in_review,
                user=someone,
                data={
                    "category": "price",
                    "title": "Price",
                    "wording": "1",
                    "department": department("legal"),
                },
            )


def test_a_deal_back_in_review_reopens_the_reviews_that_asked_for_changes(personas, deal_in_review):
    review_give_verdict(
        review=review_of(deal_in_review, "it"),
        user=personas.it,
        verdict="request_changes",
        text="SSO",
    )
    review_give_verdict(
        review=review_of(deal_in_review, "legal"), user=personas.legal, verdict="approve"
    )
    deal = deal_advance(deal=deal_in_review, user=personas.owner, to_stage=Stage.BUSINESS_CASE)
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    assert review_of(deal, "it").status == ReviewStatus.PENDING
    assert review_of(deal, "it").round == 2
    assert review_of(deal, "legal").status == ReviewStatus.APPROVED
