"""Business value in a real browser: htmx reorders the journey and records check-ins in place."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from metrics.models import CheckIn, JourneyStage
from tests.factories import PASSWORD, DealFactory, JourneyStageFactory, OutcomeMetricFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def journey_deal(personas):
    deal = DealFactory(owner=personas.owner, sponsor=personas.executive, title="Checkout revamp")
    for name in ("Discover", "Buy", "Get help"):
        JourneyStageFactory(deal=deal, name=name)
    return deal


def test_the_owner_reorders_the_journey_without_a_page_reload(
    page: Page, live_server, journey_deal
):
    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}/deals/{journey_deal.pk}/journey/")
    page.evaluate("window.__stillTheSamePage = true")
    rows = page.locator("#journey-list li .journey-name")
    expect(rows).to_have_text(["Discover", "Buy", "Get help"])

    with page.expect_response(lambda r: "/move/" in r.url and r.status == 200):
        page.get_by_role("button", name="Move Get help up").click()

    expect(rows).to_have_text(["Discover", "Get help", "Buy"])
    assert page.evaluate("window.__stillTheSamePage") is True
    assert list(JourneyStage.objects.values_list("name", flat=True)) == [
        "Discover",
        "Get help",
        "Buy",
    ]
    # The new order survives a reload, and the first stage cannot move further up.
    page.reload()
    expect(rows).to_have_text(["Discover", "Get help", "Buy"])
    expect(page.get_by_role("button", name="Move Discover up")).to_be_disabled()


def test_a_check_in_is_recorded_in_place_and_a_bad_one_shows_its_message(
    page: Page, live_server, journey_deal
):
    metric = OutcomeMetricFactory(deal=journey_deal, name="Conversion rate")
    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}/metrics/{metric.pk}/")
    page.evaluate("window.__stillTheSamePage = true")

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page.get_by_label("Date").fill(tomorrow)
    page.get_by_label("Actual value").fill("57.5")
    page.get_by_role("button", name="Record check-in").click()
    expect(page.locator("#check-ins .error")).to_contain_text("cannot be dated in the future")
    assert not CheckIn.objects.exists()

    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record check-in").click()
    expect(page.locator("#check-ins table")).to_contain_text("57.5 %")
    expect(page.locator("#check-ins .chart-wide svg.chart circle")).to_have_count(1)
    assert page.evaluate("window.__stillTheSamePage") is True
    assert CheckIn.objects.get().actual == 57.5


def test_the_owner_adds_years_to_a_business_case_in_one_save(page: Page, live_server, journey_deal):
    """A new case offers years 1 to 3 and a blank row; "Add a year" adds rows in place."""
    from metrics.models import BusinessCase

    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}/deals/{journey_deal.pk}/business-case/")
    page.evaluate("window.__stillTheSamePage = true")
    page.get_by_label("One-off costs, row 1").fill("50000")
    for _ in range(2):
        with page.expect_response(lambda r: "/year-row/" in r.url and r.status == 200):
            page.get_by_role("button", name="Add a year").click()
    expect(page.get_by_label("Year, row 6")).to_be_visible()
    assert page.evaluate("window.__stillTheSamePage") is True
    for row, year in ((4, 4), (5, 5)):
        page.get_by_label(f"Year, row {row}").fill(str(year))
        page.get_by_label(f"Revenue growth, row {row}").fill(str(year * 10000))
    page.get_by_role("button", name=re.compile("Save")).click()  # row 6 left blank
    expect(page).to_have_url(re.compile(rf"/deals/{journey_deal.pk}/"))
    case = BusinessCase.objects.get(deal=journey_deal)
    assert [(y.year, int(y.revenue_growth)) for y in case.years.order_by("year")] == [
        (1, 0),
        (2, 0),
        (3, 0),
        (4, 40000),
        (5, 50000),
    ]
