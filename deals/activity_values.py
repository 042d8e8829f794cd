"""Values of audit events formatted as the pages format them, for deals.activity:
stage labels, money with its currency, dates; the reader-facing name of each field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import Truncator

from core.models import AuditEvent
from metrics.charts import format_measure
from metrics.models import Direction
from partnerships.models import PartnerKind, RiskTier

from .models import Currency, Stage

QUOTE_LENGTH = 200


def quote(text: Any) -> str:
    text = " ".join(str(text or "").split())
    return f"“{Truncator(text).chars(QUOTE_LENGTH)}”" if text else ""


def said(predicate: str, text: Any = "") -> str:
    """The predicate, then what the person wrote, if anything."""
    quoted_text = quote(text)
    return f"{predicate}: {quoted_text}" if quoted_text else f"{predicate}."


def label(choices, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return ""


def date_text(value: Any) -> str:
    if isinstance(value, str):
        moment = parse_datetime(value) if "T" in value else None
        if moment is not None:
            return datetime_text(moment)
        value = parse_date(value) if value else None
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    return dateformat.format(value, "j M Y") if isinstance(value, dt.date) else ""


def datetime_text(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return dateformat.format(moment, "j M Y, H:i T")


def decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def currency_of(event: AuditEvent, side: dict | None = None) -> str:
    """The currency of an amount on one side of a change (the deal's, unless that side
    changed it), or of the event."""
    for values in [side] if side is not None else [event.after, event.before]:
        if values.get("currency"):
            return str(values["currency"])
    deal = event.deal if event.deal_id else None
    return deal.currency if deal is not None else ""


def money(value: Any, currency: str) -> str:
    number = decimal(value)
    if number is None:
        return ""
    return f"{floatformat(number, '0g')} {currency}".strip()


def measure(value: Any) -> str:
    number = decimal(value)
    return format_measure(number) if number is not None else ""


def percent(value: Any) -> str:
    number = decimal(value)
    return f"{format_measure(number * 100)} %" if number is not None else ""


def quoted(value: Any) -> str:
    return quote(value) if isinstance(value, str) else ""


def yes_no(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else ""


def number(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


# A field's reader-facing name and how its value is shown; None: its value is not shown
# (a person, a partnership, long text), only that it changed.
Format = Callable[[Any, AuditEvent, dict], str] | None

FIELDS: dict[str, dict[str, tuple[str, Format]]] = {
    "deals.deal": {
        "title": ("title", lambda v, e, s: quoted(v)),
        "summary": ("summary", None),
        "partnership": ("partnership", None),
        "owner": ("owner", None),
        "sponsor": ("sponsor", None),
        "stage": ("stage", lambda v, e, s: label(Stage, v)),
        "contract_value": ("contract value", lambda v, e, s: money(v, currency_of(e, s))),
        "currency": ("currency", lambda v, e, s: label(Currency, v)),
        "expected_annual_value": (
            "expected annual value",
            lambda v, e, s: money(v, currency_of(e, s)),
        ),
        "term_months": ("term", lambda v, e, s: f"{v} months" if number(v) else ""),
        "target_signature_date": ("target signature date", lambda v, e, s: date_text(v)),
        "confidential": ("confidentiality", lambda v, e, s: yes_no(v) and openness(v)),
    },
    "metrics.outcomemetric": {
        "name": ("name", lambda v, e, s: quoted(v)),
        "unit": ("unit", lambda v, e, s: quoted(v)),
        "baseline": ("baseline", lambda v, e, s: measure(v)),
        "target": ("target", lambda v, e, s: measure(v)),
        "direction": ("direction", lambda v, e, s: label(Direction, v)),
        "start_date": ("start date", lambda v, e, s: date_text(v)),
        "target_date": ("target date", lambda v, e, s: date_text(v)),
        "owner": ("owner", None),
        "department": ("department", None),
        "is_headline": ("headline", lambda v, e, s: yes_no(v)),
    },
    "metrics.checkin": {
        "date": ("date", lambda v, e, s: date_text(v)),
        "actual": ("actual value", lambda v, e, s: measure(v)),
        "note": ("note", None),
    },
    "metrics.journeystage": {
        "name": ("name", lambda v, e, s: quoted(v)),
        "touchpoint": ("touchpoint", lambda v, e, s: quoted(v)),
        "pain": ("pain", None),
        "change": ("change", None),
        "metric": ("linked metric", None),
    },
    "partnerships.partner": {
        "name": ("name", lambda v, e, s: quoted(v)),
        "kind": ("kind", lambda v, e, s: label(PartnerKind, v)),
        "country": ("country", lambda v, e, s: quoted(v)),
        "website": ("website", lambda v, e, s: quoted(v)),
        "risk_tier": ("risk tier", lambda v, e, s: label(RiskTier, v)),
        "handles_customer_data": ("handling of customer data", lambda v, e, s: yes_no(v)),
        "notes": ("notes", None),
    },
    "partnerships.partnership": {
        "title": ("title", lambda v, e, s: quoted(v)),
        "description": ("description", None),
        "partner": ("partner", None),
        "sponsor": ("sponsor", None),
        "goals": ("strategic goals", None),
    },
}

NOUNS = {
    "deals.deal": "the deal",
    "metrics.outcomemetric": "an outcome metric",
    "metrics.checkin": "a check-in",
    "metrics.journeystage": "a journey stage",
    "metrics.businesscase": "the business case",
    "partnerships.partner": "a partner",
    "partnerships.partnership": "a partnership",
}


def openness(value: Any) -> str:
    return "confidential" if value else "open"


def named(event: AuditEvent, noun: str, *keys: str) -> str:
    """'the outcome metric “Churn”' when the event carries a name, else the noun."""
    for values in (event.after, event.before):
        for key in keys:
            if isinstance(values.get(key), str) and values[key].strip():
                return f"{noun} {quote(values[key])}"
    return NOUNS.get(event.object_type, noun)


def joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def field_changes(event: AuditEvent) -> list[str]:
    """'the contract value from 10,000 EUR to 12,000 EUR', for each field a reader knows."""
    known = FIELDS.get(event.object_type, {})
    parts = []
    # In the table's order, not the stored one (PostgreSQL's jsonb reorders keys).
    for key, (label, show) in known.items():
        if key not in event.after:
            continue
        new = event.after[key]
        if show is None:
            parts.append(f"the {label}")
            continue
        old_text = show(event.before.get(key), event, event.before)
        new_text = show(new, event, event.after)
        if old_text and new_text:
            parts.append(f"the {label} from {old_text} to {new_text}")
        elif new_text:
            parts.append(f"the {label} to {new_text}")
        else:
            parts.append(f"the {label}")
    return parts
