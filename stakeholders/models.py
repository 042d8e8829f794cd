from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    """Roles are auth groups; their permissions are set in a data migration."""

    EXECUTIVE = "Executive", "Executive"
    OWNER = "Deal owner", "Deal owner"
    REVIEWER = "Reviewer", "Reviewer"
    ADMINISTRATOR = "Administrator", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        # People type their address in any case; it is stored lower-case.
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who logs in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=120, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    def has_role(self, role: Role) -> bool:
        # Groups are prefetched by the login path rarely; cache per instance.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return role.value in self._role_names

    @property
    def is_executive(self) -> bool:
        return self.has_role(Role.EXECUTIVE)

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMINISTRATOR)


class Department(models.Model):
    """A reviewing department: Legal, Procurement, IT, Finance, Security, …"""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    description = models.CharField(max_length=240, blank=True)
    review_sla_days = models.PositiveSmallIntegerField(
        "review SLA (working days)", default=5, help_text="Working days a review may take."
    )
    members = models.ManyToManyField(User, through="Membership", related_name="departments")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    is_lead = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="one_membership_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.department}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECTED = "rejected", "Rejected"


class ReviewQuerySet(models.QuerySet["Review"]):
    def open(self) -> ReviewQuerySet:
        return self.filter(status__in=[ReviewStatus.PENDING, ReviewStatus.CHANGES_REQUESTED])

    def overdue(self, today: dt.date | None = None) -> ReviewQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Review(models.Model):
    """One department's sign-off on a deal."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_reviews"
    )
    status = models.CharField(
        max_length=32, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    due_on = models.DateField()
    decision_text = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "department"], name="one_review_per_department")
        ]
        indexes = [models.Index(fields=["status", "department"])]

    def __str__(self) -> str:
        return f"{self.department} review of {self.deal}"

    @property
    def is_open(self) -> bool:
        return self.status in (ReviewStatus.PENDING, ReviewStatus.CHANGES_REQUESTED)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()
