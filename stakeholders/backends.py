"""The login backend: Django's, with a person's reach and roles read in the same query.

Most people who open Deal Desk (executives, deal owners) belong to no reviewing
department and were invited to no working session. The user row is read on every
request anyway; reading with it whether they belong to a department (`in_department`)
and whether they were invited (`invited`) lets deals.models.involvement leave out the
two questions it would otherwise ask of every deal, and confidential_read_live skip its
query. The same query reads the person's roles (User.has_role), which every page asks
about. Fresh on every request: the same query, never a stored flag.

The three are written as SQL (core.sql): built by the ORM, their EXISTS subqueries cost 2 ms of
Python on every request, more than the query they save.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import BooleanField, Exists, IntegerField
from django.db.models.expressions import RawSQL

from core.sql import column, table

from .models import Membership, Role, User, WorkingSession

ROLES = list(Role)


def reach(user) -> dict[str, Exists]:
    """Whether `user` (a user, or OuterRef to one) is in a department (`in_department`)
    and was invited to a working session (`invited`)."""
    return {
        "in_department": Exists(Membership.objects.filter(user=user)),
        "invited": Exists(WorkingSession.invitees.through.objects.filter(user=user)),
    }


def with_reach(users):
    """`users` with `in_department` and `invited` (see reach)."""
    memberships = table(Membership)
    invitees = table(WorkingSession.invitees.through)
    return users.annotate(
        in_department=RawSQL(
            f"EXISTS (SELECT 1 FROM {memberships} m WHERE m.user_id = {column(User)})",
            [],
            output_field=BooleanField(),
        ),
        invited=RawSQL(
            f"EXISTS (SELECT 1 FROM {invitees} i WHERE i.user_id = {column(User)})",
            [],
            output_field=BooleanField(),
        ),
    )


def with_roles(users):
    """`users` with their roles (auth groups) as the bits of `role_bits`, for
    `remember_roles`: one query fewer than asking for each person's groups."""
    groups = table(User.groups.field.related_model)
    held = table(User.groups.through)
    bits = " ".join(f"WHEN %s THEN {1 << i}" for i in range(len(ROLES)))
    sql = (
        f"(SELECT SUM(CASE g.name {bits} ELSE 0 END) FROM {held} ug"
        f" INNER JOIN {groups} g ON g.id = ug.group_id WHERE ug.user_id = {column(User)})"
    )
    return users.annotate(
        role_bits=RawSQL(sql, [role.value for role in ROLES], output_field=IntegerField())
    )


def remember_roles(user: User) -> User:
    """Keep the roles read by `with_roles` where User.has_role looks first."""
    bits = user.role_bits or 0
    user._role_names = {role.value for i, role in enumerate(ROLES) if bits & (1 << i)}
    return user


class UserBackend(ModelBackend):
    def users(self):
        """The query a request's user is read with (config.auth adds to it)."""
        return with_roles(with_reach(User._default_manager))

    def get_user(self, user_id):
        try:
            user = remember_roles(self.users().get(pk=user_id))
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
