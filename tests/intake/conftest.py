"""A request type with a form of every kind of question, a chain of conditions, and
review rules that route on its answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Condition, FormVersion, Question, QuestionKind, RequestType
from stakeholders.models import ReviewRule, RuleCondition
from tests.factories import department

# key, kind, label, extra (required, choices, deal_field, conditions [(key, op, value)])
PARTNERSHIP_FORM = [
    (
        "summary",
        QuestionKind.LONG_TEXT,
        "What is it for?",
        {"required": True, "deal_field": "summary"},
    ),
    (
        "total_value",
        QuestionKind.MONEY,
        "Total value",
        {"required": True, "deal_field": "contract_value"},
    ),
    ("term", QuestionKind.NUMBER, "Term in months", {"deal_field": "term_months"}),
    ("start", QuestionKind.DATE, "Start date", {}),
    ("region", QuestionKind.SINGLE, "Region", {"choices": "Europe\nAmericas\nAsia"}),
    ("channels", QuestionKind.MULTIPLE, "Channels", {"choices": "Web\nRetail\nPhone"}),
    ("personal_data", QuestionKind.YES_NO, "Handles personal data", {"required": True}),
    # The chain: categories only with personal data; transfers only with health data.
    (
        "categories",
        QuestionKind.MULTIPLE,
        "Which personal data",
        {
            "choices": "Contact\nHealth\nPayment",
            "required": True,
            "conditions": [("personal_data", "eq", "yes")],
        },
    ),
    (
        "transfer",
        QuestionKind.TEXT,
        "Where is health data sent",
        {"required": True, "conditions": [("categories", "includes", "Health")]},
    ),
    ("contract", QuestionKind.FILE, "Draft contract", {}),
]


def build_form(
    spec=PARTNERSHIP_FORM, *, name: str = "New partnership", publish: bool = True
) -> FormVersion:
    request_type, _ = RequestType.objects.get_or_create(name=name)
    number = request_type.versions.count() + 1
    version = FormVersion.objects.create(request_type=request_type, number=number)
    for position, (key, kind, label, extra) in enumerate(spec):
        question = Question.objects.create(
            version=version,
            key=key,
            kind=kind,
            label=label,
            position=position,
            required=extra.get("required", False),
            choices=extra.get("choices", ""),
            deal_field=extra.get("deal_field", ""),
            show_if=extra.get("show_if", "all"),
        )
        for source, operator, value in extra.get("conditions", []):
            Condition.objects.create(
                question=question, source_key=source, operator=operator, value=value
            )
    if publish:
        version.published_at = timezone.now()
        version.save()
    return version


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
