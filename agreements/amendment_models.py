"""Amendments of a signed contract: append-only, each with its impact list.

An amendment is drafted, proposed, then approved or rejected by a second person; both
are final. Nothing changes in the contract until approval, and an approved or rejected
amendment is never edited or deleted. Each `AmendmentChange` keeps the before and the
after of one change (a term's wording, the agreement's dates, an obligation), so the
impact page and the history show what the approver saw.

Imported at the end of agreements.models (a module of its own to keep each under 500
lines); it imports nothing from it: foreign keys name their target as "app.Model".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.links import object_url


class AmendmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# The one table of moves; approved and rejected are final.
AMENDMENT_MOVES = {
    AmendmentStatus.DRAFT: (AmendmentStatus.PROPOSED,),
    AmendmentStatus.PROPOSED: (AmendmentStatus.APPROVED, AmendmentStatus.REJECTED),
    AmendmentStatus.APPROVED: (),
    AmendmentStatus.REJECTED: (),
}


class ChangeKind(models.TextChoices):
    TERM_REVISE = "term_revise", "Term reworded"
    TERM_ADD = "term_add", "Term added"
    TERM_WITHDRAW = "term_withdraw", "Term withdrawn"
    DATES = "dates", "Term, renewal and notice"
    OBLIGATION_ADD = "obligation_add", "Obligation added"
    OBLIGATION_CHANGE = "obligation_change", "Obligation changed"
    OBLIGATION_END = "obligation_end", "Obligation ended"


TERM_KINDS = (ChangeKind.TERM_REVISE, ChangeKind.TERM_ADD, ChangeKind.TERM_WITHDRAW)
OBLIGATION_KINDS = (
    ChangeKind.OBLIGATION_ADD,
    ChangeKind.OBLIGATION_CHANGE,
    ChangeKind.OBLIGATION_END,
)


class Amendment(models.Model):
    """A numbered change to a signed contract (1, 2… per agreement, drafts included)."""

    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(editable=False)
    title = models.CharField(max_length=200)
    reason = models.TextField(
        help_text="Why the contract changes: what was agreed with the partner."
    )
    effective_date = models.DateField("takes effect on")
    status = models.CharField(
        max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # What the proposer saw, checked again at approval (agreements.amendments.stale_reasons):
    # every term's id:version, and the agreement's stated terms and renewals.
    seen_terms = models.TextField(blank=True, editable=False)
    seen_agreement = models.JSONField(default=dict, blank=True, editable=False)
    # The departments whose review the approval re-opened, by name.
    reopened = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_amendment_number"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "proposed"]) | Q(decided_at__isnull=False),
                name="amendment_decided_has_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.title}"

    def get_absolute_url(self) -> str:
        return object_url("amendment_detail", self.pk)

    @property
    def label(self) -> str:
        return f"Amendment {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == AmendmentStatus.DRAFT

    @property
    def is_proposed(self) -> bool:
        return self.status == AmendmentStatus.PROPOSED

    @property
    def is_final(self) -> bool:
        return not AMENDMENT_MOVES[AmendmentStatus(self.status)]


class AmendmentChange(models.Model):
    """One line of an amendment's impact list, with its before and after.

    Terms: `term` (revise, withdraw; for an added term, set on approval), `before` the
    wording, status and version seen, `after` the new wording (and title and category of
    an added term, whose `department` is chosen here). Dates: the agreement's stated
    fields that change, before and after, and the computed term end and notice deadline
    on each side. Obligations: `obligation` (change, end; set on approval when added),
    its fields before and after.
    """

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    term = models.ForeignKey(
        "deals.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "stakeholders.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    obligation = models.ForeignKey(
        "agreements.Obligation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.amendment.label})"

    @property
    def is_term(self) -> bool:
        return self.kind in TERM_KINDS

    @property
    def is_obligation(self) -> bool:
        return self.kind in OBLIGATION_KINDS

    @property
    def subject(self) -> str:
        """The term's or obligation's title, as the change names it."""
        return str(self.after.get("title") or self.before.get("title") or "")
