"""Writes to a deal's outcome metrics, check-ins and customer journey: each is
atomic and leaves an audit event. The business case is in metrics.business_case;
who may write is in metrics.rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import AuditAction, audit_record, changed, model_update, snapshot
from deals.models import Deal

from . import rules
from .models import (
    CheckIn,
    JourneyStage,
    OutcomeMetric,
)

# Outcome metrics and check-ins


@transaction.atomic
def metric_create(*, deal: Deal, user, data: dict[str, Any]) -> OutcomeMetric:
    rules.EDIT_VALUE.require(user, deal)
    metric = OutcomeMetric(deal=deal, **data)
    metric.full_clean()
    metric.save()
    audit_record(
        actor=user, action=AuditAction.CREATED, instance=metric, after=snapshot(metric), deal=deal
    )
    return metric


@transaction.atomic
def metric_update(*, metric: OutcomeMetric, user, data: dict[str, Any]) -> OutcomeMetric:
    rules.EDIT_VALUE.require(user, metric.deal)
    locked = OutcomeMetric.objects.select_for_update().get(pk=metric.pk)
    changes = model_update(locked, data)
    if changes:
        audit_record(
            actor=user,
            action=AuditAction.EDITED,
            instance=locked,
            before=changes.before,
            after=changes.after,
            deal=metric.deal,
        )
    return locked


def _lock_for_check_ins(metric: OutcomeMetric, user) -> OutcomeMetric:
    """The metric, locked: its check-ins are written one by one (and its latest value)."""
    rules.RECORD_CHECK_IN.require(user, metric)
    return OutcomeMetric.objects.select_for_update().get(pk=metric.pk)


def _check_date(metric: OutcomeMetric, date: dt.date, correcting: CheckIn | None = None) -> None:
    if date > timezone.localdate():
        raise ValidationError(
            {"date": "A check-in records a measurement: it cannot be dated in the future."}
        )
    others = CheckIn.objects.filter(metric=metric, date=date)
    if correcting is not None:
        others = others.exclude(pk=correcting.pk)
    if others.exists():
        raise ValidationError({"date": "There is already a check-in on this date."})


@transaction.atomic
def check_in_record(
    *, metric: OutcomeMetric, user, date: dt.date, actual: Decimal, note: str = ""
) -> CheckIn:
    """Record an actual value; the metric keeps its newest one for cheap listing."""
    locked = _lock_for_check_ins(metric, user)
    _check_date(locked, date)
    check_in = CheckIn(metric=locked, date=date, actual=actual, note=note, recorded_by=user)
    check_in.full_clean()
    check_in.save()
    if locked.latest_on is None or date >= locked.latest_on:
        locked.latest_on, locked.latest_value = date, actual
        locked.save(update_fields=["latest_on", "latest_value"])
    audit_record(
        actor=user,
        action=AuditAction.CHECKED_IN,
        instance=check_in,
        after={
            "metric": locked.pk,
            "metric_name": locked.name,
            "date": date.isoformat(),
            "actual": str(actual),
            "note": note,
        },
        deal=metric.deal,
    )
    metric.latest_on, metric.latest_value = locked.latest_on, locked.latest_value
    return check_in


def _refresh_latest(metric: OutcomeMetric) -> None:
    """The metric keeps its newest check-in's date and value (listed without a join)."""
    newest = CheckIn.objects.filter(metric=metric).order_by("-date", "-pk").first()
    metric.latest_on = newest.date if newest else None
    metric.latest_value = newest.actual if newest else None
    metric.save(update_fields=["latest_on", "latest_value"])


