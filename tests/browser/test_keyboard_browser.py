"""Keyboard only: the skip link, a reviewer's verdict given without a mouse, and where
focus goes after an htmx swap (static/js/a11y.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from deals.services import term_create
from tests.browser.sessions import context_for
from tests.factories import department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),"
    " select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"
)
# From main (after the skip link) to the verdict field: "← My reviews", "Deal page", the field.
MAX_TABS_FROM_MAIN_TO_VERDICT = 3


def active(page: Page, expression: str):
    """Evaluate `expression` with `el` bound to document.activeElement."""
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


@pytest.fixture
def annual_fee(personas, deal_in_review):
    return term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Annual fee",
            "wording": "EUR 120,000 per year",
            "department": department("legal"),
        },
    )


def page_as(browser: Browser, live_server, user) -> Page:
    return context_for(browser, live_server.url, user).new_page()


@pytest.mark.parametrize("who", ["anonymous", "executive"])
def test_the_skip_link_is_the_first_focusable_element(browser: Browser, live_server, personas, who):
    page = page_as(browser, live_server, None if who == "anonymous" else personas.executive)
    page.goto("/accounts/login/" if who == "anonymous" else "/")
    first = page.evaluate(f"document.querySelector({FOCUSABLE!r}).textContent.trim()")
    assert first == "Skip to main content"


def test_the_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(
    browser: Browser, live_server, personas
):
    page = page_as(browser, live_server, personas.executive)
    page.goto("/")
    page.keyboard.press("Tab")
    assert active(page, "el.textContent.trim()") == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"

    page.keyboard.press("Enter")
    assert active(page, "el.id") == "main"
    # The next Tab goes into the page's content, past the navigation.
    page.keyboard.press("Tab")
    assert active(page, "Boolean(el.closest('main'))")


def test_a_reviewer_gives_a_verdict_with_the_keyboard_and_focus_lands_on_the_result(
    browser: Browser, live_server, personas, deal_in_review, annual_fee
):
    review = deal_in_review.reviews.get(department__slug="legal")
    page = page_as(browser, live_server, personas.legal)
    page.goto(review.get_absolute_url())
    page.evaluate("window.__stillTheSamePage = true")

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    tabs = 0
    while not active(page, "el.id === 'id_text' && Boolean(el.closest('#verdict-panel'))"):
        assert tabs < MAX_TABS_FROM_MAIN_TO_VERDICT, (
            f"{tabs} Tabs from main and not yet at the verdict field; now at "
            + active(page, "el.outerHTML.slice(0, 120)")
        )
        page.keyboard.press("Tab")
        tabs += 1

    page.keyboard.type("Cap liability at 12 months of fees")
    page.keyboard.press("Tab")
    assert active(page, "el.textContent.trim()") == "Approve"
    page.keyboard.press("Tab")
    assert active(page, "el.textContent.trim()") == "Approve with conditions"
    page.keyboard.press("Space")

    panel = page.locator("#verdict-panel")
    expect(panel).to_contain_text("Approved with conditions")
    expect(panel).to_contain_text("Cap liability at 12 months of fees")
    # Focus moved to the swapped-in panel (its heading), not dropped to <body>.
    expect(page.locator("#verdict-panel h2")).to_be_focused()
    assert active(page, "Boolean(el.closest('#verdict-panel'))")
    expect(page.locator("#live-status")).to_have_text(
        "Your verdict is recorded: Approved with conditions."
    )
    # The live region is outside what was swapped, so it is the same element as before.
    assert page.evaluate("document.querySelectorAll('#live-status').length") == 1
    assert not page.evaluate("Boolean(document.querySelector('#verdict-panel #live-status'))")
    assert page.evaluate("window.__stillTheSamePage") is True


def test_a_refused_verdict_puts_focus_on_the_field_with_the_error(
    browser: Browser, live_server, personas, deal_in_review, annual_fee
):
    review = deal_in_review.reviews.get(department__slug="legal")
    page = page_as(browser, live_server, personas.legal)
    page.goto(review.get_absolute_url())
    page.locator("#verdict-panel").get_by_role("button", name="Reject").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#verdict-panel .error")).to_have_text("Give the reason for rejecting.")
    expect(page.locator("#verdict-panel #id_text")).to_be_focused()
    expect(page.locator("#live-status")).to_contain_text("Give the reason for rejecting.")


def test_typing_in_a_dashboard_filter_keeps_focus_in_the_field_and_announces_the_count(
    browser: Browser, live_server, personas, deal_in_review
):
    page = page_as(browser, live_server, personas.executive)
    page.goto("/")
    search = page.get_by_label("Search", exact=True)
    search.focus()
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.keyboard.type("nothing matches this")
    expect(page.locator("#deal-table")).to_contain_text("No deals match these filters.")
    expect(page.locator("#live-status")).to_contain_text("0 deals match the filters")
    expect(search).to_be_focused()


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# The focused element's outline colour and width, and the colour behind it: the first
# ancestor with an opaque background.
FOCUS_STYLE = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  let p = el.parentElement, bg = [255, 255, 255];
  while (p) { const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length === 3 || c[3] > 0.9) { bg = c; break; } p = p.parentElement; }
  return {outline: rgb(style.outlineColor), width: parseFloat(style.outlineWidth),
          style: style.outlineStyle, background: bg, text: el.textContent.trim()};
}"""


def test_the_focus_ring_stands_out_at_3_to_1_on_the_top_bar_and_on_a_white_card(
    browser: Browser, live_server, personas, deal_in_review, annual_fee
):
    review = deal_in_review.reviews.get(department__slug="legal")
    page = page_as(browser, live_server, personas.legal)
    page.goto(review.get_absolute_url())
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link in the dark top bar
    on_bar = page.evaluate(FOCUS_STYLE)
    assert on_bar["text"] == "Deal Desk"
    page.locator("#id_text").focus()
    page.keyboard.press("Tab")  # Approve, on the white verdict card
    on_card = page.evaluate(FOCUS_STYLE)
    assert on_card["text"] == "Approve"
    for ring in (on_bar, on_card):
        assert ring["style"] == "solid" and ring["width"] >= 2, ring
        assert contrast(ring["outline"], ring["background"]) >= 3, ring
