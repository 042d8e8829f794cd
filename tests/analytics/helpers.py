"""Intervals of known length, written straight into the table (the figures' tests are
about arithmetic and scope, not about how intervals come to be)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from analytics.models import Interval, IntervalKind

_opened = itertools.count(10_000_000)


def interval(deal, *, days: float, kind=IntervalKind.STAGE, stage="", department=None, **fields):
    """An ended interval of `days` calendar (and business) days, ended a day ago."""
    ended = fields.pop("ended_at", timezone.now() - dt.timedelta(days=1))
    return Interval.objects.create(
        kind=kind,
        deal=deal,
        stage=stage if kind == IntervalKind.STAGE else "",
        department=department,
        started_at=ended - dt.timedelta(days=days),
        ended_at=ended,
        days=days,
        business_days=fields.pop("business_days", days),
        opened_by=next(_opened),
        sla_days=department.review_sla_days if department else None,
        **fields,
    )
