"""Who may submit a request, change its answers, preview a form, and see the answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.services import request_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas, form_version):
    return request_submit(
        version=form_version,
        user=personas.owner,
        title="Secret request",
        partner_name="Hidden Co",
        sponsor=personas.executive,
        answers={"summary": "Covert.", "total_value": "5", "personal_data": "no"},
    )


@pytest.mark.parametrize("who", ["legal", "finance"])
def test_reviewers_do_not_submit_requests(client_for, personas, form_version, who):
    client = client_for(getattr(personas, who))
    assert client.get(reverse("intake_start")).status_code == 403
    assert client.get(reverse("intake_new", args=[form_version.request_type_id])).status_code == 403


@pytest.mark.parametrize("who", ["owner", "executive", "outsider"])
def test_owners_and_executives_submit_requests(client_for, personas, form_version, who):
    client = client_for(getattr(personas, who))
    page = client.get(reverse("intake_start")).content.decode()
    assert "New partnership" in page
    assert client.get(reverse("intake_new", args=[form_version.request_type_id])).status_code == 200


def test_an_inactive_request_type_is_not_offered(client_for, personas, form_version):
    form_version.request_type.active = False
    form_version.request_type.save()
    client = client_for(personas.owner)
    assert "New partnership" not in client.get(reverse("intake_start")).content.decode()
    assert client.get(reverse("intake_new", args=[form_version.request_type_id])).status_code == 404


def test_only_the_requester_owner_or_sponsor_change_the_answers(client_for, personas, submitted):
    url = reverse("intake_answers_edit", args=[submitted.deal_id])
    assert client_for(personas.owner).get(url).status_code == 200
    assert client_for(personas.executive).get(url).status_code == 200
    assert client_for(personas.outsider).get(url).status_code == 403
    assert client_for(personas.legal).post(url, {"q-summary": "x"}).status_code == 403


def test_a_confidential_request_is_hidden_from_people_outside_the_deal(
    client_for, personas, submitted
):
    deal = submitted.deal
    deal.confidential = True
    deal.save()
    url = reverse("intake_answers_edit", args=[deal.pk])
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.outsider).get(deal.get_absolute_url()).status_code == 404
    assert "Covert." in client_for(personas.owner).get(deal.get_absolute_url()).content.decode()


def test_only_administrators_preview(client_for, personas, form_version):
    url = reverse("intake_preview", args=[form_version.pk])
    assert client_for(personas.owner).get(url).status_code == 403
    assert client_for(personas.executive).post(url, {}).status_code == 403
    assert client_for(personas.admin).get(url).status_code == 200


def test_a_deal_without_a_request_has_no_answers_page(client_for, personas, deal):
    assert (
        client_for(personas.owner).get(reverse("intake_answers_edit", args=[deal.pk])).status_code
        == 404
    )
