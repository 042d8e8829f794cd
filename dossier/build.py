"""The background job of a dossier: build the zip and store it (dossier.tasks calls this)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from . import archive
from .models import Dossier, DossierStatus, dossier_path


def dossier_build(*, dossier_id: int) -> Dossier | None:
    """Build a queued dossier and store it; None when there is nothing to do. Safe to run
    again: a redelivered task builds the same bytes again."""
    started = Dossier.objects.filter(
        pk=dossier_id, status__in=[DossierStatus.QUEUED, DossierStatus.BUILDING]
    ).update(status=DossierStatus.BUILDING, started_at=timezone.now())
    if not started:
        return None
    dossier = Dossier.objects.select_related("deal").get(pk=dossier_id)
    content = archive.build(dossier.deal, dossier.as_of)
    name = dossier_path(dossier, "")
    dossier.file.storage.delete(name)  # an earlier attempt's, if any
    dossier.file.save(name, ContentFile(content), save=False)
    Dossier.objects.filter(pk=dossier_id, status=DossierStatus.BUILDING).update(
        status=DossierStatus.READY,
        file=dossier.file.name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        error="",
        finished_at=timezone.now(),
    )
    dossier.refresh_from_db()
    return dossier


def dossier_fail(*, dossier_id: int, error: str) -> None:
    Dossier.objects.filter(pk=dossier_id).exclude(status=DossierStatus.READY).update(
        status=DossierStatus.FAILED, error=error[:1000], finished_at=timezone.now()
    )
