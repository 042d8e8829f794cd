"""Demo clause playbooks for Legal, Procurement, IT and Security, and demo deals placed
in them: fallbacks (one approved, others waiting for their approver) and one custom
term. Through the services where a deal is touched, so the audit trail tells it; only
for a desk without playbooks, so running it again creates nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from deals.models import Deal, Stage, TermStatus
from playbooks.models import (
    ClauseType,
    Playbook,
    PlaybookVersion,
    Position,
    Tier,
)
from playbooks.services import term_position_approve, term_position_set
from stakeholders.models import Department, Membership, User

from .playbook_texts import PLAYBOOKS, TITLES

# The demo leads, who edit their department's playbooks.
LEADS = ["legal@demo.test", "procurement@demo.test", "it@demo.test", "sam.okafor@demo.test"]


def _playbooks(now: dt.datetime) -> None:
    departments = {d.slug: d for d in Department.objects.filter(slug__in=PLAYBOOKS)}
    for slug, clauses in PLAYBOOKS.items():
        department = departments.get(slug)
        if department is None:
            continue
        # IT's playbook was last looked at 14 months ago: the report flags it to IT.
        reviewed = now - dt.timedelta(days=425 if slug == "it" else 40)
        playbook = Playbook.objects.create(
            department=department, title=TITLES[slug], reviewed_at=reviewed
        )
        version = PlaybookVersion.objects.create(
            playbook=playbook,
            number=1,
            effective_from=(now - dt.timedelta(days=900)).date(),
            note="First playbook",
        )
        for clause_slug, name, category, kind, positions in clauses:
            clause = ClauseType.objects.create(
                slug=clause_slug, name=name, department=department, category=category, kind=kind
            )
            Position.objects.bulk_create(
                Position(
                    version=version,
                    clause_type=clause,
                    tier=tier,
                    rank=rank,
                    wording=wording,
                    bounds=bounds,
                    rationale=why,
                    approver_role=approver,
                    **extra,
                )
                for tier, rank, wording, bounds, why, approver, extra in positions
            )


# The demo deals' terms by category: (clause slug, position (tier, rank) or None for
# custom, structured value).
PLACES = {
    "payment": ("payment-terms", (Tier.FALLBACK, 1), {"days": "45"}),
    "liability_cap": (
        "liability-cap",
        (Tier.STANDARD, 0),
        {
            "base": "fees_12_months",
            "multiple": "1",
            "carve_outs": ["data breaches", "wilful misconduct"],
        },
    ),
    "termination": ("termination-convenience", (Tier.STANDARD, 0), {"days": "90"}),
    "sla": ("service-levels", (Tier.STANDARD, 0), {}),
    "data_protection": ("data-protection", (Tier.STANDARD, 0), {}),
    "ip": ("ip-ownership", (Tier.STANDARD, 0), {}),
    "price": ("price-indexation", (Tier.STANDARD, 0), {}),
}


def _place_deals(people: dict[str, User]) -> None:
    clauses = {c.slug: c for c in ClauseType.objects.all()}
    positions = {
        (p.clause_type.slug, p.tier, p.rank): p
        for p in Position.objects.select_related("clause_type")
    }
    deals = (
        Deal.objects.filter(stage__in=[Stage.REVIEW, Stage.NEGOTIATION], terms__isnull=False)
        .select_related("owner", "partnership__partner")
        .distinct()
        .order_by("pk")[:4]
    )
    custom, payments = False, 0
    for n, deal in enumerate(deals):
        terms = list(deal.terms.exclude(status=TermStatus.WITHDRAWN).order_by("pk"))
        for term in terms:
            if term.category not in PLACES:
                continue
            slug, chosen, value = PLACES[term.category]
            position = positions.get((slug, *chosen)) if chosen else None
            if n == 0 and not custom and term.category in ("ip", "sla", "liability_cap"):
                # The one custom term: its clause's department lead approves it.
                position, value, custom = None, {}, True
            term_position_set(
                term=term,
                user=deal.owner,
                clause_type=clauses[slug],
                position=position,
                value=value,
            )
            if term.category == "payment":
                payments += 1
                if payments == 2:  # one fallback approved by Procurement, the others waiting
                    term_position_approve(term=term, user=people["procurement@demo.test"])


@transaction.atomic
def seed_playbooks(people: dict[str, User]) -> int:
    """The four departments' playbooks and the demo deals placed in them; 0 if done."""
    if Playbook.objects.exists():
        return 0
    Membership.objects.filter(user__email__in=LEADS).update(is_lead=True)
    _playbooks(timezone.now())
    _place_deals(people)
    return Playbook.objects.count()
