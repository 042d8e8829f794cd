"""What is negotiated and decided on a deal: its terms, their revisions, the sponsor's decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.links import object_url


class TermCategory(models.TextChoices):
    PRICE = "price", "Price"
    PAYMENT = "payment", "Payment"
    LIABILITY_CAP = "liability_cap", "Liability cap"
    SLA = "sla", "Service levels (SLA)"
    DATA_PROTECTION = "data_protection", "Data protection"
    IP = "ip", "Intellectual property"
    TERMINATION = "termination", "Termination"
    OTHER = "other", "Other"


class TermStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    DISPUTED = "disputed", "Disputed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The term's place in its playbook (playbooks.TermPosition, the reverse one-to-one
# `playbook_position`), named here so that this app never imports playbooks.
PLAYBOOK_PLACE = (
    "playbook_position__clause_type__department",
    "playbook_position__position",
    "playbook_position__approved_by",
)


class TermQuerySet(models.QuerySet["Term"]):
    def for_page(self) -> TermQuerySet:
        """As the deal page and the review page show them: department, revision count, and
        place in the playbook, in the one query (playbooks' assessment then asks none)."""
        return self.select_related("department", *PLAYBOOK_PLACE).annotate(
            n_revisions=models.Count("revisions")
        )


class Term(models.Model):
    """One negotiated contract term, owned by a department, with its revisions."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="terms")
    category = models.CharField(max_length=20, choices=TermCategory.choices)
    title = models.CharField(max_length=200)
    wording = models.TextField(help_text="The proposed wording or value.")
    department = models.ForeignKey(
        "stakeholders.Department", on_delete=models.PROTECT, related_name="terms"
    )
    status = models.CharField(
        max_length=20, choices=TermStatus.choices, default=TermStatus.PROPOSED
    )
    # Optimistic lock: an edit applies only to the version the editor saw.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["category", "pk"]
        indexes = [models.Index(fields=["deal", "department"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("term_detail", self.pk)


class TermRevision(models.Model):
    """One edit of a term: who, when, old → new. Revision 1 is the first wording."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    round = models.PositiveIntegerField(help_text="The deal's revision round at the time.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    old_wording = models.TextField(blank=True)
    new_wording = models.TextField()
    note = models.CharField(max_length=300, blank=True)
    reopened_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="one_revision_number_per_term")
        ]


class DecisionKind(models.TextChoices):
    OVERRIDE = "override", "Override"
    TRADE_OFF = "trade_off", "Trade-off"
    ESCALATION = "escalation", "Escalation outcome"


class Decision(models.Model):
    """A call recorded by the sponsor, with its rationale. Never edited."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    title = models.CharField(max_length=200)
    rationale = models.TextField()
    overrules_gate = models.BooleanField(
        default=False,
        help_text="Lets the deal move to Approved although sign-offs or blocking concerns are outstanding.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return self.title


def wording_changes(terms) -> int:
    """How often the terms' wording changed after it was first written, from terms
    annotated with `n_revisions`: revision 1 is the first wording, not a change."""
    return sum(max(0, term.n_revisions - 1) for term in terms)
