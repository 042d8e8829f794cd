from __future__ import annotations

from django import forms


class DossierForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The record as it stood at the end of this day.",
    )
