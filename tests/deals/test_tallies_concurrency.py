"""The tallies under concurrent writers on PostgreSQL: changes to deals of the same group
at the same moment, with a compaction running between them, neither wait on one another
for long, deadlock, nor lose or double a count."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from deals import services, tally_sql
from deals.models import Deal, Stage
from stakeholders.models import Concern
from tests.deals.test_tallies import tallies
from tests.factories import ConcernFactory, DealFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (CI runs it there)")


def at_once(jobs, hold: float = 0.0) -> None:
    """Each job in its own thread and connection, all started together; each in a
    transaction held open `hold` seconds after its work, so that the others must wait on
    it. A job's exception fails the caller."""
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job):
        try:
            barrier.wait()
            with transaction.atomic():
                job()
                time.sleep(hold)
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors


def test_concurrent_moves_and_a_compaction_lose_and_double_nothing(personas, partnership):
    deals = [
        DealFactory(partnership=partnership, stage=Stage.INTAKE, currency="EUR") for _ in range(8)
    ]
    jobs = [
        lambda deal=deal: services.deal_advance(
            deal=Deal.objects.get(pk=deal.pk), user=personas.executive, to_stage=Stage.BUSINESS_CASE
        )
        for deal in deals
    ] + [tally_sql.compact]
    at_once(jobs)
    assert Deal.objects.filter(stage=Stage.BUSINESS_CASE).count() == len(deals)
    kept = tallies()
    stages, _, moves, _ = kept
    assert sum(n for (stage, *_), (n, *_) in stages.items() if stage == Stage.BUSINESS_CASE) == 8
    assert moves
    tally_sql.rebuild()
    assert tallies() == kept


def test_concerns_opened_and_resolved_at_once_hold_a_deal_once(personas, partnership):
    """Six blocking concerns opened on one deal at the same moment count it once; all
    resolved at the same moment, it is counted no more. Each trigger locks the deal's
    row first, so none of them decides on a stale view of the others."""
    deal = DealFactory(partnership=partnership, stage=Stage.REVIEW)

    def held() -> int:
        return sum(n for (stage, *_), (n,) in tallies()[3].items() if stage == Stage.REVIEW)

    at_once([lambda: ConcernFactory(deal=deal, blocking=True) for _ in range(6)], hold=0.05)
    assert Concern.objects.filter(deal=deal).count() == 6
    assert held() == 1
    at_once(
        [
            lambda pk=pk: Concern.objects.filter(pk=pk).update(resolved_at=timezone.now())
            for pk in Concern.objects.filter(deal=deal).values_list("pk", flat=True)
        ],
        hold=0.05,
    )
    assert held() == 0
    kept = tallies()
    tally_sql.rebuild()
    assert tallies() == kept


def test_the_beat_task_gives_back_the_pages_a_bulk_change_left(personas, partnership):
    """A bulk change leaves a tally of a few rows on many pages, which autovacuum does not
    give back (few dead rows, no index pass): every read would still scan them. Two runs
    of the beat task shrink it to its rows, and change no figure."""
    from django.db.models import F

    from deals.tasks import compact_tallies

    def pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size('deals_stagetally') / 8192")
            return cursor.fetchone()[0]

    deals = Deal.objects.filter(pk__in=[DealFactory(partnership=partnership).pk for _ in range(20)])
    for _ in range(40):  # each update of a deal adds its -1 and +1 rows
        deals.update(contract_value=F("contract_value") + 1)
    kept = tallies()
    bloated = pages()
    assert bloated > tally_sql.BLOATED_PAGES * 2
    for _ in range(2):
        compact_tallies()
    assert pages() <= 2 < bloated
    assert tallies() == kept
    assert tally_sql.reclaim() == []  # nothing left to give back


def test_the_last_two_verdicts_given_at_once_leave_the_deal_waiting_on_its_owner(
    personas, partnership
):
    """Who a deal waits on depends on its other reviews: each review's trigger locks the
    deal first (deals.waiting), so the second verdict sees the first. Without the lock
    both see the other review pending and the deal keeps waiting on a department."""
    from deals import waiting
    from stakeholders.models import Review, ReviewStatus
    from tests.factories import ReviewFactory, department

    deal = DealFactory(partnership=partnership, stage=Stage.REVIEW)
    reviews = [ReviewFactory(deal=deal, department=department(slug)) for slug in ("legal", "it")]
    assert Deal.objects.get(pk=deal.pk).waiting_on == waiting.DEPARTMENT
    at_once(
        [
            lambda pk=review.pk: Review.objects.filter(pk=pk).update(
                status=ReviewStatus.APPROVED, decided_at=timezone.now()
            )
            for review in reviews
        ],
        hold=0.1,
    )
    assert Deal.objects.get(pk=deal.pk).waiting_on == waiting.OWNER
    assert waiting.recount() == 0
