"""The tallies the dashboard reads (deals.models.tally) are kept by database triggers: after
any kind of change — services, plain saves, `.update()`, bulk inserts, deletes,
archiving, a deal turning confidential — they hold what a recount from scratch holds,
before and after compaction; and the figures they give a person match the deals and
reviews that person may see, counted one by one here."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core.money import rates_on
from deals import services, tally_sql
from deals.dashboard import WEEK, heat_weeks, value_by_stage
from deals.models import (
    ACTIVE_STAGES,
    OPEN_STAGES,
    BlockTally,
    Deal,
    Stage,
    StageChange,
    StageTally,
)
from deals.models.tally import TALLIES
from deals.selectors import dashboard_tiles
from deals.tasks import compact_tallies
from stakeholders.models import Concern, Review, ReviewStatus
from tests.factories import (
    ConcernFactory,
    DealFactory,
    PartnershipFactory,
    ReviewFactory,
    department,
)

pytestmark = pytest.mark.django_db


def folded(model) -> dict:
    """The tally as {key: sums}, whatever rows it is kept in."""
    found: dict[tuple, list] = {}
    for row in model.objects.values(*model.KEY, *model.SUMS):
        sums = found.setdefault(tuple(row[k] for k in model.KEY), [0] * len(model.SUMS))
        for i, name in enumerate(model.SUMS):
            sums[i] += row[name]
    return {key: [Decimal(s) for s in sums] for key, sums in found.items() if sums[0]}


def tallies() -> tuple[dict, ...]:
    return tuple(folded(model) for model in TALLIES)


def assert_same_as_a_recount() -> None:
    kept = tallies()
    assert all(kept)
    tally_sql.compact()
    assert tallies() == kept  # compaction changes no figure
    assert StageTally.objects.count() == len(kept[0])  # one row per key left
    tally_sql.rebuild()
    assert tallies() == kept


def a_desk(partnership, personas):
    days_ago = [0, 3, 20, 40]
    deals = []
    for n, stage in enumerate([Stage.INTAKE, Stage.REVIEW, Stage.NEGOTIATION, Stage.SIGNED]):
        deal = DealFactory(
            partnership=partnership,
            stage=stage,
            stage_changed_at=timezone.now() - dt.timedelta(days=days_ago[n]),
            currency=["EUR", "USD"][n % 2],
            contract_value=Decimal(1000 * (n + 1)),
            confidential=n == 2,
        )
        deals.append(deal)
    for deal in deals[1:3]:
        for slug in ("legal", "it"):
            ReviewFactory(deal=deal, department=department(slug))
    return deals


def test_every_kind_of_change_leaves_the_tallies_as_a_recount_would(partnership, personas):
    deals = a_desk(partnership, personas)
    # Concerns: a deal is held once however many blocking concerns it has, until the
    # last is resolved, made non-blocking, moved to another deal or deleted.
    first = ConcernFactory(deal=deals[1], blocking=True)
    second = ConcernFactory(deal=deals[1], blocking=True)
    ConcernFactory(deal=deals[2], blocking=True)  # the confidential deal
    mild = ConcernFactory(deal=deals[0])
    Concern.objects.filter(pk=first.pk).update(resolved_at=timezone.now())
    Concern.objects.filter(pk=mild.pk).update(blocking=True)
    Concern.objects.filter(pk=mild.pk).update(deal=deals[1])
    Concern.objects.filter(pk=second.pk).update(deal=deals[0])
    Concern.objects.filter(pk=mild.pk).delete()
    assert sum(n for (n,) in folded(BlockTally).values()) == 2  # deals[0] and deals[2]
    review = Review.objects.filter(deal=deals[1]).first()
    # A verdict, late; a reassignment; a new due date; a reset.
    Review.objects.filter(pk=review.pk).update(
        status=ReviewStatus.APPROVED, decided_at=timezone.now() + dt.timedelta(days=30)
    )
    Review.objects.filter(deal=deals[2], department=department("it")).update(
        department=department("security"), due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.PENDING, decided_at=None)
    # A stage move through the service, value and currency edits, the business case's cost.
    services.deal_advance(deal=deals[0], user=personas.executive, to_stage=Stage.BUSINESS_CASE)
    Deal.objects.filter(pk=deals[1].pk).update(
        contract_value=Decimal("9999.99"), currency="GBP", weekly_cost_of_delay=Decimal("75")
    )
    # Confidential and back, archived and back: the deal's reviews move with it.
    deal = Deal.objects.get(pk=deals[1].pk)
    deal.confidential = True
    deal.save()
    services.deal_archive(deal=deals[2], user=personas.executive, archive=True)
    ReviewFactory(deal=deals[2], department=department("procurement"), due_on=timezone.localdate())
    assert_same_as_a_recount()
    services.deal_archive(
        deal=Deal.objects.get(pk=deals[2].pk), user=personas.executive, archive=False
    )
    # A confidential deal changes hands: its rows, reviews and moves follow its people.
    Deal.objects.filter(pk=deals[2].pk).update(sponsor=personas.owner, owner=personas.executive)
    assert_same_as_a_recount()
    kept = tallies()
    Deal.objects.filter(pk=deals[2].pk).update(owner=personas.legal)
    assert tallies() != kept  # the owner is part of a confidential deal's rows
    assert_same_as_a_recount()
    Deal.objects.filter(pk=deals[1].pk).update(confidential=False)
    # A stage change rewritten by hand.
    StageChange.objects.filter(deal=deals[0]).update(at=timezone.now() - dt.timedelta(days=90))
    # Bulk inserts, and deletes of a deal with its reviews and stage changes.
    Deal.objects.bulk_create(
        [
            Deal(
                partnership=partnership,
                title=f"Bulk {n}",
                summary="-",
                owner=personas.owner,
                sponsor=personas.executive,
                stage=Stage.REVIEW,
                contract_value=Decimal(n),
                expected_annual_value=Decimal(0),
                term_months=12,
            )
            for n in range(3)
        ]
    )
    Deal.objects.get(pk=deals[3].pk).delete()
    assert_same_as_a_recount()


def test_a_persons_figures_are_what_they_may_see_counted_one_by_one(partnership, personas):
    a_desk(partnership, personas)
    hidden = a_desk(PartnershipFactory(), personas)  # other sponsor: its confidential one is hidden
    Deal.objects.filter(pk=hidden[1].pk).update(confidential=True)
    for deal in (hidden[1], hidden[2], hidden[0]):  # two seen by Legal only, one by all
        ConcernFactory(deal=deal, blocking=True)
    Deal.objects.filter(pk=hidden[0].pk).update(
        stage_changed_at=timezone.now() - dt.timedelta(days=settings.STALL_DAYS, hours=1)
    )
    weeks = heat_weeks()
    # Through the tallies (sponsor, owner, superuser) and read live (a reviewing
    # department: Legal reviews the hidden confidential deals).
    for person in (
        personas.executive,
        personas.admin,
        personas.legal,
        hidden[2].owner,
        hidden[2].partnership.sponsor,
    ):
        visible = list(Deal.objects.visible_to(person).current())
        tiles = dashboard_tiles(person, reviews_due=(weeks[0], weeks[-1] + WEEK))
        cutoff = timezone.now() - dt.timedelta(days=settings.STALL_DAYS)
        assert tiles["open_deals"] == sum(d.stage in OPEN_STAGES for d in visible)
        assert tiles["stalled_deals"] == sum(
            d.stage in ACTIVE_STAGES and d.stage_changed_at < cutoff for d in visible
        )
        assert {s["stage"]: s["count"] for s in tiles["by_stage"] if s["count"]} == {
            stage: n for stage in Stage if (n := sum(d.stage == stage for d in visible))
        }
        assert tiles["blocked_deals"] == sum(
            d.stage in OPEN_STAGES and d.concerns.filter(blocking=True).exists() for d in visible
        )
        reviews = Review.objects.filter(deal__in=visible, status=ReviewStatus.PENDING)
        assert tiles["pending_reviews"] == reviews.count()
        if person == personas.executive:  # the other desk's confidential deal is hidden
            assert (
                tiles["pending_reviews"]
                < Review.objects.filter(status=ReviewStatus.PENDING).count()
            )
        stages = {s.stage: s.count for s in value_by_stage(person, None, tiles["rows"], rates_on())}
        assert sum(stages.values()) == len(visible)


def test_the_command_and_the_beat_task_fold_and_recount(partnership, personas):
    a_desk(partnership, personas)
    kept = tallies()
    out = io.StringIO()
    call_command("deals_tallies", "--rebuild", stdout=out)
    assert "Recounted the tallies" in out.getvalue()
    assert tallies() == kept
    DealFactory(partnership=partnership)
    before = StageTally.objects.count()
    compact_tallies.delay()  # in-process here: the beat task's code, not a copy
    assert StageTally.objects.count() <= before and tallies() != kept
    assert settings.CELERY_BEAT_SCHEDULE["compact-tallies"]["task"] == compact_tallies.name
