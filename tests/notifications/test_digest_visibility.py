"""The digest shows an executive the deals the dashboard shows them, no more, no fewer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.models import Stage, StageChange
from deals.selectors import dashboard_tiles
from notifications import digests
from stakeholders.models import Role, WorkingSession
from tests.factories import DealFactory, ReviewFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db


def test_the_digest_lists_what_the_dashboard_shows_confidential_deals_only_when_involved(
    personas, partnership, client_for
):
    me, sponsor = personas.executive, UserFactory(email="cfo@example.test", roles=[Role.EXECUTIVE])
    now = timezone.now()

    def stalled_deal(title: str, **fields):
        deal = DealFactory(
            title=title,
            partnership=partnership,
            sponsor=sponsor,
            stage=Stage.NEGOTIATION,
            stage_changed_at=now - dt.timedelta(days=40),
            **fields,
        )
        StageChange.objects.create(
            deal=deal,
            from_stage=Stage.INTAKE,
            to_stage=Stage.NEGOTIATION,
            by=deal.owner,
            at=now - dt.timedelta(days=1),
        )
        return deal

    public = stalled_deal("Public deal I have no part in")
    reviewed = stalled_deal("Confidential deal my department reviews", confidential=True)
    make_member(me, "legal")
    ReviewFactory(deal=reviewed, department=department("legal"))
    invited = stalled_deal("Confidential deal I am invited to discuss", confidential=True)
    session = WorkingSession.objects.create(
        deal=invited,
        title="Terms workshop",
        starts_at=now + dt.timedelta(days=2),
        agenda="Liability.",
        organiser=invited.owner,
    )
    session.invitees.add(me)
    hidden = stalled_deal("Confidential deal I have no part in", confidential=True)

    dashboard = client_for(me).get(reverse("dashboard")).content.decode()
    contexts = digests.digest_contexts([me.pk, sponsor.pk])  # one batch, two executives
    mine = contexts[me.pk]["executive"]
    stalled = {item["deal"].title for item in mine["stalled"]}
    moved = {item["change"].deal.title for item in mine["moved"]}
    preview = client_for(me).get("/digest/preview/?format=text").content.decode()

    for deal in (public, reviewed, invited):
        assert deal.title in dashboard
        assert deal.title in stalled and deal.title in moved
        assert deal.title in preview
    assert hidden.title not in dashboard
    assert hidden.title not in stalled | moved and hidden.title not in preview
    tiles = dashboard_tiles(me)
    assert (mine["open_deals"], mine["stalled_count"]) == (
        tiles["open_deals"],
        tiles["stalled_deals"],
    )
    assert mine["pipeline"] == tiles["pipeline"] and mine["stalled_money"] == tiles["stalled_cost"]
    # The sponsor of all four sees all four, in the same batch.
    theirs = contexts[sponsor.pk]["executive"]
    assert {item["deal"].title for item in theirs["stalled"]} == stalled | {hidden.title}
    assert theirs["open_deals"] == mine["open_deals"] + 1
