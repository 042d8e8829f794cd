"""Forms of the agreements app. Uploads are checked as contract documents are
(deals.documents: PDF or DOCX by content, the size limit, the name matching)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from deals.documents import ContractDocumentForm
from metrics.models import OutcomeMetric
from stakeholders.models import User

from .models import Agreement, Obligation, RenewalDecision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "effective_date",
            "term_kind",
            "initial_term_months",
            "initial_end_date",
            "renewal_type",
            "renewal_term_months",
            "max_renewals",
            "notice_unit",
            "notice_amount",
            "notice_business_days",
            "notice_method",
            "governing_law",
        ]
        widgets = {"effective_date": DATE, "initial_end_date": DATE}


class DecisionForm(ContractDocumentForm):
    """Renew, renegotiate or terminate; terminating needs the date and the notice sent."""

    decision = forms.ChoiceField(
        choices=[c for c in RenewalDecision.choices if c[0]], widget=forms.RadioSelect
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    notice_given_on = forms.DateField(
        label="Notice given on", required=False, widget=DATE, help_text="Terminate only."
    )
    field_order = ["decision", "note", "notice_given_on", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = False
        self.fields["file"].label = "The notice as sent (PDF or DOCX, terminate only)"

    def clean_file(self):
        if not self.cleaned_data.get("file"):
            return None
        return super().clean_file()

    def clean(self):
        data = super().clean()
        if data.get("decision") == RenewalDecision.TERMINATE:
            if not data.get("notice_given_on") and "notice_given_on" not in self.errors:
                self.add_error("notice_given_on", "Say when notice was given.")
            elif data.get("notice_given_on") and data["notice_given_on"] > timezone.localdate():
                self.add_error("notice_given_on", "Notice cannot have been given in the future.")
            if not data.get("file") and "file" not in self.errors:
                self.add_error("file", "Attach the notice as it was sent (PDF or DOCX).")
        return data


class ObligationForm(forms.ModelForm):
    class Meta:
        model = Obligation
        fields = [
            "title",
            "owed_by",
            "category",
            "clause",
            "owner",
            "reviewer",
            "recurrence",
            "first_due",
            "until",
            "lead_days",
            "metric",
        ]
        widgets = {"first_due": DATE, "until": DATE}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")
        self.fields["owner"].queryset = people
        self.fields["reviewer"].queryset = people
        self.fields["metric"].queryset = OutcomeMetric.objects.filter(deal=agreement.deal_id)


class EvidenceForm(ContractDocumentForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Evidence (PDF or DOCX, up to 20 MB)"


class EvidenceReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[("accept", "Accept: it shows the obligation met"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Needed when you reject it: what is missing.",
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why the evidence does not show the obligation met.")
        return data
