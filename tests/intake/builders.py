"""Intake forms for tests: a request type with a form of every kind of question and a
chain of conditions (used by tests/intake and the activity walk)."""

from __future__ import annotations

from django.utils import timezone

from intake.models import Condition, FormVersion, Question, QuestionKind, RequestType

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
