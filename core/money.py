"""Money in one reporting currency: the rates that apply on a date, conversion, totals.

`settings.REPORTING_CURRENCY` is the one currency totals are shown in. An administrator
keeps dated `ExchangeRate` rows; a total uses, for each currency, the latest rate on or
before its date. A currency without such a rate is never guessed: its amounts stay out of
the total and are named (`Total.missing`), so a page can say "USD 1,200,000 not included:
no exchange rate". The original amounts stay with the total (`Total.parts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .models import ExchangeRate
from .sql import as_date, as_decimal, fetch, table

CENT = Decimal("0.01")


def reporting_currency() -> str:
    return settings.REPORTING_CURRENCY


@dataclass(frozen=True)
class Rate:
    rate: Decimal
    applies_from: dt.date

    @property
    def text(self) -> str:
        return f"{self.rate.normalize():f}"


@dataclass(frozen=True)
class Rates:
    """The rates that apply on one day, by currency; the reporting currency is 1."""

    currency: str
    on: dt.date
    by_currency: dict[str, Rate] = field(default_factory=dict)

    def get(self, currency: str) -> Rate | None:
        return self.by_currency.get(currency)

    def convert(self, amount: Decimal | int | None, currency: str) -> Decimal | None:
        """The amount in the reporting currency, or None when there is no rate for it."""
        if amount is None:
            return None
        if currency == self.currency:
            return Decimal(amount)
        found = self.by_currency.get(currency)
        if found is None:
            return None
        return (Decimal(amount) * found.rate).quantize(CENT)


def rates_on(day: dt.date | None = None) -> Rates:
    """The latest rate of each currency on or before `day` (today): one query, served by
    the unique (currency, applies_from) index whatever the length of the rate history.
    Written as SQL (core.sql): every page with money reads it, and the ORM's correlated
    subquery cost twice what the database spends."""
    day = day or timezone.localdate()
    rates = table(ExchangeRate)
    rows = fetch(
        [
            (
                f"SELECT currency, rate, applies_from FROM {rates} r"
                " WHERE currency <> %s AND applies_from = (SELECT MAX(applies_from)"
                f" FROM {rates} WHERE currency = r.currency AND applies_from <= %s)",
                [reporting_currency(), day],
            )
        ]
    )
    places = ExchangeRate._meta.get_field("rate").decimal_places
    return Rates(
        currency=reporting_currency(),
        on=day,
        by_currency={
            currency: Rate(as_decimal(rate, places), as_date(applies))
            for currency, rate, applies in rows
        },
    )


@dataclass(frozen=True)
class Part:
    """One currency's share of a total: the original amount and what it counts for."""

    currency: str
    amount: Decimal
    converted: Decimal | None  # None: no rate, left out of the total
    rate: Rate | None = None

    @property
    def is_reporting(self) -> bool:
        return self.rate is None and self.converted is not None


@dataclass(frozen=True)
class Total:
    currency: str
    amount: Decimal
    parts: list[Part]

    @property
    def missing(self) -> list[Part]:
        """Currencies with an amount but no rate: named, not included."""
        return [p for p in self.parts if p.converted is None]

    @property
    def rate_dates(self) -> list[dt.date]:
        return sorted({p.rate.applies_from for p in self.parts if p.rate is not None})

    @property
    def as_of(self) -> dt.date | None:
        """The oldest rate used: the total is "at rates as of" this day."""
        dates = self.rate_dates
        return dates[0] if dates else None

    @property
    def converted_parts(self) -> bool:
        """Whether any foreign amount was converted (then the original amounts matter)."""
        return any(p.rate is not None for p in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)


def total(pairs: Iterable[tuple[str, Decimal | int | None]], rates: Rates) -> Total:
    """(currency, amount) pairs summed per currency, then into the reporting currency.

    A currency whose amounts add up to nothing adds no part (as the digest always did).
    """
    by_currency: dict[str, Decimal] = {}
    for currency, amount in pairs:
        if amount:
            by_currency[currency] = by_currency.get(currency, Decimal("0")) + Decimal(amount)
    parts = [
        Part(
            currency=currency,
            amount=amount,
            converted=rates.convert(amount, currency),
            rate=None if currency == rates.currency else rates.get(currency),
        )
        for currency, amount in by_currency.items()
        if amount
    ]
    # Largest first in the reporting currency; those without a rate last, largest first.
    parts.sort(key=lambda p: (p.converted is None, -(p.converted or p.amount)))
    amount = sum((p.converted for p in parts if p.converted is not None), Decimal("0"))
    return Total(currency=rates.currency, amount=amount, parts=parts)


MINUS = "\u2212"  # a real minus sign: negative money is said, not only coloured


def format_amount(value: Decimal | int | float | None, places: int = 0) -> str:
    """1234567.8 → '1,234,568'; negative with a minus sign."""
    if value is None:
        return "—"
    number = Decimal(value)
    text = f"{abs(number):,.{places}f}"
    return f"{MINUS}{text}" if number < 0 and text.strip("0.,") else text


def format_short(value: Decimal | int | float | None) -> str:
    """For chart labels: 1,234,567 → '1.2M', 45,300 → '45k', 950 → '950'."""
    if value is None:
        return "—"
    number = Decimal(value)
    size = abs(number)
    for limit, suffix in ((Decimal(10**9), "bn"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
        if size >= limit:
            scaled = size / limit
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            text = text.removesuffix(".0") + suffix
            break
    else:
        text = f"{size:.0f}"
    return f"{MINUS}{text}" if number < 0 and text != "0" else text
