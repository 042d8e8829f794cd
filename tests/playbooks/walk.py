"""The playbook part of tests/deals/test_activity.py's walk: every playbook action once."""

from __future__ import annotations

from playbooks.models import ClauseKind, ClauseType, Playbook, PlaybookVersion, Position, Tier
from playbooks.services import (
    deal_playbook_adopt,
    playbook_mark_reviewed,
    playbook_revise,
    term_position_approve,
    term_position_set,
)
from stakeholders.models import Membership


def playbook_walk(deal, term, personas) -> None:
    legal = term.department
    Membership.objects.filter(user=personas.legal, department=legal).update(is_lead=True)
    playbook = Playbook.objects.create(department=legal, title="Legal")
    version = PlaybookVersion.objects.create(playbook=playbook, number=1)
    cap = ClauseType.objects.create(
        slug="liability-cap", name="Liability cap", department=legal, kind=ClauseKind.CAP
    )
    standard = Position.objects.create(
        version=version,
        clause_type=cap,
        tier=Tier.STANDARD,
        wording="Capped at the fees.",
        bounds={"min_multiple": "1"},
    )
    Position.objects.create(
        version=version,
        clause_type=cap,
        tier=Tier.FALLBACK,
        rank=1,
        approver_role="reviewer",
        wording="Capped at 75% of the fees.",
        bounds={"min_multiple": "0.75"},
    )
    term_position_set(
        term=term, user=personas.owner, clause_type=cap, position=None, value={"multiple": "0.8"}
    )
    term_position_approve(term=term, user=personas.legal)
    playbook_revise(
        position=standard,
        user=personas.legal,
        data={"bounds": {"min_multiple": "1.5"}},
        note="Insurers ask for more.",
    )
    deal_playbook_adopt(deal=deal, user=personas.owner, playbook=playbook)
    playbook_mark_reviewed(playbook=playbook, user=personas.legal)
