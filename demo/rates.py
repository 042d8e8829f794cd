"""Demo exchange rates: realistic values, dated, so that `make run` shows totals in one
currency. Worth in EUR of one unit, turned into rates to whatever the reporting currency is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from core.models import Currency, ExchangeRate
from core.money import reporting_currency

# (months ago the rate applies from, EUR per unit)
IN_EUR = {
    3: {"USD": Decimal("0.9180"), "GBP": Decimal("1.1650"), "CHF": Decimal("1.0590")},
    0: {"USD": Decimal("0.9245"), "GBP": Decimal("1.1710"), "CHF": Decimal("1.0640")},
}


def _first_of_month(months_ago: int) -> dt.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day


def ensure_rates() -> int:
    """Rates of this month and of three months ago, once; returns how many were added."""
    target = reporting_currency()
    made = 0
    for months_ago, worth in IN_EUR.items():
        worth = {Currency.EUR.value: Decimal(1), **worth}
        for currency in Currency.values:
            if currency == target:
                continue
            rate = (worth[currency] / worth[target]).quantize(Decimal("0.00000001"))
            _, created = ExchangeRate.objects.get_or_create(
                currency=currency,
                applies_from=_first_of_month(months_ago),
                defaults={"rate": rate},
            )
            made += created
    return made
