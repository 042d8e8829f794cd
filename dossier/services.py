"""Writes for dossiers: asking for one (audited) and building it (the background job)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import AuditAction, audit_record
from deals.models import Deal
from stakeholders.models import User

from . import rules
from .models import Dossier
from .tasks import build_dossier


@transaction.atomic
def dossier_request(*, deal: Deal, user: User, as_of: dt.date) -> Dossier:
    """Queue the deal's dossier as of `as_of`; audited, as every export is. One of the
    same date already on its way is returned instead of building it twice."""
    rules.EXPORT_DOSSIER.require(user, deal)
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": "Choose today or a day before: the record has no future."})
    Deal.objects.lock(deal.pk)  # two clicks at once queue one dossier
    working = [d for d in Dossier.objects.filter(deal=deal, as_of=as_of)[:5] if d.is_working]
    if working:
        return working[0]
    dossier = Dossier.objects.create(deal=deal, as_of=as_of, requested_by=user)
    audit_record(
        actor=user,
        action=AuditAction.DOSSIER_EXPORTED,
        instance=dossier,
        after={"as_of": as_of.isoformat()},
        deal=deal,
    )
    transaction.on_commit(lambda: build_dossier.delay(dossier.pk), robust=True)
    return dossier
