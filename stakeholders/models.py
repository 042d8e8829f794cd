from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.answers import Operator, matches
from core.answers import said as condition_said
from core.links import object_url
from core.timezones import default_time_zone, validate_time_zone, zone


class Role(models.TextChoices):
    """Roles are auth groups; their permissions are set in a data migration."""

    EXECUTIVE = "Executive", "Executive"
    OWNER = "Deal owner", "Deal owner"
    REVIEWER = "Reviewer", "Reviewer"
    ADMINISTRATOR = "Administrator", "Administrator"


def normalise_email(address: str) -> str:
    """The one spelling of an address: trimmed and lower-case. Storage, login, password
    reset and login lock-outs all use it, so `LockMe@X ` and `lockme@x` are one person."""
    return (address or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=normalise_email(email), **extra)
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
        return self.get(email__iexact=normalise_email(username))


class User(AbstractUser):
    """A person who logs in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="Dates, times, due dates and the hour of emails follow it.",
    )
    # Part of the signed calendar-feed address (agreements.calendar): replacing it makes
    # every address given out before stop working, e.g. after one was shared by mistake.
    calendar_key = models.CharField(max_length=32, blank=True, default="", editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def zone(self):
        """This person's time zone as a tzinfo (the site's when the name is unknown)."""
        return zone(self.time_zone)

    def local_date(self, now: dt.datetime | None = None) -> dt.date:
        """Today where this person is: what "due" and "overdue" mean to them."""
        return (now or timezone.now()).astimezone(self.zone).date()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    def has_role(self, role: Role) -> bool:
        # One query per request object for all role checks.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return role.value in self._role_names

    @property
    def is_executive(self) -> bool:
        return self.has_role(Role.EXECUTIVE)

    @property
    def can_create_deals(self) -> bool:
        """Deal owners and executives start deals. One query, where has_perm takes two."""
        return self.is_superuser or self.has_role(Role.OWNER) or self.has_role(Role.EXECUTIVE)

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


APPROVALS = (ReviewStatus.APPROVED, ReviewStatus.APPROVED_WITH_CONDITIONS)


class VerdictChannel(models.TextChoices):
    """Where a verdict was given (an API may add its own)."""

    WEB = "web", "Web"
    EMAIL = "email", "Email"
    API = "api", "API"


class ReviewQuerySet(models.QuerySet["Review"]):
    def open(self) -> ReviewQuerySet:
        return self.filter(
            status__in=[ReviewStatus.PENDING, ReviewStatus.CHANGES_REQUESTED],
            not_needed_at__isnull=True,
        )

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
    verdict_text = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Empty until a verdict; kept through a reset as the last verdict's channel.
    verdict_channel = models.CharField(
        max_length=16, choices=VerdictChannel.choices, blank=True, default=""
    )
    # Set when a term of this department changed after its approval.
    needs_rereview = models.BooleanField("re-review needed", default=False)
    round = models.PositiveSmallIntegerField(default=1, help_text="Review round, 1 for the first.")
    created_at = models.DateTimeField(default=timezone.now)
    # Why the rules ask this department (signoff.routing): "value > 1,000,000".
    reason = models.CharField(max_length=500, blank=True)
    # Set when the rules no longer ask for it (an intake answer changed): kept, never
    # deleted, and left out of the gate and the inboxes (signoff.reviews_reroute).
    not_needed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "department"], name="one_review_per_department")
        ]
        indexes = [
            models.Index(fields=["status", "department"]),
            # The inbox: one department's open reviews, soonest due first.
            models.Index(fields=["department", "status", "due_on"], name="review_inbox_idx"),
            # The open inbox's first page: open reviews in due order (ReviewQuerySet.open()).
            models.Index(
                fields=["due_on", "id", "department"],
                condition=Q(status__in=["pending", "changes_requested"]),
                name="review_open_due_idx",
            ),
            # The dashboard's review counts: the heat map's weeks (selectors.review_counts).
            models.Index(fields=["due_on", "department"], name="dashboard_review_due_idx"),
            # "Waiting for your decision": each sponsored deal's rejections, from this alone.
            models.Index(
                fields=["deal"],
                include=["decided_at"],
                condition=Q(status="rejected"),
                name="dashboard_review_rejected_idx",
            ),
            # Who waits on whom (deals.waiting) and the pending reviews per department.
            models.Index(
                fields=["deal", "department"], condition=Q(status="pending"), name="review_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} review of {self.deal}"

    @property
    def is_open(self) -> bool:
        return self.not_needed_at is None and self.status in (
            ReviewStatus.PENDING,
            ReviewStatus.CHANGES_REQUESTED,
        )

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def is_due_soon(self) -> bool:
        days = (self.due_on - timezone.localdate()).days
        return self.is_open and 0 <= days <= 2

    @property
    def has_verdict(self) -> bool:
        return self.status != ReviewStatus.PENDING

    @property
    def is_approval(self) -> bool:
        return self.status in APPROVALS

    def get_absolute_url(self) -> str:
        return object_url("review_detail", self.pk)


class RuleCondition(models.TextChoices):
    ALWAYS = "always", "Every deal"
    HAS_BUSINESS_CASE = "has_business_case", "Deals with a business case"
    CUSTOMER_DATA = "customer_data", "Partner handles customer data"
    VALUE_OVER = "value_over", "Contract value over a threshold"
    ANSWER = "answer", "An intake answer"


class ReviewRule(models.Model):
    """Which departments must review a deal when it enters review. Edited in the admin."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="rules")
    condition = models.CharField(max_length=30, choices=RuleCondition.choices)
    threshold = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For 'contract value over a threshold': the amount, in the deal's currency.",
    )
    # For "an intake answer": the question's key, how it is compared, and with what
    # (core.answers; read from the deal's intake request, see signoff.deal_answers).
    answer_key = models.SlugField(max_length=60, blank=True, help_text="The question's key.")
    answer_operator = models.CharField(
        max_length=10, choices=Operator.choices, default=Operator.EQUALS, blank=True
    )
    answer_value = models.CharField(max_length=200, blank=True)
    answer_label = models.CharField(
        max_length=120,
        blank=True,
        help_text="How the reason reads: 'handles personal data' (else the key).",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["department__name", "condition"]

    def __str__(self) -> str:
        text = f"{self.department}: {self.get_condition_display()}"
        return (
            f"{text} {self.threshold:,.0f}" if self.condition == RuleCondition.VALUE_OVER else text
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.condition == RuleCondition.VALUE_OVER and self.threshold is None:
            raise ValidationError(
                {"threshold": "Give the contract value above which this applies."}
            )
        if self.condition == RuleCondition.ANSWER and not (
            self.answer_key and self.answer_operator and self.answer_value
        ):
            raise ValidationError(
                {"answer_key": "Give the question's key, the comparison and the value."}
            )

    def applies_to(self, deal, *, has_business_case: bool, answers: dict | None = None) -> bool:
        if self.condition == RuleCondition.ALWAYS:
            return True
        if self.condition == RuleCondition.HAS_BUSINESS_CASE:
            return has_business_case
        if self.condition == RuleCondition.CUSTOMER_DATA:
            return deal.partnership.partner.handles_customer_data
        if self.condition == RuleCondition.ANSWER:
            answer = (answers or {}).get(self.answer_key)
            return matches(answer, self.answer_operator, self.answer_value)
        return (
            self.threshold is not None
            and deal.contract_value is not None
            and deal.contract_value > self.threshold
        )

    def because(self) -> str:
        """Why this rule asks its department, as the routing summary says it."""
        if self.condition == RuleCondition.ANSWER:
            subject = self.answer_label or self.answer_key
            return condition_said(subject, self.answer_operator, self.answer_value)
        if self.condition == RuleCondition.VALUE_OVER:
            return f"value > {self.threshold or 0:,.0f}"
        return {
            RuleCondition.ALWAYS: "every deal",
            RuleCondition.HAS_BUSINESS_CASE: "the deal has a business case",
            RuleCondition.CUSTOMER_DATA: "the partner handles customer data",
        }[self.condition]


class ReviewComment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ConcernQuerySet(models.QuerySet["Concern"]):
    def open(self) -> ConcernQuerySet:
        return self.filter(resolved_at__isnull=True)

    def blocking(self) -> ConcernQuerySet:
        return self.open().filter(blocking=True)


class Concern(models.Model):
    """A risk or constraint anyone involved raises; blocking ones hold the deal."""

    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, related_name="concerns")
    title = models.CharField(max_length=200)
    detail = models.TextField()
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    blocking = models.BooleanField(
        default=False, help_text="A blocking concern holds the deal until it is resolved."
    )
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="raised_concerns")
    raised_at = models.DateTimeField(default=timezone.now)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["resolved_at", "-blocking", "-raised_at"]
        indexes = [models.Index(fields=["deal", "resolved_at", "blocking"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("concern_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def can_be_resolved_by(self, user) -> bool:
        return user.is_superuser or user.pk in (
            self.raised_by_id,
            self.deal.owner_id,
            self.deal.sponsor_id,
        )


class ConcernReply(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class WorkingSession(models.Model):
    """A joint session of the departments on one deal: agenda before, outcomes after."""

    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.CASCADE, related_name="working_sessions"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True, help_text="Room or video link.")
    agenda = models.TextField()
    departments = models.ManyToManyField(Department, related_name="working_sessions", blank=True)
    invitees = models.ManyToManyField(User, related_name="working_sessions", blank=True)
    attendees = models.ManyToManyField(User, related_name="attended_sessions", blank=True)
    outcomes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    organiser = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(null=True, blank=True)
    # The iCalendar revision (RFC 5545 SEQUENCE): up by one each time the invitation
    # changes (rescheduled, cancelled), so calendars replace what they hold.
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)  # LAST-MODIFIED
    # Cancelled sessions stay, with their history; they are never deleted.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("session_detail", self.pk)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_past(self) -> bool:
        return self.starts_at < timezone.now()


# The email-decision link's model lives in a module of its own (this one would pass 500
# lines); imported here so that Django registers it with the app.
from .token_models import EmailDecisionToken  # noqa: E402, F401
