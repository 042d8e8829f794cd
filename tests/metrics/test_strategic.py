"""The goals page's figures (metrics.strategic), read per partnership: each goal's count,
value and top deals equal those counted goal by goal, and a deal of two goals shows
each goal's fit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deals.models import Deal, Stage
from metrics.strategic import GOAL_TOP_DEALS, goals_overview
from tests.factories import (
    DealFactory,
    PartnershipFactory,
    PartnershipGoalFactory,
    StrategicGoalFactory,
)

pytestmark = pytest.mark.django_db


def test_each_goal_counts_values_and_ranks_the_deals_of_its_partnerships(personas):
    north, south, east = (PartnershipFactory() for _ in range(3))
    growth, savings = StrategicGoalFactory(title="Growth"), StrategicGoalFactory(title="Savings")
    PartnershipGoalFactory(partnership=north, goal=growth, fit_score=5)
    PartnershipGoalFactory(partnership=south, goal=growth, fit_score=3)
    PartnershipGoalFactory(partnership=south, goal=savings, fit_score=1)  # south: two goals
    costs = [700, 100, 900, 300, 500, 800, 200, 600, 400]
    for n, cost in enumerate(costs):
        deal = DealFactory(
            partnership=(north, south, east)[n % 3],
            sponsor=personas.executive,
            currency=("EUR", "USD")[n % 2],
            expected_annual_value=Decimal(1000 * (n + 1)),
        )
        Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal(cost))
    DealFactory(partnership=north, stage=Stage.ABANDONED)  # carries no value

    rows = {row["goal"].title: row for row in goals_overview(personas.executive)}
    for title, goal in (("Growth", growth), ("Savings", savings)):
        deals = Deal.objects.filter(partnership__goal_links__goal=goal).exclude(
            stage=Stage.ABANDONED
        )
        row = rows[title]
        assert row["deals"] == deals.count()
        expected = deals.order_by("-weekly_cost_of_delay", "pk")[:GOAL_TOP_DEALS]
        assert [d.pk for d in row["top"]] == [d.pk for d in expected]
        for currency in ("EUR", "USD"):
            mine = deals.filter(currency=currency)
            money = next(m for m in row["money"] if m["currency"] == currency)
            assert money["annual"] == sum(d.expected_annual_value for d in mine)
            assert money["weekly"] == sum(d.weekly_cost_of_delay for d in mine)
    fits = {(title, d.partnership_id): d.fit_score for title in rows for d in rows[title]["top"]}
    assert fits[("Growth", south.pk)] == 3 and fits[("Savings", south.pk)] == 1
