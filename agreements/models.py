"""The signed contract's life: the agreement, its renewal decisions and its obligations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.links import object_url

from . import dates


class PrivateStorage(FileSystemStorage):
    """As deals' contract documents: MEDIA_ROOT, and no public URL; files are served only
    through the access-checked views."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through an access-checked view.")


class TermKind(models.TextChoices):
    MONTHS = "months", "A number of months"
    END_DATE = "end_date", "Until an end date"
    NOT_STATED = "not_stated", "Not stated in the contract"


class RenewalType(models.TextChoices):
    NOT_STATED = "not_stated", "Not stated in the contract"
    NONE = "none", "No renewal"
    AUTOMATIC = "automatic", "Renews automatically"
    OPTION = "option", "Renews by option"


class NoticeUnit(models.TextChoices):
    NOT_STATED = "not_stated", "Not stated in the contract"
    DAYS = "days", "Days"
    MONTHS = "months", "Months"


class RenewalDecision(models.TextChoices):
    NONE = "", "Undecided"
    RENEW = "renew", "Renew"
    RENEGOTIATE = "renegotiate", "Renegotiate"
    TERMINATE = "terminate", "Terminate"


def notice_evidence_path(instance: Agreement, filename: str) -> str:
    return f"agreements/agreement-{instance.pk}/notice-{instance.notice_evidence_sha256[:16]}.{instance.notice_evidence_kind}"


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def running(self) -> AgreementQuerySet:
        """Not ended: the term is still on."""
        return self.filter(ended_on__isnull=True)

    def undecided(self) -> AgreementQuerySet:
        return self.filter(decision="")

    def with_deadline(self) -> AgreementQuerySet:
        return self.running().filter(notice_deadline__isnull=False)


