"""The business value of a deal: outcome metrics, business case, customer journey."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.links import object_url

from . import finance

# How far behind the straight line from baseline to target a metric may fall,
# as a share of the whole change it promises, before it is at risk / off track.
AT_RISK_GAP = Decimal("0.10")
OFF_TRACK_GAP = Decimal("0.25")

MONEY = {"max_digits": 14, "decimal_places": 2}
MEASURE = {"max_digits": 18, "decimal_places": 4}


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Decrease"


class MetricStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NOT_MEASURED = "not_measured", "Not measured yet"


def expected_share(start: dt.date, end: dt.date, on: dt.date) -> Decimal:
    """Share of the change the straight line promises by a date: 0 before start, 1 after end."""
    if on <= start:
        return Decimal(0)
    if on >= end:
        return Decimal(1)
    return Decimal((on - start).days) / Decimal((end - start).days)


def achieved_share(baseline: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    """Share of the change from baseline to target achieved; works for both directions."""
    return (actual - baseline) / (target - baseline)


def track_status(expected: Decimal, achieved: Decimal) -> MetricStatus:
    gap = expected - achieved
    if gap <= AT_RISK_GAP:
        return MetricStatus.ON_TRACK
    if gap <= OFF_TRACK_GAP:
        return MetricStatus.AT_RISK
    return MetricStatus.OFF_TRACK


class OutcomeMetric(models.Model):
    """A measurable goal of a deal: from a baseline to a target by a date."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=160)
    unit = models.CharField(max_length=30, help_text="e.g. %, days, EUR, NPS points.")
    baseline = models.DecimalField(**MEASURE)
    target = models.DecimalField(**MEASURE)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    start_date = models.DateField(help_text="When the change starts: the baseline applies then.")
    target_date = models.DateField(help_text="When the target is to be reached.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_metrics",
    )
    department = models.ForeignKey(
        "stakeholders.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="metrics",
    )
    is_headline = models.BooleanField(
        "headline metric", default=False, help_text="Shown in the value summary (up to three)."
    )
    # The newest check-in, kept by the check-in services so that lists of many
    # metrics (portfolio, value summary) need no check-in rows.
    latest_value = models.DecimalField(**MEASURE, null=True, blank=True, editable=False)
    latest_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_headline", "pk"]
        indexes = [models.Index(fields=["deal", "is_headline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction=Direction.INCREASE, target__gt=F("baseline"))
                | Q(direction=Direction.DECREASE, target__lt=F("baseline")),
                name="metric_target_beyond_baseline_in_its_direction",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=F("start_date")), name="metric_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("metric_detail", self.pk)

    def expected_on(self, on: dt.date) -> Decimal:
        """The value the straight line from baseline to target promises on a date."""
        share = expected_share(self.start_date, self.target_date, on)
        return self.baseline + share * (self.target - self.baseline)

    @property
    def expected_today(self) -> Decimal:
        return self.expected_on(timezone.localdate())

    @property
    def progress(self) -> Decimal | None:
        """Per cent of the promised change achieved by the newest check-in."""
        if self.latest_value is None:
            return None
        share = achieved_share(self.baseline, self.target, self.latest_value)
        return (100 * share).quantize(Decimal("1"))

    @property
    def progress_bar(self) -> int:
        return max(0, min(100, int(self.progress or 0)))

    @property
    def expected_progress(self) -> int:
        """Per cent of the change the line promises by the newest check-in (or today)."""
        on = self.latest_on or timezone.localdate()
        return int(100 * expected_share(self.start_date, self.target_date, on))

    @property
    def status(self) -> MetricStatus:
        """Where the newest check-in stands against the straight line on its date."""
        if self.latest_value is None or self.latest_on is None:
            return MetricStatus.NOT_MEASURED
        return track_status(
            expected_share(self.start_date, self.target_date, self.latest_on),
            achieved_share(self.baseline, self.target, self.latest_value),
        )

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def target_met(self) -> bool:
        if self.latest_value is None:
            return False
        if self.direction == Direction.INCREASE:
            return self.latest_value >= self.target
        return self.latest_value <= self.target


class CheckIn(models.Model):
    """One measurement of a metric's actual value."""

    metric = models.ForeignKey(OutcomeMetric, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField()
    actual = models.DecimalField("actual value", **MEASURE)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "date"], name="one_check_in_per_metric_day")
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.actual} on {self.date}"

    @property
    def expected(self) -> Decimal:
        return self.metric.expected_on(self.date)


