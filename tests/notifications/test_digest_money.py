"""The executive digest totals money as the dashboard does: one reporting currency, the
rate date, and each currency without a rate named and left out."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core import freshness
from core.models import ExchangeRate
from deals.models import Stage
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_the_digest_totals_in_the_reporting_currency_and_names_a_currency_without_a_rate(
    client_for, personas, partnership, settings
):
    settings.REPORTING_CURRENCY = "EUR"
    DealFactory(partnership=partnership, stage=Stage.REVIEW, contract_value=Decimal("1000000"))
    DealFactory(
        partnership=partnership,
        stage=Stage.REVIEW,
        contract_value=Decimal("500000"),
        currency="USD",
    )
    client = client_for(personas.executive)
    text = client.get("/digest/preview/?format=text").content.decode()
    assert "worth 1,000,000 EUR; USD 500,000 not included: no exchange rate." in text

    applies = timezone.localdate() - dt.timedelta(days=3)
    ExchangeRate.objects.create(currency="USD", rate=Decimal("0.9"), applies_from=applies)
    freshness.bump()  # as the admin's audited save does
    text = client.get("/digest/preview/?format=text").content.decode()
    assert f"worth 1,450,000 EUR at rates as of {applies.day} {applies:%b %Y}." in text
    assert "not included" not in text
