"""The deal page in a real browser: the section navigation by keyboard, the move panel's
htmx swap, and no sideways scroll at phone width."""

import re

import pytest
from playwright.sync_api import Page, expect

from deals.models import Stage
from tests.factories import (
    PASSWORD,
    BusinessCaseFactory,
    CheckInFactory,
    DealFactory,
    OutcomeMetricFactory,
    TermFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def full_deal(personas, partnership):
    deal = DealFactory(
        title="Contact centre",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.REVIEW,
    )
    BusinessCaseFactory(deal=deal)
    metric = OutcomeMetricFactory(deal=deal, name="First-call resolution")
    CheckInFactory(metric=metric)
    for n in range(4):
        TermFactory(deal=deal, title=f"A long clause name number {n} for the table")
    return deal


def test_the_section_navigation_works_from_the_keyboard_and_stays_in_view(
    page: Page, live_server, full_deal
):
    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}{full_deal.get_absolute_url()}")
    nav = page.get_by_role("navigation", name="Sections of this deal")
    link = nav.get_by_role("link", name="Sign-offs and terms")

    link.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"#signoffs$"))
    heading = page.get_by_role("heading", name="Sign-offs and terms", level=2)
    expect(heading).to_be_in_viewport()
    expect(nav).to_be_in_viewport()  # sticky: still there to go on
    # The heading is not hidden under the sticky navigation.
    nav_bottom = nav.bounding_box()["y"] + nav.bounding_box()["height"]
    assert heading.bounding_box()["y"] >= nav_bottom - 1


def test_the_move_panel_still_moves_the_deal_in_place(page: Page, live_server, personas):
    deal = DealFactory(owner=personas.owner, sponsor=personas.executive, stage=Stage.INTAKE)
    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}{deal.get_absolute_url()}")
    panel = page.locator("#stage-panel")

    panel.get_by_label("Business case").check()
    panel.get_by_role("button", name="Move").click()

    expect(page.locator(".pipeline li.current")).to_have_text("Business case")


def test_at_phone_width_the_deal_page_does_not_scroll_sideways(page: Page, live_server, full_deal):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "owner@example.test")
    page.goto(f"{live_server.url}{full_deal.get_absolute_url()}")
    # Only the page's own content counts here: the shared top bar is the phone work's.
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(el => {
            const box = el.getBoundingClientRect();
            if (box.right <= innerWidth + 1 || !box.width) return false;
            for (let up = el.parentElement; up; up = up.parentElement) {
                const x = getComputedStyle(up).overflowX;
                if (x === 'auto' || x === 'scroll') return false;
            }
            return true;
        }).map(el => el.tagName + '.' + el.className)"""
    )
    assert overflow == []
    region = page.get_by_role("region", name=re.compile("Money by year"))
    region.focus()
    expect(region).to_be_focused()