@transaction.atomic
def check_in_update(
    *, check_in: CheckIn, user, date: dt.date, actual: Decimal, note: str = ""
) -> CheckIn:
    """Correct a check-in (a typo, a late figure); the old values stay in the audit trail."""
    metric = check_in.metric
    locked = _lock_for_check_ins(metric, user)
    current = CheckIn.objects.filter(pk=check_in.pk, metric=locked).first()
    if current is None:
        raise ValidationError("This check-in was removed meanwhile; record it again.")
    _check_date(locked, date, correcting=current)
    places = Decimal(1).scaleb(-CheckIn._meta.get_field("actual").decimal_places)
    actual = actual.quantize(places)  # as stored: 12 and 12.0000 are one value, not a change
    before = {"date": current.date.isoformat(), "actual": str(current.actual), "note": current.note}
    current.date, current.actual, current.note = date, actual, note
    current.full_clean()
    current.save(update_fields=["date", "actual", "note"])
    _refresh_latest(locked)
    after = {"date": date.isoformat(), "actual": str(actual), "note": note}
    old, new = changed(before, after)
    if new:
        audit_record(
            actor=user,
            action=AuditAction.EDITED,
            instance=current,
            before=old,
            after=new,
            deal=metric.deal,
        )
    return current


@transaction.atomic
def check_in_delete(*, check_in: CheckIn, user) -> None:
    metric = check_in.metric
    locked = _lock_for_check_ins(metric, user)
    before = {"date": check_in.date.isoformat(), "actual": str(check_in.actual)}
    pk = check_in.pk
    check_in.delete()
    _refresh_latest(locked)
    check_in.pk = pk
    audit_record(
        actor=user, action=AuditAction.DELETED, instance=check_in, before=before, deal=metric.deal
    )


# Customer journey


@transaction.atomic
def journey_stage_save(
    *, deal: Deal, user, data: dict[str, Any], stage: JourneyStage | None = None
) -> JourneyStage:
    """Add a stage at the end of the journey, or edit one."""
    rules.EDIT_VALUE.require(user, deal)
    locked_deal = Deal.objects.lock(deal.pk)
    metric = data.get("metric")
    if metric is not None and metric.deal_id != deal.pk:
        raise ValidationError({"metric": "Link a metric of this deal."})
    if stage is None:
        last = JourneyStage.objects.filter(deal=locked_deal).aggregate(p=Max("position"))["p"]
        stage = JourneyStage(deal=locked_deal, position=0 if last is None else last + 1)
        before: dict[str, Any] = {}
        action = AuditAction.CREATED
    else:
        # From the database: a validated ModelForm has already changed `stage` in memory.
        before = snapshot(JourneyStage.objects.get(pk=stage.pk))
        action = AuditAction.EDITED
    changes = model_update(stage, data, before=before)
    audit_record(
        actor=user,
        action=action,
        instance=stage,
        before=changes.before,
        after=changes.after,
        deal=deal,
    )
    return stage


@transaction.atomic
def journey_stage_move(*, stage: JourneyStage, user, direction: str) -> list[JourneyStage]:
    """Swap a stage with its neighbour; returns the journey in its new order."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a stage up or down."})
    deal = stage.deal
    rules.EDIT_VALUE.require(user, deal)
    Deal.objects.lock(deal.pk)
    stages = list(JourneyStage.objects.filter(deal=deal).select_related("metric"))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(stages):
        stages[index], stages[other] = stages[other], stages[index]
        before = {"position": index}
        # Positions are renumbered 0..n-1 so that they never collide or drift.
        for position, row in enumerate(stages):
            row.position = position
        JourneyStage.objects.bulk_update(stages, ["position"])
        audit_record(
            actor=user,
            action=AuditAction.MOVED,
            instance=stage,
            before=before,
            after={"position": other},
            deal=deal,
        )
    return stages


@transaction.atomic
def journey_stage_delete(*, stage: JourneyStage, user) -> None:
    deal = stage.deal
    rules.EDIT_VALUE.require(user, deal)
    Deal.objects.lock(deal.pk)
    before = snapshot(stage)
    pk = stage.pk
    stage.delete()
    stage.pk = pk
    audit_record(actor=user, action=AuditAction.DELETED, instance=stage, before=before, deal=deal)
