"""The sign-off flow in a real browser: decide in place, revise a term, see the re-review."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from deals.services import term_create
from tests.factories import PASSWORD, department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def annual_fee(personas, deal_in_review):
    """Procurement's term on "Cloud migration", the deal in review (tests/conftest.py)."""
    return term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Annual fee",
            "wording": "EUR 120,000 per year",
            "department": department("procurement"),
        },
    )


def session_as(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(base_url=base).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # A reviewer lands on their inbox; the owner and the sponsor on the dashboard.
    landing = (
        "My reviews" if email.split("@")[0] in ("legal", "procurement", "it") else "Deal dashboard"
    )
    expect(page.get_by_role("heading", name=landing)).to_be_visible()
    return page


def decide_from_inbox(page: Page, button: str, text: str) -> None:
    page.get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name="Cloud migration").click()
    page.evaluate("window.__stillTheSamePage = true")
    page.get_by_label("Conditions or reason").fill(text)
    page.get_by_role("button", name=button, exact=True).click()


def test_reviewers_decide_in_place_and_a_revised_term_needs_re_review(
    browser: Browser, live_server, deal_in_review, annual_fee
):
    legal = session_as(browser, live_server.url, "legal@example.test")
    decide_from_inbox(legal, "Approve with conditions", "Cap liability at 12 months of fees")
    panel = legal.locator("#verdict-panel")
    expect(panel).to_contain_text("Approved with conditions")
    expect(panel).to_contain_text("Cap liability at 12 months of fees")
    expect(panel).to_contain_text(re.compile(r"by .+ on \d+ \w+ \d{4}"))
    assert legal.evaluate("window.__stillTheSamePage") is True

    procurement = session_as(browser, live_server.url, "procurement@example.test")
    decide_from_inbox(
        procurement, "Request changes", "The fee is above our benchmark; ask for 10 % less"
    )
    expect(procurement.locator("#verdict-panel")).to_contain_text("Changes requested")
    assert procurement.evaluate("window.__stillTheSamePage") is True

    owner = session_as(browser, live_server.url, "owner@example.test")
    owner.goto(deal_in_review.get_absolute_url())
    owner.get_by_role("link", name="Annual fee").click()
    owner.get_by_label("Wording").fill("EUR 108,000 per year")
    owner.get_by_label("What changed and why").fill("10 % less, as Procurement asked")
    owner.get_by_role("button", name="Save revision").click()
    expect(owner.locator(".diff").first).to_contain_text("108,000")

    procurement.reload()
    panel = procurement.locator("#verdict-panel")
    expect(panel).to_contain_text("Pending")
    expect(panel).to_contain_text("Re-review needed")
    expect(panel.get_by_role("button", name="Approve", exact=True)).to_be_visible()


def test_a_decision_without_a_reason_is_refused_at_the_field(
    browser: Browser, live_server, deal_in_review, annual_fee
):
    legal = session_as(browser, live_server.url, "legal@example.test")
    decide_from_inbox(legal, "Reject", "")
    expect(legal.locator("#verdict-panel .error")).to_have_text("Give the reason for rejecting.")
    expect(legal.locator("#verdict-panel")).to_contain_text("Pending")
