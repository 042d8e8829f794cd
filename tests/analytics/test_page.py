"""The page, its drill-downs and its CSV: who may read them, what they show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stakeholders.services import review_give_verdict

pytestmark = pytest.mark.django_db

PAGE = reverse("where_time_goes")


def _login(client, user):
    client.force_login(user)
    return client


def test_an_executive_reads_every_section(client, personas, deal_in_review):
    review_give_verdict(
        review=deal_in_review.reviews.get(department__slug="legal"),
        user=personas.legal,
        verdict="approve",
    )
    response = _login(client, personas.executive).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    for heading in (
        "Stage funnel",
        "Department turnaround",
        "Waiting on whom now",
        "Bottleneck now",
        "Revision rounds and approval resets",
        "Review turnaround by month",
    ):
        assert heading in text
    assert "fewer than 5" in text  # one review answered: no median shown


def test_htmx_gets_only_the_body(client, personas, deal_in_review):
    response = _login(client, personas.executive).get(
        PAGE, {"days": "business"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="analytics-body"')
    assert "business days" in text


def test_an_owner_without_a_department_may_not_read_it(client, personas):
    assert _login(client, personas.owner).get(PAGE).status_code == 403


def test_the_empty_page_says_what_to_do(client, personas):
    text = _login(client, personas.executive).get(PAGE).content.decode()
    assert "No intervals yet" in text and "analytics_backfill" in text
