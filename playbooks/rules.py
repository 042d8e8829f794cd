"""Who may do what with playbooks: one rule per action (see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule

from .models import ApproverRole


def leads(user, department_id: int) -> bool:
    return user.is_superuser or any(
        m.department_id == department_id and m.is_lead for m in memberships(user)
    )


def memberships(user) -> list:
    """The person's memberships, read once per request object."""
    if not hasattr(user, "_playbook_memberships"):
        user._playbook_memberships = list(user.memberships.all())
    return user._playbook_memberships


def holds_role(user, role: str, department_id: int, deal) -> bool:
    """Does the person hold an approver role for a clause of `department_id` on `deal`?"""
    if user.is_superuser:
        return True
    if role == ApproverRole.SPONSOR:
        return user.pk == deal.sponsor_id
    mine = [m for m in memberships(user) if m.department_id == department_id]
    if role == ApproverRole.LEAD:
        return any(m.is_lead for m in mine)
    return bool(mine)


# A department's lead (or an administrator) edits and re-confirms its playbook.
EDIT_PLAYBOOK = Rule(
    "Only the lead of {obj.department} edits its playbook.",
    lambda user, playbook: leads(user, playbook.department_id),
)
# The term's place in the playbook is part of its wording: the deal owner sets it.
PLACE_TERM = Rule(
    "Only the deal owner places its terms in the playbook.",
    lambda user, deal: user.is_superuser or user.pk == deal.owner_id,
)
# A newer playbook version is taken on by those who run the deal.
ADOPT_VERSION = Rule(
    "Only the deal's owner or sponsor takes on a newer playbook.",
    lambda user, deal: deal.is_led_by(user),
)


def _may_approve(user, row) -> bool:
    place = row.place
    return place is not None and holds_role(
        user, row.approver, place.clause_type.department_id, row.term.deal
    )


# A fallback or custom term is approved by the approver its position names.
APPROVE_POSITION = Rule("Only {obj.approver_label} approves this.", _may_approve)
