"""Form fields that refuse ids the database cannot hold, instead of failing with a 500.

Django's model choice fields hand any integer to the database; one beyond the
64-bit range makes SQLite raise OverflowError and PostgreSQL a DataError. Their options
are read in one plain query (ListedChoiceIterator).
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

INTEGER = re.compile(r"^\s*-?\d{1,19}\s*$")
LIMIT = 2**63


def _fits(value) -> bool:
    return bool(INTEGER.match(str(value))) and abs(int(value)) < LIMIT


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The options in one query. Django's iterator() would open a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for a list a person reads."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # a fresh query at every render, as iterator()
            yield self.choice(obj)


class PlainSelect(forms.Select):
    """A select of flat choices written out directly. Django's renders a template per
    option; a filter bar of four selects cost 2 ms of a page. (No option groups.)"""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, mark_safe(" selected") if str(choice) in chosen else "", label)
                for choice, label in self.choices
            ),
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)


class BoundedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator

    def to_python(self, value):
        if value not in self.empty_values and isinstance(value, str | int) and not _fits(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator

    def _check_values(self, value):
        for item in value:
            if not _fits(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


def bounded_formfield(field: models.Field, **kwargs) -> forms.Field | None:
    """Meta.formfield_callback for ModelForms: bounded fields for every relation."""
    if isinstance(field, models.ManyToManyField):
        return field.formfield(form_class=BoundedModelMultipleChoiceField, **kwargs)
    if isinstance(field, models.ForeignKey):
        return field.formfield(form_class=BoundedModelChoiceField, **kwargs)
    return field.formfield(**kwargs)
