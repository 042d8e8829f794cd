"""An auditor's dossier: one deal's whole record as of a date, a zip built in the background."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from deals.models.files import PrivateStorage


class DossierStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# Still queued or building after this long: its worker and task were lost; offer a retry.
DOSSIER_STUCK_AFTER = dt.timedelta(minutes=15)


def dossier_path(instance: Dossier, filename: str) -> str:
    return f"dossiers/deal-{instance.deal_id}/dossier-{instance.pk}.zip"


class Dossier(models.Model):
    """One export of a deal's record as of `as_of` (the end of that day, site time).
    Stored under MEDIA_ROOT with no URL; downloaded through an access-checked view."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="dossiers")
    as_of = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DossierStatus.choices, default=DossierStatus.QUEUED
    )
    file = models.FileField(
        storage=PrivateStorage(), upload_to=dossier_path, max_length=300, blank=True
    )
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["deal", "-requested_at"])]

    def __str__(self) -> str:
        return f"Dossier of deal {self.deal_id} as of {self.as_of}"

    @property
    def is_stuck(self) -> bool:
        return (
            self.status in (DossierStatus.QUEUED, DossierStatus.BUILDING)
            and timezone.now() - self.requested_at > DOSSIER_STUCK_AFTER
        )

    @property
    def is_working(self) -> bool:
        return self.status in (DossierStatus.QUEUED, DossierStatus.BUILDING) and not self.is_stuck
