"""Who may do what to an agreement and its obligations: one rule per action."""

from __future__ import annotations

from core.permissions import Rule

EDIT_AGREEMENT = Rule(
    "Only the deal's owner or sponsor records the agreement's terms.",
    lambda user, agreement: agreement.deal.is_led_by(user),
)
# The owner or the sponsor decides whether the contract renews; administrators too.
DECIDE_RENEWAL = Rule(
    "Only the deal's owner or sponsor decides the renewal.",
    lambda user, agreement: agreement.deal.is_led_by(user),
)
ADD_OBLIGATION = Rule(
    "Only the deal's owner or sponsor adds obligations.",
    lambda user, agreement: agreement.deal.is_led_by(user),
)
SUBMIT_EVIDENCE = Rule(
    "Only the obligation's owner uploads its evidence.",
    lambda user, occurrence: user.is_superuser or user.pk == occurrence.obligation.owner_id,
)
REVIEW_EVIDENCE = Rule(
    "Only the obligation's evidence reviewer accepts or rejects its evidence.",
    lambda user, occurrence: user.is_superuser or user.pk == occurrence.obligation.reviewer_id,
)
# Amendments: the owner or sponsor drafts and proposes; a second person decides.
DRAFT_AMENDMENT = Rule(
    "Only the deal's owner or sponsor drafts and proposes amendments.",
    lambda user, agreement: agreement.deal.is_led_by(user),
)


def _may_decide_amendment(user, amendment) -> bool:
    """Four eyes: the sponsor decides, or the owner when the sponsor proposed it; never
    the proposer, and nobody else (administrators neither: the decision is the business's)."""
    deal = amendment.agreement.deal
    if not user.is_authenticated or user.pk == amendment.proposed_by_id:
        return False
    if user.pk == deal.sponsor_id:
        return True
    return user.pk == deal.owner_id and amendment.proposed_by_id == deal.sponsor_id


APPROVE_AMENDMENT = Rule(
    "Only the deal's sponsor approves or rejects an amendment (its owner when the sponsor "
    "proposed it), and never the person who proposed it.",
    _may_decide_amendment,
)
