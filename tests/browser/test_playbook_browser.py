"""A reviewer sees the playbook beside a term in a real browser: the standard wording as a
word diff against the term's, the fallback it falls within, and approves it in place."""

import pytest
from playwright.sync_api import Browser, expect

from playbooks.services import term_position_set
from tests.browser.axe import describe, serious_violations
from tests.browser.sessions import context_for
from tests.playbooks.conftest import CAP_STANDARD, add_term, make_playbooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_sees_the_diff_against_the_standard_wording_and_approves_the_fallback(
    browser: Browser, live_server, personas, deal_in_review
):
    playbooks = make_playbooks(personas)
    term = add_term(deal_in_review, personas, wording=CAP_STANDARD.replace("100%", "80%"))
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={"base": "fees_12_months", "multiple": "0.8", "carve_outs": ["data protection"]},
    )
    review = deal_in_review.reviews.get(department__slug="legal")
    page = context_for(browser, live_server.url, personas.legal).new_page()
    page.goto(review.get_absolute_url())

    row = page.locator(f"#playbook-term-{term.pk}")
    expect(row).to_contain_text("Within fallback 1")
    diff = row.locator(".standard-diff")
    expect(diff).to_be_visible()
    expect(diff.locator("del")).to_have_text("100%")
    expect(diff.locator("ins")).to_have_text("80%")
    expect(row).to_contain_text("waiting for approval by a reviewer of the department (Legal)")
    violations = serious_violations(page)
    assert not violations, describe(violations)

    row.get_by_role("button", name="Approve within fallback 1").click()
    expect(page.locator(f"#playbook-term-{term.pk}")).to_contain_text("approved by")
    expect(page).to_have_url(f"{live_server.url}{review.get_absolute_url()}")


def test_the_playbook_pages_have_no_serious_axe_violation(
    browser: Browser, live_server, personas, deal_in_review
):
    playbooks = make_playbooks(personas)
    term = add_term(deal_in_review, personas)
    term_position_set(
        term=term, user=personas.owner, clause_type=playbooks["cap"], position=None, value={}
    )
    page = context_for(browser, live_server.url, personas.owner).new_page()
    for url in [
        "/playbooks/",
        playbooks["legal"].get_absolute_url(),
        "/playbooks/reports/",
        f"/terms/{term.pk}/playbook/",
        deal_in_review.get_absolute_url(),
    ]:
        page.goto(url)
        violations = serious_violations(page)
        assert not violations, f"{url}:\n{describe(violations)}"
