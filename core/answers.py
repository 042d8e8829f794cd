"""How an answer is compared with a condition's value: one meaning for intake's show-if
conditions and for review rules that route on answers (stakeholders.ReviewRule).

Answers are stored as JSON: a string (text, a choice, "yes"/"no", an ISO date, a number
written out), a list of strings (multiple choice) or {"name": …} (a file). No answer,
an empty one, or an answer to a hidden question matches no condition, whatever the
operator: a chain of conditions stops at the first question not shown.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import models


class Operator(models.TextChoices):
    EQUALS = "eq", "="
    NOT_EQUALS = "ne", "≠"
    INCLUDES = "includes", "includes"
    OVER = "gt", ">"
    UNDER = "lt", "<"


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _text(value) -> str:
    if isinstance(value, dict):
        value = value.get("name", "")
    return str(value).strip().casefold()


def matches(answer, operator: str, expected: str) -> bool:
    """Does `answer` meet `operator expected`? False when there is no answer."""
    if answer is None or answer == "" or answer == [] or answer == {}:
        return False
    wanted = _text(expected)
    if isinstance(answer, list):
        given = {_text(item) for item in answer}
        if operator in (Operator.EQUALS, Operator.INCLUDES):
            return wanted in given
        if operator == Operator.NOT_EQUALS:
            return wanted not in given
        return False
    if operator in (Operator.OVER, Operator.UNDER):
        left, right = _number(answer), _number(expected)
        if left is None or right is None:
            return False
        return left > right if operator == Operator.OVER else left < right
    if operator == Operator.EQUALS:
        return _text(answer) == wanted
    if operator == Operator.NOT_EQUALS:
        return _text(answer) != wanted
    if operator == Operator.INCLUDES:
        return wanted in _text(answer)
    return False


def said(key_or_label: str, operator: str, expected: str) -> str:
    """'handles personal data = yes': a condition as a person reads it."""
    subject = key_or_label.replace("_", " ").replace("-", " ").strip()
    value = _number(expected)
    shown = f"{value:,.0f}" if value is not None and value == value.to_integral() else expected
    shown = str(shown).replace("_", " ")
    return f"{subject} {Operator(operator).label} {shown}"
