import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from deals.models import Deal, Stage, StageChange, time_in_stages
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def valid_deal_data(partnership, personas, /, **overrides):
    data = {
        "partnership": partnership.pk,
        "title": "Edge analytics rollout",
        "summary": "Cuts the time to detect faults in the field.",
        "owner": personas.owner.pk,
        "sponsor": personas.executive.pk,
        "contract_value": "1200000",
        "currency": "EUR",
        "expected_annual_value": "400000",
        "term_months": "36",
        "target_signature_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def test_an_owner_creates_a_deal_in_intake_with_its_history(client_for, personas, partnership):
    response = client_for(personas.owner).post(
        reverse("deal_create"), valid_deal_data(partnership, personas)
    )

    deal = Deal.objects.get(title="Edge analytics rollout")
    assert response.status_code == 302
    assert response["Location"] == deal.get_absolute_url()
    assert deal.stage == Stage.INTAKE
    assert deal.contract_value == Decimal("1200000")
    assert StageChange.objects.filter(deal=deal, to_stage=Stage.INTAKE).count() == 1
    assert AuditEvent.objects.filter(deal=deal, action="created", actor=personas.owner).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("title", "ab", "at least 3 characters"),
        ("contract_value", "-5", "greater than or equal to 0"),
        ("contract_value", "lots", "Enter a number."),
        ("expected_annual_value", "-1", "greater than or equal to 0"),
        ("term_months", "0", "greater than or equal to 1"),
        ("term_months", "999", "less than or equal to 240"),
        ("target_signature_date", "2001-01-01", "cannot be in the past"),
        ("target_signature_date", "31/31/2031", "Enter a valid date."),
        ("currency", "XXX", "Select a valid choice"),
        ("partnership", "999999", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    client_for, personas, partnership, field, value, message
):
    response = client_for(personas.owner).post(
        reverse("deal_create"), valid_deal_data(partnership, personas, **{field: value})
    )

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Deal.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_sponsor_must_not_be_the_owner(client_for, personas, partnership):
    data = valid_deal_data(
        partnership, personas, sponsor=personas.executive.pk, owner=personas.executive.pk
    )
    response = client_for(personas.executive).post(reverse("deal_create"), data)
    assert response.status_code == 422
    assert "someone other than the deal owner" in response.context["form"].errors["sponsor"][0]
    assert not Deal.objects.exists()


def test_a_reviewer_may_not_create_deals(client_for, personas, partnership):
    response = client_for(personas.legal).post(
        reverse("deal_create"), valid_deal_data(partnership, personas)
    )
    assert response.status_code == 403
    assert not Deal.objects.exists()


def test_editing_a_deal_records_only_what_changed(client_for, personas, deal, partnership):
    data = valid_deal_data(partnership, personas, title="Renamed deal", contract_value="250000.00")
    data["target_signature_date"] = deal.target_signature_date.isoformat()
    response = client_for(personas.owner).post(reverse("deal_edit", args=[deal.pk]), data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(deal=deal, action="edited")
    assert event.before["title"] == deal.title
    assert event.after["title"] == "Renamed deal"
    assert "contract_value" not in event.after


def test_a_past_signature_date_already_on_the_deal_can_be_kept_when_editing(
    client_for, personas, partnership
):
    past = timezone.localdate() - dt.timedelta(days=10)
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        target_signature_date=past,
    )
    data = valid_deal_data(partnership, personas, target_signature_date=past.isoformat())
    response = client_for(personas.owner).post(reverse("deal_edit", args=[deal.pk]), data)
    assert response.status_code == 302


def test_only_owner_sponsor_or_admin_may_edit(client_for, personas, deal):
    for someone in (personas.legal, personas.outsider):
        assert client_for(someone).get(reverse("deal_edit", args=[deal.pk])).status_code == 403
    for someone in (personas.owner, personas.executive, personas.admin):
        assert client_for(someone).get(reverse("deal_edit", args=[deal.pk])).status_code == 200


def test_a_confidential_deal_is_404_to_people_outside_it(client_for, personas, confidential_deal):
    url = confidential_deal.get_absolute_url()
    for someone in (personas.outsider, personas.legal):
        assert client_for(someone).get(url).status_code == 404
        assert (
            client_for(someone).get(reverse("deal_edit", args=[confidential_deal.pk])).status_code
            == 404
        )
        assert (
            client_for(someone)
            .post(
                reverse("deal_advance", args=[confidential_deal.pk]), {"to_stage": "business_case"}
            )
            .status_code
            == 404
        )
    for someone in (personas.owner, personas.executive, personas.admin):
        assert client_for(someone).get(url).status_code == 200


def test_a_reviewer_whose_department_reviews_a_confidential_deal_can_see_it(
    client_for, personas, confidential_deal
):
    from tests.factories import ReviewFactory, department

    ReviewFactory(deal=confidential_deal, department=department("legal"))
    assert client_for(personas.legal).get(confidential_deal.get_absolute_url()).status_code == 200
    assert client_for(personas.it).get(confidential_deal.get_absolute_url()).status_code == 404


def test_the_deal_page_shows_its_timeline_and_time_in_each_stage(client_for, personas, deal):
    StageChange.objects.filter(deal=deal).update(at=timezone.now() - dt.timedelta(days=10))
    Deal.objects.filter(pk=deal.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=10))
    client = client_for(personas.owner)
    client.post(
        reverse("deal_advance", args=[deal.pk]),
        {"to_stage": "business_case", "note": "Case drafted"},
    )

    page = client.get(deal.get_absolute_url()).content.decode()
    assert "Intake → Business case" in page
    assert "Case drafted" in page
    assert "10.0 days in Intake" in page


def test_time_in_stages_adds_up_repeated_stays():
    now = timezone.now()
    changes = [
        StageChange(from_stage="", to_stage=Stage.REVIEW, at=now - dt.timedelta(days=10)),
        StageChange(
            from_stage=Stage.REVIEW, to_stage=Stage.BUSINESS_CASE, at=now - dt.timedelta(days=7)
        ),
        StageChange(
            from_stage=Stage.BUSINESS_CASE, to_stage=Stage.REVIEW, at=now - dt.timedelta(days=5)
        ),
    ]
    rows = {row["stage"]: row for row in time_in_stages(changes, now=now)}
    assert rows[Stage.REVIEW]["days"] == 8.0
    assert rows[Stage.REVIEW]["visits"] == 2
    assert rows[Stage.BUSINESS_CASE]["days"] == 2.0


def test_a_refused_move_from_the_page_says_why_and_changes_nothing(client_for, personas, deal):
    response = client_for(personas.owner).post(
        reverse("deal_advance", args=[deal.pk]), {"to_stage": "live"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "A deal in Intake can move only to" in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).stage == Stage.INTAKE


def test_moving_a_deal_with_htmx_asks_the_page_to_refresh(client_for, personas, deal):
    response = client_for(personas.owner).post(
        reverse("deal_advance", args=[deal.pk]),
        {"to_stage": "business_case"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    assert Deal.objects.get(pk=deal.pk).stage == Stage.BUSINESS_CASE


def test_the_move_endpoint_only_takes_post(client_for, personas, deal):
    assert (
        client_for(personas.owner).get(reverse("deal_advance", args=[deal.pk])).status_code == 405
    )
