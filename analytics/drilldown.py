"""The deals behind a figure: one of `stage`, `department`, `waiting`, `category` or
`month` from the query string (with `now=1`: the deals in that queue now; none: every
deal the filters leave), the page's
filters applied, the deals one may see only, costliest delay first, a page at a time.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404, QueryDict

from deals.models import ACTIVE_STAGES, Stage, TermCategory, TermRevision
from deals.waiting import PARTIES
from stakeholders.models import Review, ReviewStatus

from .figures import FUNNEL
from .filters import AnalyticsFilterForm
from .models import Interval, IntervalKind
from .selectors import departments_for, visible_deals

PER_PAGE = 25


def _month(raw: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        first = dt.datetime.strptime(raw, "%Y-%m")
    except ValueError:
        raise Http404("No such month.") from None
    # The first and last years have no month after (9999-12) or fall off the calendar
    # once moved to UTC (0001-01 east of Greenwich).
    if not dt.MINYEAR < first.year < dt.MAXYEAR:
        raise Http404("No such month.")
    # UTC months, as the trend counts them (analytics.tally).
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first.replace(tzinfo=dt.UTC), following.replace(tzinfo=dt.UTC)


def behind(user, form: AnalyticsFilterForm, params: QueryDict) -> tuple[str, Q]:
    """What the figure is, said in words, and the condition on deals it stands for."""
    now = params.get("now") == "1"
    deal = OuterRef("pk")
    if (stage := params.get("stage")) is not None:
        if stage not in [s.value for s in FUNNEL]:
            raise Http404("No such stage.")
        label = Stage(stage).label
        if now:
            return f"Deals in {label} now", Q(stage=stage)
        stays = Interval.objects.filter(deal=deal, kind=IntervalKind.STAGE, stage=stage)
        return f"Deals that spent time in {label}", Exists(stays.filter(ended_at__isnull=False))
    if (raw := params.get("department")) is not None:
        departments = {str(d.pk): d for d in departments_for(user)}
        if raw not in departments:
            raise Http404("No such department among yours.")
        name = departments[raw].name
        if now:
            pending = Review.objects.filter(
                deal=deal, department_id=raw, status=ReviewStatus.PENDING
            )
            return f"Deals waiting on {name} now", Q(stage__in=ACTIVE_STAGES) & Exists(pending)
        waits = Interval.objects.filter(
            deal=deal, kind=IntervalKind.REVIEW, department_id=raw, ended_at__isnull=False
        )
        return f"Deals {name} reviewed", Exists(waits)
    if (party := params.get("waiting")) is not None:
        if party not in PARTIES:
            raise Http404("No such party.")
        # Only deals being worked wait on a party in the figures (deals.waiting).
        return (
            f"Deals waiting on {PARTIES[party].lower()} now",
            Q(party=party, stage__in=ACTIVE_STAGES),
        )
    if (category := params.get("category")) is not None:
        if category not in TermCategory.values:
            raise Http404("No such category.")
        revised = TermRevision.objects.filter(term__deal=deal, term__category=category).filter(
            Q(number__gt=1) | Q(reopened_review=True)
        )
        return f"Deals with {TermCategory(category).label} terms revised", Exists(revised)
    if (month := params.get("month")) is not None:
        start, end = _month(month)
        waits = Interval.objects.filter(
            deal=deal, kind=IntervalKind.REVIEW, ended_at__gte=start, ended_at__lt=end
        )
        return f"Deals with a review answered in {start:%B %Y}", Exists(waits)
    return "Deals you may see", Q()  # no figure named: every deal the filters leave


def deals_page(user, form: AnalyticsFilterForm, params: QueryDict) -> tuple[str, Page]:
    title, condition = behind(user, form, params)
    deals = visible_deals(user, form)
    if "waiting" in params:
        deals = deals.annotate(party=F("waiting_on"))
    deals = (
        deals.filter(condition)
        .select_related("partnership__partner")
        .only(
            "title",
            "stage",
            "currency",
            "weekly_cost_of_delay",
            "stage_changed_at",
            "partnership__partner__name",
        )
        .order_by("-weekly_cost_of_delay", "pk")
    )
    return title, Paginator(deals, PER_PAGE).get_page(params.get("page"))
