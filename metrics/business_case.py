"""Writes to a deal's business case: versions, Finance's sign-off, assumptions and
their assessment once the deal is signed. Each is atomic and audited; the governing
case keeps the deal's weekly cost of delay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import AuditAction, audit_record
from deals.models import Deal, Stage
from stakeholders import signoff

from . import finance, rules
from .models import (
    Assumption,
    BusinessCase,
    CaseYear,
    Outcome,
)

MONEY_FIELDS = ("revenue_growth", "cost_savings", "one_off_costs", "running_costs")
ASSUMPTION_FIELDS = ("statement", "owner", "confidence", "evidence")
# Assumptions are judged once the deal is signed: before that nothing is known.
ASSESSABLE_STAGES = (Stage.SIGNED, Stage.LIVE)


# Business case


def _case_content(discount_rate: Decimal, years: list[dict], assumptions: list[dict]) -> tuple:
    """What a version says, comparable between a form and a saved version."""
    return (
        Decimal(discount_rate).normalize(),
        tuple(
            (int(y["year"]), *(Decimal(y[name]).normalize() for name in MONEY_FIELDS))
            for y in sorted(years, key=lambda y: int(y["year"]))
        ),
        tuple(
            (
                a["statement"].strip(),
                getattr(a.get("owner"), "pk", a.get("owner")),
                a["confidence"],
                (a.get("evidence") or "").strip(),
            )
            for a in assumptions
        ),
    )


def _saved_content(case: BusinessCase) -> tuple:
    years = [{"year": y.year, **{n: getattr(y, n) for n in MONEY_FIELDS}} for y in case.years.all()]
    assumptions = [
        {
            "statement": a.statement,
            "owner": a.owner_id,
            "confidence": a.confidence,
            "evidence": a.evidence,
        }
        for a in case.assumptions.all()
    ]
    return _case_content(case.discount_rate, years, assumptions)


def validate_case(*, discount_rate: Decimal, years: list[dict]) -> None:
    """The invariants of a version, whoever calls: forms check the same at the field."""
    errors: dict[str, list[str]] = {}
    if not Decimal(0) <= discount_rate <= 100:
        errors.setdefault("discount_rate", []).append(
            "The discount rate must be between 0 and 100 %."
        )
    numbers = [int(y["year"]) for y in years]
    if not years:
        errors.setdefault("years", []).append("Give the money for at least one year.")
    if any(not 1 <= n <= finance.MAX_YEARS for n in numbers):
        errors.setdefault("years", []).append("Years run from 1 to 10.")
    if len(set(numbers)) != len(numbers):
        errors.setdefault("years", []).append("Each year appears once.")
    if any(Decimal(y[name]) < 0 for y in years for name in MONEY_FIELDS):
        errors.setdefault("years", []).append("Money by year cannot be negative.")
    if errors:
        raise ValidationError(errors)


def _case_snapshot(case: BusinessCase) -> dict[str, Any]:
    figures = finance.summarise(list(case.years.all()), case.discount_rate)
    return {
        "version": case.version,
        "discount_rate": str(case.discount_rate),
        "years": len(case.years.all()),
        "npv": str(figures["npv"]),
        "payback_months": figures["payback_months"],
        "assumptions": len(case.assumptions.all()),
    }


@transaction.atomic
def business_case_save(
    *,
    deal: Deal,
    user,
    discount_rate: Decimal,
    years: list[dict[str, Any]],
    assumptions: list[dict[str, Any]],
    note: str = "",
    based_on: int | None = None,
) -> BusinessCase:
    """Save the case: edit the draft in place, or start a new version after a sign-off.

    `years` are dicts of year and the four amounts; `assumptions` are dicts of
    statement, owner, confidence, evidence and, for one carried over, its `id`.
    `based_on` is the version the editor saw: if someone saved another version
    meanwhile the save is refused instead of overwriting their work.
    """
    rules.EDIT_VALUE.require(user, deal)
    locked_deal = Deal.objects.lock(deal.pk)
    validate_case(discount_rate=discount_rate, years=years)
    latest = (
        BusinessCase.objects.filter(deal=locked_deal)
        .prefetch_related("years", "assumptions")
        .order_by("-version")
        .first()
    )
    if latest is not None and based_on is not None and latest.version != based_on:
        raise ValidationError(
            f"Version {latest.version} was saved while you were editing version {based_on}. "
            "Open the business case again to see it; your changes are still in this form."
        )
    if latest is not None and _saved_content(latest) == _case_content(
        discount_rate, years, assumptions
    ):
        return latest  # nothing changed: no new version, no audit event
    now = timezone.now()
    if latest is None or latest.is_signed_off:
        # A signed-off version is locked: any change becomes the next version,
        # which needs Finance's sign-off again.
        before = _case_snapshot(latest) if latest else {}
        case = BusinessCase.objects.create(
            deal=locked_deal,
            version=(latest.version + 1) if latest else 1,
            discount_rate=discount_rate,
            note=note,
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        previous = {a.pk: a for a in latest.assumptions.all()} if latest else {}
        action = AuditAction.CREATED
    else:
        case = latest
        before = _case_snapshot(case)
        case.discount_rate, case.note, case.updated_at = discount_rate, note, now
        case.full_clean()
        case.save(update_fields=["discount_rate", "note", "updated_at"])
        CaseYear.objects.filter(business_case=case).delete()
        previous = {a.pk: a for a in case.assumptions.all()}
        action = AuditAction.EDITED
    CaseYear.objects.bulk_create(
        CaseYear(business_case=case, year=int(y["year"]), **{n: y[n] for n in MONEY_FIELDS})
        for y in years
    )
    _save_assumptions(case, assumptions, previous, carry_over=action == "created")
    case = BusinessCase.objects.prefetch_related("years", "assumptions").get(pk=case.pk)
    _refresh_cost_of_delay(locked_deal)
    audit_record(
        actor=user,
        action=action,
        instance=case,
        before=before,
        after={**_case_snapshot(case), "note": note},
        deal=locked_deal,
    )
    if latest is None:  # a business case brings Finance into the review
        signoff.reviews_top_up(deal=locked_deal, user=user, reason="Business case added")
    return case


def _save_assumptions(
    case: BusinessCase,
    assumptions: list[dict[str, Any]],
    previous: dict[int, Assumption],
    *,
    carry_over: bool,
) -> None:
    """Write the assumptions of a version, keeping the outcome of any carried over."""
    kept: set[int] = set()
    new_rows = []
    for position, data in enumerate(assumptions):
        fields = {name: data.get(name) for name in ASSUMPTION_FIELDS}
        fields["evidence"] = fields["evidence"] or ""
        source = previous.get(data.get("id"))
        if source is not None and not carry_over:
            for name, value in fields.items():
                setattr(source, name, value)
            source.position = position
            source.save()
            kept.add(source.pk)
            continue
        row = Assumption(business_case=case, position=position, **fields)
        if source is not None:
            row.outcome = source.outcome
            row.outcome_evidence = source.outcome_evidence
            row.outcome_by_id = source.outcome_by_id
            row.outcome_at = source.outcome_at
        new_rows.append(row)
    if not carry_over:
        Assumption.objects.filter(business_case=case).exclude(pk__in=kept).delete()
    Assumption.objects.bulk_create(new_rows)


def governing_case(deal: Deal) -> BusinessCase | None:
    """The version the deal's figures come from: the newest signed-off one, else the newest."""
    cases = BusinessCase.objects.filter(deal=deal).prefetch_related("years")
    return cases.signed_off().order_by("-version").first() or cases.order_by("-version").first()


