"""A department that becomes required after the deal entered review is asked, and the gate waits.

The rules are read when a deal enters review; these tests change the deal, its partner, its
business case or the rules afterwards and check that the missing review is requested at once
(audited, with the reason) and that the gate does not open without it.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from deals.models import Stage
from deals.services import deal_advance, deal_update
from metrics import business_case
from stakeholders.models import ReviewRule, ReviewStatus, RuleCondition
from stakeholders.services import review_give_verdict
from tests.factories import DealFactory, PartnerFactory, PartnershipFactory, department

pytestmark = pytest.mark.django_db


def departments(deal) -> list[str]:
    return sorted(deal.reviews.values_list("department__slug", flat=True))


def test_raising_the_value_over_the_threshold_asks_security_and_holds_the_gate(
    personas, deal_in_negotiation_all_approved
):
    deal = deal_in_negotiation_all_approved
    deal_update(deal=deal, user=personas.owner, data={"contract_value": Decimal("5000000")})
    assert departments(deal) == ["it", "legal", "procurement", "security"]
    security = deal.reviews.get(department__slug="security")
    assert security.status == ReviewStatus.PENDING
    event = AuditEvent.objects.get(deal=deal, action="review requested", object_id=security.pk)
    assert event.actor == personas.owner and event.after["reason"] == "Deal edited"
    with pytest.raises(ValidationError, match="sign-off from Security"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)


def test_adding_a_business_case_asks_finance(personas, deal_in_negotiation_all_approved):
    deal = deal_in_negotiation_all_approved
    business_case.business_case_save(
        deal=deal,
        user=personas.owner,
        discount_rate=Decimal("8"),
        years=[
            {
                "year": 1,
                "revenue_growth": Decimal("100000"),
                "cost_savings": Decimal("0"),
                "one_off_costs": Decimal("50000"),
                "running_costs": Decimal("0"),
            }
        ],
        assumptions=[],
    )
    assert "finance" in departments(deal)
    with pytest.raises(ValidationError, match="sign-off from Finance"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
    review_give_verdict(
        review=deal.reviews.get(department__slug="finance"),
        user=personas.finance,
        verdict="approve",
    )
    assert (
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED).stage
        == Stage.APPROVED
    )


def test_marking_the_partner_as_handling_customer_data_asks_security_on_live_deals_only(
    client_for, personas, deal_in_negotiation_all_approved
):
    deal = deal_in_negotiation_all_approved
    partner = deal.partnership.partner
    at_intake = DealFactory(partnership=deal.partnership, owner=personas.owner)
    response = client_for(personas.admin).post(
        f"/partners/{partner.pk}/edit/",
        {
            "name": partner.name,
            "kind": partner.kind,
            "country": partner.country,
            "website": "",
            "risk_tier": partner.risk_tier,
            "handles_customer_data": "on",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert "security" in departments(deal)
    assert not at_intake.reviews.exists()  # it will be routed when it enters review


def test_a_rule_added_in_the_admin_reaches_deals_already_under_review(
    client_for, personas, deal_in_negotiation_all_approved
):
    deal = deal_in_negotiation_all_approved
    response = client_for(personas.admin).post(
        "/admin/stakeholders/reviewrule/add/",
        {"department": department("finance").pk, "condition": RuleCondition.ALWAYS, "active": "on"},
    )
    assert response.status_code == 302
    assert "finance" in departments(deal)


def test_the_gate_names_a_required_department_nobody_asked(
    personas, deal_in_negotiation_all_approved
):
    deal = deal_in_negotiation_all_approved
    # A rule written straight to the database (no admin, no top-up): the gate still sees it.
    ReviewRule.objects.create(department=department("finance"), condition=RuleCondition.ALWAYS)
    with pytest.raises(ValidationError, match=r"Finance \(not requested yet\)"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.APPROVED)
    assert deal.stage == Stage.NEGOTIATION


def test_moving_back_to_negotiation_from_hold_requests_what_is_missing(personas):
    partnership = PartnershipFactory(
        partner=PartnerFactory(handles_customer_data=True), sponsor=personas.executive
    )
    deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.ON_HOLD)
    deal_advance(deal=deal, user=personas.owner, to_stage=Stage.NEGOTIATION)
    assert departments(deal) == ["it", "legal", "procurement", "security"]


def test_a_partner_edit_is_audited_with_the_values_before_and_after(
    client_for, personas, partnership
):
    from partnerships.models import Partner

    partner = partnership.partner
    client_for(personas.admin).post(
        f"/partners/{partner.pk}/edit/",
        {
            "name": partner.name,
            "kind": partner.kind,
            "country": "France",
            "website": "",
            "risk_tier": partner.risk_tier,
            "notes": "",
        },
    )
    assert Partner.objects.get(pk=partner.pk).country == "France"
    event = AuditEvent.objects.get(action="edited", object_id=partner.pk)
    assert event.before == {"country": "Germany"} and event.after == {"country": "France"}


def test_admin_edits_bring_in_the_reviews_they_make_required(
    client_for, personas, deal_in_negotiation_all_approved
):
    from tests.admin_forms import admin_form_data

    deal = deal_in_negotiation_all_approved
    admin = client_for(personas.admin)
    url = f"/admin/deals/deal/{deal.pk}/change/"
    data = admin_form_data(admin, url)
    data["contract_value"] = "5000000"
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "security" in departments(deal)
    event = AuditEvent.objects.get(action="edited", object_id=deal.pk)
    assert event.actor == personas.admin and event.after["contract_value"] == "5000000"


def test_ticking_customer_data_on_the_partner_in_the_admin_asks_security(
    client_for, personas, deal_in_negotiation_all_approved
):
    from tests.admin_forms import admin_form_data

    deal = deal_in_negotiation_all_approved
    admin = client_for(personas.admin)
    partner = deal.partnership.partner
    url = f"/admin/partnerships/partner/{partner.pk}/change/"
    data = admin_form_data(admin, url)
    data["handles_customer_data"] = "on"
    assert admin.post(url, data).status_code == 302
    assert "security" in departments(deal)
    assert AuditEvent.objects.filter(action="edited", object_id=partner.pk).exists()


def test_moving_a_partnership_to_a_partner_with_customer_data_asks_security(
    client_for, personas, deal_in_negotiation_all_approved
):
    deal = deal_in_negotiation_all_approved
    partnership = deal.partnership
    other = PartnerFactory(handles_customer_data=True)
    response = client_for(personas.admin).post(
        f"/partnerships/{partnership.pk}/edit/",
        {
            "partner": other.pk,
            "title": partnership.title,
            "description": partnership.description or "Joint offer",
            "sponsor": personas.executive.pk,
            "goal_links-TOTAL_FORMS": "0",
            "goal_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "security" in departments(deal)


def test_the_admin_does_not_add_deals_past_their_first_stage_and_audit(client_for, personas):
    assert client_for(personas.admin).get("/admin/deals/deal/add/").status_code == 403
