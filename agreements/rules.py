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
