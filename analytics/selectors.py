"""What a person may read here: the deals visible to them (Deal.objects.visible_to's
rule, also applied through a relation), archived deals left out, the page's filters
applied; the departments whose rows they see.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from deals.models import Deal, involvement
from stakeholders.models import Department, Membership

from .filters import AnalyticsFilterForm


def scoped(queryset: QuerySet, user, form: AnalyticsFilterForm, via: str = "") -> QuerySet:
    """`queryset` narrowed to current deals `user` may see and the filters; `via` is the
    path to the deal ("deal__" for an interval or a review, "" for deals)."""
    if not user.is_superuser:
        queryset = queryset.filter(Q(**{f"{via}confidential": False}) | involvement(user, via))
    return queryset.filter(Q(**{f"{via}archived_at__isnull": True}) & form.deal_q(via))


def hidden_deals(user) -> QuerySet[Deal]:
    """The ids of the deals `user` may not read here: archived, or confidential without a
    part in them — the complement of `scoped`'s rule, before the filters."""
    hidden = Q(archived_at__isnull=False)
    if not user.is_superuser:
        hidden |= Q(confidential=True) & ~involvement(user)
    return Deal.objects.filter(hidden).values("pk")


def scoped_by_id(queryset: QuerySet, user, form: AnalyticsFilterForm, via: str) -> QuerySet:
    """`scoped`, for rows that need nothing else of their deal (intervals, revisions):
    the few hidden deals are left out by id instead of each row being joined to its deal,
    so that an index of the rows alone can answer (no join unless a filter asks)."""
    return queryset.exclude(**{f"{via}in": hidden_deals(user)}).filter(form.deal_q(via))


def visible_deals(user, form: AnalyticsFilterForm) -> QuerySet[Deal]:
    return scoped(Deal.objects.all(), user, form)


def sees_every_department(user) -> bool:
    """Executives and administrators read every department's rows; members their own."""
    return user.is_superuser or user.is_executive


def departments_for(user) -> list[Department]:
    """The departments whose rows this person reads, with their SLA: one query."""
    departments = Department.objects.order_by("name")
    if not sees_every_department(user):
        departments = departments.filter(
            Exists(Membership.objects.filter(user=user, department=OuterRef("pk")))
        )
    return list(departments)
