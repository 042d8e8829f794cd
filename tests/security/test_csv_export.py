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
