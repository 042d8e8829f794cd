"""The demo's intervals come from its audit trail, and the backfill reproduces them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from analytics.models import Interval, IntervalKind
from stakeholders.models import User
from tests.analytics.test_intervals import SHAPE

pytestmark = pytest.mark.django_db


def _shape() -> list[tuple]:
    return sorted(
        (*(getattr(i, name) for name in SHAPE), i.opened_by, i.started_at, i.ended_at)
        for i in Interval.objects.all()
    )


def test_seed_demo_leaves_intervals_that_the_backfill_reproduces_once():
    call_command("seed_demo", stdout=io.StringIO())
    kinds = set(Interval.objects.values_list("kind", flat=True))
    assert {IntervalKind.STAGE, IntervalKind.REVIEW} <= kinds
    assert not Interval.objects.filter(ended_at__isnull=False, days__lt=0).exists()
    seeded = _shape()

    Interval.objects.all().delete()
    out = io.StringIO()
    call_command("analytics_backfill", stdout=out)
    assert f"{len(seeded)} added" in out.getvalue()
    assert _shape() == seeded

    again = io.StringIO()
    call_command("analytics_backfill", stdout=again)
    assert again.getvalue().startswith("Intervals: 0 added, 0 updated")


def test_the_demo_page_is_not_empty(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    text = client_for(User.objects.get(email="exec@demo.test")).get("/analytics/").content
    assert b"No intervals yet" not in text
    assert b"fewer than 5" in text or b"Median" in text
