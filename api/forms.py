from __future__ import annotations

from django import forms

from .models import Scope


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="Integration", max_length=100)
    scope = forms.ChoiceField(label="Scope", choices=Scope.choices, initial=Scope.READ)
    expires_in_days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=730, initial=90
    )
