from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.links import object_url


class PartnerKind(models.TextChoices):
    TECHNOLOGY = "technology", "Technology supplier"
    MANUFACTURER = "manufacturer", "Manufacturer"
    CONSULTANCY = "consultancy", "Consultancy"
    CHANNEL = "channel", "Channel partner"
    OTHER = "other", "Other"


class RiskTier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Partner(models.Model):
    """The outside organisation."""

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    country = models.CharField(max_length=80)
    website = models.URLField(blank=True)
    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices, default=RiskTier.MEDIUM)
    handles_customer_data = models.BooleanField(
        default=False, help_text="The partner stores or processes our customers' data."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("partner_detail", self.pk)


class StrategicGoal(models.Model):
    """A company-level aim that partnerships and deals serve."""

    title = models.CharField(max_length=160, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Partnership(models.Model):
    """The strategic relationship with one partner; it may hold several deals."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="partnerships")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sponsored_partnerships",
        verbose_name="executive sponsor",
        help_text="The partnership czar: decides conflicts and keeps momentum.",
    )
    goals = models.ManyToManyField(
        StrategicGoal, through="PartnershipGoal", related_name="partnerships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner__name", "title"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.title}"

    def get_absolute_url(self) -> str:
        return object_url("partnership_detail", self.pk)


class PartnershipGoal(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="goal_links"
    )
    goal = models.ForeignKey(
        StrategicGoal, on_delete=models.PROTECT, related_name="partnership_links"
    )
    rationale = models.TextField()
    fit_score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 = weak fit, 5 = central to the goal.",
    )

    class Meta:
        ordering = ["-fit_score", "goal__title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "goal"], name="one_link_per_goal"),
            models.CheckConstraint(
                condition=models.Q(fit_score__gte=1, fit_score__lte=5), name="fit_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} → {self.goal} ({self.fit_score}/5)"
