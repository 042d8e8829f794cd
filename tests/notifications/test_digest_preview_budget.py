"""The digest preview is a main page: its query count does not grow with the desk."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import freshness
from deals.models import Stage
from tests.factories import DealFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def grow_desk(partnership, personas, count: int) -> None:
    stalled = timezone.now() - dt.timedelta(days=60)
    for n in range(count):
        deal = DealFactory(
            partnership=partnership,
            owner=personas.owner,
            sponsor=personas.executive,
            stage=Stage.REVIEW,
            stage_changed_at=stalled if n % 2 else timezone.now(),
        )
        ReviewFactory(deal=deal, reviewer=personas.legal)


@pytest.mark.parametrize("who", ["executive", "legal"])
def test_the_digest_preview_runs_a_fixed_number_of_queries(client_for, personas, partnership, who):
    client = client_for(getattr(personas, who))
    counts = []
    for count in (3, 30):
        grow_desk(partnership, personas, count)
        freshness.bump()  # the preview is cached until the data changes: compose it afresh
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/digest/preview/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15, counts


def test_a_repeated_preview_is_cached_until_the_data_changes(
    client_for, personas, partnership, django_capture_on_commit_callbacks
):
    from deals.services import deal_advance

    client = client_for(personas.executive)
    deal = DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)
    first = client.get("/digest/preview/?format=text").content.decode()
    assert "1 open deal" in first
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/digest/preview/?format=text").content.decode()
    assert again == first and len(queries) <= 4  # session, user; and the savepoint
    with django_capture_on_commit_callbacks(execute=True):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.ABANDONED)
    assert "0 open deals" in client.get("/digest/preview/?format=text").content.decode()
    assert "<strong>0</strong> open deals" in client.get("/digest/preview/").content.decode()
