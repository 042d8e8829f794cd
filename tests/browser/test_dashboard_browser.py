"""The dashboard in a real browser: Debian's Chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import Page, expect

from deals.models import Stage
from partnerships.models import PartnerKind
from tests.factories import PASSWORD, DealFactory, PartnerFactory, PartnershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(personas):
    consultancy = PartnershipFactory(
        partner=PartnerFactory(name="Meridian Advisory", kind=PartnerKind.CONSULTANCY),
        sponsor=personas.executive,
    )
    cloud = PartnershipFactory(sponsor=personas.executive)
    DealFactory(
        title="Cloud migration", partnership=cloud, stage=Stage.REVIEW, owner=personas.owner
    )
    DealFactory(title="Operating model advice", partnership=consultancy, stage=Stage.NEGOTIATION)
    DealFactory(title="Payments platform", partnership=cloud, stage=Stage.LIVE)
    return personas


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Deal dashboard")).to_be_visible()


def test_an_executive_logs_in_and_filters_the_dashboard_without_a_page_reload(
    page: Page, live_server, desk
):
    log_in(page, live_server.url, "exec@example.test")
    table = page.locator("#deal-table")
    expect(table.get_by_role("link", name="Payments platform")).to_be_visible()
    # A full page load would wipe this marker; an htmx swap keeps it.
    page.evaluate("window.__stillTheSamePage = true")

    with page.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        page.get_by_label("Stage", exact=True).select_option("review")

    expect(table.get_by_role("link", name="Cloud migration")).to_be_visible()
    expect(table.get_by_role("link", name="Payments platform")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"stage=review"))
    assert page.evaluate("window.__stillTheSamePage") is True

    with page.expect_request(lambda r: r.headers.get("hx-request") == "true"):
        page.get_by_label("Search", exact=True).fill("nothing matches this")
    expect(table).to_contain_text("No deals match these filters.")
    assert page.evaluate("window.__stillTheSamePage") is True


def test_a_shared_filter_link_and_the_back_button_restore_the_table(page: Page, live_server, desk):
    log_in(page, live_server.url, "exec@example.test")
    page.goto(f"{live_server.url}/?kind=consultancy")
    expect(page.get_by_label("Partner kind")).to_have_value("consultancy")
    expect(page.locator("#deal-table tbody tr")).to_have_count(1)

    page.get_by_label("Partner kind").select_option("")
    expect(page.locator("#deal-table")).to_contain_text("Payments platform")
    page.go_back()
    expect(page).to_have_url(re.compile(r"kind=consultancy"))
    expect(page.locator("#deal-table")).to_contain_text("Operating model advice")
    expect(page.locator("#deal-table")).not_to_contain_text("Payments platform")


def test_sorting_by_a_column_header_swaps_the_table_in_place(page: Page, live_server, desk):
    log_in(page, live_server.url, "exec@example.test")
    page.evaluate("window.__stillTheSamePage = true")
    page.locator("#deal-table").get_by_role("link", name=re.compile("^Deal")).click()
    expect(page).to_have_url(re.compile(r"sort=title"))
    expect(page.locator("#deal-table tbody tr").first).to_contain_text("Cloud migration")
    assert page.evaluate("window.__stillTheSamePage") is True


def test_the_owner_moves_a_deal_to_the_next_stage_from_its_page(page: Page, live_server, desk):
    from deals.models import Deal

    deal = Deal.objects.get(title="Cloud migration")
    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}{deal.get_absolute_url()}")
    page.get_by_label("Negotiation").check()
    page.get_by_label("Note").fill("All three departments are on board")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".pipeline [aria-current=step]")).to_have_text("Negotiation")
    expect(page.locator(".stage-timeline")).to_contain_text("All three departments are on board")
    assert Deal.objects.get(pk=deal.pk).stage == Stage.NEGOTIATION
