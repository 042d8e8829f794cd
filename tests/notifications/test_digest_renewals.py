"""The digest's renewals: each reader's ten soonest notice deadlines and how many they have,
read for a whole batch in one query however many agreements each reader has."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Agreement
from deals.models import Stage
from notifications.digests import digest_contexts
from stakeholders.models import Role
from tests.factories import DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def due_in(days: int, partnership, **people) -> Agreement:
    deal = DealFactory(partnership=partnership, stage=Stage.SIGNED, **people)
    agreement = Agreement.objects.create(deal=deal)
    # As the daily computation would have stored it.
    Agreement.objects.filter(pk=agreement.pk).update(
        notice_deadline=timezone.localdate() + dt.timedelta(days=days)
    )
    return agreement


def test_each_reader_gets_their_ten_soonest_deadlines_and_each_agreement_counted_once(
    personas, partnership
):
    owner, executive = personas.owner, personas.executive
    cfo = UserFactory(email="cfo@example.test", roles=[Role.EXECUTIVE])
    owned = [due_in(n + 1, partnership, owner=owner, sponsor=executive) for n in range(8)]
    # Owned and sponsored by the executive: one agreement, one line, counted once.
    both = [due_in(20 + n, partnership, owner=executive, sponsor=executive) for n in range(5)]
    others = [due_in(40 + n, partnership, owner=owner, sponsor=cfo) for n in range(3)]
    due_in(200, partnership, owner=owner, sponsor=cfo)  # beyond the horizon

    contexts = digest_contexts([owner.pk, executive.pk, cfo.pk])

    def shown(person):
        return [item["agreement"] for item in contexts[person.pk]["renewals"]["items"]]

    assert shown(owner) == owned + others[:2]
    assert contexts[owner.pk]["renewals"]["count"] == 11
    assert contexts[owner.pk]["renewals"]["more"] == 1
    assert shown(executive) == owned + both[:2]
    assert contexts[executive.pk]["renewals"]["count"] == 13
    assert contexts[executive.pk]["renewals"]["more"] == 3
    assert shown(cfo) == others
    assert contexts[cfo.pk]["renewals"]["count"] == 3
    assert contexts[cfo.pk]["renewals"]["more"] == 0
