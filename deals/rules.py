"""Who may do what to a deal: one rule per action (see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule

CREATE_DEAL = Rule(
    "Only deal owners and executives create deals.", lambda user, _: user.can_create_deals
)
EDIT_DEAL = Rule(
    "Only the deal's owner or sponsor can edit it.", lambda user, deal: deal.is_led_by(user)
)
MOVE_DEAL = Rule(
    "Only the deal's owner or sponsor can move it.", lambda user, deal: deal.is_led_by(user)
)
ARCHIVE_DEAL = Rule(
    "Only the deal's owner or sponsor archives it.", lambda user, deal: deal.is_led_by(user)
)
ATTACH_DOCUMENT = Rule(
    "The deal owner or sponsor attaches contract documents.",
    lambda user, deal: deal.is_led_by(user),
)
EDIT_TERMS = Rule(
    "Only the deal owner edits its terms.",
    lambda user, deal: user.is_superuser or user.pk == deal.owner_id,
)
# A signed contract's terms change only by an approved amendment, applied by whoever
# approved it: the owner or the sponsor (agreements.rules.APPROVE_AMENDMENT says which).
AMEND_TERMS = Rule(
    "Only the deal's owner or sponsor applies an amendment to its signed terms.",
    lambda user, deal: deal.is_led_by(user),
)
# Only the executive sponsor, the partnership czar, records decisions.
RECORD_DECISION = Rule(
    "Only the deal's executive sponsor records decisions.",
    lambda user, deal: user.pk == deal.sponsor_id,
)
ASK_FOR_DECISION = Rule(
    "Only people with a part in the deal ask its sponsor to decide.",
    lambda user, deal: deal.involves(user),
)
# A render costs a worker seconds: those with a part in the deal ask for one.
REQUEST_BRIEFING = Rule(
    "Only people with a part in the deal request its briefing pack.",
    lambda user, deal: deal.involves(user),
)
