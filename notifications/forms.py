from __future__ import annotations

from django import forms

from .models import Weekday


class DigestPreferenceForm(forms.Form):
    subscribed = forms.BooleanField(label="Send me the weekly digest", required=False)
    weekday = forms.TypedChoiceField(
        label="Digest day",
        choices=Weekday.choices,
        coerce=int,
        help_text="The digest arrives early that morning.",
    )
