"""The contract's key facts proposed from its signed document: the owner or sponsor
confirms or corrects each one; only what is ticked is saved (issue 15, part 6). What was
read is kept per document (readings.py): read after the upload, or here the first time."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.parsing import ascii_int
from deals.models import ContractDocument

from . import readings, rules, selectors
from .forms import DATE
from .models import ContractReading, NoticeUnit, ReadingStatus, RenewalType, TermKind

RENEWAL = {
    "automatic": RenewalType.AUTOMATIC,
    "optional": RenewalType.OPTION,
    "none": RenewalType.NONE,
}
LABELS = {
    "effective_date": "Effective date",
    "expiry_date": "Initial term ends on",
    "initial_term_months": "Initial term (months)",
    "renewal_type": "Renewal",
    "renewal_term_months": "Renewal term (months)",
    "notice_days": "Notice before the term ends (days)",
    "governing_law": "Governing law",
}


class FactsForm(forms.Form):
    """One value and one "confirm" tick per fact, filled in with what the rules read."""

    effective_date = forms.DateField(required=False, widget=DATE)
    expiry_date = forms.DateField(required=False, widget=DATE)
    initial_term_months = forms.IntegerField(required=False, min_value=1, max_value=600)
    renewal_type = forms.ChoiceField(
        required=False, choices=[("", "—"), *[(k, v.label) for k, v in RENEWAL.items()]]
    )
    renewal_term_months = forms.IntegerField(required=False, min_value=1, max_value=120)
    notice_days = forms.IntegerField(required=False, min_value=1, max_value=730)
    governing_law = forms.CharField(required=False, max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LABELS:
            self.fields[name].label = LABELS[name]
            self.fields[f"confirm_{name}"] = forms.BooleanField(
                required=False, label=f"Confirm: {LABELS[name].lower()}"
            )

    def clean(self):
        data = super().clean()
        chosen = [name for name in LABELS if data.get(f"confirm_{name}")]
        if not chosen:
            raise ValidationError("Tick the facts you confirm: nothing is saved unconfirmed.")
        for name in chosen:
            if data.get(name) in (None, ""):
                self.add_error(name, "Give the value you confirm, or untick it.")
        return data

    def agreement_data(self) -> dict:
        """The agreement's fields for the confirmed facts only."""
        data = self.cleaned_data
        ok = {name for name in LABELS if data.get(f"confirm_{name}")}
        out: dict = {}
        if "effective_date" in ok:
            out["effective_date"] = data["effective_date"]
        if "initial_term_months" in ok:
            out |= {
                "term_kind": TermKind.MONTHS,
                "initial_term_months": data["initial_term_months"],
            }
        elif "expiry_date" in ok:
            out |= {"term_kind": TermKind.END_DATE, "initial_end_date": data["expiry_date"]}
        if "renewal_type" in ok:
            out["renewal_type"] = RENEWAL[data["renewal_type"]]
        if "renewal_term_months" in ok:
            out["renewal_term_months"] = data["renewal_term_months"]
        if "notice_days" in ok:
            out |= {
                "notice_unit": NoticeUnit.DAYS,
                "notice_amount": data["notice_days"],
                "notice_business_days": False,
            }
        if "governing_law" in ok:
            out["governing_law"] = data["governing_law"].strip()
        return out


def _document(request: HttpRequest, agreement) -> ContractDocument | None:
    """The document asked for (`?document=` or the form's field, one of the deal's current
    documents), else the newest."""
    documents = readings.current_documents(agreement.deal_id)
    wanted = request.POST.get("document") or request.GET.get("document") or ""
    if wanted:  # '²' is a digit to str.isdigit() and a ValueError to int()
        pk = ascii_int(wanted)
        return documents.filter(pk=pk).first() if pk is not None else None
    return documents.first()


def _proposals(document: ContractDocument | None) -> tuple[ContractReading | None, str]:
    """The document's reading (made here, once, when no worker has made it yet)."""
    if document is None:
        return None, "Attach the signed contract (PDF, DOCX or plain text) on the deal page first."
    reading = readings.contract_read(document_id=document.pk)
    if reading is not None and reading.status == ReadingStatus.UNREADABLE:
        return reading, f"“{document.original_name}” could not be read: {reading.problem}"
    return reading, ""


def agreement_facts(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_agreement_for_user(request.user, pk)
    rules.EDIT_AGREEMENT.require(request.user, agreement)
    document = _document(request, agreement)
    reading, problem = _proposals(document)
    proposed = reading.facts if reading and not problem else {}
    evidence = proposed.get("evidence") or {}
    form = FactsForm(request.POST or None, initial={k: proposed.get(k) for k in LABELS})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                readings.facts_confirm(
                    agreement=agreement,
                    user=request.user,
                    data=form.agreement_data(),
                    reading=reading,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "The confirmed facts are saved.")
                return redirect(agreement)
        status = 422
    rows = [
        {
            "name": name,
            "field": form[name],
            "confirm": form[f"confirm_{name}"],
            "evidence": evidence.get(name) or "",
            "found": proposed.get(name) is not None,
        }
        for name in LABELS
    ]
    context = {
        "agreement": agreement,
        "deal": agreement.deal,
        "document": document,
        "reading": reading,
        "problem": problem,
        "form": form,
        "rows": rows,
    }
    return render(request, "agreements/agreement_facts.html", context, status=status)


@require_POST
def agreement_facts_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a document's proposals away without saving any; its banner goes."""
    agreement = selectors.get_agreement_for_user(request.user, pk)
    rules.EDIT_AGREEMENT.require(request.user, agreement)
    document = _document(request, agreement)
    reading = (
        ContractReading.objects.filter(agreement=agreement, document=document).first()
        if document
        else None
    )
    if reading is None:
        raise Http404("No facts were read from this document.")
    if readings.reading_dismiss(agreement=agreement, user=request.user, reading=reading):
        messages.success(
            request, f"Put away what we read from “{document.original_name}”; nothing was saved."
        )
    return redirect(agreement)
