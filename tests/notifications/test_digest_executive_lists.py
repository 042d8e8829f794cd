"""Executives of one batch share the public rows of "Stalled deals" and "Moved this week"
and each gets their own confidential ones: every list and count is what that executive
may see (Deal.objects.visible_to), in the order the database gives them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from deals.models import Deal, Stage, StageChange
from notifications import digests
from stakeholders.models import Role
from tests.factories import DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_executive_of_a_batch_gets_the_first_stalls_and_moves_they_may_see(
    personas, partnership
):
    first, second = (
        personas.executive,
        UserFactory(email="cfo@example.test", roles=[Role.EXECUTIVE]),
    )
    now = timezone.now()
    old = now - dt.timedelta(days=40)
    # Costs interleave: confidential deals of each executive rank among the public ones.
    for n in range(30):
        sponsor = (first, second, None)[n % 3]
        deal = DealFactory(
            partnership=partnership,
            stage=Stage.REVIEW,
            stage_changed_at=old,
            sponsor=sponsor or first,
            confidential=sponsor is not None and n % 2 == 0,
            weekly_cost_of_delay=Decimal(1000 + 37 * ((n * 7) % 30)),
        )
        StageChange.objects.create(
            deal=deal,
            from_stage=Stage.BUSINESS_CASE,
            to_stage=Stage.REVIEW,
            at=now - dt.timedelta(hours=n * 5 % 31),
        )

    contexts = digests.digest_contexts([first.pk, second.pk])

    for executive in (first, second):
        section = contexts[executive.pk]["executive"]
        visible = Deal.objects.visible_to(executive).current()
        stalled = list(visible.stalled().order_by("-weekly_cost_of_delay", "pk"))
        assert [item["deal"] for item in section["stalled"]] == stalled[:10]
        assert section["stalled_count"] == len(stalled)
        moves = list(
            StageChange.objects.filter(deal__in=visible, at__gte=now - dt.timedelta(days=7))
            .exclude(from_stage="")
            .order_by("-at", "-pk")
        )
        assert [item["change"] for item in section["moved"]] == moves[:10]
        assert section["moved_more"] == len(moves) - 10
    assert contexts[first.pk]["executive"]["stalled"] != contexts[second.pk]["executive"]["stalled"]
