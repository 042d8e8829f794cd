"""Who may change a deal's business value: one rule per action (see core.permissions)."""

from __future__ import annotations

from core.permissions import Rule
from stakeholders.models import Membership

FINANCE = "finance"


def is_finance(user) -> bool:
    return Membership.objects.filter(user=user, department__slug=FINANCE).exists()


EDIT_VALUE = Rule(
    "Only the deal's owner or sponsor edits its business value.",
    lambda user, deal: deal.is_led_by(user),
)
RECORD_CHECK_IN = Rule(
    "Only the deal's owner or sponsor, or the metric's owner, records its check-ins.",
    lambda user, metric: (
        metric.deal.is_led_by(user) or (metric.owner_id is not None and metric.owner_id == user.pk)
    ),
)
# Finance owns the assumptions behind the numbers.
SIGN_OFF_CASE = Rule(
    "Only members of the Finance department sign off a business case.",
    lambda user, _case: is_finance(user),
)
