"""An amendment's impact list as its page shows it: each change with its word diff,
its dates or its obligation's fields before and after, and whose review it re-opens.

Reads only; a fixed number of queries whatever the number of changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from deals.diff import word_diff
from deals.models import TermCategory, TermStatus
from stakeholders.models import ReviewStatus

from .amendments import DATE_FIELDS
from .models import Agreement, Amendment, ChangeKind, Obligation
from .services import FIELD_NAMES

COMPUTED = {"term_end": "current term ends", "notice_deadline": "notice deadline"}
# Each of amendments.OBLIGATION_FIELDS, as the page names it.
OBLIGATION_NAMES = {
    "title": "title",
    "owed_by": "who owes it",
    "category": "category",
    "clause": "clause",
    "owner": "owner",
    "reviewer": "evidence reviewer",
    "recurrence": "how often",
    "first_due": "first due on",
    "until": "recurs until",
    "lead_days": "lead days",
}


def _show(model, name: str, value: Any, values: dict[str, Any]) -> str:
    if name in ("owner", "reviewer"):
        return str(values.get(f"{name}_name") or "—")
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    field = model._meta.get_field(name) if name not in COMPUTED else None
    if field is not None and field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return f"{dt.date.fromisoformat(value):%-d %b %Y}"
        except ValueError:
            return value
    return str(value)


def _rows(model, names: dict[str, str], change) -> list[dict[str, str]]:
    before, after = change.before, change.after
    rows = []
    for name, label in names.items():
        if name not in after or name == "title" and change.kind != ChangeKind.OBLIGATION_CHANGE:
            continue
        old = _show(model, name, before.get(name), before) if before else ""
        new = _show(model, name, after[name], after)
        if change.kind == ChangeKind.OBLIGATION_CHANGE and old == new:
            continue
        rows.append({"label": label.capitalize(), "before": old, "after": new})
    return rows


def _review_effect(review) -> str:
    if review is None:
        return "no review of theirs on this deal: nothing to re-open"
    if review.status == ReviewStatus.PENDING:
        return "their review is open already: it will show the new wording"
    return f"their review ({review.get_status_display().lower()}) re-opens for a new round"


def impact(amendment: Amendment) -> dict[str, Any]:
    """The lines of the amendment's impact list and the departments it re-opens."""
    deal = amendment.agreement.deal
    changes = list(amendment.changes.select_related("department", "term"))
    reviews = {r.department_id: r for r in deal.reviews.select_related("department")}
    lines, departments = [], {}
    for change in changes:
        line: dict[str, Any] = {"change": change, "label": change.get_kind_display()}
        if change.is_term:
            old = change.before.get("wording", "")
            if change.kind == ChangeKind.TERM_WITHDRAW:
                line["diff"] = word_diff(old, "")
                line["status"] = TermStatus.WITHDRAWN.label
            else:
                line["diff"] = word_diff(old, change.after.get("wording", ""))
            if change.kind == ChangeKind.TERM_ADD:
                category = change.after.get("category")
                line["category"] = dict(TermCategory.choices).get(category, category)
            name = change.department.name if change.department else ""
            line["department"] = name
            if change.department_id and not amendment.is_final:
                departments[name] = _review_effect(reviews.get(change.department_id))
        elif change.kind == ChangeKind.DATES:
            names = {k: FIELD_NAMES[k] for k in DATE_FIELDS} | COMPUTED
            line["rows"] = _rows(Agreement, names, change)
        else:
            line["rows"] = _rows(Obligation, OBLIGATION_NAMES, change)
        lines.append(line)
    return {"lines": lines, "departments": sorted(departments.items())}