class BusinessCaseQuerySet(models.QuerySet["BusinessCase"]):
    def signed_off(self) -> BusinessCaseQuerySet:
        return self.filter(signed_off_at__isnull=False)


class BusinessCase(models.Model):
    """One version of a deal's business case. A signed-off version never changes."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="business_cases")
    version = models.PositiveSmallIntegerField()
    discount_rate = models.DecimalField(
        "discount rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField("what changed", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)

    objects = BusinessCaseQuerySet.as_manager()

    class Meta:
        ordering = ["deal", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "version"], name="one_case_per_deal_version"),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0, discount_rate__lte=100),
                name="discount_rate_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal} business case v{self.version}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @cached_property
    def year_rows(self) -> list[CaseYear]:
        # Uses the prefetched years when the caller prefetched them.
        return sorted(self.years.all(), key=lambda y: y.year)

    @cached_property
    def figures(self) -> dict[str, object]:
        return finance.summarise(self.year_rows, self.discount_rate)

    @property
    def npv(self) -> Decimal:
        return self.figures["npv"]

    @property
    def roi(self) -> Decimal | None:
        return self.figures["roi"]

    @property
    def payback_months(self) -> int | None:
        return self.figures["payback_months"]

    @property
    def totals(self) -> dict[str, Decimal]:
        return self.figures["totals"]

    @property
    def weekly_cost_of_delay(self) -> Decimal:
        return self.figures["weekly_cost_of_delay"]


class CaseYear(models.Model):
    business_case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(finance.MAX_YEARS)]
    )
    revenue_growth = models.DecimalField(**MONEY, default=Decimal("0"))
    cost_savings = models.DecimalField(**MONEY, default=Decimal("0"))
    one_off_costs = models.DecimalField(**MONEY, default=Decimal("0"))
    running_costs = models.DecimalField(**MONEY, default=Decimal("0"))

    class Meta:
        ordering = ["business_case", "year"]
        constraints = [
            models.UniqueConstraint(fields=["business_case", "year"], name="one_row_per_case_year"),
            models.CheckConstraint(
                condition=Q(year__gte=1, year__lte=finance.MAX_YEARS), name="case_year_1_to_10"
            ),
            models.CheckConstraint(
                condition=Q(
                    revenue_growth__gte=0,
                    cost_savings__gte=0,
                    one_off_costs__gte=0,
                    running_costs__gte=0,
                ),
                name="case_year_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Year {self.year}"

    @property
    def net(self) -> Decimal:
        return finance.benefit(self) - finance.cost(self)


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Outcome(models.TextChoices):
    OPEN = "open", "Not yet known"
    HELD = "held", "Held"
    BROKEN = "broken", "Broken"


class Assumption(models.Model):
    """A belief the business case rests on; after signing it is marked held or broken."""

    business_case = models.ForeignKey(
        BusinessCase, on_delete=models.CASCADE, related_name="assumptions"
    )
    statement = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    evidence = models.TextField(blank=True, help_text="Why we believe it.")
    # The lesson learned after signing; not part of the signed figures.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_evidence = models.TextField(blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["business_case", "position", "pk"]
        indexes = [models.Index(fields=["outcome", "outcome_at"])]

    def __str__(self) -> str:
        return self.statement[:80]


class JourneyStage(models.Model):
    """One step of the customer journey, and what the partnership changes in it."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="journey_stages")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    touchpoint = models.CharField(max_length=200, blank=True)
    pain = models.TextField("today's pain", blank=True)
    change = models.TextField("what the partnership changes", blank=True)
    metric = models.ForeignKey(
        OutcomeMetric,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journey_stages",
        verbose_name="linked outcome metric",
    )

    class Meta:
        ordering = ["deal", "position", "pk"]
        indexes = [models.Index(fields=["deal", "position"])]

    def __str__(self) -> str:
        return self.name
