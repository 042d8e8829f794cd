"""The review page of a decided review (the bench's page: verdict given, "Next review"
link shown) as a first view: a fixed number of queries at two sizes."""

from __future__ import annotations

import pytest

from core import freshness
from stakeholders.services import review_give_verdict
from tests.factories import BusinessCaseFactory, DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 25])
def test_a_decided_reviews_first_view_runs_a_fixed_number_of_queries(
    client_for, personas, partnership, deal_in_review, django_assert_max_num_queries, count
):
    BusinessCaseFactory(deal=deal_in_review)
    BusinessCaseFactory(deal=deal_in_review)
    for _ in range(count):
        ReviewFactory(deal=DealFactory(partnership=partnership), department=department("legal"))
    review = deal_in_review.reviews.get(department__slug="legal")
    review_give_verdict(review=review, user=personas.legal, verdict="approve")
    client = client_for(personas.legal)
    client.get(review.get_absolute_url())
    freshness.bump()  # the navigation's counts composed afresh, as after a change
    # With the request's SAVEPOINT/RELEASE (BEGIN/COMMIT there):
    # session, user, the review, its terms, the department's members, the next review,
    # metrics, the case with its years (one query), goals, the two navigation counts,
    # concerns, other reviews, comments, history, and the deal's playbook versions with
    # their positions (18; one more before the case came with its years).
    with django_assert_max_num_queries(18):
        response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert response.context["next_review"] is not None
    assert response.context["value_summary"]["case"].version == 2