class Agreement(models.Model):
    """One per signed deal: its term, renewal and notice period as the contract states
    them (or an explicit "not stated"), and the dates computed from them."""

    deal = models.OneToOneField("deals.Deal", on_delete=models.CASCADE, related_name="agreement")
    signed_on = models.DateField(default=timezone.localdate)
    effective_date = models.DateField(null=True, blank=True)
    term_kind = models.CharField(
        "initial term", max_length=12, choices=TermKind.choices, default=TermKind.NOT_STATED
    )
    initial_term_months = models.PositiveSmallIntegerField(
        "initial term (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    initial_end_date = models.DateField("initial term ends on", null=True, blank=True)
    renewal_type = models.CharField(
        max_length=12, choices=RenewalType.choices, default=RenewalType.NOT_STATED
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        "renewal term (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    max_renewals = models.PositiveSmallIntegerField(
        "maximum renewals", null=True, blank=True, help_text="Leave empty for no limit."
    )
    notice_unit = models.CharField(
        "notice period", max_length=12, choices=NoticeUnit.choices, default=NoticeUnit.NOT_STATED
    )
    notice_amount = models.PositiveSmallIntegerField(
        "notice (how many)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    notice_business_days = models.BooleanField(
        "counted in business days", default=False, help_text="Monday to Friday; days only."
    )
    notice_method = models.CharField(
        max_length=200, blank=True, help_text="How notice must be given, as the contract says."
    )
    governing_law = models.CharField(
        max_length=120, blank=True, help_text="The jurisdiction whose law governs, as written."
    )
    # Kept by compute_dates() on every save: the Renewals page and the planners query them.
    renewals_done = models.PositiveSmallIntegerField(default=0, editable=False)
    current_term_end = models.DateField(null=True, blank=True, editable=False)
    notice_deadline = models.DateField(null=True, blank=True, editable=False)
    ended_on = models.DateField(null=True, blank=True, editable=False)
    # The notice deadline whose renewal window was announced (agreements_open_windows):
    # once per deadline, whichever worker or re-run gets there first.
    window_opened_for = models.DateField(null=True, blank=True, editable=False)
    # The decision for the current term; cleared when the term rolls forward.
    decision = models.CharField(
        max_length=12, choices=RenewalDecision.choices, default="", blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    notice_given_on = models.DateField(null=True, blank=True)
    notice_evidence = models.FileField(
        storage=PrivateStorage(), upload_to=notice_evidence_path, max_length=300, blank=True
    )
    notice_evidence_name = models.CharField(max_length=255, blank=True)
    notice_evidence_kind = models.CharField(max_length=10, blank=True)
    notice_evidence_sha256 = models.CharField(max_length=64, blank=True)
    renewal_deal = models.ForeignKey(
        "deals.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal_of",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["notice_deadline", "pk"]
        indexes = [
            models.Index(fields=["notice_deadline"], name="agreement_deadline_idx"),
            models.Index(fields=["current_term_end"], name="agreement_term_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(term_kind="months") | Q(initial_term_months__isnull=False),
                name="agreement_months_term_has_months",
            ),
            models.CheckConstraint(
                condition=~Q(term_kind="end_date") | Q(initial_end_date__isnull=False),
                name="agreement_dated_term_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement for {self.deal}"

    def get_absolute_url(self) -> str:
        return object_url("agreement_detail", self.pk)

    def clean(self) -> None:
        errors = {}
        if self.term_kind == TermKind.MONTHS and not self.initial_term_months:
            errors["initial_term_months"] = "Give the initial term in months."
        if self.term_kind == TermKind.END_DATE and not self.initial_end_date:
            errors["initial_end_date"] = "Give the date the initial term ends."
        if self.term_kind != TermKind.NOT_STATED and not self.effective_date:
            errors["effective_date"] = "A term needs the date it starts from."
        if (
            self.term_kind == TermKind.END_DATE
            and self.initial_end_date
            and self.effective_date
            and self.initial_end_date < self.effective_date
        ):
            errors["initial_end_date"] = "The term cannot end before it starts."
        if (
            self.renewal_type in (RenewalType.AUTOMATIC, RenewalType.OPTION)
            and not self.renewal_term_months
        ):
            errors["renewal_term_months"] = "Give the length of each renewal."
        if self.notice_unit != NoticeUnit.NOT_STATED and not self.notice_amount:
            errors["notice_amount"] = "Give the notice period."
        if self.notice_unit == NoticeUnit.MONTHS and self.notice_business_days:
            errors["notice_business_days"] = "Business days apply to a notice period in days."
        if errors:
            raise ValidationError(errors)
        # Dates near year 1 or 9999 put the term end or the notice deadline off the
        # calendar: refuse them here, not with a 500 when the dates are computed.
        try:
            self.deadline_for(self.term_end_after(self.renewals_done))
        except (ValueError, OverflowError):
            raise ValidationError(
                {"effective_date": "The term or its notice runs off the calendar: check the dates."}
            ) from None

    # --- The computed dates ---------------------------------------------------------

    @property
    def initial_end(self) -> dt.date | None:
        if self.term_kind == TermKind.MONTHS and self.effective_date and self.initial_term_months:
            return dates.term_end(self.effective_date, self.initial_term_months)
        if self.term_kind == TermKind.END_DATE:
            return self.initial_end_date
        return None

    @property
    def renews(self) -> bool:
        return self.renewal_type in (RenewalType.AUTOMATIC, RenewalType.OPTION)

    @property
    def renewals_left(self) -> int | None:
        """None: no limit."""
        if not self.renews:
            return 0
        if self.max_renewals is None:
            return None
        return max(self.max_renewals - self.renewals_done, 0)

    def term_end_after(self, renewals: int) -> dt.date | None:
        initial = self.initial_end
        if initial is None:
            return None
        return dates.period_end(
            initial_end=initial, renewal_months=self.renewal_term_months, renewals=renewals
        )

    def deadline_for(self, end: dt.date | None) -> dt.date | None:
        if end is None or self.notice_unit == NoticeUnit.NOT_STATED or not self.notice_amount:
            return None
        return dates.notice_deadline(
            end,
            amount=self.notice_amount,
            unit=self.notice_unit,
            business_days=self.notice_business_days,
        )

    def compute_dates(self) -> None:
        """Set the current term end and the notice deadline from the stated terms.

        A notice deadline exists only while there is something to stop: a renewal
        still to come (automatic, or an option) with renewals left.
        """
        self.current_term_end = self.term_end_after(self.renewals_done)
        left = self.renewals_left
        if self.renews and (left is None or left > 0):
            self.notice_deadline = self.deadline_for(self.current_term_end)
        else:
            self.notice_deadline = None

    def save(self, *args, **kwargs):
        self.compute_dates()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "current_term_end", "notice_deadline"}
        super().save(*args, **kwargs)

    # --- What the pages say ---------------------------------------------------------

    def days_to_deadline(self, today: dt.date | None = None) -> int | None:
        if self.notice_deadline is None:
            return None
        return (self.notice_deadline - (today or timezone.localdate())).days

    @property
    def window_missed(self) -> bool:
        days = self.days_to_deadline()
        return days is not None and days < 0 and not self.decision

    @property
    def is_undecided(self) -> bool:
        return not self.decision

    @property
    def status_label(self) -> str:
        if self.ended_on:
            return f"Ended {self.ended_on:%-d %b %Y}"
        if self.decision == RenewalDecision.TERMINATE:
            return "Ends at term end (notice given)"
        return "Running"


class OwedBy(models.TextChoices):
    US = "us", "We owe it"
    PARTNER = "partner", "The partner owes it"
    BOTH = "both", "Both parties"


class ObligationCategory(models.TextChoices):
    REPORTING = "reporting", "Reporting"
    PAYMENT = "payment", "Payment"
    SERVICE_LEVEL = "service_level", "Service level"
    AUDIT = "audit", "Audit"
    INSURANCE = "insurance", "Insurance"
    DATA_PROTECTION = "data_protection", "Data protection"
    OTHER = "other", "Other"


class Recurrence(models.TextChoices):
    ONCE = "once", "One-off"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"


RECURRENCE_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


class Obligation(models.Model):
    # What the contract states of an obligation (its form's fields but the metric link;
    # agreements.amendments may change these).
    STATED_FIELDS = [
        "title",
        "owed_by",
        "category",
        "clause",
        "owner",
        "reviewer",
        "recurrence",
        "first_due",
        "until",
        "lead_days",
    ]

    """A commitment in the contract, ours or the partner's, one-off or recurring."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    title = models.CharField(max_length=200)
    owed_by = models.CharField(max_length=10, choices=OwedBy.choices, default=OwedBy.US)
    category = models.CharField(
        max_length=20, choices=ObligationCategory.choices, default=ObligationCategory.OTHER
    )
    clause = models.CharField("clause", max_length=200, blank=True, help_text="e.g. § 7.2")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_obligations"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviewed_obligations",
        verbose_name="evidence reviewer",
    )
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    first_due = models.DateField("first due on")
    until = models.DateField("recurs until", null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(365)],
        help_text="How many days before each due date it appears.",
    )
    metric = models.ForeignKey(
        "metrics.OutcomeMetric",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obligations",
        verbose_name="outcome metric",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_due", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.owner_id and self.owner_id == self.reviewer_id:
            # The reviewer is the second pair of eyes on the owner's evidence.
            raise ValidationError(
                {"reviewer": "The evidence reviewer must be someone other than its owner."}
            )
        if self.until and self.until < self.first_due:
            raise ValidationError({"until": "It cannot recur until before it is first due."})

    def due_dates(self, horizon: dt.date) -> list[dt.date]:
        """Every due date up to `horizon` (counted from the first, so months never drift)."""
        if self.recurrence == Recurrence.ONCE:
            return [self.first_due] if self.first_due <= horizon else []
        step = RECURRENCE_MONTHS[Recurrence(self.recurrence)]
        out, n = [], 0
        last = min(horizon, self.until) if self.until else horizon
        while True:
            day = dates.months_after(self.first_due, n * step)
            if day > last:
                return out
            out.append(day)
            n += 1


class OccurrenceStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Evidence submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Evidence rejected"
    MISSED = "missed", "Missed"


def evidence_path(instance: Occurrence, filename: str) -> str:
    return f"agreements/obligation-{instance.obligation_id}/{instance.evidence_sha256[:16]}.{instance.evidence_kind}"


class Occurrence(models.Model):
    """One due date of an obligation, created by the daily task, once."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="occurrences")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.OPEN
    )
    evidence = models.FileField(
        storage=PrivateStorage(), upload_to=evidence_path, max_length=300, blank=True
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_kind = models.CharField(max_length=10, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    concern = models.ForeignKey(
        "stakeholders.Concern", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # Two workers, or a re-run of the daily task, never make a due date twice.
            models.UniqueConstraint(fields=["obligation", "due_on"], name="occurrence_once")
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="occurrence_status_idx")]

    def __str__(self) -> str:
        return f"{self.obligation} due {self.due_on}"

    def get_absolute_url(self) -> str:
        return object_url("occurrence_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in (OccurrenceStatus.OPEN, OccurrenceStatus.REJECTED)


# Amendments and the facts read from contract documents live in modules of their own
# (this one would pass 500 lines); imported here so that Django registers them.
from .amendment_models import (  # noqa: E402, F401
    AMENDMENT_MOVES,
    Amendment,
    AmendmentChange,
    AmendmentStatus,
    ChangeKind,
)
from .reading_models import READING_PENDING, ContractReading, ReadingStatus  # noqa: E402, F401
