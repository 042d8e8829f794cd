import pytest
from django.urls import reverse

from core.models import AuditEvent
from partnerships.models import Partner, Partnership, PartnershipGoal
from tests.factories import PartnerFactory, StrategicGoalFactory

pytestmark = pytest.mark.django_db

PARTNER = {
    "name": "Northwind Cloud",
    "kind": "technology",
    "country": "Ireland",
    "risk_tier": "low",
}


def test_an_owner_adds_a_partner_and_it_is_audited(client_for, personas):
    response = client_for(personas.owner).post(reverse("partner_create"), PARTNER)
    partner = Partner.objects.get(name="Northwind Cloud")
    assert response["Location"] == partner.get_absolute_url()
    assert (
        AuditEvent.objects.get(object_type="partnerships.partner").after["name"]
        == "Northwind Cloud"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("kind", "alien", "Select a valid choice"),
        ("website", "not a url", "Enter a valid URL."),
        ("risk_tier", "", "This field is required."),
    ],
)
def test_bad_partner_input_is_refused_at_the_field(client_for, personas, field, value, message):
    response = client_for(personas.owner).post(reverse("partner_create"), {**PARTNER, field: value})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not Partner.objects.exists()


def test_a_partner_name_is_unique_whatever_the_case(client_for, personas):
    PartnerFactory(name="Northwind Cloud")
    response = client_for(personas.owner).post(
        reverse("partner_create"), {**PARTNER, "name": "northwind  CLOUD"}
    )
    assert response.status_code == 422
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Partner.objects.count() == 1


def test_reviewers_cannot_add_or_edit_partners(client_for, personas):
    partner = PartnerFactory()
    client = client_for(personas.legal)
    assert client.post(reverse("partner_create"), PARTNER).status_code == 403
    assert client.post(reverse("partner_edit", args=[partner.pk]), PARTNER).status_code == 403
    assert client.get(partner.get_absolute_url()).status_code == 200


def test_a_partnership_links_goals_with_a_rationale_and_fit_score(client_for, personas):
    partner = PartnerFactory()
    goal = StrategicGoalFactory(title="Global expansion")
    data = {
        "partner": partner.pk,
        "title": "Distribution alliance",
        "sponsor": personas.executive.pk,
        "goal_links-TOTAL_FORMS": "1",
        "goal_links-INITIAL_FORMS": "0",
        "goal_links-0-goal": goal.pk,
        "goal_links-0-fit_score": "4",
        "goal_links-0-rationale": "Opens the Gulf region.",
    }
    response = client_for(personas.owner).post(reverse("partnership_create"), data)
    partnership = Partnership.objects.get(title="Distribution alliance")
    assert response["Location"] == partnership.get_absolute_url()
    link = PartnershipGoal.objects.get(partnership=partnership)
    assert (link.goal, link.fit_score, link.rationale) == (goal, 4, "Opens the Gulf region.")
    page = client_for(personas.owner).get(partnership.get_absolute_url()).content.decode()
    assert "Global expansion" in page and "4/5" in page


@pytest.mark.parametrize("score", ["0", "6", "x"])
def test_a_fit_score_outside_1_to_5_is_refused(client_for, personas, score):
    data = {
        "partner": PartnerFactory().pk,
        "title": "Alliance",
        "sponsor": personas.executive.pk,
        "goal_links-TOTAL_FORMS": "1",
        "goal_links-INITIAL_FORMS": "0",
        "goal_links-0-goal": StrategicGoalFactory().pk,
        "goal_links-0-fit_score": score,
        "goal_links-0-rationale": "Because.",
    }
    response = client_for(personas.owner).post(reverse("partnership_create"), data)
    assert response.status_code == 422
    assert not Partnership.objects.exists()


def test_the_sponsor_of_a_partnership_must_be_an_executive(client_for, personas):
    data = {
        "partner": PartnerFactory().pk,
        "title": "Alliance",
        "sponsor": personas.legal.pk,
        "goal_links-TOTAL_FORMS": "0",
        "goal_links-INITIAL_FORMS": "0",
    }
    response = client_for(personas.owner).post(reverse("partnership_create"), data)
    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["sponsor"][0]


def test_partner_and_partnership_lists_have_empty_states(client_for, personas):
    client = client_for(personas.owner)
    assert "Add the first partner" in client.get(reverse("partner_list")).content.decode()
    assert "No partnerships yet." in client.get(reverse("partnership_list")).content.decode()


def test_user_text_is_escaped_on_pages(client_for, personas):
    PartnerFactory(name="<script>alert(1)</script>", notes="<img src=x onerror=alert(2)>")
    partner = Partner.objects.get()
    html = client_for(personas.owner).get(partner.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
