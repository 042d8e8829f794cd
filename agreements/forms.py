"""Forms of the agreements app. Uploads are checked as contract documents are
(deals.documents: PDF or DOCX by content, the size limit, the name matching)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from deals.documents import ContractDocumentForm
from deals.models import Term, TermCategory, TermStatus
from metrics.models import OutcomeMetric
from stakeholders.models import Department, User

from .amendment_models import TERM_KINDS
from .models import Agreement, Amendment, ChangeKind, Obligation, RenewalDecision

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
        fields = [*Obligation.STATED_FIELDS, "metric"]
        widgets = {"first_due": DATE, "until": DATE}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")
        self.fields["owner"].queryset = people
        self.fields["reviewer"].queryset = people
        if "metric" in self.fields:  # an amendment's obligation form leaves it out
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


# --- Amendments -------------------------------------------------------------------------


class AmendmentForm(forms.ModelForm):
    # The model's reason is a TextField: bounded here, as every text a person types is.
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Amendment._meta.get_field("reason").help_text,
    )

    class Meta:
        model = Amendment
        fields = ["title", "reason", "effective_date"]
        widgets = {"effective_date": DATE}


class TermChangeForm(forms.Form):
    """One term change: reword or withdraw one of the contract's terms, or add a term."""

    kind = forms.ChoiceField(
        label="What changes",
        choices=[(k.value, k.label) for k in TERM_KINDS],
        widget=forms.RadioSelect,
    )
    term = forms.ModelChoiceField(
        queryset=Term.objects.none(), required=False, help_text="To reword or withdraw."
    )
    wording = forms.CharField(
        label="New wording",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
    )
    title = forms.CharField(label="New term's title", required=False, max_length=200)
    category = forms.ChoiceField(
        label="New term's category", choices=[("", "—")] + TermCategory.choices, required=False
    )
    department = forms.ModelChoiceField(
        label="Department that reviews the new term",
        queryset=Department.objects.order_by("name"),
        required=False,
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = (
            Term.objects.filter(deal_id=agreement.deal_id)
            .exclude(status=TermStatus.WITHDRAWN)
            .order_by("category", "pk")
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needed = {
            ChangeKind.TERM_REVISE: ("term", "wording"),
            ChangeKind.TERM_WITHDRAW: ("term",),
            ChangeKind.TERM_ADD: ("title", "category", "department", "wording"),
        }.get(kind, ())
        for name in needed:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Needed for this change.")
        return data


class AmendmentDatesForm(AgreementForm):
    """The agreement's term, renewal and notice as the amendment states them."""

    class Meta(AgreementForm.Meta):
        fields = [name for name in AgreementForm.Meta.fields if name != "governing_law"]


class ObligationChangeForm(ObligationForm):
    """A new obligation, or one of the contract's changed or ended (`until`: last due)."""

    kind = forms.ChoiceField(label="What changes", widget=forms.RadioSelect)

    class Meta(ObligationForm.Meta):
        fields = [name for name in ObligationForm.Meta.fields if name != "metric"]

    def __init__(self, *args, agreement: Agreement, existing: bool, **kwargs):
        super().__init__(*args, agreement=agreement, **kwargs)
        kinds = (
            (ChangeKind.OBLIGATION_CHANGE, ChangeKind.OBLIGATION_END)
            if existing
            else (ChangeKind.OBLIGATION_ADD,)
        )
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        if not existing:
            self.fields["kind"].initial = ChangeKind.OBLIGATION_ADD.value
        self.order_fields(["kind"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == ChangeKind.OBLIGATION_END and not data.get("until"):
            self.add_error("until", "Say the last date it is due.")
        return data


class AmendmentDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: apply every change now"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Needed when you reject it: what is wrong.",
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why the amendment is rejected.")
        return data
