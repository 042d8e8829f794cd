"""The personal links of review emails (stakeholders.email_decision issues and uses them)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class EmailDecisionToken(models.Model):
    """A personal link in a review email that lets its one recipient give the verdict.

    Only the SHA-256 of the secret is kept; the link carries the secret, signed
    (stakeholders.email_decision). Bound to the person, the review and the stamp of the
    department's terms when the email was composed; used once (a conditional UPDATE of
    `used_at`), dead after `expires_at`.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("stakeholders.User", on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(
        "stakeholders.Review", on_delete=models.CASCADE, related_name="email_tokens"
    )
    stamp = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Email decision link for {self.user} on {self.review}"
