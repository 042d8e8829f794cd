"""The key facts read from a contract document, kept as proposals until confirmed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReadingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed, waiting for the owner"
    UNREADABLE = "unreadable", "Could not be read"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


# A reading the owner has yet to look at: the agreement and deal pages show its banner.
READING_PENDING = (ReadingStatus.PROPOSED, ReadingStatus.UNREADABLE)


class ContractReading(models.Model):
    """The key facts read from one contract document of an agreement's deal (issue 15,
    part 6), kept as proposals, each with its sentence, until the owner or sponsor
    confirms them on the facts page (only what they tick is saved to the agreement) or
    dismisses them. Read once per document, after the upload's commit (readings.py)."""

    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="readings"
    )
    document = models.OneToOneField(
        "deals.ContractDocument", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=12, choices=ReadingStatus.choices)
    # contract_facts.Facts.as_json() without its path: values and evidence sentences.
    facts = models.JSONField(default=dict, blank=True)
    found = models.PositiveSmallIntegerField(default=0)
    problem = models.TextField(blank=True)
    read_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-read_at", "-pk"]

    def __str__(self) -> str:
        return f"Facts read from document {self.document_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in READING_PENDING
