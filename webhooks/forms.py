from __future__ import annotations

from django import forms

from core.fields import BoundedModelChoiceField
from stakeholders.models import User

from .models import EventType


class EndpointForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label="Events", choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    owner = BoundedModelChoiceField(
        label="Owner (told by email if it is disabled)",
        queryset=User.objects.filter(is_active=True).order_by("email"),
    )
