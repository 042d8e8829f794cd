"""Forms prefill what is known: the deal's sponsor from its partnership, a term's
department from its category, and the decision form says what it answers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.models import Deal, DecisionKind, Term
from stakeholders.models import ReviewStatus, Role
from tests.deals.test_deal_pages import valid_deal_data
from tests.factories import (
    DealFactory,
    PartnerFactory,
    PartnershipFactory,
    ReviewFactory,
    UserFactory,
    department,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def selected(html: str, name: str) -> str | None:
    """The value of the selected option of select `name`, if any."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select.group())
    return option.group(1) if option else None


# The deal's sponsor from its partnership


def test_a_new_deal_from_a_partnership_comes_with_its_sponsor(client_for, personas, partnership):
    html = client_for(personas.owner).get("/deals/new/", {"partnership": partnership.pk})
    html = html.content.decode()
    assert selected(html, "partnership") == str(partnership.pk)
    assert selected(html, "sponsor") == str(personas.executive.pk)


def test_the_creator_is_not_prefilled_as_sponsor_of_their_own_deal(
    client_for, personas, partnership
):
    # The executive sponsors the partnership and creates the deal: they own it.
    html = client_for(personas.executive).get("/deals/new/", {"partnership": partnership.pk})
    assert selected(html.content.decode(), "sponsor") in (None, "")  # the empty choice


def test_choosing_a_partnership_fills_an_empty_sponsor_by_htmx(client_for, personas):
    czar = UserFactory(roles=[Role.EXECUTIVE])
    other = PartnershipFactory(sponsor=czar)
    client = client_for(personas.owner)
    headers = {**HTMX, "HX-Target": "sponsor-field"}

    response = client.get("/deals/new/", {"partnership": other.pk, "sponsor": ""}, headers=headers)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the sponsor field alone
    assert html.startswith('<div id="sponsor-field">')
    assert selected(html, "sponsor") == str(czar.pk)
    # A sponsor already chosen stays.
    kept = client.get(
        "/deals/new/",
        {"partnership": other.pk, "sponsor": personas.executive.pk},
        headers=headers,
    )
    assert selected(kept.content.decode(), "sponsor") == str(personas.executive.pk)


def test_the_partnership_select_asks_for_the_sponsor(client_for, personas):
    html = client_for(personas.owner).get("/deals/new/").content.decode()
    partnership = re.search(r'<select name="partnership"[^>]*>', html).group()
    assert 'hx-get="/deals/new/"' in partnership
    assert 'hx-target="#sponsor-field"' in partnership
    assert 'hx-include="#id_partnership, #id_sponsor"' in partnership


def test_a_deal_submitted_without_a_sponsor_gets_the_partnerships(
    client_for, personas, partnership
):
    data = valid_deal_data(partnership, personas, sponsor="")
    response = client_for(personas.owner).post(reverse("deal_create"), data)

    assert response.status_code == 302
    assert Deal.objects.get(title="Edge analytics rollout").sponsor == personas.executive


def test_no_sponsor_and_a_partnership_sponsor_who_is_no_executive_is_refused_at_the_field(
    client_for, personas
):
    not_an_executive = PartnershipFactory(sponsor=UserFactory(roles=[Role.OWNER]))
    data = valid_deal_data(not_an_executive, personas, sponsor="")
    response = client_for(personas.owner).post(reverse("deal_create"), data)

    assert response.status_code == 422
    assert "the partnership's sponsor is not an executive" in " ".join(
        response.context["form"].errors["sponsor"]
    )
    assert not Deal.objects.exists()


def test_the_owner_as_default_sponsor_is_still_refused(client_for, personas, partnership):
    data = valid_deal_data(partnership, personas, sponsor="", owner=personas.executive.pk)
    response = client_for(personas.executive).post(reverse("deal_create"), data)
    assert response.status_code == 422
    assert "someone other than the deal owner" in " ".join(
        response.context["form"].errors["sponsor"]
    )


# A term's department from its category


def term_url(deal) -> str:
    return reverse("term_create", args=[deal.pk])


@pytest.mark.parametrize(
    ("category", "slug"),
    [
        ("price", "procurement"),
        ("payment", "procurement"),
        ("liability_cap", "legal"),
        ("sla", "it"),
        ("ip", "legal"),
        ("termination", "legal"),
        ("data_protection", "legal"),  # Security does not review this deal
    ],
)
def test_a_category_suggests_its_department_by_htmx(client_for, personas, deal, category, slug):
    headers = {**HTMX, "HX-Target": "department-field"}
    response = client_for(personas.owner).get(
        term_url(deal), {"category": category, "department": ""}, headers=headers
    )
    html = response.content.decode()
    assert html.startswith('<div id="department-field">')
    assert selected(html, "department") == str(department(slug).pk)


