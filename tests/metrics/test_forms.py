"""Bad input on every value form: 422, the message at the field, nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from deals.models import Stage
from metrics.models import Assumption, BusinessCase, CheckIn, JourneyStage, Outcome, OutcomeMetric
from tests.factories import (
    AssumptionFactory,
    BusinessCaseFactory,
    CheckInFactory,
    DealFactory,
    OutcomeMetricFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def metric_data(**overrides):
    data = {
        "name": "Onboarding time",
        "unit": "days",
        "direction": "decrease",
        "baseline": "14",
        "target": "7",
        "start_date": "2026-01-01",
        "target_date": "2026-12-31",
    }
    data.update(overrides)
    return data


def test_an_owner_adds_a_metric(client_for, personas, deal):
    response = client_for(personas.owner).post(
        reverse("metric_create", args=[deal.pk]), metric_data()
    )
    metric = OutcomeMetric.objects.get()
    assert response.status_code == 302
    assert response["Location"] == metric.get_absolute_url()
    assert (metric.baseline, metric.target) == (Decimal(14), Decimal(7))
    assert AuditEvent.objects.filter(object_type="metrics.outcomemetric", action="created").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("baseline", "lots", "Enter a number."),
        ("target", "14", "The target must differ from the baseline."),
        ("target", "20", "To decrease, the target must be below the baseline."),
        ("target_date", "2025-06-01", "The target date must come after the start date."),
        ("start_date", "31/31/2031", "Enter a valid date."),
        ("direction", "sideways", "Select a valid choice"),
    ],
)
def test_a_bad_metric_is_refused_at_the_field(client_for, personas, deal, field, value, message):
    response = client_for(personas.owner).post(
        reverse("metric_create", args=[deal.pk]), metric_data(**{field: value})
    )
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not OutcomeMetric.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_rising_metric_needs_a_target_above_its_baseline(client_for, personas, deal):
    data = metric_data(direction="increase", baseline="50", target="40")
    response = client_for(personas.owner).post(reverse("metric_create", args=[deal.pk]), data)
    assert response.status_code == 422
    assert "above the baseline" in response.context["form"].errors["target"][0]


def test_a_check_in_is_recorded_and_moves_the_latest_value(client_for, personas, deal):
    metric = OutcomeMetricFactory(deal=deal)
    response = client_for(personas.owner).post(
        reverse("check_in_create", args=[metric.pk]),
        {"date": TODAY().isoformat(), "actual": "61.5", "note": "From the partner's report"},
    )
    assert response.status_code == 302
    metric.refresh_from_db()
    assert metric.latest_value == Decimal("61.5")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actual", "about sixty", "Enter a number."),
        ("actual", "", "This field is required."),
        ("date", "tomorrow", "Enter a valid date."),
        ("date", (TODAY() + dt.timedelta(days=2)).isoformat(), "cannot be dated in the future"),
        ("date", (TODAY() - dt.timedelta(days=1)).isoformat(), "already a check-in on this date"),
    ],
)
def test_a_bad_check_in_is_refused_at_the_field(client_for, personas, deal, field, value, message):
    metric = OutcomeMetricFactory(deal=deal)
    CheckInFactory(metric=metric, date=TODAY() - dt.timedelta(days=1))
    data = {"date": TODAY().isoformat(), "actual": "50", **{field: value}}
    response = client_for(personas.owner).post(reverse("check_in_create", args=[metric.pk]), data)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert CheckIn.objects.count() == 1


def test_a_bad_check_in_through_htmx_returns_the_region_with_the_message(
    client_for, personas, deal
):
    metric = OutcomeMetricFactory(deal=deal)
    response = client_for(personas.owner).post(
        reverse("check_in_create", args=[metric.pk]),
        {"date": TODAY().isoformat(), "actual": "x"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<div id="check-ins"')
    assert "Enter a number." in html


def case_data(**overrides):
    data = {
        "discount_rate": "8",
        "note": "",
        "based_on": "",
        "years-TOTAL_FORMS": "2",
        "years-INITIAL_FORMS": "0",
        "years-0-year": "1",
        "years-0-revenue_growth": "100000",
        "years-0-cost_savings": "50000",
        "years-0-one_off_costs": "80000",
        "years-0-running_costs": "10000",
        "years-1-year": "2",
        "years-1-revenue_growth": "120000",
        "years-1-cost_savings": "50000",
        "years-1-one_off_costs": "0",
        "years-1-running_costs": "10000",
        "assumptions-TOTAL_FORMS": "1",
        "assumptions-INITIAL_FORMS": "0",
        "assumptions-0-statement": "Customers move to the new channel.",
        "assumptions-0-confidence": "medium",
        "assumptions-0-evidence": "Pilot.",
    }
    data.update(overrides)
    return data


def test_an_owner_writes_the_business_case_with_a_formset(client_for, personas, deal):
    response = client_for(personas.owner).post(
        reverse("business_case_edit", args=[deal.pk]), case_data()
    )
    assert response.status_code == 302
    case = BusinessCase.objects.get()
    assert case.version == 1
    assert case.totals["benefits"] == Decimal(320_000)
    assert case.assumptions.get().statement == "Customers move to the new channel."
    deal.refresh_from_db()
    assert deal.weekly_cost_of_delay == Decimal("2884.62")  # (300,000 / 2) / 52


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("discount_rate", "150", "between 0 and 100 %"),
        ("discount_rate", "-1", "between 0 and 100 %"),
        ("discount_rate", "eight", "Enter a number."),
        ("years-0-year", "11", "Years run from 1 to 10."),
        ("years-0-year", "0", "Years run from 1 to 10."),
        ("years-1-year", "1", "Year 1 appears twice."),
        ("years-0-revenue_growth", "-5", "Money cannot be negative here."),
        ("years-1-running_costs", "ten", "Enter a number."),
        ("assumptions-0-statement", "", "This field is required."),
    ],
)
def test_a_bad_business_case_is_refused_at_the_field(
    client_for, personas, deal, field, value, message
):
    response = client_for(personas.owner).post(
        reverse("business_case_edit", args=[deal.pk]), case_data(**{field: value})
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    prefix, _, name = field.rpartition("-")
    if prefix:
        group, index = prefix.split("-")
        errors = response.context[group].forms[int(index)].errors[name]
    else:
        errors = response.context["form"].errors[name]
    assert message in " ".join(errors)
    assert not BusinessCase.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_business_case_without_any_year_is_refused(client_for, personas, deal):
    data = case_data(**{"years-TOTAL_FORMS": "0"})
    response = client_for(personas.owner).post(reverse("business_case_edit", args=[deal.pk]), data)
    assert response.status_code == 422
    assert "at least one year" in response.content.decode()
    assert not BusinessCase.objects.exists()


def test_a_journey_stage_needs_a_name(client_for, personas, deal):
    response = client_for(personas.owner).post(
        reverse("journey", args=[deal.pk]), {"name": "", "touchpoint": "Shop"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.context["form"].errors["name"]
    assert not JourneyStage.objects.exists()


def test_a_journey_stage_cannot_link_another_deals_metric(client_for, personas, deal):
    other = OutcomeMetricFactory()
    response = client_for(personas.owner).post(
        reverse("journey", args=[deal.pk]), {"name": "Buy", "metric": other.pk}
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["metric"][0]
    assert not JourneyStage.objects.exists()


def test_a_verdict_on_an_assumption_needs_evidence(client_for, personas, partnership):
    deal = DealFactory(partnership=partnership, owner=personas.owner, stage=Stage.LIVE)
    case = BusinessCaseFactory(deal=deal, signed_off_at=timezone.now())
    assumption = AssumptionFactory(business_case=case)
    url = reverse("assumption_assess", args=[assumption.pk])
    response = client_for(personas.owner).post(url, {"outcome": "broken", "outcome_evidence": ""})
    assert response.status_code == 422
    assert "Give the evidence" in response.context["form"].errors["outcome_evidence"][0]
    bad = client_for(personas.owner).post(url, {"outcome": "maybe", "outcome_evidence": "x"})
    assert bad.status_code == 422
    assert Assumption.objects.get().outcome == Outcome.OPEN
    ok = client_for(personas.owner).post(url, {"outcome": "held", "outcome_evidence": "Q3 review"})
    assert ok.status_code == 302
    assert Assumption.objects.get().outcome == Outcome.HELD


def test_an_unknown_version_to_compare_is_refused_with_a_message(client_for, personas, deal):
    BusinessCaseFactory(deal=deal, version=1)
    response = client_for(personas.legal).get(
        reverse("business_case_compare", args=[deal.pk]), {"a": "1", "b": "7"}
    )
    assert response.status_code == 422
    assert "There is no version 7" in response.content.decode()
