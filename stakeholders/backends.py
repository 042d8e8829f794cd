"""The login backend: Django's, with a person's reach read in the same query.

Most people who open Deal Desk (executives, deal owners) belong to no reviewing
department and were invited to no working session. The user row is read on every
request anyway; reading with it whether they belong to a department (`in_department`)
and whether they were invited (`invited`) lets deals.models.involvement leave out the
two questions it would otherwise ask of every deal, and confidential_read_live skip its
query. The same query reads the person's roles (User.has_role), which every page asks
about. Fresh on every request: the same query, never a stored flag.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from .models import Membership, Role, User, WorkingSession


def reach(user) -> dict[str, Exists]:
    """Whether `user` (a user, or OuterRef to one) is in a department (`in_department`)
    and was invited to a working session (`invited`)."""
    return {
        "in_department": Exists(Membership.objects.filter(user=user)),
        "invited": Exists(WorkingSession.invitees.through.objects.filter(user=user)),
    }


def with_roles(users):
    """`users` (a User query) with a flag per role, for `remember_roles`: one query fewer
    than asking for each person's groups (User.has_role)."""
    groups = User.groups.through.objects.filter(user=OuterRef("pk"))
    return users.annotate(
        **{f"role_{i}": Exists(groups.filter(group__name=role)) for i, role in enumerate(Role)}
    )


def remember_roles(user: User) -> User:
    """Keep the roles read by `with_roles` where User.has_role looks first."""
    user._role_names = {role.value for i, role in enumerate(Role) if getattr(user, f"role_{i}")}
    return user


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            users = with_roles(User._default_manager.annotate(**reach(OuterRef("pk"))))
            user = remember_roles(users.get(pk=user_id))
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
