"""The figures read intervals and revisions with the hidden deals left out by id
(selectors.scoped_by_id) and the rest through a join (selectors.scoped): both leave
out the same deals, for every persona and with a filter."""

from __future__ import annotations

import pytest
from django.utils import timezone

from analytics.filters import AnalyticsFilterForm
from analytics.models import Interval, IntervalKind
from analytics.selectors import scoped, scoped_by_id
from deals.models import Stage
from tests.analytics.helpers import interval
from tests.factories import DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db


def test_leaving_hidden_deals_out_by_id_reads_what_a_join_reads(personas, partnership):
    deals = {
        "public": DealFactory(partnership=partnership),
        "confidential, owned": DealFactory(
            partnership=partnership, owner=personas.owner, confidential=True
        ),
        "confidential, reviewed by Legal": DealFactory(partnership=partnership, confidential=True),
        "confidential, no part": DealFactory(partnership=partnership, confidential=True),
        "archived": DealFactory(partnership=partnership, archived_at=timezone.now()),
    }
    ReviewFactory(deal=deals["confidential, reviewed by Legal"], department=department("legal"))
    for deal in deals.values():
        interval(deal, days=2, stage=Stage.INTAKE)
        interval(deal, days=3, kind=IntervalKind.REVIEW, department=department("it"))
    names = {deal.pk: name for name, deal in deals.items()}
    for query in (None, {"partner_kind": partnership.partner.kind}, {"value_band": "large"}):
        form = AnalyticsFilterForm(query)
        for who, user in personas.all().items():
            joined = scoped(Interval.objects.all(), user, form, via="deal__")
            by_id = scoped_by_id(Interval.objects.all(), user, form, via="deal__")
            assert sorted(by_id.values_list("pk", flat=True)) == sorted(
                joined.values_list("pk", flat=True)
            ), (who, query)
    seen = scoped_by_id(Interval.objects.all(), personas.legal, AnalyticsFilterForm(), "deal__")
    assert {names[pk] for pk in seen.values_list("deal_id", flat=True)} == {
        "public",
        "confidential, reviewed by Legal",
    }
