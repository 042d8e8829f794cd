"""Files kept for a deal: contract documents and rendered briefing packs, never public."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from core.links import object_url


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT, read at use (tests may move it), with no public URL at all.

    Files are served only through views that check access, never from a URL.
    """

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through an access-checked view.")


def contract_path(instance: ContractDocument, filename: str) -> str:
    stamp = timezone.now().strftime("%Y/%m")
    return f"contracts/deal-{instance.deal_id}/{stamp}/{instance.sha256[:16]}{instance.extension}"


class ContractDocument(models.Model):
    """A contract draft or signed copy attached to a deal: PDF, DOCX or plain UTF-8 text,
    checked by content."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(storage=PrivateStorage(), upload_to=contract_path, max_length=300)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(
        max_length=10,
        choices=[("pdf", "PDF"), ("docx", "Word (DOCX)"), ("txt", "Plain text")],
    )
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return f".{self.kind}"

    @property
    def content_type(self) -> str:
        return {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "txt": "text/plain; charset=utf-8",
        }[self.kind]

    def get_absolute_url(self) -> str:
        return object_url("document_download", self.pk)


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# A pack still queued or rendering after this long has lost its worker and its
# task (the task's time limit is far shorter): the page offers to try again.
PACK_STUCK_AFTER = dt.timedelta(minutes=15)
# A pack made this recently is handed out again instead of rendering another.
PACK_FRESH_FOR = dt.timedelta(minutes=2)


def briefing_path(instance: BriefingPack, filename: str) -> str:
    return f"briefings/deal-{instance.deal_id}/pack-{instance.pk}.pdf"


class BriefingPack(models.Model):
    """A PDF about one deal for executives, rendered in the background (deals.briefing)."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="briefing_packs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    file = models.FileField(
        storage=PrivateStorage(), upload_to=briefing_path, max_length=300, blank=True
    )
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["deal", "-requested_at"])]

    def __str__(self) -> str:
        return f"Briefing pack {self.pk} for {self.deal_id}"

    def get_absolute_url(self) -> str:
        return object_url("briefing_download", self.pk)

    @property
    def is_working(self) -> bool:
        return self.status in (PackStatus.QUEUED, PackStatus.RENDERING) and not self.is_stuck

    @property
    def is_fresh(self) -> bool:
        return (
            self.status == PackStatus.READY
            and self.finished_at is not None
            and timezone.now() - self.finished_at < PACK_FRESH_FOR
        )

    @property
    def is_stuck(self) -> bool:
        return (
            self.status in (PackStatus.QUEUED, PackStatus.RENDERING)
            and timezone.now() - self.requested_at > PACK_STUCK_AFTER
        )
