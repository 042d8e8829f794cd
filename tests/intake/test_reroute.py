"""Changing an answer later routes the deal again: a review no longer needed is marked so
(never deleted) and only the departments whose routing changed start again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditAction, AuditEvent
from deals.models import Stage
from deals.services import deal_advance, deal_update
from intake.services import request_answers_change, request_submit
from stakeholders import signoff
from stakeholders.models import Review, ReviewStatus
from stakeholders.services import review_give_verdict
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db

ANSWERS = {
    "summary": "Loyalty data.",
    "total_value": "250000",
    "personal_data": "yes",
    "categories": ["Contact"],
}


@pytest.fixture
def in_review(personas, form_version, answer_rules):
    intake = request_submit(
        version=form_version,
        user=personas.owner,
        title="Loyalty programme",
        partner_name="Orbit Loyalty",
        sponsor=personas.executive,
        answers=ANSWERS,
    )
    deal = deal_advance(deal=intake.deal, user=personas.owner, to_stage=Stage.BUSINESS_CASE)
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    for slug, person in (
        ("legal", personas.legal),
        ("it", personas.it),
        ("procurement", personas.procurement),
    ):
        review = Review.objects.get(deal=deal, department__slug=slug)
        review_give_verdict(review=review, user=person, verdict="approve")
    return intake


def reviews(deal) -> dict[str, Review]:
    return {
        r.department.slug: r for r in Review.objects.filter(deal=deal).select_related("department")
    }


def test_each_review_says_why_it_was_asked(in_review):
    found = reviews(in_review.deal)
    assert found["security"].reason == "handles personal data = yes"
    assert found["legal"].reason == "every deal"
    event = AuditEvent.objects.get(
        action=AuditAction.REVIEW_REQUESTED, object_id=found["security"].pk
    )
    assert event.after["because"] == "handles personal data = yes"


def test_a_review_no_longer_needed_is_marked_not_deleted_and_others_keep_their_verdicts(
    personas, in_review
):
    before = reviews(in_review.deal)
    done = request_answers_change(
        request=in_review,
        user=personas.owner,
        answers={k: v for k, v in ANSWERS.items() if k != "categories"} | {"personal_data": "no"},
    )
    assert done["not_needed"] == ["Security"] and not done["reopened"]
    after = reviews(in_review.deal)
    assert set(after) == set(before)  # nothing deleted
    assert after["security"].not_needed_at is not None
    for slug in ("legal", "it", "procurement"):
        assert after[slug].status == ReviewStatus.APPROVED and after[slug].round == 1
    assert not Review.objects.open().filter(department__slug="security").exists()
    # The gate no longer waits for Security.
    assert signoff.gate_refusal(in_review.deal, Stage.APPROVED) is None
    assert AuditEvent.objects.filter(action=AuditAction.REVIEW_NOT_NEEDED).count() == 1


def test_a_review_needed_again_is_re_opened_and_only_that_one(personas, in_review):
    deal = in_review.deal
    security = reviews(deal)["security"]
    review_give_verdict(review=security, user=make_security_member(personas), verdict="approve")
    request_answers_change(
        request=in_review, user=personas.owner, answers={**ANSWERS, "personal_data": "no"}
    )
    in_review.refresh_from_db()
    done = request_answers_change(request=in_review, user=personas.owner, answers=ANSWERS)
    assert done["reopened"] == ["Security"]
    after = reviews(deal)
    assert after["security"].status == ReviewStatus.PENDING and after["security"].round == 2
    assert after["security"].not_needed_at is None
    assert all(after[s].status == ReviewStatus.APPROVED for s in ("legal", "it", "procurement"))


def test_a_newly_required_department_is_asked_with_its_reason(personas, in_review):
    done = request_answers_change(
        request=in_review, user=personas.owner, answers={**ANSWERS, "total_value": "2000000"}
    )
    assert done["requested"] == ["Finance"]
    assert reviews(in_review.deal)["finance"].reason == "total value > 1,000,000"


def test_answers_unchanged_touch_nothing(personas, in_review):
    done = request_answers_change(request=in_review, user=personas.owner, answers=ANSWERS)
    assert done == {"not_needed": [], "reopened": [], "requested": []}


def test_the_change_answers_page_re_routes(client_for, personas, in_review):
    client = client_for(personas.owner)
    url = reverse("intake_answers_edit", args=[in_review.deal_id])
    page = client.get(url).content.decode()
    assert (
        "Loyalty data." in page
        and 'value="yes" checked' in page.replace("\n", " ")
        or "checked" in page
    )
    data = {"q-summary": "Loyalty data.", "q-total_value": "250000", "q-personal_data": "no"}
    response = client.post(url, data)
    assert response.status_code == 302
    followed = client.get(response["Location"]).content.decode()
    assert "no longer needed from Security" in followed
    assert "No longer needed" in followed


def make_security_member(personas):
    return make_member(UserFactory(email="security@example.test"), "security")


def test_a_review_marked_not_needed_is_asked_again_when_another_rule_needs_it(personas, in_review):
    request_answers_change(
        request=in_review,
        user=personas.owner,
        answers={k: v for k, v in ANSWERS.items() if k != "categories"} | {"personal_data": "no"},
    )
    deal_update(deal=in_review.deal, user=personas.owner, data={"contract_value": 2_000_000})
    security = reviews(in_review.deal)["security"]
    assert security.not_needed_at is None and security.status == ReviewStatus.PENDING
    assert security.reason == "value > 1,000,000"
    assert Review.objects.filter(deal=in_review.deal, department__slug="security").count() == 1


def test_an_answer_that_fills_a_deal_field_changes_the_deal_too(personas, in_review):
    request_answers_change(
        request=in_review, user=personas.owner, answers={**ANSWERS, "total_value": "1500000"}
    )
    in_review.deal.refresh_from_db()
    assert in_review.deal.contract_value == 1_500_000
    found = reviews(in_review.deal)
    # Finance for the answer; Security now for the value too: a new reason, a new round.
    assert found["finance"].reason == "total value > 1,000,000"
    assert found["security"].reason == "handles personal data = yes; value > 1,000,000"
    assert found["legal"].status == ReviewStatus.APPROVED and found["legal"].round == 1
