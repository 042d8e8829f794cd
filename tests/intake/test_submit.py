"""Submitting a request: visibility chains, the deal it opens, the routing summary, the
look-alike partner warning and the owner's notification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals.models import Deal, Stage
from intake.models import IntakeRequest, RequestType
from notifications.models import Notification, NotificationKind
from partnerships.models import Partner
from tests.factories import PartnerFactory

from .builders import build_form
from .conftest import D, post_data

pytestmark = pytest.mark.django_db


def submit(client, version, data):
    return client.post(reverse("intake_new", args=[version.request_type_id]), data)


def test_an_answer_to_a_question_hidden_by_a_chain_is_dropped(client_for, personas, form_version):
    # Personal data "no" hides the categories, and so (a chain) the health transfer too,
    # though both were answered before the requester changed their mind.
    data = post_data(personas, personal_data="no", categories="Health", transfer="Cloud in Ohio")
    response = submit(client_for(personas.owner), form_version, data)
    assert response.status_code == 302
    intake = IntakeRequest.objects.get()
    assert "categories" not in intake.answers and "transfer" not in intake.answers
    assert intake.answers["personal_data"] == "no"


def test_a_question_shown_by_a_chain_is_required_and_kept(client_for, personas, form_version):
    client = client_for(personas.owner)
    data = post_data(personas, personal_data="yes", categories="Health")
    response = submit(client, form_version, data)
    assert response.status_code == 422  # the transfer question is shown and required
    assert "Please answer this question." in response.content.decode()
    assert not Deal.objects.exists()
    data["q-transfer"] = "Frankfurt"
    assert submit(client, form_version, data).status_code == 302
    assert IntakeRequest.objects.get().answers["transfer"] == "Frankfurt"


def test_any_condition_shows_a_question_when_one_holds(client_for, personas):
    version = build_form(
        [
            ("a", "yes_no", "A", {}),
            ("b", "yes_no", "B", {}),
            (
                "c",
                "text",
                "C",
                {"show_if": "any", "conditions": [("a", "eq", "yes"), ("b", "eq", "yes")]},
            ),
        ],
        name="Any",
    )
    client = client_for(personas.owner)
    data = {"title": "Any test", "partner_name": "Zed", "sponsor": personas.executive.pk}
    submit(client, version, {**data, "q-a": "no", "q-b": "yes", "q-c": "kept"})
    submit(client, version, {**data, "q-a": "no", "q-b": "no", "q-c": "dropped"})
    kept, dropped = IntakeRequest.objects.order_by("pk")
    assert kept.answers["c"] == "kept" and "c" not in dropped.answers


def test_a_request_opens_a_deal_at_intake_with_its_answers_on_the_deal_page(
    client_for, personas, form_version, answer_rules
):
    client = client_for(personas.owner)
    data = post_data(personas, total_value="1500000", term="24", region="Europe")
    response = submit(client, form_version, data)
    deal = Deal.objects.get()
    assert response["Location"] == deal.get_absolute_url()
    assert deal.stage == Stage.INTAKE and deal.owner == personas.owner
    assert deal.contract_value == D("1500000") and deal.term_months == 24
    assert deal.summary == "Analytics for the stores."
    intake = deal.intake_request
    assert intake.version == form_version and intake.answers["region"] == "Europe"
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "Request: New partnership" in page and "Total value" in page
    assert "1,500,000.00" in page and "Europe" in page
    # The routing summary, said at once and kept with the request.
    summary = (
        "IT, Legal and Procurement will review; Finance because total value &gt; 1,000,000; "
        "Security because value &gt; 1,000,000."
    )
    assert summary in page
    followed = client.get(response["Location"]).content.decode()
    assert "Request submitted." in followed or summary in followed


def test_routing_explains_each_department(client_for, personas, form_version, answer_rules):
    submit(
        client_for(personas.owner),
        form_version,
        post_data(personas, personal_data="yes", categories="Contact"),
    )
    intake = IntakeRequest.objects.get()
    assert intake.routing_summary == (
        "IT, Legal and Procurement will review; Security because handles personal data = yes."
    )


def test_a_partner_name_close_to_an_existing_one_warns(client_for, personas, form_version):
    PartnerFactory(name="Meridian Analytics Ltd")
    client = client_for(personas.owner)
    data = post_data(personas, partner_name=None)
    data["partner_name"] = "Meridan Analytics"
    refreshed = client.post(
        reverse("intake_new", args=[form_version.request_type_id]),
        {**data, "_refresh": "1"},
        headers={"HX-Request": "true", "HX-Target": "lookalikes"},
    ).content.decode()
    assert "Close to an existing partner: Meridian Analytics Ltd" in refreshed
    response = submit(client, form_version, data)
    followed = client.get(response["Location"]).content.decode()
    assert "is close to an existing partner: Meridian Analytics Ltd" in followed
    assert Partner.objects.filter(name="Meridan Analytics").exists()


def test_the_exact_name_of_a_partner_uses_that_partner(client_for, personas, form_version):
    partner = PartnerFactory(name="Meridian Analytics")
    submit(client_for(personas.owner), form_version, post_data(personas))
    assert Deal.objects.get().partnership.partner == partner
    assert IntakeRequest.objects.get().lookalikes == []


def test_the_triage_owner_hears_of_a_request(client_for, personas, form_version):
    RequestType.objects.filter(pk=form_version.request_type_id).update(
        triage_owner=personas.executive
    )
    submit(client_for(personas.owner), form_version, post_data(personas))
    deal = Deal.objects.get()
    assert deal.owner == personas.executive
    note = Notification.objects.get(
        recipient=personas.executive, kind=NotificationKind.INTAKE_SUBMITTED
    )
    assert "submitted a New partnership request" in note.payload["text"]