def test_data_protection_goes_to_security_where_security_reviews_the_deal(client_for, personas):
    data_partner = PartnerFactory(handles_customer_data=True)
    deal = DealFactory(
        partnership=PartnershipFactory(partner=data_partner, sponsor=personas.executive),
        owner=personas.owner,
        sponsor=personas.executive,
    )
    headers = {**HTMX, "HX-Target": "department-field"}
    response = client_for(personas.owner).get(
        term_url(deal), {"category": "data_protection", "department": ""}, headers=headers
    )
    assert selected(response.content.decode(), "department") == str(department("security").pk)


def test_a_chosen_department_is_not_replaced(client_for, personas, deal):
    headers = {**HTMX, "HX-Target": "department-field"}
    it = department("it")
    response = client_for(personas.owner).get(
        term_url(deal), {"category": "price", "department": it.pk}, headers=headers
    )
    assert selected(response.content.decode(), "department") == str(it.pk)


def test_the_category_select_asks_for_the_department(client_for, personas, deal):
    html = client_for(personas.owner).get(term_url(deal)).content.decode()
    category = re.search(r'<select name="category"[^>]*>', html).group()
    assert f'hx-get="{term_url(deal)}"' in category
    assert 'hx-target="#department-field"' in category


def test_a_term_submitted_without_a_department_gets_its_categorys(client_for, personas, deal):
    response = client_for(personas.owner).post(
        term_url(deal),
        {"category": "liability_cap", "title": "Cap", "wording": "Twelve months of fees."},
    )
    assert response.status_code == 302
    assert Term.objects.get(deal=deal).department == department("legal")


def test_a_term_of_no_usual_department_must_name_one(client_for, personas, deal):
    response = client_for(personas.owner).post(
        term_url(deal), {"category": "other", "title": "Misc", "wording": "Something else."}
    )
    assert response.status_code == 422
    assert "no department reviews “Other” terms by default" in " ".join(
        response.context["form"].errors["department"]
    )
    assert not Term.objects.exists()


# The decision form: kinds explained, and what it answers


def test_the_decision_form_offers_explained_kinds_and_no_blank_choice(client_for, personas, deal):
    html = client_for(personas.executive).get(reverse("decision_create", args=[deal.pk]))
    html = html.content.decode()
    assert "---------" not in html
    assert html.count('type="radio" name="kind"') == 3
    assert "checked" not in re.search(r"<fieldset.*?</fieldset>", html, re.S).group()
    assert "You overrule a department's rejection or requested changes" in html.replace(
        "&#x27;", "'"
    )
    assert "You weigh one department" in html
    assert "You settle what someone escalated to you" in html


def test_the_decision_form_names_who_rejected_and_why_escaped(client_for, personas, deal):
    ReviewFactory(
        deal=deal,
        department=department("legal"),
        status=ReviewStatus.REJECTED,
        verdict_text="Unlimited liability <script>alert(1)</script> is not acceptable.",
        decided_by=personas.legal,
        decided_at=timezone.now(),
    )
    ReviewFactory(
        deal=deal,
        department=department("procurement"),
        status=ReviewStatus.CHANGES_REQUESTED,
        verdict_text="The price is 30 % above the benchmark.",
    )
    ReviewFactory(deal=deal, department=department("it"), status=ReviewStatus.APPROVED)

    html = client_for(personas.executive).get(reverse("decision_create", args=[deal.pk]))
    html = html.content.decode()

    assert "What you are answering" in html
    assert "Legal rejected the deal" in html
    assert "Unlimited liability &lt;script&gt;alert(1)&lt;/script&gt; is not acceptable." in html
    assert "<script>alert(1)" not in html
    assert "Procurement requested changes" in html
    assert "The price is 30 % above the benchmark." in html
    assert "IT " not in html.split("What you are answering")[1].split("</section>")[0]


def test_a_requested_decision_opens_on_escalation_and_names_who_asked(client_for, personas, deal):
    Deal.objects.filter(pk=deal.pk).update(
        decision_requested_at=timezone.now(),
        decision_requested_by=personas.owner,
        decision_request_note="Legal and IT disagree on the SLA.",
    )
    html = client_for(personas.executive).get(reverse("decision_create", args=[deal.pk]))
    html = html.content.decode()
    assert f"{personas.owner.display_name} asked you to decide" in html
    checked = re.search(r'<input type="radio"[^>]*checked[^>]*>', html).group()
    assert f'value="{DecisionKind.ESCALATION}"' in checked


def test_a_decision_without_a_kind_is_refused_with_a_clear_message(client_for, personas, deal):
    response = client_for(personas.executive).get(reverse("decision_create", args=[deal.pk]))
    seen = response.context["form"]["seen"].value()
    response = client_for(personas.executive).post(
        reverse("decision_create", args=[deal.pk]),
        {"title": "Go ahead", "rationale": "The value outweighs the risk by far.", "seen": seen},
    )
    assert response.status_code == 422
    assert "Choose the kind of decision" in response.content.decode()
