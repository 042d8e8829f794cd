"""Forms: a term's place in the playbook, a walk-away decision, a position's edit."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms

from core.fields import BoundedModelChoiceField

from .models import ApproverRole, CapBase, ClauseType, DataHandled, Position

CUSTOM = "custom"


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


class TermPositionForm(forms.Form):
    """The clause type, the position chosen or custom, and the structured value."""

    clause_type = BoundedModelChoiceField(queryset=ClauseType.objects.none(), label="Clause")
    position = forms.ChoiceField(
        label="Position", help_text="The playbook position this wording takes, or custom."
    )
    cap_base = forms.ChoiceField(
        label="Cap base", choices=[("", "—"), *CapBase.choices], required=False
    )
    cap_multiple = forms.DecimalField(
        label="Cap multiple",
        required=False,
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=2,
        help_text="2 for a cap of twice the base.",
    )
    carve_outs = forms.CharField(
        label="Carve-outs",
        required=False,
        max_length=500,
        help_text="Left uncapped, separated by commas: data protection, confidentiality…",
    )
    days = forms.IntegerField(label="Days", required=False, min_value=0, max_value=3650)
    law = forms.CharField(label="Governing law", required=False, max_length=120)

    def __init__(self, *args, clause_types, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause_type"].queryset = clause_types
        self.positions = {str(p.pk): p for p in positions}
        self.fields["position"].choices = [
            (CUSTOM, "Custom: none of the playbook's positions"),
            *[(str(p.pk), f"{p.clause_type.name}: {p.label}") for p in positions],
        ]

    def value(self) -> dict:
        data = self.cleaned_data
        return {
            "base": data.get("cap_base") or "",
            "multiple": str(data["cap_multiple"]) if data.get("cap_multiple") is not None else "",
            "carve_outs": _list(data.get("carve_outs") or ""),
            "days": str(data["days"]) if data.get("days") is not None else "",
            "law": data.get("law") or "",
        }

    def chosen(self) -> Position | None:
        return self.positions.get(self.cleaned_data["position"])


class WalkAwayForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Why the deal goes on past the walk-away: it is recorded as your decision.",
    )


class PositionForm(forms.ModelForm):
    """A position's content; saving makes a new version of the playbook."""

    bounds_text = forms.CharField(
        label="Structured bounds (JSON)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='e.g. {"max_days": 30} or {"laws": ["England and Wales"]}',
    )
    partner_kinds_text = forms.CharField(
        label="Partner kinds (commas; empty: any)", required=False, max_length=300
    )
    note = forms.CharField(label="What changed", required=False, max_length=300)

    class Meta:
        model = Position
        fields = [
            "wording",
            "rationale",
            "approver_role",
            "required",
            "request_type",
            "value_min",
            "value_max",
            "data_handled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver_role"].choices = [("", "Nobody (standard)"), *ApproverRole.choices]
        self.fields["data_handled"].choices = DataHandled.choices
        if not self.is_bound:
            self.initial["bounds_text"] = json.dumps(self.instance.bounds)
            self.initial["partner_kinds_text"] = ", ".join(self.instance.partner_kinds)

    def clean_bounds_text(self) -> dict:
        text = self.cleaned_data["bounds_text"].strip()
        try:
            bounds = json.loads(text) if text else {}
        except ValueError:
            raise forms.ValidationError('Write the bounds as JSON: {"max_days": 30}.') from None
        if not isinstance(bounds, dict):
            raise forms.ValidationError("The bounds are a JSON object: {…}.")
        return bounds

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["bounds"] = self.cleaned_data["bounds_text"]
        data["partner_kinds"] = _list(self.cleaned_data["partner_kinds_text"])
        return data
