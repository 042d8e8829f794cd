"""Writes that change a deal: each is atomic and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .audit import audit_record, changed, snapshot
from .models import Deal, Stage, StageChange


@transaction.atomic
def deal_create(*, user, data: dict[str, Any]) -> Deal:
    deal = Deal(**data)
    deal.stage = Stage.INTAKE
    deal.stage_changed_at = timezone.now()
    deal.full_clean()
    deal.save()
    StageChange.objects.create(
        deal=deal, from_stage="", to_stage=deal.stage, by=user, note="Created"
    )
    audit_record(actor=user, action="created", instance=deal, after=snapshot(deal), deal=deal)
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, user, data: dict[str, Any]) -> Deal:
    # Lock the row so that two people saving at once are applied one by one.
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    before = snapshot(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    old, new = changed(before, snapshot(locked))
    old.pop("updated_at", None)
    new.pop("updated_at", None)
    if new:
        audit_record(
            actor=user, action="edited", instance=locked, before=old, after=new, deal=locked
        )
    return locked


@transaction.atomic
def deal_advance(*, deal: Deal, user, to_stage: str, note: str = "") -> Deal:
    """Move a deal to another stage, if the transition table allows it."""
    if not deal.can_be_edited_by(user):
        raise PermissionDenied("Only the deal's owner or sponsor can move it.")
    # The stage is read again under a row lock: two clicks cannot both move it.
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": f"{to_stage!r} is not a stage."})
    refusal = locked.refusal_to_move(to_stage)
    if refusal:
        raise ValidationError({"to_stage": refusal})
    from_stage = locked.stage
    now = timezone.now()
    locked.stage = to_stage
    locked.stage_changed_at = now
    locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    StageChange.objects.create(
        deal=locked, from_stage=from_stage, to_stage=to_stage, by=user, at=now, note=note
    )
    audit_record(
        actor=user,
        action="moved",
        instance=locked,
        before={"stage": from_stage},
        after={"stage": to_stage, "note": note},
        deal=locked,
    )
    return locked
