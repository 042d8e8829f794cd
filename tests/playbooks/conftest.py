"""A Legal and a Procurement playbook (version 1), built directly: the rows as an
administrator's seed leaves them. Legal's reviewer persona leads Legal."""

from __future__ import annotations

import pytest

from deals.services import term_create
from playbooks.models import (
    ApproverRole,
    ClauseKind,
    ClauseType,
    Playbook,
    PlaybookVersion,
    Position,
    Tier,
)
from stakeholders.models import Department, Membership

CAP_STANDARD = (
    "Each party's total liability is capped at 100% of the fees paid in the previous 12 "
    "months. The cap does not apply to data protection breaches."
)


def department(slug: str) -> Department:
    return Department.objects.get(slug=slug)


def position(version, clause, tier, rank=0, **fields) -> Position:
    fields.setdefault("wording", f"{clause.name}: {tier} {rank}.")
    return Position.objects.create(
        version=version, clause_type=clause, tier=tier, rank=rank, **fields
    )


@pytest.fixture
def playbooks(personas):
    return make_playbooks(personas)


def make_playbooks(personas) -> dict:
    Membership.objects.filter(user=personas.legal, department__slug="legal").update(is_lead=True)
    legal = Playbook.objects.create(department=department("legal"), title="Legal")
    procurement = Playbook.objects.create(department=department("procurement"), title="Procurement")
    legal_v1 = PlaybookVersion.objects.create(playbook=legal, number=1)
    procurement_v1 = PlaybookVersion.objects.create(playbook=procurement, number=1)
    cap = ClauseType.objects.create(
        slug="liability-cap",
        name="Liability cap",
        department=department("legal"),
        category="liability_cap",
        kind=ClauseKind.CAP,
    )
    law = ClauseType.objects.create(
        slug="governing-law",
        name="Governing law",
        department=department("legal"),
        category="other",
        kind=ClauseKind.GOVERNING_LAW,
    )
    payment = ClauseType.objects.create(
        slug="payment-terms",
        name="Payment terms",
        department=department("procurement"),
        category="payment",
        kind=ClauseKind.PAYMENT_DAYS,
    )
    base = {"base": "fees_12_months", "carve_outs": ["data protection"]}
    position(
        legal_v1,
        cap,
        Tier.STANDARD,
        wording=CAP_STANDARD,
        required=True,
        bounds={**base, "min_multiple": "1"},
    )
    position(
        legal_v1,
        cap,
        Tier.FALLBACK,
        1,
        approver_role=ApproverRole.REVIEWER,
        bounds={**base, "min_multiple": "0.75"},
    )
    position(
        legal_v1,
        cap,
        Tier.FALLBACK,
        2,
        approver_role=ApproverRole.LEAD,
        bounds={**base, "min_multiple": "0.5"},
    )
    position(
        legal_v1,
        cap,
        Tier.WALK_AWAY,
        9,
        approver_role=ApproverRole.SPONSOR,
        bounds={"max_multiple": "0.25"},
    )
    position(legal_v1, law, Tier.STANDARD, bounds={"laws": ["England and Wales"]})
    position(
        legal_v1,
        law,
        Tier.FALLBACK,
        1,
        approver_role=ApproverRole.REVIEWER,
        bounds={"laws": ["Ireland", "the Netherlands"]},
    )
    position(
        procurement_v1,
        payment,
        Tier.STANDARD,
        bounds={"max_days": 30},
        wording="Invoices are payable within 30 days of receipt.",
    )
    position(
        procurement_v1,
        payment,
        Tier.FALLBACK,
        1,
        approver_role=ApproverRole.REVIEWER,
        bounds={"max_days": 45},
        wording="Invoices are payable within 45 days of receipt.",
    )
    return {"legal": legal, "procurement": procurement, "cap": cap, "law": law, "payment": payment}


def add_term(
    deal,
    personas,
    *,
    title="Liability cap",
    category="liability_cap",
    slug="legal",
    wording=CAP_STANDARD,
):
    return term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": category,
            "title": title,
            "wording": wording,
            "department": department(slug),
        },
    )
