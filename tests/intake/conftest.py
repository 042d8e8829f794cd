"""A request type with a form of every kind of question, a chain of conditions, and
review rules that route on its answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intake.models import FormVersion
from stakeholders.models import ReviewRule, RuleCondition
from tests.factories import department

from .builders import PARTNERSHIP_FORM, build_form

__all__ = ["PARTNERSHIP_FORM", "build_form"]


@pytest.fixture
def form_version(personas) -> FormVersion:
    return build_form()


@pytest.fixture
def answer_rules(personas):
    """Security reviews when personal data is handled; Finance over 1,000,000."""
    ReviewRule.objects.create(
        department=department("security"),
        condition=RuleCondition.ANSWER,
        answer_key="personal_data",
        answer_label="handles personal data",
        answer_operator="eq",
        answer_value="yes",
    )
    ReviewRule.objects.create(
        department=department("finance"),
        condition=RuleCondition.ANSWER,
        answer_key="total_value",
        answer_operator="gt",
        answer_value="1000000",
    )


def post_data(personas, **answers) -> dict:
    """A filled-in request: the basics, then answers by key (prefixed as the form names them)."""
    data = {
        "title": "Meridian data platform",
        "partner_name": "Meridian Analytics",
        "sponsor": personas.executive.pk,
        "q-summary": "Analytics for the stores.",
        "q-total_value": "250000",
        "q-personal_data": "no",
    }
    for key, value in answers.items():
        if value is None:
            data.pop(f"q-{key}", None)
        else:
            data[f"q-{key}"] = value
    return data


D = Decimal
