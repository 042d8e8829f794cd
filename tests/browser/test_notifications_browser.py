"""The unread badge in a real browser: up when a review is requested, down once read."""

import pytest
from playwright.sync_api import Browser, expect

from deals.models import Stage
from deals.services import deal_advance
from tests.factories import PASSWORD, DealFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewers_badge_goes_up_with_a_review_request_and_down_when_read(
    browser: Browser, live_server, personas, partnership
):
    deal = DealFactory(
        title="Cloud migration",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
    )
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("legal@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    badge = page.locator("#unread-badge")
    expect(badge).to_be_hidden()

    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)  # commits
    page.reload()

    expect(badge).to_be_visible()
    expect(badge).to_have_text("unread: 1")
    page.get_by_role("link", name="Notifications").click()
    item = page.locator("li.notification").first
    expect(item).to_contain_text("asked Legal to review Cloud migration")
    page.evaluate("window.__stillTheSamePage = true")
    item.get_by_role("button", name="Mark read").click()

    expect(badge).to_be_hidden()
    expect(page.locator("li.notification.unread")).to_have_count(0)
    assert page.evaluate("window.__stillTheSamePage") is True  # htmx, not a reload
    item.get_by_role("link", name="asked Legal to review Cloud migration").click()
    expect(page.get_by_role("heading", name="Legal review")).to_be_visible()
