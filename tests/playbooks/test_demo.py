"""The demo playbooks and the demo deals placed in them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from playbooks.models import Playbook, Position, TermPosition
from playbooks.selectors import assess, stale_playbooks

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_four_playbooks_and_deals_using_fallbacks_and_one_custom_term(
    capsys,
):
    call_command("seed_demo")
    assert "clause playbooks" in capsys.readouterr().out
    assert sorted(Playbook.objects.values_list("title", flat=True)) == [
        "IT",
        "Legal",
        "Procurement",
        "Security",
    ]
    for playbook in Playbook.objects.all():
        tiers = set(
            Position.objects.filter(version__playbook=playbook).values_list("tier", flat=True)
        )
        assert {"standard", "fallback", "walk_away"} <= tiers, playbook
    assert [p.title for p in stale_playbooks()] == ["IT"]

    places = TermPosition.objects.select_related("term__deal__partnership__partner")
    assert places.filter(position__isnull=True).count() == 1
    labels = []
    for place in places:
        deal = place.term.deal
        row = assess(deal, [place.term]).rows[0]
        labels.append((row.found.label, row.covered))
    assert ("Within fallback 1", True) in labels  # approved by Procurement
    assert ("Within fallback 1", False) in labels  # waiting for its approver
    assert ("Outside the playbook", False) in labels  # the custom term
    assert ("Standard", True) in labels

    call_command("seed_demo")  # nothing twice
    assert Playbook.objects.count() == 4
    assert TermPosition.objects.count() == len(labels)
