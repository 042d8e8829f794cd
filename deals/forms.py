from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from core.fields import BoundedModelChoiceField, PlainSelect, bounded_formfield
from core.parsing import ascii_int
from partnerships.models import PartnerKind, Partnership
from stakeholders.models import Role
from stakeholders.term_reviewers import suggested_department

from .models import Deal, Decision, DecisionKind, Stage, Term, TermCategory, TermStatus

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


# The deals' distinct sponsors, found by skipping through the sponsor index: one probe per
# sponsor instead of a read of every deal (a "loose index scan", PostgreSQL and SQLite).
SPONSOR_IDS = (
    "WITH RECURSIVE s(id) AS (SELECT MIN(sponsor_id) FROM deals_deal UNION ALL "
    "SELECT (SELECT MIN(sponsor_id) FROM deals_deal WHERE sponsor_id > s.id) FROM s "
    "WHERE s.id IS NOT NULL) SELECT id FROM s WHERE id IS NOT NULL"
)


def sponsors_queryset():
    """Executives and anyone sponsoring a deal."""
    executives = User.groups.through.objects.filter(group__name=Role.EXECUTIVE).values(
        User.groups.field.m2m_field_name()
    )
    return User.objects.filter(Q(pk__in=executives) | Q(pk__in=RawSQL(SPONSOR_IDS, [])))


DEFAULT_SORT = "-cost"


class Show(models.TextChoices):
    OPEN = "open", "Open deals"
    STALLED = "stalled", "Stalled deals"
    ALL = "all", "All deals"


class DealFilterForm(forms.Form):
    """The dashboard table's filters. Without any, the table lists the open deals (as the
    "Open deals" tile counts them), costliest delay first; bind it to an empty query."""

    show = forms.ChoiceField(label="Show", required=False, choices=Show.choices, widget=PlainSelect)
    q = forms.CharField(label="Search", required=False, max_length=100)
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "All stages"), *Stage.choices],
        widget=PlainSelect,
    )
    kind = forms.ChoiceField(
        label="Partner kind",
        required=False,
        choices=[("", "All kinds"), *PartnerKind.choices],
        widget=PlainSelect,
    )
    sponsor = BoundedModelChoiceField(
        label="Sponsor",
        required=False,
        queryset=User.objects.none(),
        empty_label="All sponsors",
        widget=PlainSelect,
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
        self.fields["sponsor"].required = False  # empty: the partnership's sponsor (clean)
        self.fields["sponsor"].help_text = "Left empty, the partnership's sponsor."
        if not self.instance.pk:
            # Choosing the partnership fills the sponsor, while it is empty (deal_create).
            self.fields["partnership"].widget.attrs.update(
                {
                    "hx-get": reverse("deal_create"),
                    "hx-trigger": "change",
                    "hx-target": "#sponsor-field",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_partnership, #id_sponsor",
                }
            )
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

    @classmethod
    def initial_for(cls, user, query) -> dict:
        """What a new deal's form knows: its owner (who creates it) and, from the
        partnership in the query string, that partnership's sponsor unless one is given."""
        initial = {"owner": user.pk}
        partnership = ascii_int(query.get("partnership"))
        sponsor = ascii_int(query.get("sponsor"))
        if partnership is not None:
            initial["partnership"] = partnership
            if sponsor is None:
                found = cls().sponsor_of(Partnership.objects.filter(pk=partnership).first())
                # Not the creator, who owns the deal: owner and sponsor are two people.
                sponsor = found.pk if found and found.pk != user.pk else None
        if sponsor is not None:
            initial["sponsor"] = sponsor
        return initial

    def sponsor_of(self, partnership: Partnership | None):
        """The partnership's sponsor, when they may sponsor a deal (an executive)."""
        if partnership is None:
            return None
        return self.fields["sponsor"].queryset.filter(pk=partnership.sponsor_id).first()

    def clean(self):
        data = super().clean()
        if not data.get("sponsor") and "sponsor" not in self.errors:
            # Left empty: the partnership's czar sponsors its deals, unless they cannot.
            sponsor = self.sponsor_of(data.get("partnership"))
            if sponsor is not None:
                data["sponsor"] = sponsor
            elif data.get("partnership"):
                self.add_error(
                    "sponsor",
                    "Choose the executive sponsor: the partnership's sponsor is not an executive.",
                )
            else:
                self.add_error("sponsor", "Choose the executive sponsor.")
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
        help_texts = {
            "department": "The department that reviews this term. Left empty, the one "
            "that reviews its category (price: Procurement, liability: Legal…)."
        }

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["department"].required = False  # empty: suggested by the category
        # Choosing the category suggests its department, while none is chosen (term_create).
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("term_create", args=[deal.pk]),
                "hx-trigger": "change",
                "hx-target": "#department-field",
                "hx-swap": "outerHTML",
                "hx-include": "#id_category, #id_department",
            }
        )

    @staticmethod
    def initial_for(deal: Deal, query) -> dict:
        """The category from the query string and, unless one is chosen, its department."""
        category = query.get("category", "")
        if category not in TermCategory.values:
            return {}
        department = ascii_int(query.get("department"))
        if department is None:
            suggested = suggested_department(deal, category)
            department = suggested.pk if suggested else None
        return {"category": category, "department": department}

    def clean(self):
        data = super().clean()
        if not data.get("department") and data.get("category"):
            department = suggested_department(self.deal, data["category"])
            if department is None:
                self.add_error(
                    "department",
                    f"Choose the department that reviews this term: no department reviews "
                    f"“{TermCategory(data['category']).label}” terms by default.",
                )
            else:
                data["department"] = department
        elif not data.get("department") and "category" not in self.errors:
            self.add_error("department", "Choose the department that reviews this term.")
        return data


class TermEditForm(forms.Form):
    wording = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(choices=TermStatus.choices)
    note = forms.CharField(label="What changed and why", required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# What each kind of decision is, in one line: said beside its choice on the form.
DECISION_KIND_HELP = {
    DecisionKind.OVERRIDE: "You overrule a department's rejection or requested changes, "
    "and say why the deal goes ahead.",
    DecisionKind.TRADE_OFF: "You weigh one department's demand against another's, or "
    "against the value at stake, and choose.",
    DecisionKind.ESCALATION: "You settle what someone escalated to you: the answer to "
    "their request.",
}


class DecisionRecordForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label="Kind of decision",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of decision: override, trade-off or escalation."
        },
    )
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

    def kind_choices(self) -> list[dict]:
        """The radios with their one-line explanations, for the template."""
        return [
            {"radio": radio, "help": DECISION_KIND_HELP[DecisionKind(radio.data["value"])]}
            for radio in self["kind"]
        ]

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
