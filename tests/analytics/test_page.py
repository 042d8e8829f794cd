"""The page, its drill-downs and its CSV: who reads what, in how many queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from analytics.models import IntervalKind
from core import freshness
from deals.models import Stage
from stakeholders.services import review_give_verdict
from tests.analytics.helpers import interval
from tests.factories import DealFactory, department

pytestmark = pytest.mark.django_db

PAGE = reverse("where_time_goes")
DEALS = reverse("analytics_deals")
CSV = reverse("analytics_intervals_export")


def _text(response) -> str:
    return (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )


def _secret_with_history(personas, partnership):
    """A confidential deal with five ended stays in Review and five Legal waits."""
    deal = DealFactory(
        title="Secret merger talks",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.NEGOTIATION,
        confidential=True,
    )
    for days in (1, 2, 3, 4, 5):
        interval(deal, days=days, stage=Stage.REVIEW)
        interval(deal, days=days, kind=IntervalKind.REVIEW, department=department("legal"))
    return deal


def test_an_executive_reads_every_section(client_for, personas, deal_in_review):
    review_give_verdict(
        review=deal_in_review.reviews.get(department__slug="legal"),
        user=personas.legal,
        verdict="approve",
    )
    text = client_for(personas.executive).get(PAGE).content.decode()
    for heading in (
        "Stage funnel",
        "Department turnaround",
        "Waiting on whom now",
        "Bottleneck now",
        "Revision rounds and approval resets",
        "Review turnaround by month",
        "Request type",
    ):
        assert heading in text
    assert "fewer than 5" in text  # one review answered: no median shown
    assert '<svg class="chart' in text and "<details" in text


def test_htmx_gets_only_the_body_with_the_filters_applied(client_for, personas, deal_in_review):
    response = client_for(personas.executive).get(
        PAGE, {"days": "business", "partner_kind": "technology"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="analytics-body"')
    assert "<html" not in text and "business days" in text


def test_an_outsider_sees_no_confidential_deal_s_figures(client_for, personas, partnership):
    _secret_with_history(personas, partnership)
    outsider = client_for(personas.outsider).get(PAGE).content.decode()
    assert "No intervals yet" in outsider
    executive = client_for(personas.executive).get(PAGE).content.decode()
    assert "No intervals yet" not in executive
    listed = client_for(personas.outsider).get(DEALS, {"stage": Stage.REVIEW}).content.decode()
    assert "Secret merger talks" not in listed
    assert "Secret merger talks" not in _text(client_for(personas.outsider).get(CSV))


def test_a_reviewer_reads_only_their_departments_rows(client_for, personas, partnership):
    public = DealFactory(partnership=partnership)
    for slug in ("legal", "it"):
        interval(public, days=2, kind=IntervalKind.REVIEW, department=department(slug))
    text = client_for(personas.legal).get(PAGE).content.decode()
    rows = [
        name for name in ("Legal", "IT", "Finance") if f'{name} <span class="muted">(SLA' in text
    ]
    assert rows == ["Legal"]
    assert (
        client_for(personas.legal).get(DEALS, {"department": department("it").pk}).status_code
        == 404
    )
    rows = list(
        csv.reader(io.StringIO(_text(client_for(personas.legal).get(CSV)).lstrip("\ufeff")))
    )
    departments = {row[5] for row in rows[1:] if row[1] == "review"}
    assert departments == {"Legal"}
    owner = client_for(personas.owner).get(PAGE).content.decode()
    assert "You are in no department" in owner


def test_the_drill_down_lists_the_deals_behind_a_figure_page_by_page(
    client_for, personas, partnership
):
    for n in range(30):
        deal = DealFactory(
            title=f"Behind {n:02d}",
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.NEGOTIATION,
            weekly_cost_of_delay=n,
        )
        interval(deal, days=3, stage=Stage.REVIEW)
    client = client_for(personas.executive)
    first = client.get(DEALS, {"stage": Stage.REVIEW}).content.decode()
    assert "30 deals" in first and "Behind 29" in first and "Behind 00" not in first
    second = client.get(DEALS, {"stage": Stage.REVIEW, "page": 2}).content.decode()
    assert "Behind 00" in second
    now = client.get(DEALS, {"stage": Stage.NEGOTIATION, "now": "1"}).content.decode()
    assert "30 deals" in now
    fragment = client.get(DEALS, {"waiting": "partner"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="deal-list"')
    assert client.get(DEALS, {"stage": "nowhere"}).status_code == 404
    assert "Deals you may see" in client.get(DEALS).content.decode()


def test_the_csv_streams_the_raw_intervals_with_formulas_neutralised(
    client_for, personas, partnership
):
    deal = DealFactory(
        title='=HYPERLINK("http://evil")',
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
    )
    interval(deal, days=2.5, stage=Stage.INTAKE, outcome="business_case")
    response = client_for(personas.executive).get(CSV)
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_text(response).lstrip("\ufeff"))))
    assert rows[0][:4] == ["interval", "kind", "deal id", "deal"]
    assert "actor" not in ",".join(rows[0])  # no person named: no leaderboard
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert (rows[1][1], rows[1][4], rows[1][9], rows[1][11]) == (
        "stage",
        "intake",
        "2.5",
        "business_case",
    )


@pytest.mark.parametrize("who", ["executive", "legal"])
def test_the_page_runs_a_fixed_number_of_queries(
    client_for, personas, partnership, django_assert_max_num_queries, who
):
    client = client_for(getattr(personas, who))
    counts = []
    for size in (3, 30):
        for n in range(size):
            deal = DealFactory(
                partnership=partnership,
                owner=personas.owner,
                sponsor=personas.executive,
                stage=Stage.REVIEW,
                confidential=n % 3 == 0,
            )
            interval(deal, days=n + 1, stage=Stage.BUSINESS_CASE)
            interval(deal, days=n + 1, kind=IntervalKind.REVIEW, department=department("legal"))
        freshness.bump()  # a first view: the navigation's cached counts composed afresh
        with django_assert_max_num_queries(17) as captured:
            assert client.get(PAGE, {"days": "business"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2024-13", "²⁰²⁴-01"])
def test_a_month_off_the_calendar_is_no_such_month(client_for, personas, month):
    page = client_for(personas.executive).get(DEALS, {"month": month})
    assert page.status_code == 404


@pytest.mark.parametrize("where", [PAGE, DEALS, CSV])
def test_a_sponsor_id_past_64_bits_is_an_invalid_choice_not_a_500(client_for, personas, where):
    response = client_for(personas.executive).get(where, {"sponsor": "9" * 20})
    assert response.status_code == 200
    if where == PAGE:
        assert "Select a valid choice" in _text(response)
