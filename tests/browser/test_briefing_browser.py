"""The briefing pack in a real browser: prepare it, watch it become ready, download it."""

import pytest
from playwright.sync_api import Page, expect

from deals.models import Stage
from tests.factories import PASSWORD, BusinessCaseFactory, DealFactory, OutcomeMetricFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_executive_prepares_a_briefing_pack_and_downloads_it_without_a_page_reload(
    page: Page, live_server, personas, partnership, settings, tmp_path, eager_tasks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    deal = DealFactory(
        title="Cloud contact centre",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.REVIEW,
    )
    BusinessCaseFactory(deal=deal)
    OutcomeMetricFactory(deal=deal, name="First-call resolution")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("exec@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{deal.get_absolute_url()}")
    card = page.locator("#briefing")
    expect(card).to_contain_text("Briefing pack")
    page.evaluate("window.__stillTheSamePage = true")

    card.get_by_role("button", name="Prepare briefing pack").click()

    expect(card).to_contain_text("Ready", timeout=20_000)
    link = card.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible()
    assert page.evaluate("window.__stillTheSamePage") is True
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("briefing-cloud-contact-centre-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
