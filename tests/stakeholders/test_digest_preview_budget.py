"""The digest preview is a main page: its query count does not grow with the desk."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/digest/preview/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15, counts
