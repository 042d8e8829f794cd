"""Questions in, answers out: which questions are shown for given answers, and how each
answer is stored (JSON, read by routing) and said (on the deal page).

Visibility is read in one pass in the form's order: a condition names an earlier
question (FormVersion.problems refuses anything else), and a hidden question's answer
counts as no answer, so a chain A → B → C hides C as soon as A hides B.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.answers import matches

from .models import Match, Question, QuestionKind


def is_shown(question: Question, answers: dict) -> bool:
    conditions = list(question.conditions.all())  # prefetched
    if not conditions:
        return True
    results = (matches(answers.get(c.source_key), c.operator, c.value) for c in conditions)
    return all(results) if question.show_if == Match.ALL else any(results)


def shown_keys(questions: list[Question], answers: dict) -> set[str]:
    """The keys of the questions shown for `answers`; hidden answers do not count."""
    shown: set[str] = set()
    visible_answers: dict = {}
    for question in questions:
        if is_shown(question, visible_answers):
            shown.add(question.key)
            if question.key in answers:
                visible_answers[question.key] = answers[question.key]
    return shown


def stored(question: Question, value):
    """A cleaned form value as JSON. Empty answers are None (and left out)."""
    if value in (None, "", [], ()):
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if question.kind == QuestionKind.FILE:
        return {"name": getattr(value, "name", str(value))[:200]}
    return value


def said(question_kind: str, value) -> str:
    """An answer as the deal page shows it."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if question_kind == QuestionKind.YES_NO:
        return {"yes": "Yes", "no": "No"}.get(value, str(value))
    if question_kind == QuestionKind.MONEY:
        return f"{Decimal(value):,.2f}"
    if question_kind == QuestionKind.DATE:
        try:
            return f"{dt.date.fromisoformat(value):%-d %B %Y}"
        except ValueError:
            return str(value)
    return str(value)
