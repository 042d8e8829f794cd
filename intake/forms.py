"""The request form: the basics every request needs, and one field per question.

Every question's field is optional at field level; `AnswersForm.clean` decides which
questions are shown for the answers given, requires the shown required ones, and drops
the answers (and the errors) of hidden ones. Bounds on every type keep hostile input a
form error, never a 500: lengths, digits, dates between 1900 and 2200, offered options.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from stakeholders.models import Role

from .answers import shown_keys, stored
from .models import Question, QuestionKind

User = get_user_model()
YES_NO = [("yes", "Yes"), ("no", "No")]
MAX_FILE_BYTES = 10 * 1024 * 1024


def _date_in_range(value: dt.date | None) -> None:
    if value and not dt.date(1900, 1, 1) <= value <= dt.date(2200, 12, 31):
        raise forms.ValidationError("Give a date between 1900 and 2200.")


def _file_size(value) -> None:
    if value and getattr(value, "size", 0) > MAX_FILE_BYTES:
        raise forms.ValidationError("Files up to 10 MB, please.")


def field_for(question: Question) -> forms.Field:
    common = {"label": question.label, "help_text": question.help_text, "required": False}
    kind = question.kind
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            max_digits=16,
            decimal_places=4,
            min_value=Decimal("-1000000000000"),
            max_value=Decimal("1000000000000"),
            **common,
        )
    if kind == QuestionKind.MONEY:
        return forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0), **common)
    if kind == QuestionKind.SINGLE:
        options = [(o, o) for o in question.options()]
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE:
        options = [(o, o) for o in question.options()]
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            validators=[_date_in_range],
            **common,
        )
    if kind == QuestionKind.FILE:
        return forms.FileField(max_length=200, validators=[_file_size], **common)
    return forms.CharField(max_length=500, **common)


def refreshes(url: str, target: str) -> dict[str, str]:
    """htmx attributes: on change, post the whole form and swap `target` with the answer."""
    return {
        "hx-post": url,
        "hx-trigger": "change",
        "hx-target": target,
        "hx-swap": "outerHTML",
        "hx-include": "closest form",
        "hx-vals": '{"_refresh": "1"}',
        "hx-sync": "closest form:replace",
    }


class AnswersForm(forms.Form):
    def __init__(self, *args, questions: list[Question], refresh_url: str = "", **kwargs) -> None:
        kwargs.setdefault("prefix", "q")
        super().__init__(*args, **kwargs)
        self.questions = questions
        # Only answers that conditions read ask for the questions again (htmx), so text
        # typed elsewhere is never replaced by a response to an earlier change.
        drives = {c.source_key for q in questions for c in q.conditions.all()}
        for question in questions:
            field = self.fields[question.key] = field_for(question)
            if refresh_url and question.key in drives:
                field.widget.attrs.update(refreshes(refresh_url, "#form"))
        self.shown = {q.key for q in questions}

    def raw_answers(self) -> dict:
        """Lenient answers from the data as typed, for visibility while filling in."""
        found = {}
        for question in self.questions:
            field = self.fields[question.key]
            name = self.add_prefix(question.key)
            raw = field.widget.value_from_datadict(self.data, self.files, name)
            try:
                found[question.key] = stored(question, field.clean(raw))
            except forms.ValidationError:
                continue
        return found

    def refresh(self) -> None:
        """Which questions to show for the answers typed so far (no errors shown)."""
        self.shown = shown_keys(self.questions, self.raw_answers() if self.is_bound else {})

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            # One value for a question that takes one: a second is a forged form.
            many = question.kind not in (QuestionKind.MULTIPLE, QuestionKind.FILE)
            if (
                many
                and len(getattr(self.data, "getlist", lambda _: [])(self.add_prefix(question.key)))
                > 1
            ):
                cleaned.pop(question.key, None)
                self.add_error(question.key, "Give one answer.")
        answers = {q.key: stored(q, cleaned.get(q.key)) for q in self.questions}
        self.shown = shown_keys(self.questions, answers)
        for question in self.questions:
            if question.key not in self.shown:
                # Hidden: its answer is dropped, and so is any error it had.
                cleaned.pop(question.key, None)
                self._errors.pop(question.key, None)
            elif (
                question.required
                and answers.get(question.key) is None
                and question.key not in self._errors
            ):
                self.add_error(question.key, "Please answer this question.")
        return cleaned

    def answers(self) -> dict:
        """{key: JSON value} of the shown, answered questions."""
        return {
            q.key: value
            for q in self.questions
            if q.key in self.shown
            and (value := stored(q, self.cleaned_data.get(q.key))) is not None
        }

    def uploads(self) -> dict:
        return {
            q.key: self.cleaned_data[q.key]
            for q in self.questions
            if q.kind == QuestionKind.FILE and q.key in self.shown and self.cleaned_data.get(q.key)
        }

    def shown_questions(self) -> list[tuple[Question, forms.BoundField]]:
        return [(q, self[q.key]) for q in self.questions if q.key in self.shown]


class BasicsForm(forms.Form):
    """What every request needs, whatever its type."""

    title = forms.CharField(label="Request title", min_length=3, max_length=200)
    partner_name = forms.CharField(
        label="Partner's name",
        max_length=160,
        help_text="An existing partner's exact name uses that partner.",
    )
    sponsor = forms.ModelChoiceField(
        label="Executive sponsor", queryset=User.objects.none(), empty_label="Choose a sponsor"
    )

    def __init__(self, *args, refresh_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if refresh_url:  # a name close to an existing partner's is said at once
            self.fields["partner_name"].widget.attrs.update(refreshes(refresh_url, "#lookalikes"))
        self.fields["sponsor"].queryset = User.objects.filter(
            groups__name=Role.EXECUTIVE, is_active=True
        )
        self.fields["partner_name"].widget.attrs["autocomplete"] = "off"

    def clean_partner_name(self) -> str:
        name = " ".join(self.cleaned_data["partner_name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Give the partner's name.")
        return name
