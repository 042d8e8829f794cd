"""CSV downloads of the dashboard table and the inbox: only rows the reader may see,
the page's filters applied, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from core.export import safe_cell
from deals.models import Stage
from tests.factories import DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","Click")'


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_starts_like_a_formula_is_neutralised(start):
    assert safe_cell(f"{start}1+2") == f"'{start}1+2"


def test_numbers_stay_numbers_and_plain_text_stays_as_it_is():
    assert safe_cell(-5) == -5
    assert safe_cell("Cloud migration") == "Cloud migration"
    assert safe_cell(None) == ""


def test_the_dashboard_csv_lists_what_the_reader_may_see_with_the_filters(
    client_for, personas, partnership
):
    DealFactory(
        title=HOSTILE, partnership=partnership, owner=personas.owner, sponsor=personas.executive
    )
    DealFactory(
        title="Secret merger",
        partnership=partnership,
        owner=personas.executive,
        sponsor=personas.executive,
        confidential=True,
    )
    DealFactory(
        title="Signed supply",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.SIGNED,
    )

    rows = rows_of(client_for(personas.outsider).get("/deals/export.csv"))
    titles = [row[0] for row in rows[1:]]
    assert rows[0][0] == "Deal"
    assert "Secret merger" not in titles  # confidential, and the outsider has no part
    assert f"'{HOSTILE}" in titles
    assert HOSTILE not in titles

    signed = rows_of(client_for(personas.outsider).get("/deals/export.csv?stage=signed"))
    assert [row[0] for row in signed[1:]] == ["Signed supply"]

    sponsor_rows = rows_of(client_for(personas.executive).get("/deals/export.csv"))
    assert "Secret merger" in [row[0] for row in sponsor_rows[1:]]


def test_the_inbox_csv_has_my_departments_reviews_only(client_for, personas, partnership):
    deal = DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)
    ReviewFactory(deal=deal, department=department("legal"))
    ReviewFactory(deal=deal, department=department("it"))

    rows = rows_of(client_for(personas.legal).get("/reviews/export.csv"))

    assert rows[0][:4] == ["Deal", "Partner", "Department", "Status"]
    assert [row[2] for row in rows[1:]] == ["Legal"]


def test_the_pages_link_to_their_csv(client_for, personas, partnership):
    DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)
    assert "/deals/export.csv" in client_for(personas.owner).get("/?stage=intake").content.decode()
    assert "/reviews/export.csv" in client_for(personas.legal).get("/reviews/").content.decode()


# The portfolio and the goals page (metrics/exports.py)

HOSTILE_STARTS = [
    '=HYPERLINK("http://evil.example","Click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rReturned",
]


@pytest.fixture
def live_world(personas, partnership):
    """Live deals titled like formulas, one confidential deal the outsider may not see,
    all serving a goal; one with a business case and a metric."""
    from metrics.models import Outcome
    from tests.factories import (
        AssumptionFactory,
        BusinessCaseFactory,
        OutcomeMetricFactory,
        PartnershipGoalFactory,
    )

    PartnershipGoalFactory(partnership=partnership, goal__title="Grow abroad", fit_score=5)
    deals = [
        DealFactory(
            title=title,
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.LIVE,
        )
        for title in HOSTILE_STARTS
    ]
    secret = DealFactory(
        title="Secret merger",
        partnership=partnership,
        owner=personas.executive,
        sponsor=personas.executive,
        stage=Stage.LIVE,
        confidential=True,
    )
    case = BusinessCaseFactory(deal=deals[0])
    AssumptionFactory(business_case=case, outcome=Outcome.BROKEN)
    OutcomeMetricFactory(deal=deals[0])
    return {"deals": deals, "secret": secret}


@pytest.mark.parametrize("url", ["/portfolio/export.csv", "/goals/export.csv"])
def test_the_portfolio_and_goals_csv_neutralise_every_formula_start(
    client_for, personas, live_world, url
):
    rows = rows_of(client_for(personas.outsider).get(url))
    column = 0 if url.startswith("/portfolio") else 4  # the deal's title
    titles = [row[column] for row in rows[1:]]
    assert sorted(titles) == sorted("'" + title for title in HOSTILE_STARTS)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
            assert not cell.startswith("-") or cell[1:].replace(".", "").isdigit(), row


@pytest.mark.parametrize("url", ["/portfolio/export.csv", "/goals/export.csv"])
def test_the_portfolio_and_goals_csv_leave_out_a_confidential_deal_the_reader_may_not_see(
    client_for, personas, live_world, url
):
    outsider = b"".join(client_for(personas.outsider).get(url).streaming_content)
    assert b"Secret merger" not in outsider
    sponsor = b"".join(client_for(personas.executive).get(url).streaming_content)
    assert b"Secret merger" in sponsor


def test_the_portfolio_csv_has_the_figures_of_the_page(client_for, personas, live_world):
    rows = rows_of(client_for(personas.owner).get("/portfolio/export.csv"))
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    assert header[:4] == ["Deal", "Partner", "Partnership", "Currency"]
    first = dict(zip(header, body["'" + HOSTILE_STARTS[0]], strict=True))
    assert first["Promised NPV"] not in ("", "0")
    assert first["Business case signed off"] == "no"
    assert first["Assumptions broken"] == "1"
    assert first["Metrics not measured"] == "1"
    other = dict(zip(header, body["'+1+2"], strict=True))
    assert other["Promised NPV"] == ""
    assert other["Verdict"] == "Not measured yet"


def test_the_goals_csv_has_one_row_per_goal_and_deal(client_for, personas, live_world):
    rows = rows_of(client_for(personas.owner).get("/goals/export.csv"))
    assert rows[0][:5] == ["Goal", "Partner", "Partnership", "Fit (1-5)", "Deal"]
    assert {row[0] for row in rows[1:]} == {"Grow abroad"}
    assert {row[3] for row in rows[1:]} == {"5"}
    assert len(rows) - 1 == len(HOSTILE_STARTS)


def test_the_portfolio_and_goals_pages_link_to_their_csv(client_for, personas, live_world):
    client = client_for(personas.owner)
    portfolio = client.get("/portfolio/").content.decode()
    goals = client.get("/goals/").content.decode()
    assert 'href="/portfolio/export.csv" download>Download as CSV' in portfolio
    assert 'href="/goals/export.csv" download>Download as CSV' in goals


def test_the_portfolio_csv_makes_the_same_queries_for_more_deals(client_for, personas, partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import BusinessCaseFactory, OutcomeMetricFactory

    client = client_for(personas.owner)

    def add(n):
        for _ in range(n):
            deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.LIVE)
            BusinessCaseFactory(deal=deal)
            OutcomeMetricFactory(deal=deal)

    def download():
        return b"".join(client.get("/portfolio/export.csv").streaming_content)

    add(2)
    download()
    with CaptureQueriesContext(connection) as small:
        download()
    add(8)
    with CaptureQueriesContext(connection) as big:
        body = download()
    assert len(small.captured_queries) == len(big.captured_queries)
    assert body.count(b"\n") == 11  # the header and ten deals
