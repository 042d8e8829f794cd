"""Intake in a real browser: questions appear and disappear as the requester answers
(htmx), and the same form submits with JavaScript switched off."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from intake.models import IntakeRequest
from tests.browser.axe import assert_no_serious_violations
from tests.browser.sessions import context_for
from tests.intake.builders import build_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_basics(page, executive) -> None:
    page.get_by_label("Request title").fill("Loyalty analytics")
    page.get_by_label("Partner's name").fill("Orbit Loyalty")
    page.get_by_label("Executive sponsor").select_option(str(executive.pk))
    page.get_by_label("What is it for?").fill("Understand what members buy.")
    page.get_by_label("Total value").fill("250000")


def test_questions_appear_and_disappear_as_the_requester_answers(
    browser: Browser, live_server, personas
):
    version = build_form()
    page = context_for(browser, live_server.url, personas.owner).new_page()
    page.goto(f"/intake/new/{version.request_type_id}/")
    categories = page.get_by_role("group", name="Which personal data")
    transfer = page.get_by_label("Where is health data sent")
    expect(categories).to_have_count(0)
    fill_basics(page, personas.executive)
    personal = page.get_by_role("group", name="Handles personal data")
    personal.get_by_label("Yes").check()
    expect(categories).to_be_visible()
    expect(transfer).to_have_count(0)
    categories.get_by_label("Health").check()
    expect(transfer).to_be_visible()  # the chain: shown by an answer to a shown question
    assert_no_serious_violations(page, "intake form with conditional questions")
    transfer.fill("Frankfurt")
    personal.get_by_label("No").check()
    expect(categories).to_have_count(0)
    expect(transfer).to_have_count(0)  # hidden with the question it hangs on
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", name="Request: New partnership")).to_be_visible()
    answers = IntakeRequest.objects.get().answers
    assert answers["personal_data"] == "no"
    assert "categories" not in answers and "transfer" not in answers


def test_the_form_submits_without_javascript(browser: Browser, live_server, personas):
    version = build_form()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    client = Client()
    client.force_login(personas.owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"/intake/new/{version.request_type_id}/")
    fill_basics(page, personas.executive)
    page.get_by_role("group", name="Handles personal data").get_by_label("Yes").check()
    # Without JavaScript the submit evaluates visibility: the categories are now shown,
    # required and unanswered, so the form comes back with them and nothing is saved.
    page.get_by_role("button", name="Submit request").click()
    categories = page.get_by_role("group", name="Which personal data")
    expect(categories).to_be_visible()
    expect(page.get_by_text("Please answer this question.")).to_be_visible()
    assert not IntakeRequest.objects.exists()
    categories.get_by_label("Contact").check()
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", name="Request: New partnership")).to_be_visible()
    assert IntakeRequest.objects.get().answers["categories"] == ["Contact"]
