"""The portfolio's money in the reporting currency, as on the dashboard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ExchangeRate
from deals.models import Deal, Stage
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_the_portfolio_totals_promised_benefit_in_one_currency_and_names_the_rest(
    client_for, personas, partnership, settings
):
    settings.REPORTING_CURRENCY = "EUR"
    ExchangeRate.objects.create(
        currency="GBP", rate=Decimal("1.2"), applies_from=timezone.localdate() - dt.timedelta(1)
    )
    for currency, weekly in (("EUR", 100), ("GBP", 100), ("USD", 1000)):
        deal = DealFactory(partnership=partnership, stage=Stage.LIVE, currency=currency)
        Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal(weekly))
    response = client_for(personas.executive).get(reverse("portfolio"))
    yearly = response.context["yearly"]
    assert yearly.amount == Decimal(100 * 52) + Decimal(100 * 52) * Decimal("1.2")
    assert [(p.currency, p.amount) for p in yearly.missing] == [("USD", Decimal(52000))]
    html = response.content.decode()
    assert "11,440\u00a0EUR" in html
    assert 'USD <span class="money">52,000</span> not included: no exchange rate' in html
