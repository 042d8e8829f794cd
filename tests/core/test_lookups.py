"""`field__any_of`: the same rows as `field__in`, with the list sent as one parameter."""

import pytest
from django.db import connection

from deals.models import Deal, StageChange
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds_with_one_parameter(partnership):
    deals = [DealFactory(partnership=partnership) for _ in range(4)]
    wanted = [deals[0].pk, deals[2].pk, 10**12]  # one that exists nowhere
    query = Deal.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)
    _, params = query.query.get_compiler(connection=connection).as_sql()
    assert len(params) == 1  # the whole list, as one parameter
    found = set(query)
    assert found == set(Deal.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {deals[0].pk, deals[2].pk}
    # Through a foreign key, and an empty list matching nothing.
    moves = StageChange.objects.filter(deal_id__any_of=wanted)
    assert {m.deal_id for m in moves} == {deals[0].pk, deals[2].pk}
    assert not Deal.objects.filter(pk__any_of=[]).exists()
