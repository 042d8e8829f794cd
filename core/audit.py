"""The audit trail: one row per state change, written inside the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from core.freshness import bump
from deals.models import AuditEvent


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of a model instance as JSON-safe data."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        data[field.name] = value
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _bump_after_commit() -> None:
    # After commit: a reader must not cache old data under the new version.
    transaction.on_commit(bump)


def audit_event(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    deal=None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """An unsaved audit row for `instance`: the one way an audit row is built.

    audit_record saves it; bulk writers (the demo data) collect many and bulk_create
    them, and then bump the data version themselves. `at` defaults to now.
    """
    event = AuditEvent(
        deal=deal,
        actor=actor,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        before=before or {},
        after=after or {},
    )
    if at is not None:
        event.at = at
    return event


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    deal=None,
) -> AuditEvent:
    """Write one audit row, in the caller's transaction; the data version moves after commit."""
    _bump_after_commit()
    event = audit_event(
        actor=actor, action=action, instance=instance, before=before, after=after, deal=deal
    )
    event.save(force_insert=True)
    return event
