"""One visibility rule: for every persona, the digest counts what the dashboard counts and
lists nothing the dashboard hides; the briefing pack is handed only to who sees its deal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.models import BriefingPack, Deal, PackStatus, Stage
from deals.selectors import dashboard_tiles
from notifications import digests
from stakeholders.models import Role, WorkingSession
from tests.factories import DealFactory, ReviewFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, partnership):
    """Deals of two sponsors in several currencies and stages, stalled or not, public and
    confidential, archived, worth nothing; the executive also reviews for Legal."""
    other = UserFactory(email="cfo@example.test", roles=[Role.EXECUTIVE])
    make_member(personas.executive, "legal")
    now = timezone.now()
    long_ago = now - dt.timedelta(days=60)

    def deal(title, sponsor, **fields):
        fields.setdefault("owner", personas.owner)
        return DealFactory(title=title, partnership=partnership, sponsor=sponsor, **fields)

    rows = [
        deal(
            "Stalled in pounds",
            personas.executive,
            currency="GBP",
            stage=Stage.NEGOTIATION,
            stage_changed_at=long_ago,
            weekly_cost_of_delay=Decimal("1200"),
        ),
        deal("Fresh in euros", personas.executive, stage=Stage.REVIEW),
        deal("Worth nothing", personas.executive, currency="USD", contract_value=Decimal("0")),
        deal(
            "On hold for long",
            personas.executive,
            stage=Stage.ON_HOLD,
            stage_changed_at=long_ago,
            weekly_cost_of_delay=Decimal("800"),
        ),
        deal("Live already", personas.executive, stage=Stage.LIVE),
        deal(
            "Archived",
            personas.executive,
            archived_at=now,
            stage=Stage.NEGOTIATION,
            stage_changed_at=long_ago,
            weekly_cost_of_delay=Decimal("5000"),
        ),
        deal(
            "Other's stalled",
            other,
            stage=Stage.APPROVED,
            stage_changed_at=long_ago,
            weekly_cost_of_delay=Decimal("3100"),
            owner=personas.outsider,
        ),
        deal(
            "Hidden merger",
            other,
            confidential=True,
            stage=Stage.NEGOTIATION,
            stage_changed_at=long_ago,
            weekly_cost_of_delay=Decimal("9000"),
            owner=personas.outsider,
        ),
        deal(
            "Other's secret Legal reviews",
            other,
            confidential=True,
            stage=Stage.REVIEW,
            stage_changed_at=long_ago,
            weekly_cost_of_delay=Decimal("700"),
            owner=personas.outsider,
        ),
        deal(
            "Other's secret with a session",
            other,
            confidential=True,
            currency="GBP",
            stage=Stage.NEGOTIATION,
            owner=personas.outsider,
        ),
    ]
    reviewed = rows[8]
    ReviewFactory(deal=reviewed, department=department("legal"))
    session = WorkingSession.objects.create(
        deal=rows[9],
        title="Terms",
        starts_at=now + dt.timedelta(days=1),
        agenda="Cap.",
        organiser=personas.outsider,
    )
    session.invitees.add(personas.it)
    return {"other_executive": other, "deals": rows}


def everyone(personas, world) -> dict:
    return {**personas.all(), "other_executive": world["other_executive"]}


def test_each_persona_s_digest_counts_what_their_dashboard_counts(personas, world, client_for):
    people = everyone(personas, world)
    contexts = digests.digest_contexts([u.pk for u in people.values()])
    compared = 0
    for name, user in people.items():
        section = contexts[user.pk]["executive"]
        if section is None:
            continue
        tiles = dashboard_tiles(user)
        assert section["open_deals"] == tiles["open_deals"], name
        assert section["stalled_count"] == tiles["stalled_deals"], name
        assert section["pipeline"] == tiles["pipeline"], name
        assert section["stalled_money"] == tiles["stalled_cost"], name
        # and the page shows the same figure as the tiles it renders
        page = client_for(user).get(reverse("dashboard"))
        assert page.context["tiles"]["open_deals"] == section["open_deals"], name
        compared += 1
    assert compared == 2  # both executives


def test_no_persona_s_digest_names_a_deal_their_dashboard_hides(personas, world, client_for):
    titles = {d.title for d in world["deals"]}
    for name, user in everyone(personas, world).items():
        visible = set(Deal.objects.visible_to(user).values_list("title", flat=True))
        preview = client_for(user).get("/digest/preview/?format=text").content.decode()
        hidden = {t for t in titles - visible if t in preview}
        assert not hidden, f"{name}'s digest names {hidden}"
        if name == "executive":  # the check looks at a digest that does name deals
            assert "Stalled in pounds" in preview and "Other's stalled" in preview


def test_the_briefing_pack_goes_only_to_people_who_see_its_deal(personas, world, client_for):
    secret = world["deals"][7]
    pack = BriefingPack.objects.create(deal=secret, requested_by=world["other_executive"])
    BriefingPack.objects.filter(pk=pack.pk).update(status=PackStatus.READY)
    for name, user in everyone(personas, world).items():
        sees = Deal.objects.visible_to(user).filter(pk=secret.pk).exists()
        response = client_for(user).get(reverse("briefing_download", args=[pack.pk]))
        if not sees:
            assert response.status_code == 404, name
