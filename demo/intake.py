"""Demo intake: three request types with realistic forms (a new partnership, a renewal, a
data-sharing pilot), review rules that route on their answers, and a request through
each — one a partner name close to an existing partner's, one moved on into review.
Through the services, so the audit trail tells it; safe to run again."""

from __future__ import annotations

from core.models import AuditEvent
from deals.models import Deal, Stage, StageChange
from deals.services import deal_advance
from intake.models import Condition, FormVersion, IntakeRequest, Question, RequestType
from intake.services import form_version_publish, request_submit
from stakeholders.models import Department, ReviewRule, RuleCondition, User

# (key, kind, label, help, required, choices, deal field, show if, conditions)
Q = tuple
NEW_PARTNERSHIP = [
    Q(
        (
            "summary",
            "long_text",
            "What should the partnership achieve?",
            "Two or three sentences.",
            True,
            "",
            "summary",
            "all",
            [],
        )
    ),
    Q(
        (
            "total_value",
            "money",
            "Total contract value",
            "Over the whole term, in EUR.",
            True,
            "",
            "contract_value",
            "all",
            [],
        )
    ),
    Q(
        (
            "annual_value",
            "money",
            "Expected business value per year",
            "",
            False,
            "",
            "expected_annual_value",
            "all",
            [],
        )
    ),
    Q(("term", "number", "Term in months", "", True, "", "term_months", "all", [])),
    Q(
        (
            "partner_type",
            "single",
            "What kind of partner",
            "",
            True,
            "Technology supplier\nManufacturer\nConsultancy\nChannel partner",
            "",
            "all",
            [],
        )
    ),
    Q(
        (
            "personal_data",
            "yes_no",
            "Will the partner handle personal data?",
            "Customers', employees' or anyone else's.",
            True,
            "",
            "",
            "all",
            [],
        )
    ),
    Q(
        (
            "data_categories",
            "multiple",
            "Which personal data",
            "",
            True,
            "Contact details\nPayment data\nHealth data\nLocation",
            "",
            "all",
            [("personal_data", "eq", "yes")],
        )
    ),
    Q(
        (
            "outside_eea",
            "yes_no",
            "Is health or payment data processed outside the EEA?",
            "",
            True,
            "",
            "",
            "any",
            [
                ("data_categories", "includes", "Health data"),
                ("data_categories", "includes", "Payment data"),
            ],
        )
    ),
    Q(
        (
            "transfer_basis",
            "text",
            "Transfer mechanism",
            "Standard contractual clauses, adequacy decision…",
            True,
            "",
            "",
            "all",
            [("outside_eea", "eq", "yes")],
        )
    ),
    Q(
        (
            "signature",
            "date",
            "Target signature date",
            "",
            False,
            "",
            "target_signature_date",
            "all",
            [],
        )
    ),
    Q(
        (
            "proposal",
            "file",
            "Partner's proposal",
            "PDF or Word, up to 10 MB.",
            False,
            "",
            "",
            "all",
            [],
        )
    ),
]
RENEWAL = [
    Q(
        (
            "summary",
            "long_text",
            "Why renew?",
            "What the partnership delivered so far.",
            True,
            "",
            "summary",
            "all",
            [],
        )
    ),
    Q(
        (
            "total_value",
            "money",
            "Value of the renewed contract",
            "",
            True,
            "",
            "contract_value",
            "all",
            [],
        )
    ),
    Q(("term", "number", "Renewal term in months", "", True, "", "term_months", "all", [])),
    Q(("changes", "yes_no", "Do the terms change?", "", True, "", "", "all", [])),
    Q(
        (
            "what_changes",
            "multiple",
            "What changes",
            "",
            True,
            "Price\nService levels\nLiability\nData protection",
            "",
            "all",
            [("changes", "eq", "yes")],
        )
    ),
    Q(
        (
            "price_change",
            "number",
            "Price change in %",
            "Negative for a reduction.",
            True,
            "",
            "",
            "all",
            [("what_changes", "includes", "Price")],
        )
    ),
    Q(
        (
            "performance",
            "single",
            "How did the partner perform?",
            "",
            True,
            "Above expectations\nAs expected\nBelow expectations",
            "",
            "all",
            [],
        )
    ),
]
DATA_SHARING = [
    Q(("summary", "long_text", "What is the pilot?", "", True, "", "summary", "all", [])),
    Q(("total_value", "money", "Pilot budget", "", True, "", "contract_value", "all", [])),
    Q(("term", "number", "Pilot length in months", "", True, "", "term_months", "all", [])),
    Q(("personal_data", "yes_no", "Is personal data shared?", "", True, "", "", "all", [])),
    Q(
        (
            "data_categories",
            "multiple",
            "Which personal data",
            "",
            True,
            "Contact details\nPayment data\nHealth data\nLocation",
            "",
            "all",
            [("personal_data", "eq", "yes")],
        )
    ),
    Q(
        (
            "anonymised",
            "yes_no",
            "Is it anonymised before it is shared?",
            "",
            True,
            "",
            "",
            "all",
            [("personal_data", "eq", "yes")],
        )
    ),
    Q(("pilot_end", "date", "When does the pilot end?", "", True, "", "", "all", [])),
    Q(("success", "long_text", "How will we know it worked?", "", False, "", "", "all", [])),
]
TYPES = [
    ("New partnership", "A new supplier, manufacturer, consultancy or channel partner.", NEW_PARTNERSHIP),
    ("Renewal", "Renew a contract that is ending, with or without changes.", RENEWAL),
    ("Data sharing pilot", "A time-boxed pilot in which we share data with a partner.", DATA_SHARING),
]  # fmt: skip

