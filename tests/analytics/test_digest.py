"""Where time goes in the executive's weekly digest: who the open deals wait on."""

from __future__ import annotations

import pytest

from deals.models import Stage
from notifications.digests import digest_contexts
from stakeholders.models import Role
from tests.factories import DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def _waiting(user) -> dict:
    section = digest_contexts([user.pk])[user.pk]["executive"]
    return {row["party"]: row for row in section["waiting"]}


def test_the_digest_says_who_the_open_deals_wait_on_and_what_it_costs(
    client_for, personas, partnership
):
    for _ in range(5):
        DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.INTAKE,
            weekly_cost_of_delay=1000,
        )
    waiting = _waiting(personas.executive)
    assert waiting["owner"]["count"].value == 5
    assert waiting["owner"]["cost"].amount == 5000
    text = client_for(personas.executive).get("/digest/preview/?format=text").content.decode()
    assert "WHO THE OPEN DEALS WAIT ON" in text
    assert "The deal owner: 5 deals, 5,000 EUR a week of delay at stake" in text
    assert "/analytics/" in text


def test_a_confidential_deal_counts_only_for_the_executives_who_see_it(personas, partnership):
    DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.INTAKE,
        confidential=True,
    )
    other = UserFactory(roles=[Role.EXECUTIVE])
    assert _waiting(personas.executive)["owner"]["count"].value == 1
    assert "owner" not in _waiting(other)


def test_fewer_than_five_deals_show_their_count_but_not_their_money(
    client_for, personas, partnership
):
    DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.INTAKE,
        weekly_cost_of_delay=1000,
    )
    text = client_for(personas.executive).get("/digest/preview/?format=text").content.decode()
    assert "The deal owner: 1 deal\n" in text
