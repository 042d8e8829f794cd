"""Who may read where time goes: executives and administrators (every department), and
the members of a department (leads and reviewers: their departments' rows). Each reads
the figures of the deals they may see, and no figure names a person."""

from __future__ import annotations

from core.permissions import Rule
from stakeholders.models import Role


def _reads_analytics(user, obj=None) -> bool:
    # Members of a department hold the reviewer role (stakeholders.roles): one query for
    # every role check of the request, none more for the navigation.
    return user.is_superuser or user.is_executive or user.has_role(Role.REVIEWER)


VIEW_ANALYTICS = Rule(
    "Where time goes is for executives and the members of a department.", _reads_analytics
)