# Routing on answers: Security where personal data is handled, Legal for transfers
# outside the EEA, Finance for a price change of more than 10 %.
ANSWER_RULES = [
    ("security", "personal_data", "handles personal data", "eq", "yes"),
    ("legal", "outside_eea", "processes data outside the EEA", "eq", "yes"),
    ("finance", "price_change", "price change in %", "gt", "10"),
]

REQUESTS = [
    (
        "New partnership",
        "Quanta Security — managed detection",
        "Quanta Security",
        {"summary": "Round-the-clock managed detection and response for the stores' network.",
         "total_value": "840000", "annual_value": "300000", "term": "36",
         "partner_type": "Technology supplier", "personal_data": "yes",
         "data_categories": ["Contact details", "Location"]},
        False,
    ),
    (
        "Renewal",
        "Northwind Cloud renewal 2027",
        "Northwind Cloud",
        {"summary": "Hosting ran at 99.97 % and cut incident time by half.", "total_value": "1200000",
         "term": "24", "changes": "yes", "what_changes": ["Price", "Service levels"],
         "price_change": "12", "performance": "Above expectations"},
        True,
    ),
    (
        "Data sharing pilot",
        "Footfall data pilot",
        "Helix Analytic",  # close to "Helix Analytics": the form warns
        {"summary": "Share anonymised footfall with Helix to test demand forecasting.",
         "total_value": "60000", "term": "6", "personal_data": "yes",
         "data_categories": ["Location"], "anonymised": "yes", "pilot_end": "2027-06-30"},
        False,
    ),
]  # fmt: skip


def _form(name: str, description: str, spec, admin: User) -> FormVersion:
    request_type, _ = RequestType.objects.get_or_create(
        name=name, defaults={"description": description}
    )
    version = request_type.versions.order_by("-number").first()
    if version is not None:
        return version
    version = FormVersion.objects.create(request_type=request_type, number=1)
    for position, (key, kind, label, help_text, required, choices, field, show_if, conditions) in enumerate(spec):  # fmt: skip
        question = Question.objects.create(
            version=version, key=key, kind=kind, label=label, help_text=help_text,
            required=required, choices=choices, deal_field=field, show_if=show_if,
            position=position,
        )  # fmt: skip
        for source, operator, value in conditions:
            Condition.objects.create(
                question=question, source_key=source, operator=operator, value=value
            )
    return form_version_publish(version=version, user=admin)


def _rules() -> None:
    departments = {d.slug: d for d in Department.objects.all()}
    for slug, key, label, operator, value in ANSWER_RULES:
        if slug in departments:
            ReviewRule.objects.get_or_create(
                department=departments[slug],
                condition=RuleCondition.ANSWER,
                answer_key=key,
                defaults={
                    "answer_label": label,
                    "answer_operator": operator,
                    "answer_value": value,
                },
            )


def seed_intake() -> int:
    """The request types, their rules and three requests; nothing when they exist."""
    admin = User.objects.get(email="admin@demo.test")
    owner = User.objects.get(email="owner@demo.test")
    sponsor = User.objects.get(email="exec@demo.test")
    versions = {name: _form(name, text, spec, admin) for name, text, spec in TYPES}
    _rules()
    if IntakeRequest.objects.exists():
        return 0
    for type_name, title, partner, answers, into_review in REQUESTS:
        request = request_submit(
            version=versions[type_name], user=owner, title=title, partner_name=partner,
            sponsor=sponsor, answers=answers,
        )  # fmt: skip
        if into_review:
            deal = deal_advance(deal=request.deal, user=owner, to_stage=Stage.BUSINESS_CASE)
            deal_advance(deal=deal, user=owner, to_stage=Stage.REVIEW, note="From intake")
        _one_clock(request.deal)
    return len(REQUESTS)


def _one_clock(deal: Deal) -> None:
    """The services stamp the stage change, the deal and the audit row a few microseconds
    apart; the demo's histories read one time for each move (tests/demo)."""
    changes = list(StageChange.objects.filter(deal=deal).order_by("at", "pk"))
    moves = list(
        AuditEvent.objects.filter(
            deal=deal, action__in=["created", "moved"], object_type="deals.deal"
        ).order_by("at", "pk")
    )
    for change, event in zip(changes, moves, strict=False):
        AuditEvent.objects.filter(pk=event.pk).update(at=change.at)
    Deal.objects.filter(pk=deal.pk).update(stage_changed_at=changes[-1].at)
