"""Money in one reporting currency: dated rates, conversion, totals that name what they
leave out; and the administrator's rates, validated and audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent, ExchangeRate
from core.money import format_amount, format_short, rates_on, total
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 15)


def rate(currency: str, value: str, applies_from: dt.date) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency, rate=Decimal(value), applies_from=applies_from
    )


def test_the_latest_rate_on_or_before_the_day_applies_in_one_query(django_assert_num_queries):
    rate("USD", "0.90", dt.date(2026, 9, 1))
    rate("USD", "0.92", DAY)  # applies from the day itself
    rate("USD", "0.95", DAY + dt.timedelta(days=1))  # not yet
    rate("GBP", "1.17", dt.date(2026, 10, 1))
    rate("JPY", "0.00612345", dt.date(2026, 10, 1))  # eight decimals, exactly (SQLite: a float)
    with django_assert_num_queries(1):
        rates = rates_on(DAY)
    assert rates.get("USD").rate == Decimal("0.92") and rates.get("USD").applies_from == DAY
    assert str(rates.get("JPY").rate) == "0.00612345"
    assert rates.get("GBP").applies_from == dt.date(2026, 10, 1)
    assert rates.get("CHF") is None
    assert rates_on(dt.date(2026, 9, 30)).get("USD").rate == Decimal("0.90")
    assert rates_on(dt.date(2026, 8, 31)).get("USD") is None  # before any rate: none


def test_a_total_converts_at_known_rates_and_says_the_oldest_rate_date():
    rate("USD", "0.92", DAY)
    rate("GBP", "1.17", dt.date(2026, 10, 1))
    rates = rates_on(DAY)
    result = total(
        [
            ("EUR", Decimal("1000")),
            ("USD", Decimal("1000")),
            ("GBP", Decimal("100")),
            ("USD", Decimal("500")),
        ],
        rates,
    )
    assert result.currency == "EUR"
    assert result.amount == Decimal("1000") + Decimal("1380.00") + Decimal("117.00")
    assert result.as_of == dt.date(2026, 10, 1)  # the oldest rate used
    assert result.rate_dates == [dt.date(2026, 10, 1), DAY]
    assert result.missing == []
    # The original amounts stay with the total, one per currency.
    assert {p.currency: p.amount for p in result.parts} == {
        "EUR": Decimal("1000"),
        "USD": Decimal("1500"),
        "GBP": Decimal("100"),
    }


def test_a_currency_without_a_rate_is_named_and_left_out_never_guessed():
    rate("GBP", "1.17", DAY)
    result = total([("EUR", Decimal("500")), ("USD", Decimal("1200000"))], rates_on(DAY))
    assert result.amount == Decimal("500")
    assert [(p.currency, p.amount) for p in result.missing] == [("USD", Decimal("1200000"))]
    assert result.as_of is None  # nothing was converted


def test_negative_amounts_get_a_minus_sign():
    assert format_amount(Decimal("-1234.4")) == "\u22121,234"
    assert (
        format_amount(Decimal("1234.5")) == "1,234" or format_amount(Decimal("1234.5")) == "1,235"
    )
    assert format_short(Decimal("-2500000")) == "\u22122.5M"
    assert format_short(Decimal("45300")) == "45k"


def test_a_rate_must_be_positive_known_and_not_the_reporting_currency(settings):
    settings.REPORTING_CURRENCY = "EUR"
    for currency, value, field in (
        ("USD", "0", "rate"),
        ("USD", "-1", "rate"),
        ("XYZ", "1.1", "currency"),
        ("EUR", "1", "currency"),
    ):
        with pytest.raises(ValidationError) as error:
            ExchangeRate(currency=currency, rate=Decimal(value), applies_from=DAY).full_clean()
        assert field in error.value.message_dict, (currency, value)
    rate("USD", "0.92", DAY)
    with pytest.raises(ValidationError) as error:
        ExchangeRate(currency="USD", rate=Decimal("0.93"), applies_from=DAY).full_clean()
    assert "__all__" in error.value.message_dict  # one rate per currency and day


def test_an_administrator_keeps_rates_in_the_admin_and_each_change_is_audited(
    client_for, personas, settings
):
    settings.REPORTING_CURRENCY = "EUR"
    client = client_for(personas.admin)
    add = reverse("admin:core_exchangerate_add")
    refused = client.post(add, {"currency": "EUR", "rate": "1", "applies_from": "2026-11-15"})
    assert refused.status_code == 200 and "is the reporting currency" in refused.content.decode()
    assert not ExchangeRate.objects.exists()

    response = client.post(add, {"currency": "USD", "rate": "0.92", "applies_from": "2026-11-15"})
    assert response.status_code == 302
    saved = ExchangeRate.objects.get()
    created = AuditEvent.objects.get(object_type="core.exchangerate", action="created")
    assert created.actor == personas.admin and created.after["rate"] == "0.92000000"

    change = reverse("admin:core_exchangerate_change", args=[saved.pk])
    data = admin_form_data(client, change)
    data["rate"] = "0.93"
    assert client.post(change, data).status_code == 302
    edited = AuditEvent.objects.get(object_type="core.exchangerate", action="edited")
    assert edited.before == {"rate": "0.92000000"} and edited.after == {"rate": "0.93000000"}

    delete = reverse("admin:core_exchangerate_delete", args=[saved.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    deleted = AuditEvent.objects.get(object_type="core.exchangerate", action="deleted")
    assert deleted.before["currency"] == "USD"


def test_an_unknown_reporting_currency_is_a_configuration_error(settings):
    from core.apps import check_reporting_currency

    settings.REPORTING_CURRENCY = "XYZ"
    assert [e.id for e in check_reporting_currency()] == ["core.E001"]
    settings.REPORTING_CURRENCY = "USD"
    assert check_reporting_currency() == []


def test_the_money_filter_escapes_the_currency_and_marks_negative_amounts():
    from core.templatetags.money import money

    assert money(Decimal("-1500"), "EUR") == (
        '<span class="money money--negative">\u22121,500\u00a0EUR</span>'
    )
    assert money(Decimal("2"), "<b>") == '<span class="money">2\u00a0&lt;b&gt;</span>'
    assert money(None) == "—" and money(7) == '<span class="money">7</span>'