def _refresh_cost_of_delay(deal: Deal) -> Decimal:
    case = governing_case(deal)
    value = case.weekly_cost_of_delay if case else Decimal("0")
    # update(): the figure follows the case and must not count as an edit of the deal.
    Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=value)
    deal.weekly_cost_of_delay = value
    return value


@transaction.atomic
def business_case_sign_off(*, business_case: BusinessCase, user, note: str = "") -> BusinessCase:
    """Finance signs off the newest version; from then on it never changes."""
    rules.SIGN_OFF_CASE.require(user, business_case)
    deal = Deal.objects.lock(business_case.deal.pk)
    newest = BusinessCase.objects.filter(deal=deal).aggregate(v=Max("version"))["v"]
    if business_case.version != newest:
        raise ValidationError(
            f"Version {business_case.version} is not the newest: sign off version {newest}."
        )
    if not CaseYear.objects.filter(business_case=business_case).exists():
        raise ValidationError("A business case without money by year cannot be signed off.")
    now = timezone.now()
    # Conditional update: of two Finance people clicking at once, one signs.
    claimed = BusinessCase.objects.filter(pk=business_case.pk, signed_off_at=None).update(
        signed_off_at=now, signed_off_by=user, sign_off_note=note
    )
    if not claimed:
        raise ValidationError(f"Version {business_case.version} is already signed off.")
    case = (
        BusinessCase.objects.select_related("deal")
        .prefetch_related("years", "assumptions")
        .get(pk=business_case.pk)
    )
    _refresh_cost_of_delay(deal)
    audit_record(
        actor=user,
        action=AuditAction.SIGNED_OFF,
        instance=case,
        before={"signed_off_at": None},
        after={**_case_snapshot(case), "note": note, "signed_off_at": now.isoformat()},
        deal=deal,
    )
    return case


@transaction.atomic
def assumption_assess(*, assumption: Assumption, user, outcome: str, evidence: str) -> Assumption:
    """Mark an assumption of a signed-off case held or broken, with the evidence."""
    deal = assumption.business_case.deal
    rules.EDIT_VALUE.require(user, deal)
    if deal.stage not in ASSESSABLE_STAGES:
        raise ValidationError({"outcome": "Assumptions are judged once the deal is signed."})
    if not assumption.business_case.is_signed_off:
        raise ValidationError({"outcome": "Only assumptions of a signed-off case are judged."})
    if outcome not in (Outcome.HELD, Outcome.BROKEN):
        raise ValidationError({"outcome": "Say whether the assumption held or broke."})
    if not evidence.strip():
        raise ValidationError({"outcome_evidence": "Give the evidence for the verdict."})
    locked = Assumption.objects.select_for_update().get(pk=assumption.pk)
    before = {"outcome": locked.outcome, "outcome_evidence": locked.outcome_evidence}
    locked.outcome, locked.outcome_evidence = outcome, evidence.strip()
    locked.outcome_by, locked.outcome_at = user, timezone.now()
    locked.save(update_fields=["outcome", "outcome_evidence", "outcome_by", "outcome_at"])
    audit_record(
        actor=user,
        action=AuditAction.ASSESSED,
        instance=locked,
        before=before,
        after={"outcome": outcome, "outcome_evidence": locked.outcome_evidence},
        deal=deal,
    )
    return locked
