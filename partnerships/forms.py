from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from core.fields import bounded_formfield
from stakeholders.models import Role

from .models import Partner, Partnership, PartnershipGoal, StrategicGoal

User = get_user_model()


class PartnerForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Partner
        formfield_callback = bounded_formfield
        fields = [
            "name",
            "kind",
            "country",
            "website",
            "risk_tier",
            "handles_customer_data",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        clash = Partner.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A partner with this name already exists.")
        return name


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        formfield_callback = bounded_formfield
        fields = ["partner", "title", "description", "sponsor"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = User.objects.filter(groups__name=Role.EXECUTIVE)


class PartnershipGoalForm(forms.ModelForm):
    class Meta:
        model = PartnershipGoal
        formfield_callback = bounded_formfield
        fields = ["goal", "fit_score", "rationale"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 2}),
            "fit_score": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = StrategicGoal.objects.filter(active=True)


PartnershipGoalFormSet = forms.inlineformset_factory(
    Partnership,
    PartnershipGoal,
    form=PartnershipGoalForm,
    extra=1,
    can_delete=True,
    max_num=10,
)
