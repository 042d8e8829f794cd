"""core.fields.PlainSelect writes the select Django's Select would: the same options, the
same one selected, the same attributes (compared as parsed HTML)."""

import pytest
from django import forms
from django.test.html import parse_html

from core.fields import BoundedModelChoiceField, PlainSelect
from stakeholders.models import User

CHOICES = [("", "All stages"), ("intake", "Intake"), ("review", "Review & sign-off <b>")]


class Plain(forms.Form):
    stage = forms.ChoiceField(required=False, choices=CHOICES, widget=PlainSelect)
    person = BoundedModelChoiceField(
        queryset=User.objects.order_by("pk"), required=False, widget=PlainSelect
    )


class Django(forms.Form):
    stage = forms.ChoiceField(required=False, choices=CHOICES)
    person = BoundedModelChoiceField(queryset=User.objects.order_by("pk"), required=False)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"stage": "review"}, {"stage": "nonsense"}, None])
def test_the_same_select_as_djangos(personas, data):
    if data:
        data = {**data, "person": str(personas.legal.pk)}
    plain, django = Plain(data), Django(data)
    plain.is_valid(), django.is_valid()
    for name in ("stage", "person"):
        assert parse_html(str(plain[name])) == parse_html(str(django[name]))
    assert "&lt;b&gt;" in str(plain["stage"])  # labels escaped


@pytest.mark.django_db
def test_the_options_are_read_in_one_plain_query(personas):
    """No server-side cursor (DECLARE, FETCH, CLOSE on PostgreSQL): one SELECT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = str(Plain()["person"])
    assert f'value="{personas.legal.pk}"' in html
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
