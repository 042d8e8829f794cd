"""Request types, their versioned forms of questions, and the requests filled in.

A form version is a draft until it is published; from then on it, its questions and
their conditions never change (save and delete refuse), so a request keeps the form it
was filled against. Editing a form means a new draft (intake.services.form_version_draft).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.answers import Operator

PUBLISHED = "This form version is published and can no longer change: start a new draft."


class RequestType(models.Model):
    """A front door: new partnership, renewal, data sharing, pilot…"""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    # Who triages what comes through this door: the deal's owner (else the requester).
    triage_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Owns the deals this request type opens; left empty, the requester.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FormVersion(models.Model):
    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request_type__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "number"], name="one_form_version_number_per_type"
            )
        ]

    def __str__(self) -> str:
        state = "published" if self.published_at else "draft"
        return f"{self.request_type} v{self.number} ({state})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def _stored_published(self) -> bool:
        return (
            bool(self.pk)
            and FormVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists()
        )

    def save(self, *args, **kwargs) -> None:
        if self._stored_published():
            raise ValidationError(PUBLISHED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_published():
            raise ValidationError(PUBLISHED)
        return super().delete(*args, **kwargs)

    def problems(self, questions: list[Question] | None = None) -> list[str]:
        """What stops this version from being published: conditions on unknown or later
        questions (visibility is read in one pass, in order), choices without options."""
        questions = questions if questions is not None else list(self.questions.all())
        seen: set[str] = set()
        found = []
        for question in questions:
            for condition in question.conditions.all():
                if condition.source_key not in seen:
                    found.append(
                        f"“{question.label}” depends on “{condition.source_key}”, which is "
                        "not an earlier question."
                    )
            if question.kind in CHOICE_KINDS and not question.options():
                found.append(f"“{question.label}” has no options.")
            seen.add(question.key)
        return found


class QuestionKind(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    NUMBER = "number", "Number"
    MONEY = "money", "Money"
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    YES_NO = "yes_no", "Yes/no"
    DATE = "date", "Date"
    FILE = "file", "File"


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class DealField(models.TextChoices):
    """The deal fields an answer may fill (intake.services)."""

    SUMMARY = "summary", "Summary"
    CONTRACT_VALUE = "contract_value", "Contract value"
    EXPECTED_ANNUAL_VALUE = "expected_annual_value", "Expected annual value"
    TERM_MONTHS = "term_months", "Term (months)"
    TARGET_SIGNATURE_DATE = "target_signature_date", "Target signature date"
    CONFIDENTIAL = "confidential", "Confidential (yes/no)"


class Match(models.TextChoices):
    ALL = "all", "All conditions"
    ANY = "any", "Any condition"


class Immutable(models.Model):
    """A part of a form version: frozen with it."""

    class Meta:
        abstract = True

    def _version_published(self) -> bool:
        raise NotImplementedError

    def save(self, *args, **kwargs) -> None:
        if self._version_published():
            raise ValidationError(PUBLISHED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._version_published():
            raise ValidationError(PUBLISHED)
        return super().delete(*args, **kwargs)


class Question(Immutable):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        max_length=60, help_text="Stable name, used by conditions and review rules."
    )
    label = models.CharField(max_length=200)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    required = models.BooleanField(default=False)
    choices = models.TextField(blank=True, help_text="For choices: one option per line.")
    show_if = models.CharField(
        max_length=3,
        choices=Match.choices,
        default=Match.ALL,
        help_text="With conditions: shown when all (or any) of them hold.",
    )
    deal_field = models.CharField(max_length=30, choices=DealField.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="one_question_key_per_version")
        ]

    def __str__(self) -> str:
        return self.label

    def _version_published(self) -> bool:
        return FormVersion.objects.filter(pk=self.version_id, published_at__isnull=False).exists()

    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()][:100]


class Condition(Immutable):
    """Show the question only when an earlier answer meets this (core.answers)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="conditions")
    source_key = models.SlugField("question key", max_length=60)
    operator = models.CharField(max_length=10, choices=Operator.choices, default=Operator.EQUALS)
    value = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.source_key} {self.get_operator_display()} {self.value}"

    def _version_published(self) -> bool:
        return FormVersion.objects.filter(
            questions=self.question_id, published_at__isnull=False
        ).exists()


class IntakeRequest(models.Model):
    """One request, as filled in: its form version and its answers, kept as they were."""

    deal = models.OneToOneField(
        "deals.Deal", on_delete=models.CASCADE, related_name="intake_request"
    )
    request_type = models.ForeignKey(RequestType, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_requests"
    )
    # {key: value} of the visible questions, read by routing (stakeholders.signoff).
    answers = models.JSONField(default=dict, blank=True)
    # [{"key", "label", "text"}]: the answers as they were shown, in the form's order.
    shown = models.JSONField(default=list, blank=True)
    partner_name = models.CharField(max_length=160)
    # As they were when submitted, so the deal page reads the request from one row.
    request_type_name = models.CharField(max_length=120, blank=True)
    version_number = models.PositiveSmallIntegerField(default=1)
    requester_name = models.CharField(max_length=200, blank=True)
    # Names of existing partners close to partner_name when it was submitted.
    lookalikes = models.JSONField(default=list, blank=True)
    routing_summary = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.request_type} request for {self.partner_name}"
