"""The raw intervals as CSV, streamed (core.export: formula-like cells neutralised).

Only intervals of deals the person may see, with the page's filters; a department
member gets the review intervals of their departments only. No person is named: the
figures are about the process, never a leaderboard of people.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.export import csv_response

from .filters import AnalyticsFilterForm
from .models import Interval, IntervalKind
from .selectors import departments_for, scoped, sees_every_department

HEADER = [
    "interval",
    "kind",
    "deal id",
    "deal",
    "stage",
    "department",
    "review round",
    "started at",
    "ended at",
    "calendar days",
    "business days",
    "outcome",
]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def intervals_csv(user, form: AnalyticsFilterForm):
    intervals = scoped(Interval.objects.all(), user, form, via="deal__")
    if not sees_every_department(user):
        mine = [d.pk for d in departments_for(user)]
        intervals = intervals.filter(~Q(kind=IntervalKind.REVIEW) | Q(department_id__in=mine))
    rows = (
        (
            i["pk"],
            i["kind"],
            i["deal_id"],
            i["deal__title"],
            i["stage"],
            i["department__name"] or "",
            i["round"] if i["kind"] == IntervalKind.REVIEW else "",
            _when(i["started_at"]),
            _when(i["ended_at"]),
            round(i["days"], 2) if i["days"] is not None else "",
            round(i["business_days"], 2) if i["business_days"] is not None else "",
            i["outcome"],
        )
        for i in intervals.order_by("started_at", "pk")
        .values(
            "pk",
            "kind",
            "deal_id",
            "deal__title",
            "stage",
            "department__name",
            "round",
            "started_at",
            "ended_at",
            "days",
            "business_days",
            "outcome",
        )
        .iterator(chunk_size=2000)
    )
    return csv_response("where-time-goes-intervals.csv", HEADER, rows)
