"""The interval tally (analytics.tally): the trigger keeps it equal to a recount through
every kind of change, a person's figures from it (the rows they may see, and the
confidential deals they see otherwise, read live) equal the same figures grouped live
from what they may read, and its percentiles are within half a per cent of the exact
ones."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from analytics import tally
from analytics.backfill import backfill
from analytics.figures import past, pending_reviews, term_categories
from analytics.filters import AnalyticsFilterForm
from analytics.models import Interval, IntervalKind, IntervalTally, PendingTally, TermTally
from analytics.selectors import hidden_deals, scoped_by_id
from analytics.stats import percentile
from deals import tally_sql
from deals.models import ACTIVE_STAGES, Deal, Stage, Term, TermRevision
from deals.selectors import confidential_read_live
from deals.services import term_create, term_revise
from stakeholders.models import Department, Review, ReviewStatus
from tests.analytics.helpers import interval
from tests.analytics.test_intervals import _life_of_a_deal
from tests.factories import DealFactory, ReviewFactory, TermFactory, department

pytestmark = pytest.mark.django_db

SINCE = dt.date(2000, 1, 1)


def _tallied(model=IntervalTally) -> dict:
    rows = (
        model.objects.values(*model.KEY)
        .annotate(**{name: Sum(name) for name in model.SUMS})
        .order_by()
    )
    return {
        tuple(row[k] for k in model.KEY): tuple(row[s] for s in model.SUMS)
        for row in rows
        if any(row[s] for s in model.SUMS)
    }


def _agrees_with_a_recount(model=IntervalTally) -> dict:
    kept = _tallied(model)
    tally_sql.compact(models=[model])
    assert _tallied(model) == kept  # folding changes nothing
    tally.rebuild()
    assert _tallied(model) == kept
    return kept


def test_the_tally_follows_every_change_to_the_intervals(personas, deal):
    legal = department("legal")
    assert _agrees_with_a_recount() == {}
    first = interval(deal, days=3, stage=Stage.INTAKE)
    review = interval(
        deal, days=0.5, kind=IntervalKind.REVIEW, department=legal, outcome=ReviewStatus.APPROVED
    )
    counted = _agrees_with_a_recount()
    assert sum(sums[0] for sums in counted.values()) == 4  # two intervals, two units each
    # An open interval counts nothing until it ends.
    open_one = Interval.objects.create(
        kind=IntervalKind.STAGE,
        deal=deal,
        stage=Stage.BUSINESS_CASE,
        started_at=timezone.now() - dt.timedelta(days=2),
        opened_by=99_000_001,
    )
    assert _agrees_with_a_recount() == counted
    open_one.ended_at = timezone.now()
    open_one.days = open_one.business_days = 2
    open_one.save()
    _agrees_with_a_recount()
    # A verdict changed, a length corrected, a round added, a department moved.
    Interval.objects.filter(pk=review.pk).update(
        outcome=ReviewStatus.CHANGES_REQUESTED, days=9, round=2, department=department("it")
    )
    _agrees_with_a_recount()
    first.delete()
    _agrees_with_a_recount()
    deal.delete()  # its intervals go with it
    assert _agrees_with_a_recount() == {}


def test_the_intervals_of_the_services_and_of_the_backfill_are_tallied(personas, deal_in_review):
    _life_of_a_deal(personas, deal_in_review)
    counted = _agrees_with_a_recount()
    ended = Interval.objects.filter(ended_at__isnull=False).count()
    assert sum(sums[0] for sums in counted.values()) == 2 * ended > 0
    backfill()  # rewrites the intervals from the audit trail
    assert _agrees_with_a_recount() == counted


def _live_past(user, form, unit):
    """The figures grouped live from what `user` may read: no tally."""
    units = [unit, "calendar"] if unit == "business" else ["calendar"]
    rows = tally.live_rows(scoped_by_id(Interval.objects.all(), user, form, "deal__"), units)
    return tally.fold(
        [(1, rows)],
        ("kind", "stage", "department_id"),
        units,
        {"p50": (unit, 0.5), "p75": (unit, 0.75), "p90": (unit, 0.9), "cal": ("calendar", 0.5)},
        ("verdicts", "within", "returned", "rereviews", "reassigned"),
    )


def test_a_person_s_figures_from_the_tally_equal_those_of_what_they_may_read(personas, partnership):
    deals = [
        DealFactory(partnership=partnership),
        DealFactory(partnership=partnership, owner=personas.owner, confidential=True),
        DealFactory(partnership=partnership, confidential=True),
        DealFactory(partnership=partnership, confidential=True),
        DealFactory(partnership=partnership, archived_at=timezone.now()),
    ]
    ReviewFactory(deal=deals[2], department=department("legal"))
    rng = random.Random(20)
    for deal in deals:
        for _ in range(6):
            interval(deal, days=rng.uniform(0.01, 40), stage=Stage.INTAKE)
            interval(
                deal,
                days=rng.uniform(0.01, 12),
                business_days=rng.uniform(0.01, 9),
                kind=IntervalKind.REVIEW,
                department=department("it"),
                outcome=rng.choice([ReviewStatus.APPROVED, ReviewStatus.REJECTED, "reassigned"]),
            )
    for unit in ("calendar", "business"):
        form = AnalyticsFilterForm({"days": unit})
        for who, user in personas.all().items():
            extra = confidential_read_live(user) or []
            history, _ = past(user, form, extra, unit=unit, since=SINCE)
            expected = _live_past(user, form, unit)
            assert history.keys() == expected.keys(), who
            for key, group in history.items():
                assert (group.n, group.counts) == (expected[key].n, expected[key].counts), who
                for name, value in group.values.items():
                    assert value == pytest.approx(expected[key].values[name], rel=1e-9), who


def test_percentiles_from_the_buckets_are_within_half_a_per_cent():
    rng = random.Random(7)
    for size in (1, 2, 5, 40, 1000):
        lengths = sorted(rng.lognormvariate(1.5, 1.5) for _ in range(size))
        counts: dict[int, int] = {}
        for length in lengths:
            bucket = tally.bucket_index(length)
            counts[bucket] = counts.get(bucket, 0) + 1
        for fraction in (0.5, 0.75, 0.9):
            exact = percentile(lengths, fraction)
            assert tally.Histogram(counts).percentile(fraction) == pytest.approx(exact, rel=0.005)
    assert tally.Histogram({}).percentile(0.5) is None


def test_the_term_tally_follows_revisions_re_filed_terms_and_deleted_deals(personas, deal):
    legal = department("legal")
    data = {
        "category": "liability_cap",
        "title": "Cap",
        "wording": "Twice the fee.",
        "department": legal,
    }
    term = term_create(deal=deal, user=personas.owner, data=data)
    other = term_create(deal=deal, user=personas.owner, data=data | {"category": "data_protection"})
    assert _agrees_with_a_recount(TermTally) == {
        ("liability_cap", False, None, None): (1, 0, 0),
        ("data_protection", False, None, None): (1, 0, 0),
    }
    term_revise(
        term=term,
        user=personas.owner,
        wording="Three times the fee.",
        expected_version=term.version,
    )
    assert _agrees_with_a_recount(TermTally)[("liability_cap", False, None, None)][:2] == (1, 1)
    Term.objects.filter(pk=term.pk).update(category="termination")  # re-filed
    assert ("liability_cap", False, None, None) not in _agrees_with_a_recount(TermTally)
    TermRevision.objects.filter(term=other).update(reopened_review=True)
    assert _agrees_with_a_recount(TermTally)[("data_protection", False, None, None)] == (1, 0, 1)
    other.delete()
    assert ("data_protection", False, None, None) not in _agrees_with_a_recount(TermTally)
    deal.delete()
    assert _agrees_with_a_recount(TermTally) == {}


def test_a_person_s_term_categories_from_the_tally_equal_those_of_what_they_may_read(
    personas, partnership
):
    deals = [
        DealFactory(partnership=partnership),
        DealFactory(partnership=partnership, owner=personas.owner, confidential=True),
        DealFactory(partnership=partnership, confidential=True),
        DealFactory(partnership=partnership, archived_at=timezone.now()),
    ]
    ReviewFactory(deal=deals[2], department=department("legal"))
    for n, deal in enumerate(deals):
        for category in ("liability_cap", "termination")[: n % 2 + 1]:
            term = TermFactory(deal=deal, category=category)  # with its revision 1
            for number in range(2, n + 3):
                TermRevision.objects.create(
                    term=term, number=number, round=1, new_wording="x", reopened_review=number == 3
                )
    for who, user in personas.all().items():
        hidden = list(hidden_deals(user).values_list("pk", flat=True))
        extra = confidential_read_live(user) or []
        tallied = term_categories(user, AnalyticsFilterForm(None), extra)
        readable = TermRevision.objects.exclude(term__deal_id__in=hidden)
        for row in tallied:
            mine = readable.filter(term__category=row["category"])
            assert row["terms"].value == mine.filter(number=1).count(), who
            assert row["revisions"].value == mine.filter(number__gt=1).count(), who
            assert row["resets"].value == mine.filter(reopened_review=True).count(), who


def test_the_pending_tally_follows_verdicts_departments_and_the_deal_s_stage_currency_cost(
    personas, partnership
):
    deal = DealFactory(partnership=partnership, stage=Stage.REVIEW, weekly_cost_of_delay=100)
    legal = ReviewFactory(deal=deal, department=department("legal"))
    ReviewFactory(deal=deal, department=department("it"))
    assert _agrees_with_a_recount(PendingTally) == {
        (department("legal").pk, Stage.REVIEW, deal.currency, False, None, None): (1, 100),
        (department("it").pk, Stage.REVIEW, deal.currency, False, None, None): (1, 100),
    }
    Review.objects.filter(pk=legal.pk).update(status=ReviewStatus.APPROVED)
    _agrees_with_a_recount(PendingTally)
    Review.objects.filter(pk=legal.pk).update(
        status=ReviewStatus.PENDING, department=department("procurement")
    )
    _agrees_with_a_recount(PendingTally)
    Deal.objects.filter(pk=deal.pk).update(
        stage=Stage.NEGOTIATION, currency="USD", weekly_cost_of_delay=250
    )
    counted = _agrees_with_a_recount(PendingTally)
    assert {key[1:3] for key in counted} == {(Stage.NEGOTIATION, "USD")}
    assert set(counted.values()) == {(1, 250)}
    legal.delete()
    _agrees_with_a_recount(PendingTally)
    Deal.objects.get(pk=deal.pk).delete()
    assert _agrees_with_a_recount(PendingTally) == {}


def test_a_person_s_pending_reviews_from_the_tally_equal_those_of_what_they_may_read(
    personas, partnership
):
    deals = [
        DealFactory(partnership=partnership, stage=Stage.REVIEW, weekly_cost_of_delay=10),
        DealFactory(
            partnership=partnership, stage=Stage.REVIEW, owner=personas.owner, confidential=True
        ),
        DealFactory(partnership=partnership, stage=Stage.NEGOTIATION, confidential=True),
        DealFactory(partnership=partnership, stage=Stage.REVIEW, archived_at=timezone.now()),
        DealFactory(partnership=partnership, stage=Stage.SIGNED),  # not being worked
    ]
    for deal in deals:
        for slug in ("legal", "it", "procurement"):
            ReviewFactory(deal=deal, department=department(slug))
    ids = [d.pk for d in Department.objects.all()]
    for who, user in personas.all().items():
        hidden = list(hidden_deals(user).values_list("pk", flat=True))
        extra = confidential_read_live(user) or []
        tallied = pending_reviews(user, AnalyticsFilterForm(None), ids, extra)
        readable = Review.objects.filter(
            status=ReviewStatus.PENDING, deal__stage__in=ACTIVE_STAGES
        ).exclude(deal_id__in=hidden)
        expected = {}
        for review in readable.select_related("deal"):
            key = (review.department_id, review.deal.currency)
            n, cost = expected.get(key, (0, 0))
            expected[key] = (n + 1, cost + review.deal.weekly_cost_of_delay)
        assert {(r["department_id"], r["currency"]): (r["n"], r["cost"]) for r in tallied} == (
            expected
        ), who


def test_the_backfill_command_recounts_the_tallies_on_request(personas, deal):
    interval(deal, days=4, stage=Stage.INTAKE)
    TermFactory(deal=deal)
    kept = {model: _tallied(model) for model in tally.TALLIES}
    for model in tally.TALLIES:
        model.objects.all().delete()  # as after restoring a backup without them
    out = io.StringIO()
    call_command("analytics_backfill", tallies=True, stdout=out)
    assert "Tallies recounted." in out.getvalue()
    assert {model: _tallied(model) for model in tally.TALLIES} == kept
    assert kept[IntervalTally] and kept[TermTally]


def test_the_tallies_follow_a_deal_s_readers_and_its_archiving(personas, partnership):
    """A confidential deal's rows are keyed by its sponsor and owner, an archived deal's
    are taken away: every tally stays a recount as the deal changes both ways."""
    deal = DealFactory(partnership=partnership, stage=Stage.REVIEW, weekly_cost_of_delay=50)
    interval(deal, days=3, stage=Stage.INTAKE)
    interval(
        deal,
        days=1,
        kind=IntervalKind.REVIEW,
        department=department("legal"),
        outcome=ReviewStatus.APPROVED,
    )
    TermFactory(deal=deal)
    ReviewFactory(deal=deal, department=department("it"))

    def counted() -> dict:
        return {model: _agrees_with_a_recount(model) for model in tally.TALLIES}

    public = counted()
    assert all(public.values())
    Deal.objects.filter(pk=deal.pk).update(confidential=True)
    keys = {key[-3:] for rows in counted().values() for key in rows}
    assert keys == {(True, personas.executive.pk, deal.owner_id)}
    Deal.objects.filter(pk=deal.pk).update(sponsor=personas.legal, owner=personas.outsider)
    keys = {key[-3:] for rows in counted().values() for key in rows}
    assert keys == {(True, personas.legal.pk, personas.outsider.pk)}
    Deal.objects.filter(pk=deal.pk).update(archived_at=timezone.now())
    assert not any(counted().values())
    Deal.objects.filter(pk=deal.pk).update(
        archived_at=None, confidential=False, sponsor=personas.executive, owner=deal.owner
    )
    assert counted() == public
