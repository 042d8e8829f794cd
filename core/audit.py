"""The audit trail: one row per state change, written inside the same transaction.

Services call `audit_record`; edits of a model's fields go through `model_update`,
which returns what changed so that the service audits exactly that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import models, transaction

from core.freshness import bump, scopes_of
from core.models import AuditAction, AuditEvent

__all__ = [
    "AuditAction",
    "Changes",
    "audit_event",
    "audit_record",
    "changed",
    "model_update",
    "snapshot",
    "subscribe",
]

# Called with each AuditEvent audit_record saved, inside its transaction: an app
# above the domain apps (notifications) hears of every change without them
# importing it. A subscriber decides what its own failure costs: notifications.events
# plans in a savepoint and logs, so a bug there never fails the change it hears of.
_subscribers: list[Callable[[AuditEvent], None]] = []


def subscribe(callback: Callable[[AuditEvent], None]) -> None:
    """Call `callback(event)` after every audit_record; subscribing twice is once."""
    if callback not in _subscribers:
        _subscribers.append(callback)


# Kept by Django on every save; a change of it alone is no change of the content.
NOT_CONTENT = ("updated_at",)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of a model instance as JSON-safe data."""
    data: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        if fields is not None and model_field.name not in fields:
            continue
        value = getattr(instance, model_field.attname)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        data[model_field.name] = value
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k) and k not in NOT_CONTENT]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass
class Changes:
    """What an update changed: the old and the new values of the changed fields only."""

    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.after)


def model_update(instance: models.Model, data: dict[str, Any], *, before=None) -> Changes:
    """Set `data` on `instance`, validate, save, and say what changed.

    `before` is the snapshot to compare against when the instance was already changed
    in memory (a validated ModelForm writes its values onto its instance).
    """
    before = snapshot(instance) if before is None else before
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return Changes(*changed(before, snapshot(instance)))


def audit_event(
    *,
    actor,
    action: AuditAction,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    deal=None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """An unsaved audit row: the one way to build one (audit_record saves it; bulk
    loaders such as the demo bulk_create them)."""
    event = AuditEvent(
        deal=deal,
        actor=actor,
        action=AuditAction(action),
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
    action: AuditAction,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    deal=None,
) -> AuditEvent:
    event = audit_event(
        actor=actor, action=action, instance=instance, before=before, after=after, deal=deal
    )
    scopes = scopes_of(
        deal_id=event.deal_id,
        instance_label=event.object_type,
        object_id=event.object_id,
        actor_id=event.actor_id,
    )
    # After commit: a reader must not cache old data under the new version.
    transaction.on_commit(partial(bump, *sorted(scopes)))
    event.save()
    for callback in _subscribers:
        callback(event)
    return event
