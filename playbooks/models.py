"""Each department's clause playbook: clause types, and for each the standard position,
ordered fallbacks and the walk-away, versioned; a deal's pinned version; each term's
chosen position and its structured value, approvals and the sponsor's decision."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.links import object_url


class ClauseKind(models.TextChoices):
    """What a clause's structured value is; "wording only" is compared by position."""

    TEXT = "text", "Wording only"
    CAP = "cap", "Cap: a multiple of a base, with carve-outs"
    PAYMENT_DAYS = "payment_days", "Payment days"
    NOTICE_DAYS = "notice_days", "Notice days"
    GOVERNING_LAW = "governing_law", "Accepted governing laws"


class CapBase(models.TextChoices):
    FEES_12_MONTHS = "fees_12_months", "fees paid in the previous 12 months"
    CONTRACT_VALUE = "contract_value", "total contract value"


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    FALLBACK = "fallback", "Fallback"
    WALK_AWAY = "walk_away", "Walk-away"


class ApproverRole(models.TextChoices):
    """Who signs off using a position: by the clause type's department, or the sponsor."""

    REVIEWER = "reviewer", "a reviewer of the department"
    LEAD = "lead", "the department's lead"
    SPONSOR = "sponsor", "the deal's sponsor"


class DataHandled(models.TextChoices):
    ANY = "any", "Any data"
    CUSTOMER_DATA = "customer_data", "The partner handles customer data"
    NO_CUSTOMER_DATA = "no_customer_data", "No customer data"


class Playbook(models.Model):
    """One department's playbook. Its content lives in versions; reviewed_at says when
    the department last confirmed it (a new version counts): stale after 12 months."""

    department = models.OneToOneField(
        "stakeholders.Department", on_delete=models.PROTECT, related_name="playbook"
    )
    title = models.CharField(max_length=120)
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("playbook_detail", self.pk)


class PlaybookVersion(models.Model):
    """A playbook as it stood from `effective_from`: never edited, only superseded."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["playbook_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "number"], name="one_playbook_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.playbook} v{self.number}"


class ClauseType(models.Model):
    """A kind of clause (liability cap, governing law…), owned by a department."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    department = models.ForeignKey(
        "stakeholders.Department", on_delete=models.PROTECT, related_name="clause_types"
    )
    # The term category a term of this clause usually has (deals.TermCategory values).
    category = models.CharField(max_length=20, default="other")
    kind = models.CharField(max_length=20, choices=ClauseKind.choices, default=ClauseKind.TEXT)
    description = models.CharField(max_length=300, blank=True)
    # Who approves wording outside every position (a custom term).
    custom_approver = models.CharField(
        max_length=20, choices=ApproverRole.choices, default=ApproverRole.LEAD
    )

    class Meta:
        ordering = ["department__name", "name"]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """Standard (rank 0), fallback n (rank n) or walk-away, in one playbook version."""

    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="positions")
    clause_type = models.ForeignKey(ClauseType, on_delete=models.PROTECT, related_name="positions")
    tier = models.CharField(max_length=20, choices=Tier.choices)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Fallbacks: 1, 2… in order.")
    wording = models.TextField("model wording")
    # Structured bounds by the clause's kind, see playbooks.deviation.
    bounds = models.JSONField(default=dict, blank=True)
    rationale = models.TextField("why we hold this", blank=True)
    approver_role = models.CharField(max_length=20, choices=ApproverRole.choices, blank=True)
    # A standard position marked required: a deal in its scope must have the clause.
    required = models.BooleanField(default=False)
    # Scope: empty means any. request_type is a free slug until intake names them.
    request_type = models.SlugField(max_length=60, blank=True)
    value_min = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    value_max = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    partner_kinds = models.JSONField(default=list, blank=True)
    data_handled = models.CharField(
        max_length=20, choices=DataHandled.choices, default=DataHandled.ANY
    )

    class Meta:
        ordering = ["clause_type__name", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "clause_type", "tier", "rank"], name="one_position_per_rank"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clause_type}: {self.label}"

    @property
    def label(self) -> str:
        if self.tier == Tier.FALLBACK:
            return f"Fallback {self.rank}"
        return Tier(self.tier).label

    def applies_to(self, deal) -> bool:
        """Is the deal in this position's scope (the deal's partnership and partner loaded)."""
        if self.request_type and getattr(deal, "request_type", "") != self.request_type:
            return False
        value = deal.contract_value or Decimal(0)
        if self.value_min is not None and value < self.value_min:
            return False
        if self.value_max is not None and value > self.value_max:
            return False
        partner = deal.partnership.partner
        if self.partner_kinds and partner.kind not in self.partner_kinds:
            return False
        if self.data_handled == DataHandled.CUSTOMER_DATA:
            return partner.handles_customer_data
        if self.data_handled == DataHandled.NO_CUSTOMER_DATA:
            return not partner.handles_customer_data
        return True

    def get_edit_url(self) -> str:
        return object_url("position_edit", self.pk)


class DealPlaybook(models.Model):
    """The version of a playbook a deal started on: kept until its owner adopts a newer one."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="playbooks")
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="deals")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    pinned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "playbook"], name="one_pin_per_playbook")
        ]


class TermPosition(models.Model):
    """A term's place in the playbook: its clause type, the position chosen (None: custom)
    and its structured value. An approval or the sponsor's decision covers the term's
    version it was given on; a new version of the term needs them again."""

    term = models.OneToOneField(
        "deals.Term", on_delete=models.CASCADE, related_name="playbook_position"
    )
    clause_type = models.ForeignKey(ClauseType, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="term_positions"
    )
    value = models.JSONField(default=dict, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)
    # The deviation approved ("fallback:1", "outside:0") on the term's version.
    approved_key = models.CharField(max_length=30, blank=True)
    approved_term_version = models.PositiveIntegerField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # A walk-away: the sponsor's decision that accepted it, on the term's version.
    decision = models.ForeignKey(
        "deals.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_term_version = models.PositiveIntegerField(null=True, blank=True)

    @property
    def is_custom(self) -> bool:
        return self.position_id is None
