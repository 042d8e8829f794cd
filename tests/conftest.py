"""Shared fixtures: the personas every access test uses (as healthchecks' BaseTestCase)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

from deals.models import Stage
from stakeholders.models import Role, User
from tests.factories import PASSWORD, DealFactory, PartnershipFactory, UserFactory, make_member


@dataclass
class Personas:
    executive: User  # sponsor of the deal: the partnership czar
    owner: User
    legal: User
    procurement: User
    it: User
    finance: User
    outsider: User  # logged in, reviewer role, no part in the deal
    admin: User
    password: str = PASSWORD

    def all(self) -> dict[str, User]:
        return {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "password"
        }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests check access, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db) -> Personas:
    reviewers = {
        slug: make_member(UserFactory(email=f"{slug}@example.test", roles=[Role.REVIEWER]), slug)
        for slug in ("legal", "procurement", "it", "finance")
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


@pytest.fixture
def partnership(personas):
    return PartnershipFactory(sponsor=personas.executive)


@pytest.fixture
def deal(personas, partnership):
    return DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)


@pytest.fixture
def confidential_deal(personas, partnership):
    return DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        confidential=True,
        stage=Stage.INTAKE,
        title="Secret merger talks",
    )


@pytest.fixture
def client_for(client):
    """Log the test client in as someone: client_for(personas.owner)."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium; Playwright's own download does not work here."""
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def skip_or_fail(reason: str):
    """Outside CI a missing service skips with the reason; under CI it fails the run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Cannot skip under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis of this machine (REDIS_URL in CI), checked to answer."""
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {url}: {error}")
    return url
