"""The tallies under concurrent writers on PostgreSQL: changes to deals of the same group
at the same moment, with a compaction running between them, neither wait on one another
for long, deadlock, nor lose or double a count."""

import threading

import pytest
from django.db import connection, connections

from deals import services, tally_sql
from deals.models import Deal, Stage
from tests.deals.test_tallies import tallies
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (CI runs it there)")


def test_concurrent_moves_and_a_compaction_lose_and_double_nothing(personas, partnership):
    deals = [
        DealFactory(partnership=partnership, stage=Stage.INTAKE, currency="EUR") for _ in range(8)
    ]
    barrier = threading.Barrier(len(deals) + 1)
    errors: list[Exception] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    jobs = [
        lambda deal=deal: services.deal_advance(
            deal=Deal.objects.get(pk=deal.pk), user=personas.executive, to_stage=Stage.BUSINESS_CASE
        )
        for deal in deals
    ] + [tally_sql.compact]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert Deal.objects.filter(stage=Stage.BUSINESS_CASE).count() == len(deals)
    kept = tallies()
    stages, _, moves = kept
    assert sum(n for (stage, *_), (n, *_) in stages.items() if stage == Stage.BUSINESS_CASE) == 8
    assert moves
    tally_sql.rebuild()
    assert tallies() == kept
