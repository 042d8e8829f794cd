"""The personas every access test uses (as healthchecks' BaseTestCase), and the roles they play.

An executive, an owner, a reviewer per department and someone with no part in the
deal (STYLE.md point 16). The fixtures that make them are in tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from stakeholders.models import Role, User
from tests.factories import PASSWORD, UserFactory, make_member

DEPARTMENTS = ("legal", "procurement", "it", "finance")
# The departments the default review rules ask about every deal entering review.
ROUTED = ("legal", "procurement", "it")


@dataclass
class Personas:
    executive: User  # sponsor of the deal: the partnership czar
    owner: User
    legal: User
    procurement: User
    it: User
    finance: User
    outsider: User  # logged in, with the owner role, and no part in the deal
    admin: User
    password: str = PASSWORD

    def all(self) -> dict[str, User]:
        return {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "password"
        }


def make_personas() -> Personas:
    reviewers = {
        slug: make_member(UserFactory(email=f"{slug}@example.test", roles=[Role.REVIEWER]), slug)
        for slug in DEPARTMENTS
    }
    admin = UserFactory(email="admin@example.test", roles=[Role.ADMINISTRATOR])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return Personas(
        executive=UserFactory(email="exec@example.test", roles=[Role.EXECUTIVE]),
        owner=UserFactory(email="owner@example.test", roles=[Role.OWNER]),
        outsider=UserFactory(email="outsider@example.test", roles=[Role.OWNER]),
        admin=admin,
        **reviewers,
    )


# The roles the access tests walk, on a deal that `owner` owns, `executive` sponsors and
# Legal, Procurement and IT review (tests/conftest.py `access_world`).
INVOLVED = (
    "owner",
    "sponsor",  # the executive persona, sponsoring the deal
    "legal",  # a reviewer of each department whose review the deal has
    "procurement",
    "it",
    "admin",  # an administrator: a superuser, with a part in every deal
)
NOT_INVOLVED = (
    "finance",  # a reviewer whose department does not review the deal
    "outsider",  # logged in, owner role, no part in the deal
    "other_executive",  # an executive who does not sponsor the deal
)
ROLES = ("anonymous", *INVOLVED, *NOT_INVOLVED)
