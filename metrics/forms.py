from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from deals.models import Deal
from stakeholders.models import Department

from . import finance
from .models import (
    Assumption,
    Confidence,
    Direction,
    JourneyStage,
    Outcome,
    OutcomeMetric,
)

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_NEGATIVE = "Money cannot be negative here."


def people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")


class OutcomeMetricForm(forms.ModelForm):
    class Meta:
        model = OutcomeMetric
        fields = [
            "name",
            "unit",
            "direction",
            "baseline",
            "target",
            "start_date",
            "target_date",
            "owner",
            "department",
            "is_headline",
        ]
        widgets = {"start_date": DATE, "target_date": DATE}

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["owner"].queryset = people()
        self.fields["department"].queryset = Department.objects.all()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise forms.ValidationError("Name the metric in at least 3 characters.")
        return name

    def clean(self):
        data = super().clean()
        baseline, target = data.get("baseline"), data.get("target")
        direction = data.get("direction")
        if baseline is not None and target is not None:
            if target == baseline:
                self.add_error("target", "The target must differ from the baseline.")
            elif direction == Direction.INCREASE and target < baseline:
                self.add_error("target", "To increase, the target must be above the baseline.")
            elif direction == Direction.DECREASE and target > baseline:
                self.add_error("target", "To decrease, the target must be below the baseline.")
        start, end = data.get("start_date"), data.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", "The target date must come after the start date.")
        return data


class CheckInForm(forms.Form):
    date = forms.DateField(widget=DATE)
    actual = forms.DecimalField(label="Actual value", max_digits=18, decimal_places=4)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, metric: OutcomeMetric, check_in=None, **kwargs) -> None:
        """`check_in`: the one being corrected, if any (its own date is not a clash)."""
        super().__init__(*args, **kwargs)
        self.metric = metric
        self.check_in = check_in
        if check_in is not None and not self.is_bound:
            self.initial.update(date=check_in.date, actual=check_in.actual, note=check_in.note)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(
                "A check-in records a measurement: it cannot be dated in the future."
            )
        others = self.metric.check_ins.exclude(pk=getattr(self.check_in, "pk", None))
        if others.filter(date=date).exists():
            raise forms.ValidationError("There is already a check-in on this date.")
        return date


def money_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0"),
        error_messages={"min_value": NOT_NEGATIVE},
        widget=forms.NumberInput(attrs={"min": "0", "step": "any"}),
    )


class BusinessCaseForm(forms.Form):
    discount_rate = forms.DecimalField(
        label="Discount rate (%)",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        error_messages={
            "min_value": "The discount rate must be between 0 and 100 %%.",
            "max_value": "The discount rate must be between 0 and 100 %%.",
        },
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.1"}),
    )
    note = forms.CharField(label="What changed", required=False, max_length=300)
    # The version the editor saw: a save on top of someone else's is refused.
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)


def kept_forms(formset: forms.BaseFormSet) -> list[forms.Form]:
    """Rows to save: those loaded from the saved version, and blank rows filled in."""
    return [
        form
        for index, form in enumerate(formset.forms)
        if (index < formset.initial_form_count() or form.has_changed())
        and getattr(form, "cleaned_data", None)
        and not formset._should_delete_form(form)
    ]


class CaseYearForm(forms.Form):
    year = forms.IntegerField(
        min_value=1,
        max_value=finance.MAX_YEARS,
        error_messages={
            "min_value": "Years run from 1 to 10.",
            "max_value": "Years run from 1 to 10.",
        },
        widget=forms.NumberInput(attrs={"min": "1", "max": str(finance.MAX_YEARS)}),
    )
    revenue_growth = money_field("Revenue growth")
    cost_savings = money_field("Cost savings")
    one_off_costs = money_field("One-off costs")
    running_costs = money_field("Running costs")


class BaseCaseYearFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in kept_forms(self):
            year = form.cleaned_data.get("year")
            if year in seen:
                form.add_error("year", f"Year {year} appears twice.")
            seen.add(year)
        if not seen:
            raise forms.ValidationError("Give the money for at least one year.")

    def rows(self) -> list[dict]:
        return [form.cleaned_data for form in kept_forms(self)]


CaseYearFormSet = forms.formset_factory(
    CaseYearForm,
    formset=BaseCaseYearFormSet,
    extra=1,
    max_num=finance.MAX_YEARS,
    validate_max=True,
    can_delete=True,
)


class AssumptionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    statement = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.MEDIUM)
    evidence = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()


class BaseAssumptionFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One owner query for every row of the formset.
        self.owners = list(people())

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Rendering reuses the list; validation still checks against the queryset.
        form.fields["owner"].choices = [("", "---------")] + [
            (user.pk, user.display_name) for user in self.owners
        ]
        return form

    def rows(self) -> list[dict]:
        return [form.cleaned_data for form in kept_forms(self)]


AssumptionFormSet = forms.formset_factory(
    AssumptionForm, formset=BaseAssumptionFormSet, extra=1, max_num=30, can_delete=True
)


class SignOffForm(forms.Form):
    note = forms.CharField(
        label="Sign-off note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssessForm(forms.ModelForm):
    class Meta:
        model = Assumption
        fields = ["outcome", "outcome_evidence"]
        labels = {"outcome": "Did it hold?", "outcome_evidence": "Evidence"}
        widgets = {"outcome_evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (Outcome.HELD, Outcome.HELD.label),
            (Outcome.BROKEN, Outcome.BROKEN.label),
        ]
        self.fields["outcome_evidence"].required = True
        self.fields["outcome_evidence"].error_messages["required"] = (
            "Give the evidence for the verdict."
        )


class JourneyStageForm(forms.ModelForm):
    class Meta:
        model = JourneyStage
        fields = ["name", "touchpoint", "pain", "change", "metric"]
        widgets = {
            "pain": forms.Textarea(attrs={"rows": 2}),
            "change": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = OutcomeMetric.objects.filter(deal=deal)
