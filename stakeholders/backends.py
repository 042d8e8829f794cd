"""The login backend: Django's, with a person's reach read in the same query.

Most people who open Deal Desk (executives, deal owners) belong to no reviewing
department and were invited to no working session. The user row is read on every
request anyway; reading with it whether they belong to a department (`in_department`)
and whether they were invited (`invited`) lets deals.models.involvement leave out the
two questions it would otherwise ask of every deal, and confidential_read_live skip its
query. Fresh on every request: the same query, never a stored flag.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from .models import Membership, User, WorkingSession


def reach(user) -> dict[str, Exists]:
    """Whether `user` (a user, or OuterRef to one) is in a department (`in_department`)
    and was invited to a working session (`invited`)."""
    return {
        "in_department": Exists(Membership.objects.filter(user=user)),
        "invited": Exists(WorkingSession.invitees.through.objects.filter(user=user)),
    }


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.annotate(**reach(OuterRef("pk"))).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
