from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.fields import BoundedModelChoiceField, bounded_formfield
from partnerships.models import PartnerKind, Partnership
from stakeholders.models import Role

from .models import Deal, Decision, Stage, Term, TermStatus

User = get_user_model()

SORTS = {
    # The default: what a week of delay costs, highest first (the cost-of-delay index).
    # Each deal's own currency: the rates are near enough one for an order, not a total.
    "-cost": ("-weekly_cost_of_delay", "-id"),
    "cost": ("weekly_cost_of_delay", "id"),
    "updated": ("-updated_at", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "value": ("contract_value", "id"),
    "-value": ("-contract_value", "-id"),
    "signature": ("target_signature_date", "id"),
    "-signature": ("-target_signature_date", "-id"),
    # Oldest stage change first = longest in stage first.
    "stalled": ("stage_changed_at", "id"),
    "-stalled": ("-stage_changed_at", "-id"),
}


def sponsors_queryset():
    """Executives and anyone sponsoring a deal.

    IN (subquery) lets PostgreSQL hash the few sponsor ids in one pass over the
    deals, where a join or a correlated EXISTS scans them once per person.
    """
    executives = User.groups.through.objects.filter(group__name=Role.EXECUTIVE).values(
        User.groups.field.m2m_field_name()
    )
    return User.objects.filter(Q(pk__in=executives) | Q(pk__in=Deal.objects.values("sponsor_id")))


DEFAULT_SORT = "-cost"


class Show(models.TextChoices):
    OPEN = "open", "Open deals"
    STALLED = "stalled", "Stalled deals"
    ALL = "all", "All deals"


class DealFilterForm(forms.Form):
    """The dashboard table's filters. Without any, the table lists the open deals (as the
    "Open deals" tile counts them), costliest delay first; bind it to an empty query."""

    show = forms.ChoiceField(label="Show", required=False, choices=Show.choices)
    q = forms.CharField(label="Search", required=False, max_length=100)
    stage = forms.ChoiceField(
        label="Stage", required=False, choices=[("", "All stages"), *Stage.choices]
    )
    kind = forms.ChoiceField(
        label="Partner kind", required=False, choices=[("", "All kinds"), *PartnerKind.choices]
    )
    sponsor = BoundedModelChoiceField(
        label="Sponsor", required=False, queryset=User.objects.none(), empty_label="All sponsors"
    )
    # Not a choice field: a stale or hand-edited sort falls back to the default order
    # instead of emptying the table (the sort has no field to show an error at).
    sort = forms.CharField(required=False)
    blocked = forms.BooleanField(label="Held by a blocking concern", required=False)
    archived = forms.BooleanField(label="Archived deals only", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = sponsors_queryset()

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"]
        return sort if sort in SORTS else ""

    def clean_show(self) -> str:
        return self.cleaned_data["show"] or Show.OPEN

    def filter(self, deals):
        if not self.is_valid():
            return deals.none()
        data = self.cleaned_data
        if data["q"]:
            # Both sides on the deal row (no join to partners), so PostgreSQL can OR the
            # title's trigram index with the partnership index.
            partners = Partnership.objects.filter(partner__name__icontains=data["q"])
            deals = deals.filter(
                Q(title__icontains=data["q"]) | Q(partnership__in=partners.values("pk"))
            )
        if data["stage"]:  # a chosen stage is its own scope
            deals = deals.filter(stage=data["stage"])
        elif data["show"] == Show.OPEN:
            deals = deals.open()
        elif data["show"] == Show.STALLED:
            deals = deals.stalled()
        if data["kind"]:
            deals = deals.filter(partnership__partner__kind=data["kind"])
        if data["sponsor"]:
            deals = deals.filter(sponsor=data["sponsor"])
        if data["blocked"]:
            from .selectors import blocking_concern_exists

            deals = deals.filter(blocking_concern_exists())
        deals = deals.filter(archived_at__isnull=not data["archived"])
        return deals.order_by(*SORTS[data["sort"] or DEFAULT_SORT])


class DealForm(forms.ModelForm):
    class Meta:
        model = Deal
        formfield_callback = bounded_formfield
        fields = [
            "partnership",
            "title",
            "summary",
            "owner",
            "sponsor",
            "contract_value",
            "currency",
            "expected_annual_value",
            "term_months",
            "target_signature_date",
            "confidential",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "target_signature_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = Partnership.objects.select_related("partner")
        self.fields["sponsor"].queryset = User.objects.filter(groups__name=Role.EXECUTIVE)
        self.fields["owner"].queryset = User.objects.filter(
            groups__name__in=[Role.OWNER, Role.EXECUTIVE]
        ).distinct()
        self.fields["contract_value"].widget.attrs["min"] = "0"
        self.fields["expected_annual_value"].widget.attrs["min"] = "0"

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if len(title) < 3:
            raise forms.ValidationError("Give the deal a title of at least 3 characters.")
        return title

    def clean_target_signature_date(self):
        date = self.cleaned_data.get("target_signature_date")
        unchanged = self.instance.pk and date == self.instance.target_signature_date
        if date and not unchanged and date < timezone.localdate():
            raise forms.ValidationError("The target signature date cannot be in the past.")
        return date

    def clean(self):
        data = super().clean()
        if data.get("owner") and data.get("sponsor") and data["owner"] == data["sponsor"]:
            # The sponsor arbitrates; owning and sponsoring the same deal removes the check.
            self.add_error("sponsor", "The sponsor must be someone other than the deal owner.")
        return data


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to", choices=Stage.choices)
    # The stage the page showed: a move from a stage the deal has left is refused (409).
    from_stage = forms.ChoiceField(choices=Stage.choices, required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deal = deal

    @property
    def is_stale(self) -> bool:
        """The page showed another stage than the deal is in now."""
        shown = self.data.get("from_stage")
        return bool(shown) and shown != self.deal.stage

    def clean(self):
        cleaned = super().clean()
        if self.is_stale:
            shown = (
                Stage(self.data["from_stage"]).label
                if self.data["from_stage"] in Stage.values
                else "another stage"
            )
            raise forms.ValidationError(
                f"This page showed the deal in {shown}; it has moved to {self.deal.stage_label} "
                "since. Check the deal as it is now before you move it.",
                code="stale",
            )
        to_stage = cleaned.get("to_stage")
        # Any stage is a valid choice; the transition table says whether it is allowed.
        refusal = to_stage and self.deal.refusal_to_move(to_stage)
        if refusal:
            self.add_error("to_stage", refusal)
        return cleaned


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        formfield_callback = bounded_formfield
        fields = ["category", "title", "wording", "department"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"department": "The department that reviews this term."}


class TermEditForm(forms.Form):
    wording = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(choices=TermStatus.choices)
    note = forms.CharField(label="What changed and why", required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionRecordForm(forms.ModelForm):
    # The deal as the sponsor saw it (signoff.deal_stamp): a decision on a deal that
    # changed since is refused (409), so an overrule never covers unseen wording.
    seen = forms.CharField(
        widget=forms.HiddenInput,
        max_length=20000,
        error_messages={"required": "This page is out of date: reload it, then decide."},
    )

    class Meta:
        model = Decision
        formfield_callback = bounded_formfield
        fields = ["kind", "title", "rationale", "overrules_gate"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 5})}
        labels = {"overrules_gate": "Overrule the sign-off gate"}

    def clean_rationale(self) -> str:
        rationale = self.cleaned_data["rationale"].strip()
        if len(rationale) < 20:
            raise forms.ValidationError(
                "Record the rationale in a sentence or two (at least 20 characters)."
            )
        return rationale


class RequestDecisionForm(forms.Form):
    note = forms.CharField(
        label="What should the sponsor decide?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
