"""Who may do what at intake: one rule per action (see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule
from deals import rules as deal_rules

# A request opens a deal: those who may create deals submit requests.
SUBMIT_REQUEST = Rule(
    "Only deal owners and executives submit requests.",
    lambda user, _: deal_rules.CREATE_DEAL(user),
)
CHANGE_ANSWERS = Rule(
    "Only the requester, the deal's owner or its sponsor change a request's answers.",
    lambda user, request: request.deal.is_led_by(user) or user.pk == request.requester_id,
)
PREVIEW_FORM = Rule(
    "Only administrators preview intake forms.", lambda user, _: user.is_administrator
)
PUBLISH_FORM = Rule(
    "Only administrators publish intake forms.", lambda user, _: user.is_administrator
)
