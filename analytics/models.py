"""Intervals: how long a deal stayed in a stage, a department took over a review, the
sponsor took to decide. One row per stay, written as things happen (analytics.intervals
hears the audit trail) and rebuilt from the audit trail by analytics.backfill.

An interval is named by the audit event that opened it (`opened_by`, unique): writing
it again, from a replay or a second backfill, finds the row instead of adding one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.tally import ConfidentialKey


class IntervalKind(models.TextChoices):
    STAGE = "stage", "Stage"
    REVIEW = "review", "Review"
    DECISION = "decision", "Sponsor's decision"


# How a review interval ended besides a verdict (a verdict ends it with the review status).
REASSIGNED = "reassigned"
# How an interval ends when its deal is deleted or its review re-opened while still open.
SUPERSEDED = "superseded"


class Interval(models.Model):
    kind = models.CharField(max_length=10, choices=IntervalKind.choices)
    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="+")
    # Stage intervals: the stage. Review intervals: blank.
    stage = models.CharField(max_length=20, blank=True)
    # Review intervals: the department, the review and its round.
    department = models.ForeignKey(
        "stakeholders.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    review = models.ForeignKey(
        "stakeholders.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    round = models.PositiveSmallIntegerField(default=1)
    # The department's SLA (business days) when the review was asked: kept, so that
    # "within SLA" is judged by the promise of the time, and read without a join.
    sla_days = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)  # null while open
    # Kept when the interval closes, so that percentiles are aggregates over a column.
    days = models.FloatField(null=True, blank=True)
    business_days = models.FloatField(null=True, blank=True)
    # The next stage, the verdict (a review status), "reassigned", the decision's kind.
    outcome = models.CharField(max_length=40, blank=True)
    # Who ended it (moved the deal on, gave the verdict, reassigned, decided).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The audit event that opened it: a replay finds the row instead of adding one.
    opened_by = models.BigIntegerField(unique=True)

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["kind", "stage", "ended_at"], name="interval_stage_idx"),
            models.Index(fields=["kind", "department", "ended_at"], name="interval_dept_idx"),
            models.Index(fields=["deal", "kind"], name="interval_deal_idx"),
            models.Index(fields=["review", "ended_at"], name="interval_review_idx"),
            # The page's percentiles (analytics.figures.history): the ended intervals in
            # the order of its groups, with every column it reads, so that PostgreSQL
            # walks this index alone instead of sorting the table.
            models.Index(
                fields=["kind", "stage", "department", "days"],
                include=["deal", "business_days", "outcome", "round", "sla_days"],
                condition=Q(ended_at__isnull=False),
                name="interval_ended_idx",
            ),
            # The monthly trend (analytics.figures.monthly_trend): the ended intervals of
            # a kind in the order they ended, read within the twelve months alone.
            models.Index(
                fields=["kind", "ended_at"],
                include=["deal", "days", "business_days", "outcome", "sla_days"],
                condition=Q(ended_at__isnull=False),
                name="interval_ended_at_idx",
            ),
        ]
        constraints = [
            # At most one open interval per deal and kind (stage, decision), per review.
            models.UniqueConstraint(
                fields=["deal", "kind"],
                condition=Q(ended_at__isnull=True) & ~Q(kind="review"),
                name="one_open_interval_per_deal_kind",
            ),
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(ended_at__isnull=True, kind="review"),
                name="one_open_interval_per_review",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="interval_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        what = self.stage or (self.department_id and f"department {self.department_id}")
        return f"{self.kind} {what} of deal {self.deal_id} from {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class IntervalTally(ConfidentialKey):
    """The ended intervals as histograms, so that the page's percentiles read a few
    thousand summary rows instead of every interval (analytics.tally).

    A row counts intervals of one kind, stage and department that ended in one UTC month
    (reviews only: the trend is theirs) with a length (in one `unit`: calendar or
    business days) in one bucket: bucket i holds the lengths in (GAMMA^(i-1), GAMMA^i],
    so a percentile read from the buckets is within half a per cent of the exact one.
    Current deals' intervals are counted, a confidential deal's keyed by its sponsor and
    owner (ConfidentialKey, as the dashboard's tallies): a person reads the rows they
    may see, plus the few confidential deals they see otherwise, read live.

    A trigger on analytics_interval adds a row of +1 for what an interval now counts as
    and one of -1 for what it counted as (as deals.models.tally); `compact` folds them.
    """

    unit = models.CharField(max_length=10)
    kind = models.CharField(max_length=10)
    stage = models.CharField(max_length=20)
    department_id = models.BigIntegerField(null=True)
    month = models.DateField(null=True)  # reviews only
    bucket = models.IntegerField()
    confidential = models.BooleanField(default=False)
    intervals = models.IntegerField()
    verdicts = models.IntegerField()
    within = models.IntegerField()
    returned = models.IntegerField()
    rereviews = models.IntegerField()
    reassigned = models.IntegerField()

    KEY = (
        "unit",
        "kind",
        "stage",
        "department_id",
        "month",
        "bucket",
        "confidential",
        "sponsor_id",
        "owner_id",
    )
    SUMS = ("intervals", "verdicts", "within", "returned", "rereviews", "reassigned")

    class Meta:
        indexes = [
            models.Index(fields=["unit", "kind", "month"], name="interval_tally_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.intervals:+} {self.kind} {self.stage or self.department_id} {self.month}"


class TermTally(ConfidentialKey):
    """Term revisions per term category, of current deals: terms (first revisions),
    later revisions, and revisions that re-opened a verdict. Kept by triggers on
    deals_termrevision, deals_term and deals_deal (analytics.tally), read as
    IntervalTally."""

    category = models.CharField(max_length=20)
    confidential = models.BooleanField(default=False)
    terms = models.IntegerField()
    revisions = models.IntegerField()
    resets = models.IntegerField()

    KEY = ("category", "confidential", "sponsor_id", "owner_id")
    SUMS = ("terms", "revisions", "resets")

    def __str__(self) -> str:
        return f"{self.terms:+} terms of {self.category}"


class PendingTally(ConfidentialKey):
    """Pending reviews per department and their deal's stage and currency, with the deals'
    weekly cost of delay: of current deals, kept by triggers on stakeholders_review and
    deals_deal (analytics.tally), read as IntervalTally."""

    department_id = models.BigIntegerField()
    stage = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    confidential = models.BooleanField(default=False)
    reviews = models.IntegerField()
    cost = models.DecimalField(max_digits=20, decimal_places=2)

    KEY = ("department_id", "stage", "currency", "confidential", "sponsor_id", "owner_id")
    SUMS = ("reviews", "cost")

    def __str__(self) -> str:
        return f"{self.reviews:+} pending in department {self.department_id}"
